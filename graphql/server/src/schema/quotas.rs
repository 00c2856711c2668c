//! Per-organization quotas: how many sources, connections, integrations, members (with
//! pending invitations) and API keys one organization may hold, so that one signed-up
//! account cannot fill the database. The store enforces them (`Orgs::set_quotas`): each
//! create counts and inserts in one transaction under the organization's lock, so that
//! concurrent creates cannot pass a quota together. Over it, the create is refused with
//! `INVALID_INPUT` and the sentence below, which says which limit and what to do.

use crate::store::OrgTable;

fn what(table: OrgTable) -> &'static str {
    match table {
        OrgTable::Sources => "sources",
        OrgTable::Connections => "connections",
        OrgTable::Integrations => "integrations",
        OrgTable::Members => "members and pending invitations",
        OrgTable::ApiKeys => "API keys",
    }
}

/// Why a create over the quota of `table` was refused, for a person: the organization
/// holds `held` of them.
pub fn refusal(table: OrgTable, held: i64) -> String {
    format!(
        "This organization already has {held} {what}, its limit: delete some before adding \
         more.",
        what = what(table)
    )
}
