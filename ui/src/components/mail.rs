//! The Mail panel: a panel the person opens from the header's Mail button (which counts
//! the mail not seen yet), over the right edge of the page. It shows the signed-in person's
//! own mail; on the bundled server, a switch shows this computer's whole outbox. A mail's
//! link is a button while the link can be used; a used one says so instead.

use std::collections::HashSet;
use std::time::Duration;

use houston_client::vocabulary::MailKind;
use leptos::prelude::*;
use leptos::task::spawn_local;
use wasm_bindgen::JsCast;

use crate::api::{ApiError, BackendKind, Mail};
use crate::loaders::mail::{self, Link, Pasted};
use crate::loaders::orgs;
use crate::state::AppState;

/// How often the bundled server's outbox is read again while the app runs (for the
/// unread count; it is in this process).
const READ_EVERY: Duration = Duration::from_secs(4);
/// A remote server's (one query over the network) only every this many times.
const REMOTE_EVERY_NTH: u32 = 8;

/// What the window knows of the mail: the outbox as last read, the mails already seen,
/// and whether the whole outbox is asked for.
#[derive(Clone, Copy)]
struct MailBox {
    read: LocalResource<Result<Vec<Mail>, ApiError>>,
    seen: RwSignal<HashSet<String>>,
    whole: RwSignal<bool>,
}

/// Reads the outbox now and then (and whenever the session changes) for the whole window:
/// called once by the app.
pub fn provide() {
    let app = AppState::get();
    let tick = RwSignal::new(0u32);
    let read = LocalResource::new(move || {
        // A sign-up, a sign-in or another server brings other mail.
        app.session.track();
        tick.track();
        mail::outbox()
    });
    let ticks = std::cell::Cell::new(0u32);
    let _ = set_interval_with_handle(
        move || {
            ticks.set(ticks.get().wrapping_add(1));
            if is_bundled(app) || ticks.get().is_multiple_of(REMOTE_EVERY_NTH) {
                tick.update(|n| *n = n.wrapping_add(1));
            }
        },
        READ_EVERY,
    );
    provide_context(MailBox {
        read,
        seen: RwSignal::new(HashSet::new()),
        whole: RwSignal::new(false),
    });
}

fn is_bundled(app: AppState) -> bool {
    app.session
        .with_untracked(|s| s.as_ref().is_none_or(|s| s.backend == BackendKind::Bundled))
}

/// The signed-in person's address, if someone is signed in.
fn me(app: AppState) -> Option<String> {
    app.session.with(|s| {
        s.as_ref()
            .filter(|s| s.signed_in)
            .and_then(|s| s.user.as_ref())
            .map(|u| u.username.clone())
    })
}

/// Which mails the panel lists: the person's own, or every one when the whole outbox is
/// asked for or nobody is signed in (the bundled outbox is this computer's; a remote
/// server shows only a signed-in person's mail anyway).
fn listed(all: &[Mail], me: Option<&str>, whole: bool) -> Vec<Mail> {
    all.iter()
        .filter(|m| whole || me.is_none_or(|me| m.to.eq_ignore_ascii_case(me)))
        .cloned()
        .collect()
}

/// The mails the panel would list now, newest first (`None` while loading).
fn current(app: AppState, mail: MailBox) -> Option<Result<Vec<Mail>, ApiError>> {
    let me = me(app);
    let whole = mail.whole.get()
        && app.session.with(|s| {
            s.as_ref()
                .is_some_and(|s| s.backend == BackendKind::Bundled)
        });
    mail.read
        .get()
        .map(|r| r.map(|all| listed(&all, me.as_deref(), whole)))
}

/// The element with `id`, to move the focus to.
fn element(id: &str) -> Option<web_sys::HtmlElement> {
    web_sys::window()?
        .document()?
        .get_element_by_id(id)?
        .dyn_into::<web_sys::HtmlElement>()
        .ok()
}

/// Closes the panel and gives the focus back to the button that opens it.
fn close(app: AppState) {
    app.mail_open.set(false);
    if let Some(button) = element("nav-mail") {
        let _ = button.focus();
    }
}

/// The header's Mail button, with the number of mails not seen yet.
#[component]
pub fn MailButton() -> impl IntoView {
    let app = AppState::get();
    let mail = expect_context::<MailBox>();
    let unread = move || {
        current(app, mail)
            .and_then(Result::ok)
            .map(|list| {
                mail.seen
                    .with(|seen| list.iter().filter(|m| !seen.contains(&m.id)).count())
            })
            .unwrap_or(0)
    };
    view! {
        <button
            id="nav-mail"
            type="button"
            class="ghost"
            aria-controls="mail-panel"
            aria-expanded=move || app.mail_open.get().to_string()
            class:active=move || app.mail_open.get()
            on:click=move |_| {
                if app.mail_open.get_untracked() {
                    close(app);
                } else {
                    app.mail_open.set(true);
                }
            }
        >
            "Mail"
            {move || {
                let n = unread();
                (n > 0).then(|| view! {
                    <span id="mail-unread" class="count" aria-label=format!("{n} not seen")>{n}</span>
                })
            }}
        </button>
    }
}

