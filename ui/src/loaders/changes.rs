//! What other people change in the current organization, as the shell relays it
//! (`clickstreamChanged`, a burst of changes as one message): taken into
//! [`AppState::changes`], which the pages showing sources and integrations follow.

use houston_client::ChangeWatch;
use leptos::prelude::*;

use crate::api;
use crate::state::{AppState, Changes};

/// Asks the shell for the organization's changes, for the window's whole life.
pub async fn watch(app: AppState) {
    let taken = api::watch_changes(move |message| {
        let (heard, missed) = match message {
            ChangeWatch::Changed(heard) => (heard, false),
            ChangeWatch::Missed => (Vec::new(), true),
            // The link's state and its end are the debugger's to show; the lists keep
            // what they show, and the next sign-in or organization starts a new watch.
            ChangeWatch::Link(_) | ChangeWatch::Error(_) => return,
        };
        app.changes.update(|c| {
            *c = Changes {
                seq: c.seq + 1,
                heard,
                missed,
            }
        });
    })
    .await;
    if let Err(error) = taken {
        leptos::logging::warn!("no live updates: {}", error.message);
    }
}
