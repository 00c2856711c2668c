//! Catalog answers, serialized once. The catalog never changes while the server runs and
//! its queries do not depend on who asks, so the answer to one catalog document (the
//! client's whole-catalog query is 7.6 MB of JSON) is kept as bytes and sent again as they
//! are, instead of building hundreds of thousands of values for every request.

use async_graphql::parser::types::{DocumentOperations, OperationType, Selection};
use axum::body::Bytes;
use std::collections::VecDeque;
use std::sync::Mutex;

/// The most answers kept (the client sends one catalog document, with a few variables).
const MAX_ENTRIES: usize = 8;
/// The most bytes kept, all answers together.
const MAX_BYTES: usize = 64 * 1024 * 1024;

/// What identifies an answer: the document, the operation and the variables, as sent.
#[derive(PartialEq, Eq, Clone, Debug)]
pub struct Key {
    query: String,
    operation: Option<String>,
    variables: String,
}

impl Key {
    /// The key of `req` when it asks for the catalog and nothing else (every operation a
    /// query whose root fields are `clickstreamPrototypes`, `integrations` or
    /// `__typename`); `None` for any other request.
    pub fn of_catalog_request(req: &async_graphql::Request) -> Option<Key> {
        let doc = async_graphql::parser::parse_query(&req.query).ok()?;
        let operations: Vec<_> = match &doc.operations {
            DocumentOperations::Single(op) => vec![op],
            DocumentOperations::Multiple(ops) => ops.values().collect(),
        };
        let catalog_only = operations.iter().all(|op| {
            op.node.ty == OperationType::Query
                && op.node.selection_set.node.items.iter().all(|sel| {
                    matches!(&sel.node, Selection::Field(f)
                    if matches!(
                        f.node.name.node.as_str(),
                        "clickstreamPrototypes" | "integrations" | "__typename"
                    ))
                })
        });
        catalog_only.then(|| Key {
            query: req.query.clone(),
            operation: req.operation_name.clone(),
            variables: serde_json::to_string(&req.variables).unwrap_or_default(),
        })
    }
}

/// Serialized catalog answers, the oldest forgotten first.
#[derive(Default)]
pub struct CatalogAnswers {
    kept: Mutex<VecDeque<(Key, Bytes)>>,
}

impl CatalogAnswers {
    /// The answer kept for `key`, if any.
    pub fn get(&self, key: &Key) -> Option<Bytes> {
        let kept = self.kept.lock().ok()?;
        kept.iter().find(|(k, _)| k == key).map(|(_, b)| b.clone())
    }

    /// Keeps `answer` for `key` (an answer without errors), forgetting the oldest ones
    /// beyond [`MAX_ENTRIES`] or [`MAX_BYTES`].
    pub fn keep(&self, key: Key, answer: Bytes) {
        if answer.len() > MAX_BYTES {
            return;
        }
        let Ok(mut kept) = self.kept.lock() else {
            return;
        };
        if kept.iter().any(|(k, _)| *k == key) {
            return;
        }
        kept.push_back((key, answer));
        while kept.len() > MAX_ENTRIES
            || kept.iter().map(|(_, b)| b.len()).sum::<usize>() > MAX_BYTES
        {
            kept.pop_front();
        }
    }
}
