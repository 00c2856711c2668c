//! The window: a header, a left nav, the page, and the Mail panel, the sign-in-again modal
//! and unreachable banner that sit on top of whatever page is open.

use leptos::prelude::*;
use leptos::task::spawn_local;

use houston_client::vocabulary::{ErrorCode, MailKind, UserStatus};

use crate::api;
use crate::components::combobox::{Choice, Combobox};
use crate::components::confirm::{self, ConfirmHost};
use crate::components::mail::{self, MailButton, MailPanel};
use crate::components::names;
use crate::components::reauth::Reauth;
use crate::components::unsaved;
use crate::loaders::{orgs, session};
use crate::pages;
use crate::paging::{Chunk, PagedList, PAGE_ROWS};
use crate::state::{AppState, Page};

/// What the main area shows; a memo of it changes only when the screen really changes, so
/// that a new session (after signing in again) does not rebuild the page being edited.
#[derive(Clone, Debug, PartialEq)]
enum Screen {
    Loading,
    FirstRun,
    SignIn,
    SignUp,
    ConfirmEmail,
    Forgot,
    UseLink(Option<MailKind>),
    Page(Page),
}

/// The whole app.
#[component]
pub fn App() -> impl IntoView {
    let app = AppState::new();
    provide_context(app);
    confirm::provide();
    unsaved::provide();
    mail::provide();
    api::on_outcome(
        move |error| {
            if error.is_unreachable() {
                app.unreachable.set(true);
            } else if error.needs_sign_in() && app.signed_in.get_untracked() {
                app.reauth.set(true);
            } else if error.code == ErrorCode::NotFound && app.signed_in.get_untracked() {
                // Not (or no longer) a member of what was asked: maybe removed from the
                // organization acted for; the list says, and moves on when it is gone.
                spawn_local(orgs::reload(app));
            }
        },
        move || {
            if app.unreachable.get_untracked() {
                app.unreachable.set(false);
            }
        },
    );
    spawn_local(session::load(app));
    spawn_local(crate::loaders::changes::watch(app));

    let screen = Memo::new(move |_| {
        let page = app.page.get();
        app.session.with(|session| match session {
            None => Screen::Loading,
            Some(s) if s.first_run => Screen::FirstRun,
            Some(s) if !s.signed_in => match page {
                Page::SignUp => Screen::SignUp,
                Page::SignedUp => Screen::ConfirmEmail,
                Page::Forgot => Screen::Forgot,
                Page::UseLink(kind) => Screen::UseLink(kind),
                _ => Screen::SignIn,
            },
            Some(s)
                if s.user
                    .as_ref()
                    .is_some_and(|u| u.status == UserStatus::Pending) =>
            {
                Screen::ConfirmEmail
            }
            Some(_) => match page {
                Page::SignIn | Page::SignUp | Page::SignedUp | Page::Forgot | Page::UseLink(_) => {
                    Screen::Page(Page::Orgs)
                }
                page => Screen::Page(page),
            },
        })
    });

    view! {
        // `data-ready` tells a test driver that the session is loaded and the UI painted.
        <div class="shell" data-ready=move || app.session.with(|s| s.is_some()).to_string()>
            <Header />
            <div class="body">
                <Nav />
                <main class="main">
                    {move || {
                        app.unreachable.get().then(|| view! {
                            <div id="unreachable" class="banner warning" role="alert">
                                "The server cannot be reached; your changes are kept."
                            </div>
                        })
                    }}
                    {move || {
                        app.notice.get().map(|note| view! {
                            <div id="app-notice" class="banner notice" role="status">
                                <span>{note}</span>
                                <button type="button" class="ghost small" aria-label="Close the note"
                                    on:click=move |_| app.notice.set(None)>"×"</button>
                            </div>
                        })
                    }}
                    // Another server: the page is built anew, reading everything from it.
                    {move || { app.server.track(); match screen.get() {
                        Screen::Loading => view! { <p class="muted" role="status">"Loading…"</p> }.into_any(),
                        Screen::FirstRun => view! { <pages::first_run::FirstRun /> }.into_any(),
                        Screen::SignIn => view! { <pages::auth::SignIn /> }.into_any(),
                        Screen::SignUp => view! { <pages::auth::SignUpPage /> }.into_any(),
                        Screen::ConfirmEmail => view! { <pages::auth::ConfirmNotice /> }.into_any(),
                        Screen::Forgot => view! { <pages::auth::ForgotPage /> }.into_any(),
                        Screen::UseLink(kind) => view! { <pages::auth::UseLinkPage kind=kind /> }.into_any(),
                        Screen::Page(page) => pages::render(page),
                    }}}
                </main>
                {move || app.mail_open.get().then(|| view! { <MailPanel /> })}
            </div>
            {move || app.reauth.get().then(|| view! { <Reauth /> })}
            <ConfirmHost />
        </div>
    }
}

