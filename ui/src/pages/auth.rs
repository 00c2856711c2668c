//! Signing in, signing up, the "confirm your email" notice, a forgotten password, and a
//! mailed link or code pasted into the app (a remote server's mail arrives in a real
//! mailbox, not in the Mail panel).

use houston_client::vocabulary::MailKind;
use leptos::prelude::*;

use crate::api;
use crate::components::servers::ServerMenu;
use crate::components::text_field::TextField;
use crate::loaders::mail::{self, Pasted};
use crate::loaders::session;
use crate::state::{AppState, Page};

/// Signing in with an email and a password.
#[component]
pub fn SignIn() -> impl IntoView {
    let app = AppState::get();
    let (email, set_email) = signal(String::new());
    let (password, set_password) = signal(String::new());
    let sign_in = Action::new_local(move |(email, password): &(String, String)| {
        let (email, password) = (email.clone(), password.clone());
        async move {
            let signed_in = session::sign_in(app, email, password).await;
            if signed_in.is_ok() {
                app.page.set(Page::Orgs);
            }
            signed_in
        }
    });
    let (busy, outcome) = (sign_in.pending(), sign_in.value());
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        sign_in.dispatch((email.get_untracked(), password.get_untracked()));
    };
    // The last failure, hidden while the next attempt is under way.
    let error = move || {
        (!busy.get())
            .then(|| outcome.get().and_then(Result::err))
            .flatten()
            .map(|e| e.message)
    };
    view! {
        <section class="page narrow">
            <h1>"Sign in"</h1>
            <form class="card" on:submit=submit>
                <TextField id="signin-email" label="Email" kind="email" value=email set_value=set_email />
                <TextField id="signin-password" label="Password" kind="password" value=password set_value=set_password />
                {move || error().map(|e| view! { <p class="form-error">{e}</p> })}
                <div class="actions">
                    <button id="signin-submit" type="submit" disabled=move || busy.get()>"Sign in"</button>
                </div>
            </form>
            <p class="muted">"No account yet? "
                <a href="#" on:click=move |ev| { ev.prevent_default(); app.page.set(Page::SignUp); }>"Sign up"</a>
            </p>
            <p class="muted">
                <a id="signin-forgot" href="#" on:click=move |ev| { ev.prevent_default(); app.page.set(Page::Forgot); }>"Forgot your password?"</a>
                " · "
                <a id="signin-use-link" href="#" on:click=move |ev| { ev.prevent_default(); app.page.set(Page::UseLink(None)); }>"Have a link or code from a mail?"</a>
            </p>
            <ServerMenu />
        </section>
    }
}

/// Making an account.
#[component]
pub fn SignUpPage() -> impl IntoView {
    let app = AppState::get();
    let (email, set_email) = signal(String::new());
    let (password, set_password) = signal(String::new());
    let (first, set_first) = signal(String::new());
    let (last, set_last) = signal(String::new());
    let (company, set_company) = signal(String::new());
    let sign_up = Action::new_local(move |form: &api::SignUp| {
        let form = form.clone();
        async move {
            let signed_up = session::sign_up(app, form).await;
            if signed_up.is_ok() {
                app.page.set(Page::SignedUp);
            }
            signed_up
        }
    });
    let (busy, outcome) = (sign_up.pending(), sign_up.value());
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        sign_up.dispatch(api::SignUp {
            email: email.get_untracked(),
            password: password.get_untracked(),
            first_name: first.get_untracked(),
            last_name: last.get_untracked(),
            company: company.get_untracked(),
        });
    };
    // The last failure, hidden while the next attempt is under way.
    let error = move || {
        (!busy.get())
            .then(|| outcome.get().and_then(Result::err))
            .flatten()
            .map(|e| e.message)
    };
    view! {
        <section class="page narrow">
            <h1>"Sign up"</h1>
            <form class="card" on:submit=submit>
                <TextField id="signup-email" label="Email" kind="email" value=email set_value=set_email />
                <TextField id="signup-password" label="Password" kind="password" value=password set_value=set_password />
                <div class="row">
                    <TextField id="signup-first-name" label="First name" value=first set_value=set_first />
                    <TextField id="signup-last-name" label="Last name" value=last set_value=set_last />
                </div>
                <TextField id="signup-company" label="Company" value=company set_value=set_company />
                {move || error().map(|e| view! { <p class="form-error">{e}</p> })}
                <div class="actions">
                    <button id="signup-submit" type="submit" disabled=move || busy.get()>"Create account"</button>
                </div>
            </form>
        </section>
    }
}

