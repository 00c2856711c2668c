//! Limits on what a mutation can ask the server to store: every string at most
//! [`MAX_STORED_STRING`] bytes, every argument at most [`MAX_STORED_VALUE`] bytes as JSON (a
//! connection's `details`, an integration's `configPayload`). The request body's cap bounds
//! one request; these bound what stays in the database after it, row by row. A document
//! over them is refused whole, before anything runs, with `INVALID_INPUT` and the argument
//! named.

use async_graphql::extensions::{Extension, ExtensionContext, ExtensionFactory, NextParseQuery};
use async_graphql::parser::types::{ExecutableDocument, OperationType, Selection, SelectionSet};
use async_graphql::{ServerError, ServerResult, Value, Variables};
use std::collections::HashSet;
use std::sync::Arc;

/// The longest string a mutation may store: 16 KiB.
pub const MAX_STORED_STRING: usize = 16 * 1024;
/// The largest argument a mutation may store, as JSON: 64 KiB.
pub const MAX_STORED_VALUE: usize = 64 * 1024;

/// The extension that refuses a mutation whose arguments are over the limits above.
pub struct StoredSizes;

impl ExtensionFactory for StoredSizes {
    fn create(&self) -> Arc<dyn Extension> {
        Arc::new(StoredSizes)
    }
}

/// The longest string in `value`, in bytes.
fn longest_string(value: &Value) -> usize {
    match value {
        Value::String(s) => s.len(),
        Value::List(items) => items.iter().map(longest_string).max().unwrap_or(0),
        Value::Object(fields) => fields
            .iter()
            .map(|(k, v)| k.len().max(longest_string(v)))
            .max()
            .unwrap_or(0),
        _ => 0,
    }
}

/// The first argument of a field under `set` that is over a limit: its name and why.
fn oversized(
    doc: &ExecutableDocument,
    set: &SelectionSet,
    variables: &Variables,
    seen: &mut HashSet<String>,
) -> Option<String> {
    set.items.iter().find_map(|sel| match &sel.node {
        Selection::Field(f) => {
            let field = f.node.name.node.as_str();
            let over = f.node.arguments.iter().find_map(|(name, value)| {
                let value = value
                    .node
                    .clone()
                    .into_const_with(|v| {
                        Ok::<_, ()>(variables.get(&v).cloned().unwrap_or(Value::Null))
                    })
                    .ok()?;
                let size = serde_json::to_string(&value).map_or(0, |s| s.len());
                if longest_string(&value) > MAX_STORED_STRING {
                    Some(format!(
                        "`{field}({name})` holds a text longer than {} KB; shorten it.",
                        MAX_STORED_STRING / 1024
                    ))
                } else if size > MAX_STORED_VALUE {
                    Some(format!(
                        "`{field}({name})` is {} KB; at most {} KB is stored.",
                        size / 1024,
                        MAX_STORED_VALUE / 1024
                    ))
                } else {
                    None
                }
            });
            over.or_else(|| oversized(doc, &f.node.selection_set.node, variables, seen))
        }
        Selection::InlineFragment(fr) => {
            oversized(doc, &fr.node.selection_set.node, variables, seen)
        }
        Selection::FragmentSpread(spread) => {
            let name = spread.node.fragment_name.node.to_string();
            if !seen.insert(name.clone()) {
                return None;
            }
            doc.fragments
                .get(name.as_str())
                .and_then(|fr| oversized(doc, &fr.node.selection_set.node, variables, seen))
        }
    })
}

#[async_trait::async_trait]
impl Extension for StoredSizes {
    async fn parse_query(
        &self,
        ctx: &ExtensionContext<'_>,
        query: &str,
        variables: &Variables,
        next: NextParseQuery<'_>,
    ) -> ServerResult<ExecutableDocument> {
        let doc = next.run(ctx, query, variables).await?;
        let over = doc
            .operations
            .iter()
            .filter(|(_, op)| op.node.ty == OperationType::Mutation)
            .find_map(|(_, op)| {
                oversized(
                    &doc,
                    &op.node.selection_set.node,
                    variables,
                    &mut HashSet::new(),
                )
            });
        if let Some(message) = over {
            let mut e = ServerError::new(message, None);
            e.extensions
                .get_or_insert_with(Default::default)
                .set("code", "INVALID_INPUT");
            return Err(e);
        }
        Ok(doc)
    }
}
