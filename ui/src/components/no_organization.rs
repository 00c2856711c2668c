//! The note shown on a page that acts for the current organization while none is chosen.

use leptos::prelude::*;

use crate::state::AppState;

/// A note when no organization is chosen (pages act for the current one).
#[component]
pub fn NoOrganization() -> impl IntoView {
    let app = AppState::get();
    move || {
        app.org.get().is_none().then(|| {
            view! {
                <p class="notice">"Create or choose an organization first (Organizations page)."</p>
            }
        })
    }
}
