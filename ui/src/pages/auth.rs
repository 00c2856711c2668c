//! Signing in, signing up, and the "confirm your email" notice.

use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::api;
use crate::state::{AppState, Page};

/// A labelled text input bound to a signal.
#[component]
pub fn TextField(
    /// The input's id.
    id: &'static str,
    /// The label.
    label: &'static str,
    /// The input type (`text`, `email`, `password`).
    #[prop(default = "text")]
    kind: &'static str,
    /// The value.
    value: ReadSignal<String>,
    /// Sets the value.
    set_value: WriteSignal<String>,
) -> impl IntoView {
    view! {
        <label class="stacked" for=id>
            <span>{label}</span>
            <input
                id=id
                type=kind
                prop:value=move || value.get()
                on:input=move |ev| set_value.set(event_target_value(&ev))
            />
        </label>
    }
}

/// Signing in with an email and a password.
#[component]
pub fn SignIn() -> impl IntoView {
    let app = AppState::get();
    let (email, set_email) = signal(String::new());
    let (password, set_password) = signal(String::new());
    let (error, set_error) = signal(None::<String>);
    let (busy, set_busy) = signal(false);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let (email, password) = (email.get_untracked(), password.get_untracked());
        set_busy.set(true);
        set_error.set(None);
        spawn_local(async move {
            match api::sign_in(&email, &password).await {
                Ok(session) => {
                    app.page.set(Page::Orgs);
                    app.set_session(session);
                }
                Err(e) => set_error.set(Some(e.message)),
            }
            set_busy.set(false);
        });
    };
    view! {
        <section class="page narrow">
            <h1>"Sign in"</h1>
            <form class="card" on:submit=submit>
                <TextField id="signin-email" label="Email" kind="email" value=email set_value=set_email />
                <TextField id="signin-password" label="Password" kind="password" value=password set_value=set_password />
                {move || error.get().map(|e| view! { <p class="form-error">{e}</p> })}
                <div class="actions">
                    <button id="signin-submit" type="submit" disabled=move || busy.get()>"Sign in"</button>
                </div>
            </form>
            <p class="muted">"No account yet? "
                <a href="#" on:click=move |ev| { ev.prevent_default(); app.page.set(Page::SignUp); }>"Sign up"</a>
            </p>
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
    let (error, set_error) = signal(None::<String>);
    let (busy, set_busy) = signal(false);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let form = api::SignUp {
            email: email.get_untracked(),
            password: password.get_untracked(),
            first_name: first.get_untracked(),
            last_name: last.get_untracked(),
            company: company.get_untracked(),
        };
        set_busy.set(true);
        set_error.set(None);
        spawn_local(async move {
            match api::sign_up(&form).await {
                Ok(session) => {
                    app.page.set(Page::SignedUp);
                    app.set_session(session);
                }
                Err(e) => set_error.set(Some(e.message)),
            }
            set_busy.set(false);
        });
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
                {move || error.get().map(|e| view! { <p class="form-error">{e}</p> })}
                <div class="actions">
                    <button id="signup-submit" type="submit" disabled=move || busy.get()>"Create account"</button>
                </div>
            </form>
        </section>
    }
}

/// After signing up: the account waits for its email to be confirmed.
#[component]
pub fn ConfirmNotice() -> impl IntoView {
    let app = AppState::get();
    view! {
        <section class="page narrow">
            <div id="confirm-notice" class="card notice">
                <h1>"Confirm your email"</h1>
                <p>"We sent a confirmation link to your address. Open it to activate your account; with the bundled server, the mail is in the Mail panel."</p>
                <div class="actions">
                    <button id="open-mail" type="button" on:click=move |_| app.mail_open.set(true)>"Open mail"</button>
                </div>
            </div>
        </section>
    }
}
