//! Per-organization quotas: how many sources, connections, integrations, members and API
//! keys one organization may hold, so that one signed-up account cannot fill the database.
//! A create over its quota is refused with `INVALID_INPUT` and a sentence that says which
//! limit and what to do. The count is read before the insert, so concurrent creates can
//! pass it by a few; it bounds growth, it is not an exact ledger.

use crate::access::Access;
use crate::error::{ApiError, ApiResult};
use crate::store::OrgTable;

/// The most of `table`'s rows one organization may hold (the server's
/// [`Quotas`](crate::throttle::Quotas) setting).
pub fn quota(quotas: &crate::throttle::Quotas, table: OrgTable) -> i64 {
    match table {
        OrgTable::Sources => quotas.sources,
        OrgTable::Connections => quotas.connections,
        OrgTable::Integrations => quotas.integrations,
        OrgTable::Members => quotas.members,
        OrgTable::ApiKeys => quotas.api_keys,
    }
}

fn what(table: OrgTable) -> &'static str {
    match table {
        OrgTable::Sources => "sources",
        OrgTable::Connections => "connections",
        OrgTable::Integrations => "integrations",
        OrgTable::Members => "members",
        OrgTable::ApiKeys => "API keys",
    }
}

/// `Ok` while the organization has room for one more of `table`'s rows.
pub async fn room_for_one(a: &Access<'_>, org_id: &str, table: OrgTable) -> ApiResult<()> {
    let held = a.state.store.count_in_org(org_id, table).await?;
    if held >= quota(&a.state.throttle.limits().quotas, table) {
        return Err(ApiError::invalid(format!(
            "This organization already has {held} {what}, its limit: delete some before \
             adding more.",
            what = what(table)
        )));
    }
    Ok(())
}
