//! At most one password-hashing mutation per document: each costs an Argon2 run (19 MiB and
//! tens of milliseconds of CPU), and a document that asks for several (aliased, side by
//! side, or through fragments) is how one request multiplies that cost. Such a document is
//! refused whole, before anything runs. A document with one is counted against its
//! client's hashing rate, and admitted only while fewer than the configured number of
//! hashing requests are running or waiting: past that the server sheds the load
//! (`RATE_LIMITED`) instead of queueing without end.

use crate::throttle::{ClientIp, HashingSlot, Rate};
use crate::AppState;
use async_graphql::extensions::{Extension, ExtensionContext, ExtensionFactory, NextParseQuery};
use async_graphql::parser::types::{ExecutableDocument, OperationType, Selection, SelectionSet};
use async_graphql::{ServerError, ServerResult, Variables};
use std::collections::HashSet;
use std::sync::{Arc, Mutex};

/// The mutations that hash a password (`updateUser` only when given `newPassword`).
const HASHING: [&str; 4] = ["createToken", "createNewUser", "setPassword", "updateUser"];

/// The extension that refuses a document with more than one hashing mutation.
pub struct OneHashPerDocument;

impl ExtensionFactory for OneHashPerDocument {
    fn create(&self) -> Arc<dyn Extension> {
        Arc::new(HashingAdmission::default())
    }
}

/// The extension of one request: holds its hashing slot until the request ends.
#[derive(Default)]
struct HashingAdmission {
    slot: Mutex<Option<HashingSlot>>,
}

fn rate_limited(message: &str) -> ServerError {
    let mut e = ServerError::new(message, None);
    e.extensions
        .get_or_insert_with(Default::default)
        .set("code", "RATE_LIMITED");
    e
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
impl Extension for HashingAdmission {
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
        if hashes == 1 {
            if let Some(state) = ctx.data_opt::<Arc<AppState>>() {
                if let Some(ClientIp(ip)) = ctx.data_opt::<ClientIp>() {
                    if !state.throttle.take(Rate::Hashing, &ip.to_string(), 1) {
                        tracing::warn!("password hashing throttled for one client");
                        return Err(rate_limited(
                            "Too many sign-ins and password changes from this address; \
                             wait a minute and try again.",
                        ));
                    }
                }
                let Some(slot) = state.throttle.admit_hashing() else {
                    tracing::warn!("password hashing is shedding load");
                    return Err(rate_limited(
                        "The server is busy checking passwords; try again in a moment.",
                    ));
                };
                if let Ok(mut held) = self.slot.lock() {
                    *held = Some(slot);
                }
            }
        }
        Ok(doc)
    }
}
