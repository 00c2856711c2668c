//! Rows an organization's list read in bulk for the nested fields of what it returns.

use crate::store::{AppRow, ConnectionRow, IntegrationRow, OrgRow};
use std::collections::HashMap;

/// Rows a list resolver read in bulk for the objects it returns, so that their nested
/// fields (a source's organization and integrations, an integration's source and
/// connection) come from memory instead of one query per object. Without it the
/// Integrations page of an organization with 100,000 integrations ran 200,000 queries
/// (`make bench`, large-org). Everything in it belongs to the one organization whose
/// role the list resolver checked; a row missing from it is read from the store as before.
#[derive(Default)]
pub struct Prefetched {
    pub org: Option<OrgRow>,
    pub apps: HashMap<String, AppRow>,
    pub connections: HashMap<String, ConnectionRow>,
    /// Integrations by source id (in the store's order), when they were read.
    pub integrations: Option<HashMap<String, Vec<IntegrationRow>>>,
}

impl Prefetched {
    /// Groups an organization's integrations by source.
    pub fn group_integrations(rows: Vec<IntegrationRow>) -> HashMap<String, Vec<IntegrationRow>> {
        let mut by_app: HashMap<String, Vec<IntegrationRow>> = HashMap::new();
        for row in rows {
            by_app.entry(row.app_id.clone()).or_default().push(row);
        }
        by_app
    }
}
