//! The first run: which Houston to use.

use crate::api::BackendKind;
use leptos::prelude::*;

use crate::loaders::session;
use crate::state::AppState;

/// Choosing the bundled server or a remote Houston.
#[component]
pub fn FirstRun() -> impl IntoView {
    let app = AppState::get();
    let (backend, set_backend) = signal(BackendKind::Bundled);
    let (url, set_url) = signal(String::new());
    let check = Action::new_local(|url: &String| session::check_server(url.clone()));
    let choose = Action::new_local(move |(backend, url): &(BackendKind, String)| {
        session::choose_backend(app, *backend, url.clone())
    });
    let (checking, checked) = (check.pending(), check.value());
    let (choosing, chosen) = (choose.pending(), choose.value());
    let check_server = move |_| {
        check.dispatch(url.get_untracked());
    };
    let continue_ = move |_| {
        choose.dispatch((backend.get_untracked(), url.get_untracked()));
    };
    let check_result = move || {
        if checking.get() {
            Some((false, "Checking…".to_owned()))
        } else {
            checked.get()
        }
    };
    let error = move || chosen.get().and_then(Result::err).map(|e| e.message);
    view! {
        <section class="page narrow">
            <h1>"Welcome to Houston Desktop"</h1>
            <p>"Choose the Houston this window administers. You can evaluate everything offline with the bundled server."</p>
            <div class="choices">
                <label class="choice">
                    <input
                        type="radio"
                        id="backend-bundled"
                        name="backend"
                        value="bundled"
                        prop:checked=move || backend.get() == BackendKind::Bundled
                        on:change=move |_| set_backend.set(BackendKind::Bundled)
                    />
                    <span><strong>"Bundled server"</strong> " — runs inside the app, on a local SQLite file."</span>
                </label>
                <label class="choice">
                    <input
                        type="radio"
                        id="backend-remote"
                        name="backend"
                        value="remote"
                        prop:checked=move || backend.get() == BackendKind::Remote
                        on:change=move |_| set_backend.set(BackendKind::Remote)
                    />
                    <span><strong>"A remote Houston"</strong> " — a server your team runs."</span>
                </label>
            </div>
            <div class="row">
                <input
                    id="remote-url"
                    type="url"
                    placeholder="https://houston.example.com/graphql"
                    disabled=move || backend.get() != BackendKind::Remote
                    prop:value=move || url.get()
                    on:input=move |ev| set_url.set(event_target_value(&ev))
                />
                <button id="check-server" type="button" class="secondary" disabled=move || backend.get() != BackendKind::Remote on:click=check_server>
                    "Check"
                </button>
            </div>
            {move || check_result().map(|(ok, message)| view! {
                <p id="check-result" class:success=ok class:form-error=!ok>{message}</p>
            })}
            {move || error().map(|e| view! { <p class="form-error">{e}</p> })}
            <div class="actions">
                <button id="continue" type="button" disabled=move || choosing.get() on:click=continue_>"Continue"</button>
            </div>
        </section>
    }
}
