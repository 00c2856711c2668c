//! Your account: profile and password (`updateUser`).

use houston_client::{me, Me, UpdateUser};
use leptos::prelude::*;
use leptos::task::spawn_local;
use serde_json::json;

use crate::api::{self, Status};
use crate::pages::auth::TextField;
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
    let (message, set_message) = signal(None::<(bool, String)>);
    spawn_local(async move {
        if let Ok(data) = api::run::<Me>(me::Variables, None).await {
            if let Some(user) = data.me {
                set_first.set(user.profile.first_name.unwrap_or_default());
                set_last.set(user.profile.last_name.unwrap_or_default());
                set_company.set(user.profile.company.unwrap_or_default());
            }
        }
    });
    let send = move |variables: serde_json::Value| {
        spawn_local(async move {
            let Ok(variables) = serde_json::from_value(variables) else {
                return;
            };
            match api::run::<UpdateUser>(variables, app.org_now()).await {
                Ok(data) => {
                    let status = Status::of(&data.update_user);
                    set_message.set(Some((status.success, status.message)));
                }
                Err(e) => set_message.set(Some((false, e.message))),
            }
        });
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
                <div class="actions"><button id="account-save" type="submit">"Save profile"</button></div>
            </form>
            <form class="card" on:submit=change_password>
                <h2>"Password"</h2>
                <TextField id="account-current-password" label="Current password" kind="password" value=current set_value=set_current />
                <TextField id="account-new-password" label="New password" kind="password" value=new_password set_value=set_new_password />
                <div class="actions"><button id="account-password-save" type="submit">"Change password"</button></div>
            </form>
            {move || message.get().map(|(ok, text)| view! {
                <p id="account-message" class:success=ok class:form-error=!ok>{text}</p>
            })}
        </section>
    }
}
