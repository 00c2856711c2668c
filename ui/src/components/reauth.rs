//! Signing in again when the token expired, on top of the page, keeping what was typed.

use leptos::prelude::*;

use crate::loaders::session;
use crate::state::AppState;

/// The modal asking for the password again; nothing is retried: the person saves again.
#[component]
pub fn Reauth() -> impl IntoView {
    let app = AppState::get();
    let (password, set_password) = signal(String::new());
    let username = app.username().unwrap_or_default();
    let shown_name = username.clone();
    let sign_in = Action::new_local(move |password: &String| {
        session::sign_in_again(app, username.clone(), password.clone())
    });
    let (busy, outcome) = (sign_in.pending(), sign_in.value());
    let error = move || outcome.get().and_then(Result::err).map(|e| e.message);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        sign_in.dispatch(password.get_untracked());
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
                {move || error().map(|e| view! { <p class="form-error">{e}</p> })}
                <div class="actions">
                    <button id="reauth-submit" type="submit" disabled=move || busy.get()>"Sign in"</button>
                </div>
            </form>
        </div>
    }
}
