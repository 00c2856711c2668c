//! Your account: profile and password (`updateUser`).

use leptos::prelude::*;
use serde_json::json;

use crate::components::text_field::TextField;
use crate::loaders::{self, account};
use crate::state::AppState;

/// Profile and password.
#[component]
pub fn AccountPage() -> impl IntoView {
    let app = AppState::get();
    let (first, set_first) = signal(String::new());
    let (last, set_last) = signal(String::new());
    let (company, set_company) = signal(String::new());
    let (current, set_current) = signal(String::new());
    let (new_password, set_new_password) = signal(String::new());
    let profile = LocalResource::new(account::profile);
    // The loaded profile fills the form once; what is typed afterwards is never replaced.
    Effect::new(move |_| {
        if let Some(Ok(Some(loaded))) = profile.get() {
            set_first.set(loaded.first_name);
            set_last.set(loaded.last_name);
            set_company.set(loaded.company);
        }
    });
    let save = Action::new_local(move |variables: &serde_json::Value| {
        account::update(variables.clone(), app.org_now())
    });
    let (saving, saved) = (save.pending(), save.value());
    let message = move || {
        saved
            .get()
            .flatten()
            .map(|outcome| loaders::message(&outcome))
    };
    let send = move |variables: serde_json::Value| {
        save.dispatch(variables);
    };
    let save_profile = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        send(
            json!({"profile": {"firstName": first.get_untracked(), "lastName": last.get_untracked(), "company": company.get_untracked()}}),
        );
    };
    let change_password = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        send(
            json!({"currentPassword": current.get_untracked(), "newPassword": new_password.get_untracked()}),
        );
        set_current.set(String::new());
        set_new_password.set(String::new());
    };
    view! {
        <section class="page narrow">
            <h1>"Account"</h1>
            <p class="muted">{move || app.username()}</p>
            <form class="card" on:submit=save_profile>
                <h2>"Profile"</h2>
                <TextField id="account-first-name" label="First name" value=first set_value=set_first />
                <TextField id="account-last-name" label="Last name" value=last set_value=set_last />
                <TextField id="account-company" label="Company" value=company set_value=set_company />
                <div class="actions"><button id="account-save" type="submit" disabled=move || saving.get()>"Save profile"</button></div>
            </form>
            <form class="card" on:submit=change_password>
                <h2>"Password"</h2>
                <TextField id="account-current-password" label="Current password" kind="password" value=current set_value=set_current />
                <TextField id="account-new-password" label="New password" kind="password" value=new_password set_value=set_new_password />
                <div class="actions"><button id="account-password-save" type="submit" disabled=move || saving.get()>"Change password"</button></div>
            </form>
            {move || message().map(|(ok, text)| view! {
                <p id="account-message" class:success=ok class:form-error=!ok>{text}</p>
            })}
        </section>
    }
}
