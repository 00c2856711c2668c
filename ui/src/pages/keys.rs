//! API keys of the current organization (Owners): create (shown once), list, revoke.

use houston_client::vocabulary::Role;
use houston_client::{
    api_keys, create_api_key, revoke_api_key, ApiKeys, CreateApiKey, RevokeApiKey,
};
use leptos::prelude::*;
use leptos::task::spawn_local;
use serde_json::json;

use crate::api::{self, Status};
use crate::pages::NoOrganization;
use crate::state::AppState;

#[derive(Clone, Debug, PartialEq)]
struct KeyRow {
    id: String,
    label: String,
    role: Role,
    created_at: String,
    last_used_at: Option<String>,
}

/// The API keys page.
#[component]
pub fn KeysPage() -> impl IntoView {
    let app = AppState::get();
    let (rows, set_rows) = signal(None::<Result<Vec<KeyRow>, String>>);
    let (reload, set_reload) = signal(0u32);
    let (label, set_label) = signal(String::new());
    let (role, set_role) = signal(Role::User);
    let (created, set_created) = signal(None::<String>);
    let (message, set_message) = signal(None::<(bool, String)>);
    Effect::new(move |_| {
        reload.get();
        let Some(org_id) = app.org.get() else { return };
        if !app.is_owner() {
            return;
        }
        spawn_local(async move {
            let variables = api_keys::Variables {
                org_id: org_id.clone(),
            };
            let result = api::run::<ApiKeys>(variables, Some(org_id)).await;
            set_rows.set(Some(result.map_err(|e| e.message).map(|data| {
                data.api_keys
                    .into_iter()
                    .map(|k| KeyRow {
                        id: k.id,
                        label: k.label,
                        role: k.role,
                        created_at: k.created_at,
                        last_used_at: k.last_used_at,
                    })
                    .collect()
            })));
        });
    });
    let create = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let Some(org_id) = app.org_now() else { return };
        let variables: Result<create_api_key::Variables, _> = serde_json::from_value(json!({
            "orgId": org_id, "label": label.get_untracked(), "role": role.get_untracked()
        }));
        let Ok(variables) = variables else { return };
        spawn_local(async move {
            match api::run::<CreateApiKey>(variables, Some(org_id)).await {
                Ok(data) => {
                    let answer = serde_json::to_value(&data.create_api_key).unwrap_or_default();
                    let status = Status::of(&data.create_api_key);
                    set_message.set(Some((status.success, status.message)));
                    set_created.set(
                        answer
                            .get("key")
                            .and_then(|k| k.as_str())
                            .map(str::to_owned),
                    );
                    set_label.set(String::new());
                }
                Err(e) => set_message.set(Some((false, e.message))),
            }
            set_reload.update(|n| *n += 1);
        });
    };
    let revoke = move |id: String| {
        let org = app.org_now();
        spawn_local(async move {
            match api::run::<RevokeApiKey>(revoke_api_key::Variables { id }, org).await {
                Ok(data) => {
                    let status = Status::of(&data.revoke_api_key);
                    set_message.set(Some((status.success, status.message)));
                }
                Err(e) => set_message.set(Some((false, e.message))),
            }
            set_reload.update(|n| *n += 1);
        });
    };
    view! {
        <section class="page">
            <h1>"API keys"</h1>
            <NoOrganization />
            {move || (!app.is_owner()).then(|| view! {
                <p class="muted">"Only the organization's Owners manage API keys."</p>
            })}
            {move || app.is_owner().then(|| view! {
                <form class="card row" on:submit=create>
                    <input id="key-label" placeholder="Label" prop:value=move || label.get()
                        on:input=move |ev| set_label.set(event_target_value(&ev)) />
                    <select id="key-role" on:change=move |ev| set_role.set(Role::parse(&event_target_value(&ev)))>
                        <option value=Role::User.as_str() selected=true>"User"</option>
                        <option value=Role::Owner.as_str()>"Owner"</option>
                    </select>
                    <button id="key-create" type="submit">"Create key"</button>
                </form>
            })}
            {move || created.get().map(|key| {
                let copy = key.clone();
                view! {
                    <div class="card notice">
                        <p>"Copy this key now: it is not shown again."</p>
                        <div class="row">
                            <code id="key-created">{key}</code>
                            <button id="key-copy" type="button" class="ghost small" on:click=move |_| api::copy_to_clipboard(&copy)>"Copy"</button>
                        </div>
                    </div>
                }
            })}
            {move || message.get().map(|(ok, text)| view! {
                <p id="keys-message" class:success=ok class:form-error=!ok>{text}</p>
            })}
            {move || app.is_owner().then(|| view! {
                <table class="table">
                    <thead><tr><th>"Label"</th><th>"Role"</th><th>"Created"</th><th>"Last used"</th><th></th></tr></thead>
                    <tbody>
                        {move || rows.get().and_then(Result::ok).unwrap_or_default().into_iter().map(|k| {
                            let id = k.id.clone();
                            view! {
                                <tr class="key-row" data-id=k.id.clone()>
                                    <td class="key-label">{k.label}</td>
                                    <td>{k.role.as_str()}</td>
                                    <td>{k.created_at}</td>
                                    <td>{k.last_used_at.unwrap_or_else(|| "never".to_owned())}</td>
                                    <td><button type="button" class="key-revoke danger small" on:click=move |_| revoke(id.clone())>"Revoke"</button></td>
                                </tr>
                            }
                        }).collect_view()}
                    </tbody>
                </table>
            })}
        </section>
    }
}
