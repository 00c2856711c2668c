//! Per-organization quotas: how many sources, connections, integrations, members and API
//! keys one organization may hold, so that one signed-up account cannot fill the database.
//! A create over its quota is refused with `INVALID_INPUT` and a sentence that says which
//! limit and what to do. The count is read before the insert, so concurrent creates can
//! pass it by a few; it bounds growth, it is not an exact ledger.

use crate::access::Access;
use crate::error::{ApiError, ApiResult};
use crate::store::OrgTable;

/// The most of `table`'s rows one organization may hold.
pub fn quota(table: OrgTable) -> i64 {
    match table {
        OrgTable::Sources => 200,
        OrgTable::Connections => 200,
        OrgTable::Integrations => 1000,
        OrgTable::Members => 1000,
        OrgTable::ApiKeys => 100,
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
    if held >= quota(table) {
        return Err(ApiError::invalid(format!(
            "This organization already has {held} {what}, its limit: delete some before \
             adding more.",
            what = what(table)
        )));
    }
    Ok(())
}
