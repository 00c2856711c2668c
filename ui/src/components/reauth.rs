//! Signing in again when the token expired, on top of the page, keeping what was typed.

use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::api;
use crate::state::AppState;

/// The modal asking for the password again; nothing is retried: the person saves again.
#[component]
pub fn Reauth() -> impl IntoView {
    let app = AppState::get();
    let (password, set_password) = signal(String::new());
    let (error, set_error) = signal(None::<String>);
    let (busy, set_busy) = signal(false);
    let username = app.username().unwrap_or_default();
    let shown_name = username.clone();
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let username = username.clone();
        let password = password.get_untracked();
        set_busy.set(true);
        spawn_local(async move {
            match api::sign_in(&username, &password).await {
                Ok(session) => {
                    app.session.set(Some(session));
                    app.reauth.set(false);
                }
                Err(e) => set_error.set(Some(e.message)),
            }
            set_busy.set(false);
        });
    };
    view! {
        <div class="modal-backdrop">
            <form id="reauth" class="modal" on:submit=submit>
                <h2>"Sign in again"</h2>
                <p>"Your session has expired. Enter the password of " <strong>{shown_name}</strong>
                   " to go on; what you typed on the page is kept. Then save again."</p>
                <input
                    id="reauth-password"
                    type="password"
                    autocomplete="current-password"
                    prop:value=move || password.get()
                    on:input=move |ev| set_password.set(event_target_value(&ev))
                />
                {move || error.get().map(|e| view! { <p class="form-error">{e}</p> })}
                <div class="actions">
                    <button id="reauth-submit" type="submit" disabled=move || busy.get()>"Sign in"</button>
                </div>
            </form>
        </div>
    }
}
