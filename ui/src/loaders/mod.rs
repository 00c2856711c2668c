//! Every read and write a page or component makes, cut by concept. Pages render and call
//! these; nothing here renders.
//!
//! [`crate::api`] is the transport (the shell's commands and the `graphql` command);
//! a loader runs one operation of it and answers what a page shows: rows, a [`Status`],
//! or the new session taken into [`AppState`]. The arrows point one way: pages and
//! components → loaders → api and state.
//!
//! Reads that depend on the current organization are Leptos [`LocalResource`]s made by
//! [`for_organization`] (loaded again when the organization changes, `refetch` after a
//! write); writes are `Action::new_local` in the pages, whose futures call these loaders.

pub mod account;
pub mod catalog;
pub mod changes;
pub mod connections;
pub mod delivery;
pub mod events;
pub mod integrations;
pub mod keys;
pub mod mail;
pub mod members;
pub mod orgs;
pub mod servers;
pub mod session;
pub mod sources;

use std::future::Future;

use leptos::prelude::*;

use crate::api::{ApiError, Status};
use crate::state::AppState;

/// What a write answers: a [`Status`] (a refusal is data the page shows) or a failed call.
pub type Outcome = Result<Status, ApiError>;

/// The line a page shows after a write: whether it worked, and the sentence.
pub fn message(outcome: &Outcome) -> (bool, String) {
    match outcome {
        Ok(status) => (status.success, status.message.clone()),
        Err(error) => (false, error.message.clone()),
    }
}

/// A list of the current organization: `None` while no organization is chosen, else the
/// rows or the failure's sentence.
pub type OrgList<T> = LocalResource<Option<Result<Vec<T>, String>>>;

/// Loads `load(organization)` as a resource, again whenever the current organization
/// changes, after signing in again (`app.reloads`), and on `refetch`.
pub fn for_organization<T, Fut>(app: AppState, load: fn(String) -> Fut) -> OrgList<T>
where
    T: 'static,
    Fut: Future<Output = Result<Vec<T>, ApiError>> + 'static,
{
    LocalResource::new(move || {
        app.reloads.track();
        let pending = app.org.get().map(load);
        async move {
            match pending {
                Some(rows) => Some(rows.await.map_err(|e| e.message)),
                None => None,
            }
        }
    })
}
