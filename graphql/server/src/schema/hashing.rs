//! At most one password-hashing mutation per document: each costs an Argon2 run (19 MiB and
//! tens of milliseconds of CPU), and a document that asks for several (aliased, side by
//! side, or through fragments) is how one request multiplies that cost. Such a document is
//! refused whole, before anything runs.

use async_graphql::extensions::{Extension, ExtensionContext, ExtensionFactory, NextParseQuery};
use async_graphql::parser::types::{ExecutableDocument, OperationType, Selection, SelectionSet};
use async_graphql::{ServerError, ServerResult, Variables};
use std::collections::HashSet;
use std::sync::Arc;

/// The mutations that hash a password (`updateUser` only when given `newPassword`).
const HASHING: [&str; 4] = ["createToken", "createNewUser", "setPassword", "updateUser"];

/// The extension that refuses a document with more than one hashing mutation.
pub struct OneHashPerDocument;

impl ExtensionFactory for OneHashPerDocument {
    fn create(&self) -> Arc<dyn Extension> {
        Arc::new(OneHashPerDocument)
    }
}

/// The hashing mutations `set` selects at the root of a mutation, through fragments too
/// (each fragment counted once per spread; `seen` stops a cycle, which validation refuses
/// later anyway).
fn hashing_fields<'a>(
    doc: &'a ExecutableDocument,
    set: &'a SelectionSet,
    seen: &mut HashSet<&'a str>,
) -> usize {
    set.items
        .iter()
        .map(|sel| match &sel.node {
            Selection::Field(f) => {
                let f = &f.node;
                let name = f.name.node.as_str();
                let hashes = HASHING.contains(&name)
                    && (name != "updateUser" || f.get_argument("newPassword").is_some());
                usize::from(hashes)
            }
            Selection::InlineFragment(fr) => hashing_fields(doc, &fr.node.selection_set.node, seen),
            Selection::FragmentSpread(spread) => {
                let name = spread.node.fragment_name.node.as_str();
                if !seen.insert(name) {
                    return 0;
                }
                let n = doc.fragments.get(name).map_or(0, |fr| {
                    hashing_fields(doc, &fr.node.selection_set.node, seen)
                });
                seen.remove(name);
                n
            }
        })
        .sum()
}

#[async_trait::async_trait]
impl Extension for OneHashPerDocument {
    async fn parse_query(
        &self,
        ctx: &ExtensionContext<'_>,
        query: &str,
        variables: &Variables,
        next: NextParseQuery<'_>,
    ) -> ServerResult<ExecutableDocument> {
        let doc = next.run(ctx, query, variables).await?;
        let hashes: usize = doc
            .operations
            .iter()
            .filter(|(_, op)| op.node.ty == OperationType::Mutation)
            .map(|(_, op)| hashing_fields(&doc, &op.node.selection_set.node, &mut HashSet::new()))
            .sum();
        if hashes > 1 {
            let mut e = ServerError::new(
                format!(
                    "This document asks for {hashes} password checks or changes \
                     (createToken, createNewUser, setPassword, updateUser with newPassword); \
                     send at most one per document."
                ),
                None,
            );
            e.extensions
                .get_or_insert_with(Default::default)
                .set("code", "QUERY_TOO_LARGE");
            return Err(e);
        }
        Ok(doc)
    }
}
