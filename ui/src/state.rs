//! What the whole window shares: the session, the page shown, the organizations, the
//! catalog once loaded, and the modal and banner that any failed call may raise. Only
//! state: what loads it is in [`crate::loaders`].

use houston_client::vocabulary::MailKind;
use leptos::prelude::*;
use serde_json::Value;

use crate::api::Session;

/// An integration being edited (the configure page prefilled).
#[derive(Clone, Debug, PartialEq)]
pub struct IntegrationDraft {
    /// The integration's id.
    pub id: String,
    /// Its name.
    pub name: String,
    /// Its source.
    pub app_id: String,
    /// Its connection, if any.
    pub connection_id: Option<String>,
    /// Its configPayload, without secrets.
    pub config: Value,
    /// The paths of the secrets the server holds for it (kept unless replaced or cleared).
    pub secrets_set: Vec<String>,
}

/// The latest news of the current organization's changes made by anyone (see
/// [`crate::loaders::changes`]): what a page showing sources or integrations reads again.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Changes {
    /// Counts the news: each one is new.
    pub seq: u64,
    /// The changes heard together (a burst comes as one piece of news).
    pub heard: Vec<houston_client::Change>,
    /// Changes may have been missed: whatever is shown may be old.
    pub missed: bool,
}

impl Changes {
    /// Whether the integration `id` of the source `app_id` may have changed (or its
    /// source was deleted).
    pub fn touch(&self, app_id: &str, id: &str) -> bool {
        self.missed
            || self.heard.iter().any(|c| {
                c.integration_id == id
                    || (c.app_id == app_id && c.integration_id.is_empty() && c.action == "DELETE")
            })
    }
}

/// The pages of the signed-in window.
#[derive(Clone, Debug, PartialEq)]
pub enum Page {
    /// Sign in (signed out).
    SignIn,
    /// Sign up (signed out).
    SignUp,
    /// "Confirm your email" after signing up.
    SignedUp,
    /// "Forgot your password?": asks for a reset link (signed out).
    Forgot,
    /// Following a mailed link in the app: its code or the whole link pasted (signed out),
    /// with the kind already known when the page was opened for one.
    UseLink(Option<MailKind>),
    /// Your profile and password.
    Account,
    /// Organizations.
    Orgs,
    /// Members of the current organization.
    Members,
    /// Sources.
    Sources,
    /// The destination catalog.
    Destinations,
    /// Configuring a destination: its code, and the integration edited, if any.
    Configure(String, Option<Box<IntegrationDraft>>),
    /// Integrations.
    Integrations,
    /// Connections.
    Connections,
    /// API keys.
    Keys,
    /// A source's live debugger: its id and name.
    Debugger(String, String),
    /// Event reports: of a source, or of the organization (`None`).
    Reports(Option<String>),
}

/// An organization as the switcher shows it.
#[derive(Clone, Debug, PartialEq)]
pub struct OrgSummary {
    /// Its id.
    pub id: String,
    /// Its name.
    pub name: String,
    /// Whether the viewer is an Owner.
    pub owner: bool,
}

/// The shared state, provided as context by the app.
#[derive(Clone, Copy)]
pub struct AppState {
    /// The session (`None` until the shell answered).
    pub session: RwSignal<Option<Session>>,
    /// The page shown.
    pub page: RwSignal<Page>,
    /// Whether the Mail panel is open.
    pub mail_open: RwSignal<bool>,
    /// Whether the sign-in-again modal is up.
    pub reauth: RwSignal<bool>,
    /// Whether the server could not be reached on the last call.
    pub unreachable: RwSignal<bool>,
    /// A note for the person about something the app did on its own (the organization
    /// acted for is gone, so another one is), until they close it.
    pub notice: RwSignal<Option<String>>,
    /// The viewer's organizations.
    pub orgs: RwSignal<Vec<OrgSummary>>,
    /// What was read of the catalog (kept for the whole session; see `loaders::catalog`).
    pub catalog: RwSignal<Option<crate::loaders::catalog::Kept>>,
    /// The current organization (changes only when it really changes).
    pub org: Memo<Option<String>>,
    /// Whether someone is signed in (changes only when that really changes).
    pub signed_in: Memo<bool>,
    /// The server the window talks to (its remote endpoint; `None` for the bundled one):
    /// the page is built anew when it changes.
    pub server: Memo<Option<String>>,
    /// Bumped when every page must read its data again without being rebuilt (after
    /// signing in again: what was typed stays); the pages' reads track it.
    pub reloads: RwSignal<u64>,
    /// The latest news of the current organization's changes.
    pub changes: RwSignal<Changes>,
}

impl AppState {
    /// A fresh state, before the session is known.
    pub fn new() -> Self {
        let session = RwSignal::new(None::<Session>);
        AppState {
            session,
            page: RwSignal::new(Page::SignIn),
            mail_open: RwSignal::new(false),
            reauth: RwSignal::new(false),
            unreachable: RwSignal::new(false),
            notice: RwSignal::new(None),
            orgs: RwSignal::new(Vec::new()),
            catalog: RwSignal::new(None),
            org: Memo::new(move |_| {
                session.with(|s| s.as_ref().and_then(|s| s.organization.clone()))
            }),
            signed_in: Memo::new(move |_| {
                session.with(|s| s.as_ref().is_some_and(|s| s.signed_in))
            }),
            server: Memo::new(move |_| {
                session.with(|s| s.as_ref().and_then(|s| s.remote_url.clone()))
            }),
            reloads: RwSignal::new(0),
            changes: RwSignal::new(Changes::default()),
        }
    }

    /// The app's state from context.
    pub fn get() -> Self {
        expect_context::<AppState>()
    }

    /// The current organization, untracked, for a call.
    pub fn org_now(&self) -> Option<String> {
        self.org.get_untracked()
    }

    /// Whether the viewer owns the current organization (tracked).
    pub fn is_owner(&self) -> bool {
        let org = self.org.get();
        self.orgs
            .with(|orgs| orgs.iter().any(|o| Some(&o.id) == org.as_ref() && o.owner))
    }

    /// The signed-in username, untracked.
    pub fn username(&self) -> Option<String> {
        self.session.with_untracked(|s| {
            s.as_ref()
                .and_then(|s| s.user.as_ref())
                .map(|u| u.username.clone())
        })
    }
}

impl Default for AppState {
    fn default() -> Self {
        AppState::new()
    }
}