/// After signing up: the account waits for its email to be confirmed. The link can be
/// opened from the mail, pasted here, or sent again.
#[component]
pub fn ConfirmNotice() -> impl IntoView {
    let app = AppState::get();
    let email = move || {
        app.session.with(|s| {
            s.as_ref()
                .and_then(|s| s.user.as_ref())
                .map(|u| u.username.clone())
        })
    };
    let resend = Action::new_local(move |email: &String| mail::resend_confirmation(email.clone()));
    let (resending, resent) = (resend.pending(), resend.value());
    view! {
        <section class="page narrow">
            <div id="confirm-notice" class="card notice">
                <h1>"Confirm your email"</h1>
                <p>"We sent a confirmation link to your address. Open it, or paste it (or the code below it) here; with the bundled server, the mail is in the Mail panel."</p>
                <PastedLinkForm kind=Some(MailKind::ConfirmEmail) />
                <div class="actions">
                    <button id="open-mail" type="button" on:click=move |_| app.mail_open.set(true)>"Open mail"</button>
                    <button
                        id="resend-confirmation"
                        type="button"
                        class="ghost"
                        disabled=move || resending.get() || email().is_none()
                        on:click=move |_| {
                            if let Some(email) = email() {
                                resend.dispatch(email);
                            }
                        }
                    >
                        {move || if resending.get() { "Sending…" } else { "Send the link again" }}
                    </button>
                </div>
                <p role="status" aria-live="polite">
                    {move || resent.get().map(|r| match r {
                        Ok(status) => status.message,
                        Err(error) => error.message,
                    })}
                </p>
            </div>
        </section>
    }
}

/// "Forgot your password?": mails a reset link, whose code is then pasted here.
#[component]
pub fn ForgotPage() -> impl IntoView {
    let app = AppState::get();
    let (email, set_email) = signal(String::new());
    let request = Action::new_local(move |email: &String| mail::request_reset(email.clone()));
    let (busy, outcome) = (request.pending(), request.value());
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        request.dispatch(email.get_untracked());
    };
    view! {
        <section class="page narrow">
            <h1>"Forgot your password?"</h1>
            <form class="card" on:submit=submit>
                <p>"We mail a link that lets you choose a new password. It works once, for an hour."</p>
                <TextField id="forgot-email" label="Email" kind="email" value=email set_value=set_email />
                <p role="status" aria-live="polite" id="forgot-status">
                    {move || (!busy.get()).then(|| outcome.get()).flatten().map(|r| match r {
                        Ok(status) if status.success => view! { <span class="success">{status.message}</span> }.into_any(),
                        Ok(status) => view! { <span class="form-error">{status.message}</span> }.into_any(),
                        Err(error) => view! { <span class="form-error">{error.message}</span> }.into_any(),
                    })}
                </p>
                <div class="actions">
                    <button id="forgot-submit" type="submit" disabled=move || busy.get()>
                        {move || if busy.get() { "Sending…" } else { "Send the link" }}
                    </button>
                    <button id="forgot-have-code" type="button" class="ghost" on:click=move |_| app.page.set(Page::UseLink(Some(MailKind::PasswordReset)))>
                        "I have the link"
                    </button>
                </div>
            </form>
            <p class="muted"><a href="#" on:click=move |ev| { ev.prevent_default(); app.page.set(Page::SignIn); }>"Back to sign in"</a></p>
        </section>
    }
}

/// A mailed link or its code, pasted into the app (signed out).
#[component]
pub fn UseLinkPage(
    /// What the link is for, when the page was opened for one kind.
    kind: Option<MailKind>,
) -> impl IntoView {
    let app = AppState::get();
    view! {
        <section class="page narrow">
            <h1>"A link from a mail"</h1>
            <div class="card">
                <p>"Paste the whole link from the mail, or the code printed below it."</p>
                <PastedLinkForm kind=kind />
            </div>
            <p class="muted"><a href="#" on:click=move |ev| { ev.prevent_default(); app.page.set(Page::SignIn); }>"Back to sign in"</a></p>
        </section>
    }
}

/// The words for what a mailed code is for.
fn kind_label(kind: MailKind) -> &'static str {
    match kind {
        MailKind::ConfirmEmail => "Confirm my email",
        MailKind::PasswordReset => "Choose a new password",
        MailKind::Invitation => "Join an organization",
    }
}

