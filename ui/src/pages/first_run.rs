//! The first run: which Houston to use.

use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::api::{self, BackendKind};
use crate::state::AppState;

/// Choosing the bundled server or a remote Houston.
#[component]
pub fn FirstRun() -> impl IntoView {
    let app = AppState::get();
    let (backend, set_backend) = signal(BackendKind::Bundled);
    let (url, set_url) = signal(String::new());
    let (check, set_check) = signal(None::<(bool, String)>);
    let (error, set_error) = signal(None::<String>);
    let check_server = move |_| {
        let url = url.get_untracked();
        set_check.set(Some((false, "Checking…".to_owned())));
        spawn_local(async move {
            let result = match api::check_server(&url).await {
                Ok(answer) => (answer.ok, answer.message),
                Err(e) => (false, e.message),
            };
            set_check.set(Some(result));
        });
    };
    let continue_ = move |_| {
        let backend = backend.get_untracked();
        let url = url.get_untracked();
        spawn_local(async move {
            let remote = (backend == BackendKind::Remote).then_some(url.as_str());
            match api::save_settings(backend, remote).await {
                Ok(session) => app.set_session(session),
                Err(e) => set_error.set(Some(e.message)),
            }
        });
    };
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
            {move || check.get().map(|(ok, message)| view! {
                <p id="check-result" class:success=ok class:form-error=!ok>{message}</p>
            })}
            {move || error.get().map(|e| view! { <p class="form-error">{e}</p> })}
            <div class="actions">
                <button id="continue" type="button" on:click=continue_>"Continue"</button>
            </div>
        </section>
    }
}
