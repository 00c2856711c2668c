//! One module per screen. A page renders and calls [`crate::loaders`]; pages do not
//! import each other (what several share is in [`crate::components`]).

pub mod account;
pub mod auth;
pub mod configure;
pub mod connections;
pub mod debugger;
pub mod destinations;
pub mod first_run;
pub mod integrations;
pub mod keys;
pub mod members;
pub mod orgs;
pub mod reports;
pub mod sources;

use leptos::prelude::*;

use crate::state::Page;

/// The view of a signed-in page.
pub fn render(page: Page) -> AnyView {
    match page {
        Page::SignIn
        | Page::SignUp
        | Page::SignedUp
        | Page::Forgot
        | Page::UseLink(_)
        | Page::Orgs => view! { <orgs::OrgsPage /> }.into_any(),
        Page::Account => view! { <account::AccountPage /> }.into_any(),
        Page::Members => view! { <members::MembersPage /> }.into_any(),
        Page::Sources => view! { <sources::SourcesPage /> }.into_any(),
        Page::Destinations => view! { <destinations::DestinationsPage /> }.into_any(),
        Page::Configure(code, draft) => {
            view! { <configure::ConfigurePage code=code draft=draft /> }.into_any()
        }
        Page::Integrations => view! { <integrations::IntegrationsPage /> }.into_any(),
        Page::Connections => view! { <connections::ConnectionsPage /> }.into_any(),
        Page::Keys => view! { <keys::KeysPage /> }.into_any(),
        Page::Debugger(app_id, name) => {
            view! { <debugger::DebuggerPage app_id=app_id name=name /> }.into_any()
        }
        Page::Reports(app_id) => view! { <reports::ReportsPage app_id=app_id /> }.into_any(),
    }
}
