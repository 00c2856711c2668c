//! Signing in, signing up, and the "confirm your email" notice.

use leptos::prelude::*;

use crate::api;
use crate::components::text_field::TextField;
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