/// The paste field, what the code is for (asked only for a bare code), the passwords a
/// reset or a new account's invitation needs, and the button that does it.
#[component]
fn PastedLinkForm(
    /// What the code is for, when known already.
    kind: Option<MailKind>,
) -> impl IntoView {
    let app = AppState::get();
    let (pasted, set_pasted) = signal(String::new());
    let (chosen, set_chosen) = signal(kind);
    let (password, set_password) = signal(String::new());
    let (repeat, set_repeat) = signal(String::new());
    let link = Memo::new(move |_| houston_client::vocabulary::PastedLink::parse(&pasted.get()));
    let shown_kind = Memo::new(move |_| link.get().and_then(|l| l.kind).or(chosen.get()));
    let (problem, set_problem) = signal(None::<&'static str>);
    let follow = Action::new_local(move |pasted: &Pasted| {
        let pasted = pasted.clone();
        async move {
            match pasted {
                Pasted::Follow(link) => {
                    let session = mail::follow(app, link).await.map_err(|e| e.message)?;
                    app.page.set(if session.signed_in {
                        Page::Orgs
                    } else {
                        Page::SignIn
                    });
                    Ok(None)
                }
                Pasted::Join(token) => {
                    let status = mail::join(token).await.map_err(|e| e.message)?;
                    if status.success {
                        Ok(Some(
                            "You joined the organization. Sign in to see it.".to_owned(),
                        ))
                    } else {
                        Err(status.message)
                    }
                }
            }
        }
    });
    let (busy, outcome) = (follow.pending(), follow.value());
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let read = mail::read_pasted(
            &pasted.get_untracked(),
            chosen.get_untracked(),
            &password.get_untracked(),
            &repeat.get_untracked(),
        );
        match read {
            Ok(action) => {
                set_problem.set(None);
                follow.dispatch(action);
            }
            Err(reason) => set_problem.set(Some(reason)),
        }
    };
    let choose = move |ev| {
        let value = event_target_value(&ev);
        set_chosen.set(value.parse::<MailKind>().ok());
    };
    view! {
        <form class="pasted-link" on:submit=submit>
            <label class="stacked" for="pasted-link">
                <span>"Link or code"</span>
                <input
                    id="pasted-link"
                    type="text"
                    autocomplete="off"
                    spellcheck="false"
                    prop:value=move || pasted.get()
                    on:input=move |ev| set_pasted.set(event_target_value(&ev))
                />
            </label>
            {move || (link.get().is_some_and(|l| l.kind.is_none()) && kind.is_none()).then(|| view! {
                <label class="stacked" for="pasted-kind">
                    <span>"It is for"</span>
                    <select id="pasted-kind" on:change=choose>
                        <option value="" selected=move || chosen.get().is_none()>"— choose —"</option>
                        {MailKind::ALL.iter().map(|k| view! {
                            <option value=k.as_str() selected=move || chosen.get() == Some(*k)>{kind_label(*k)}</option>
                        }).collect_view()}
                    </select>
                </label>
            })}
            {move || match shown_kind.get() {
                Some(MailKind::PasswordReset) | Some(MailKind::Invitation) => Some(view! {
                    <fieldset class="pasted-passwords">
                        <legend>{move || if shown_kind.get() == Some(MailKind::Invitation) {
                            "No account yet? Choose a password (leave empty if you have one)"
                        } else {
                            "New password"
                        }}</legend>
                        <TextField id="pasted-password" label="Password" kind="password" value=password set_value=set_password />
                        <TextField id="pasted-repeat" label="Again" kind="password" value=repeat set_value=set_repeat />
                    </fieldset>
                }),
                _ => None,
            }}
            <p role="status" aria-live="polite" id="pasted-status">
                {move || problem.get().map(|p| view! { <span class="form-error">{p}</span> }.into_any()).or_else(|| {
                    (!busy.get()).then(|| outcome.get()).flatten().and_then(|r| match r {
                        Ok(Some(done)) => Some(view! { <span class="success">{done}</span> }.into_any()),
                        Ok(None) => None,
                        Err(message) => Some(view! { <span class="form-error">{message}</span> }.into_any()),
                    })
                })}
            </p>
            <div class="actions">
                <button id="pasted-submit" type="submit" disabled=move || busy.get()>
                    {move || match (busy.get(), shown_kind.get()) {
                        (true, _) => "Working…",
                        (false, Some(k)) => kind_label(k),
                        (false, None) => "Continue",
                    }}
                </button>
            </div>
        </form>
    }
}