/// The Mail panel, open over the right edge of the window; Escape or Close closes it.
#[component]
pub fn MailPanel() -> impl IntoView {
    let app = AppState::get();
    let mail = expect_context::<MailBox>();
    let close_ref = NodeRef::<leptos::html::Button>::new();
    Effect::new(move |_| {
        if let Some(button) = close_ref.get() {
            let _ = button.focus();
        }
    });
    // What the panel lists is seen.
    Effect::new(move |_| {
        if let Some(Ok(list)) = current(app, mail) {
            let new: Vec<String> = mail.seen.with_untracked(|seen| {
                list.iter()
                    .filter(|m| !seen.contains(&m.id))
                    .map(|m| m.id.clone())
                    .collect()
            });
            if !new.is_empty() {
                mail.seen.update(|seen| seen.extend(new));
            }
        }
    });
    let bundled = move || {
        app.session.with(|s| {
            s.as_ref()
                .is_some_and(|s| s.backend == BackendKind::Bundled)
        })
    };
    let whom = move || match (me(app), mail.whole.get() && bundled()) {
        (_, true) => "This computer's whole outbox.".to_owned(),
        (Some(me), false) => format!("Mail to {me}."),
        (None, false) if bundled() => {
            "Nobody is signed in: this computer's whole outbox.".to_owned()
        }
        (None, false) => "Sign in to see your mail.".to_owned(),
    };
    let list = move || current(app, mail);
    // What the panel shows changes only with this: a new read of the same mail keeps the
    // items (and what is typed in them); the list below is keyed by mail.
    let state = Memo::new(move |_| match list() {
        None => Listing::Loading,
        Some(Err(error)) => Listing::Failed(error.message),
        Some(Ok(list)) if list.is_empty() => Listing::Empty,
        Some(Ok(_)) => Listing::Mail,
    });
    view! {
        <aside
            id="mail-panel"
            class="mail-panel"
            role="dialog"
            aria-labelledby="mail-title"
            on:keydown=move |ev: leptos::ev::KeyboardEvent| {
                if ev.key() == "Escape" {
                    ev.prevent_default();
                    close(app);
                }
            }
        >
            <div class="panel-head">
                <h2 id="mail-title">"Mail"</h2>
                <div class="row">
                    <button type="button" id="mail-refresh" class="ghost" on:click=move |_| mail.read.refetch()>
                        "Refresh"
                    </button>
                    <button type="button" id="mail-close" class="ghost" node_ref=close_ref
                        on:click=move |_| close(app)>
                        "Close"
                    </button>
                </div>
            </div>
            <p id="mail-whom" class="muted">{whom}</p>
            {move || (bundled() && me(app).is_some()).then(|| view! {
                <label class="row">
                    <input id="mail-whole" type="checkbox" prop:checked=move || mail.whole.get()
                        on:change=move |ev| mail.whole.set(event_target_checked(&ev)) />
                    "Whole outbox (this computer's server)"
                </label>
            })}
            {move || match state.get() {
                Listing::Loading => view! { <p class="muted" role="status">"Loading…"</p> }.into_any(),
                Listing::Failed(message) => view! { <p class="form-error">{message}</p> }.into_any(),
                Listing::Empty => view! { <p id="mail-empty" class="muted">"No mail."</p> }.into_any(),
                Listing::Mail => view! {
                    <For
                        each=move || list().and_then(Result::ok).unwrap_or_default()
                        key=|m| (m.id.clone(), m.used, m.token.is_some())
                        children=move |m| view! { <MailItem mail=m /> }
                    />
                }
                .into_any(),
            }}
        </aside>
    }
}

/// What the panel shows.
#[derive(Clone, Debug, PartialEq)]
enum Listing {
    Loading,
    Failed(String),
    Empty,
    Mail,
}

/// What following a mail's link did, for the person.
async fn follow(
    app: AppState,
    mail: MailBox,
    pasted: Pasted,
    to: String,
) -> Result<String, String> {
    let done = match pasted {
        Pasted::Follow(link) => {
            let confirm = matches!(link, Link::Confirm { .. });
            let session = mail::follow(app, link).await.map_err(|e| e.message)?;
            if session.signed_in {
                // Signed in by the link: the app moves on, and says as whom.
                let what = if confirm {
                    "Email confirmed"
                } else {
                    "Password set"
                };
                app.notice
                    .set(Some(format!("{what}; you are signed in as {to}.")));
                close(app);
            }
            if confirm {
                "Email confirmed."
            } else {
                "Password set; you are signed in."
            }
        }
        Pasted::Join(token) => {
            let status = mail::join(token).await.map_err(|e| e.message)?;
            if !status.success {
                return Err(status.message);
            }
            if me(app).is_some_and(|me| me.eq_ignore_ascii_case(&to)) {
                spawn_local(orgs::reload(app));
                "Joined: the organization is in your list."
            } else {
                "Joined: sign in as the invited address to see it."
            }
        }
    };
    mail.read.refetch();
    Ok(done.to_owned())
}

