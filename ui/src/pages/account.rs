//! Your account: profile and password (`updateUser`), and the servers the app uses.

use leptos::prelude::*;
use serde_json::json;

use crate::components::busy::BusyButton;
use crate::components::servers::ServerMenu;
use crate::components::text_field::TextField;
use crate::components::unsaved;
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
    // What was loaded or last saved, to tell whether the form holds unsaved changes.
    let stored = RwSignal::new((String::new(), String::new(), String::new()));
    Effect::new(move |_| {
        if let Some(Ok(Some(loaded))) = profile.get() {
            stored.set((
                loaded.first_name.clone(),
                loaded.last_name.clone(),
                loaded.company.clone(),
            ));
            set_first.set(loaded.first_name);
            set_last.set(loaded.last_name);
            set_company.set(loaded.company);
        }
    });
    unsaved::guard(
        "your profile or password",
        Signal::derive(move || {
            let typed = (first.get(), last.get(), company.get());
            stored.with(|s| *s != typed)
                || !current.get().is_empty()
                || !new_password.get().is_empty()
        }),
    );
    let save = Action::new_local(move |variables: &serde_json::Value| {
        let pending = account::update(variables.clone(), app.org_now());
        let profile_sent = variables.get("profile").is_some();
        async move {
            let outcome = pending.await;
            let ok = outcome.as_ref().is_some_and(|o| loaders::message(o).0);
            if ok && profile_sent {
                stored.set((
                    first.get_untracked(),
                    last.get_untracked(),
                    company.get_untracked(),
                ));
            }
            outcome
        }
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
                <div class="actions"><BusyButton id="account-save" label="Save profile" busy_label="Saving…" busy=saving submit=true /></div>
            </form>
            <form class="card" on:submit=change_password>
                <h2>"Password"</h2>
                <TextField id="account-current-password" label="Current password" kind="password" value=current set_value=set_current />
                <TextField id="account-new-password" label="New password" kind="password" value=new_password set_value=set_new_password />
                <div class="actions"><BusyButton id="account-password-save" label="Change password" busy_label="Changing…" busy=saving submit=true /></div>
            </form>
            {move || message().map(|(ok, text)| view! {
                <p id="account-message" role="status" class:success=ok class:form-error=!ok>{text}</p>
            })}
            <ServerMenu />
        </section>
    }
}