/// The header: the name, the Mail button (always), and who is signed in where.
#[component]
fn Header() -> impl IntoView {
    let app = AppState::get();
    let user = move || {
        app.session.with(|s| {
            s.as_ref()
                .filter(|s| s.signed_in)
                .and_then(|s| s.user.as_ref())
                .map(|u| u.username.clone())
        })
    };
    let choose =
        Action::new_local(move |org_id: &String| session::choose_organization(app, org_id.clone()));
    let sign_out = Action::new_local(move |_: &()| async move {
        if session::sign_out(app).await.is_ok() {
            app.page.set(Page::SignIn);
        }
    });
    let signing_out = sign_out.pending();
    let switcher = OrgSwitcher::new(app, choose);
    view! {
        <header class="header">
            <span class="brand">"Houston"</span>
            <span class="spacer"></span>
            {move || {
                app.signed_in.get().then(|| view! {
                    <label class="org-switch">
                        <span>"Organization "</span>
                        <Combobox list=switcher.list id="org-switch" value=switcher.chosen
                            placeholder="Search your organizations"
                            choice=|o: &Choice| o.clone() />
                    </label>
                })
            }}
            <MailButton />
            {move || {
                user().map(|name| view! {
                    <span id="current-user" class="user">{name}</span>
                    <button
                        id="sign-out"
                        type="button"
                        class="ghost"
                        disabled=move || signing_out.get()
                        on:click=move |_| {
                            sign_out.dispatch(());
                        }
                    >
                        "Sign out"
                    </button>
                })
            }}
        </header>
    }
}

/// The left nav.
#[component]
fn Nav() -> impl IntoView {
    let app = AppState::get();
    let link = move |id: &'static str, label: &'static str, page: Page| {
        let target = page.clone();
        let active = move || {
            let current = app.page.get();
            std::mem::discriminant(&current) == std::mem::discriminant(&target)
        };
        view! {
            <a
                id=id
                href="#"
                class:active=active
                on:click=move |ev| {
                    ev.prevent_default();
                    let page = page.clone();
                    unsaved::leave_then(move || app.page.set(page.clone()), || {});
                }
            >
                {label}
            </a>
        }
    };
    view! {
        <nav class="nav">
            {move || {
                if app.signed_in.get() {
                    view! {
                        {link("nav-orgs", "Organizations", Page::Orgs)}
                        {link("nav-members", "Members", Page::Members)}
                        {link("nav-sources", "Sources", Page::Sources)}
                        {link("nav-reports", "Reports", Page::Reports(None))}
                        {link("nav-destinations", "Destinations", Page::Destinations)}
                        {link("nav-integrations", "Integrations", Page::Integrations)}
                        {link("nav-connections", "Connections", Page::Connections)}
                        {link("nav-keys", "API keys", Page::Keys)}
                        {link("nav-account", "Account", Page::Account)}
                    }
                        .into_any()
                } else {
                    view! {
                        {link("nav-signin", "Sign in", Page::SignIn)}
                        {link("nav-signup", "Sign up", Page::SignUp)}
                    }
                        .into_any()
                }
            }}
        </nav>
    }
}

/// The organization switcher's state: the person's organizations, searched in the window.
///
/// Why not a paged server field, like the other long lists: the organizations are those
/// the person belongs to, which the app holds whole anyway (`AppState::orgs`: their names
/// and the person's role in each, read at sign-in). An organization's sources or
/// connections grow with its data; a person's organizations grow only by invitations they
/// accept one at a time, so there are a few, or some hundreds at the very most — a list the
/// window filters at once. What must never happen is building thousands of options: the
/// combobox offers at most one page ([`PAGE_ROWS`]) of the matches and says how many more
/// there are.
#[derive(Clone, Copy)]
struct OrgSwitcher {
    /// The matches of what is typed, read from `AppState::orgs`.
    list: PagedList<Choice>,
    /// The organization chosen in the box (the current one until another is chosen).
    chosen: RwSignal<String>,
}

impl OrgSwitcher {
    /// The switcher of `app`'s organizations; choosing one runs `choose` once unsaved
    /// changes are left (staying puts back the current one).
    fn new(app: AppState, choose: Action<String, Result<(), api::ApiError>>) -> Self {
        let signed_in = Signal::derive(move || app.signed_in.get().then(String::new));
        let list = PagedList::of(signed_in, move |_, search, _| {
            let found = app.orgs.with_untracked(|all| matches(all, &search));
            async move { Ok(found) }
        });
        list.reload_when(move || app.orgs.track());
        let chosen = RwSignal::new(app.org.get_untracked().unwrap_or_default());
        Effect::new(move |_| {
            let current = app.org.get().unwrap_or_default();
            if chosen.with_untracked(|c| *c != current) {
                chosen.set(current);
            }
        });
        Effect::new(move |_| {
            let asked = chosen.get();
            let current = app.org.get_untracked().unwrap_or_default();
            if asked.is_empty() || asked == current {
                return;
            }
            unsaved::leave_then(
                move || {
                    choose.dispatch(asked.clone());
                },
                // Staying: the switcher shows the organization still acted for.
                move || chosen.set(current.clone()),
            );
        });
        OrgSwitcher { list, chosen }
    }
}

/// The organizations of `all` whose name holds `search` (either case; all when empty),
/// each told apart from same-named ones, at most one page of them.
fn matches(all: &[crate::state::OrgSummary], search: &str) -> Chunk<Choice> {
    let needle = search.to_lowercase();
    let found: Vec<&crate::state::OrgSummary> = all
        .iter()
        .filter(|o| o.name.to_lowercase().contains(&needle))
        .collect();
    let rows = found
        .iter()
        .take(PAGE_ROWS as usize)
        .map(|o| {
            let shown = names::distinct(&o.name, &o.id, all.iter().map(|o| o.name.as_str()));
            Choice::new(o.id.clone(), shown)
        })
        .collect();
    Chunk {
        rows,
        end_cursor: None,
        has_next: false,
        total: found.len() as i64,
    }
}