/// One mail: its link as a button (with a password for a reset or a new account's
/// invitation) while it can be used, or that it was used.
#[component]
fn MailItem(
    /// The mail.
    mail: Mail,
) -> impl IntoView {
    let app = AppState::get();
    let mailbox = expect_context::<MailBox>();
    let (password, set_password) = signal(String::new());
    let (problem, set_problem) = signal(None::<String>);
    let to = mail.to.clone();
    let act =
        Action::new_local(move |pasted: &Pasted| follow(app, mailbox, pasted.clone(), to.clone()));
    let (working, outcome) = (act.pending(), act.value());
    let token = mail.token.clone().unwrap_or_default();
    let kind = mail.kind;
    let run = move || {
        let pw = password.get_untracked();
        match mail::read_pasted(&token, Some(kind), &pw, &pw) {
            Ok(pasted) => {
                set_problem.set(None);
                act.dispatch(pasted);
            }
            Err(why) => set_problem.set(Some(why.to_owned())),
        }
    };
    // Someone else's mail (the bundled outbox is the computer's): its link acts as them.
    let other = {
        let to = mail.to.clone();
        move || me(app).filter(|me| !me.eq_ignore_ascii_case(&to))
    };
    let warning = {
        let to = mail.to.clone();
        move || {
            other().map(|me| {
                let text = match kind {
                    MailKind::Invitation => format!(
                        "This invitation is for {to}, not you ({me}): accepting it with a password signs you in as {to}."
                    ),
                    _ => format!("This mail is for {to}, not you ({me}): its link signs you in as {to}."),
                };
                view! { <p class="mail-warning" role="note">{text}</p> }
            })
        }
    };
    let action = if mail.used {
        view! { <p class="mail-used">"Used: this link worked once and is spent."</p> }.into_any()
    } else if mail.token.is_none() {
        view! { <p class="muted mail-no-link">"Its link is not held here (sent by mail, or the app restarted since): paste it on the sign-in screen, or ask for a new one."</p> }.into_any()
    } else {
        let (label, placeholder) = match kind {
            MailKind::ConfirmEmail => ("Confirm email", None),
            MailKind::PasswordReset => ("Set password", Some("New password")),
            MailKind::Invitation => ("Accept", Some("Password, for a new account only")),
        };
        let class = match kind {
            MailKind::ConfirmEmail => "mail-confirm",
            _ => "mail-accept",
        };
        view! {
            <div class="mail-accept-row">
                {placeholder.map(|placeholder| view! {
                    <input
                        type="password"
                        class="mail-password"
                        placeholder=placeholder
                        aria-label=placeholder
                        autocomplete="new-password"
                        prop:value=move || password.get()
                        on:input=move |ev| set_password.set(event_target_value(&ev))
                    />
                })}
                <button type="button" class=class disabled=move || working.get() on:click=move |_| run()>
                    {label}
                </button>
            </div>
        }
        .into_any()
    };
    view! {
        <article class="mail-item" data-kind=mail.kind.as_str() data-used=mail.used.to_string()>
            <h3 class="mail-subject">{mail.subject.clone()}</h3>
            <p class="mail-meta">"To " <span class="mail-to">{mail.to.clone()}</span> " · " {mail.created_at.clone()}</p>
            <pre class="mail-body" tabindex="0">{mail.body.clone()}</pre>
            {(!mail.used && mail.token.is_some()).then_some(warning)}
            {action}
            <p role="status" aria-live="polite">
                {move || problem.get().map(|text| view! { <span class="form-error">{text}</span> })}
                {move || outcome.get().map(|o| match o {
                    Ok(text) => view! { <span class="mail-result success">{text}</span> }.into_any(),
                    Err(text) => view! { <span class="form-error">{text}</span> }.into_any(),
                })}
            </p>
        </article>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mail(id: &str, to: &str) -> Mail {
        Mail {
            id: id.into(),
            to: to.into(),
            kind: MailKind::ConfirmEmail,
            subject: String::new(),
            body: String::new(),
            token: None,
            created_at: String::new(),
            used: false,
        }
    }

    #[test]
    fn the_panel_lists_my_mail_unless_the_whole_outbox_is_asked_for() {
        let all = [mail("1", "grace@example.com"), mail("2", "Ada@Example.com")];
        let ids = |list: Vec<Mail>| list.into_iter().map(|m| m.id).collect::<Vec<_>>();
        assert_eq!(ids(listed(&all, Some("ada@example.com"), false)), ["2"]);
        assert_eq!(ids(listed(&all, Some("ada@example.com"), true)), ["1", "2"]);
        assert_eq!(
            ids(listed(&all, None, false)),
            ["1", "2"],
            "nobody signed in"
        );
    }
}
