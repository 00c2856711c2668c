//! The server menu: the Houstons the app has used, the current one marked, each with its
//! own session; switching, adding one and forgetting one (after asking). On the Account
//! page and on the sign-in screen.

use leptos::prelude::*;

use crate::components::busy::BusyButton;
use crate::components::confirm::{self, Question};
use crate::components::unsaved;
use crate::loaders::servers;
use crate::state::AppState;

/// The list of servers with what can be done to each.
#[component]
pub fn ServerMenu() -> impl IntoView {
    let app = AppState::get();
    // Read again whenever the session changes (a switch, a sign-in or -out).
    let listed = LocalResource::new(move || {
        app.session.track();
        servers::list()
    });
    let (adding, set_adding) = signal(false);
    let (url, set_url) = signal(String::new());
    let add = Action::new_local(move |url: &String| servers::add_and_switch(app, url.clone()));
    let switch = Action::new_local(move |id: &String| servers::switch(app, id.clone()));
    let forget = Action::new_local(move |id: &String| servers::forget(app, id.clone()));
    let busy = Signal::derive(move || {
        add.pending().get() || switch.pending().get() || forget.pending().get()
    });
    // The last failure of any of them, for a person.
    let error = RwSignal::new(None::<String>);
    Effect::new(move |_| {
        let failed = [
            add.value().get(),
            switch.value().get(),
            forget.value().get(),
        ]
        .into_iter()
        .flatten()
        .find_map(Result::err);
        error.set(failed.map(|e| e.message));
    });
    Effect::new(move |_| {
        if matches!(add.value().get(), Some(Ok(()))) {
            set_adding.set(false);
            set_url.set(String::new());
        }
    });
    let go_to = move |id: String| {
        unsaved::leave_then(
            move || {
                switch.dispatch(id.clone());
            },
            || {},
        );
    };
    let ask_forget = move |id: String, name: String, current: bool| {
        confirm::ask(Question::forget_server(&name, current), move || {
            forget.dispatch(id.clone());
        });
    };
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let url = url.get_untracked();
        unsaved::leave_then(
            move || {
                add.dispatch(url.clone());
            },
            || {},
        );
    };
    view! {
        <section id="server-menu" class="card server-menu" aria-labelledby="server-menu-title">
            <h2 id="server-menu-title">"Servers"</h2>
            <ul class="list server-list">
                {move || {
                    listed.get().map(|answer| match answer {
                        Err(e) => view! { <li class="form-error">{e.message}</li> }.into_any(),
                        Ok(list) => list
                            .into_iter()
                            .map(|server| {
                                let name = servers::label(&server);
                                let (id, current, signed_in) =
                                    (server.id.clone(), server.current, server.signed_in);
                                let remote = server.url.is_some();
                                let (switch_id, forget_id, forget_name) =
                                    (id.clone(), id.clone(), name.clone());
                                view! {
                                    <li class="org-item server-item" class:current=current data-server=id.clone()>
                                        <div class="row spread">
                                            <span>
                                                <strong class="server-name">{name}</strong>
                                                {current.then(|| view! { <span class="badge current">"current"</span> })}
                                                <span class="muted small server-session">
                                                    {if signed_in { " · signed in" } else { " · signed out" }}
                                                </span>
                                            </span>
                                            <span class="row">
                                                {(!current).then(|| view! {
                                                    <button type="button" class="secondary small server-switch"
                                                        disabled=move || busy.get()
                                                        on:click=move |_| go_to(switch_id.clone())>
                                                        "Switch"
                                                    </button>
                                                })}
                                                {remote.then(|| view! {
                                                    <button type="button" class="danger small server-forget"
                                                        disabled=move || busy.get()
                                                        on:click=move |_| ask_forget(forget_id.clone(), forget_name.clone(), current)>
                                                        "Forget"
                                                    </button>
                                                })}
                                            </span>
                                        </div>
                                    </li>
                                }
                            })
                            .collect_view()
                            .into_any(),
                    })
                }}
            </ul>
            {move || {
                if adding.get() {
                    view! {
                        <form class="row" on:submit=submit>
                            <label class="sr-only" for="server-url">"Server address"</label>
                            <input id="server-url" type="url" placeholder="https://houston.example.com"
                                prop:value=move || url.get()
                                on:input=move |ev| set_url.set(event_target_value(&ev)) />
                            <BusyButton id="server-add" label="Add and switch" busy_label="Checking…" busy=add.pending() submit=true />
                            <button type="button" class="ghost" on:click=move |_| set_adding.set(false)>"Cancel"</button>
                        </form>
                    }
                        .into_any()
                } else {
                    view! {
                        <button id="server-add-open" type="button" class="secondary"
                            on:click=move |_| set_adding.set(true)>"Add a server…"</button>
                    }
                        .into_any()
                }
            }}
            <p id="server-status" role="status" aria-live="polite" class="form-error">
                {move || error.get()}
            </p>
        </section>
    }
}
