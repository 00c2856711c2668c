//! API keys of the current organization (Owners): create (shown once), list, revoke.

use houston_client::vocabulary::Role;
use leptos::prelude::*;

use crate::api;
use crate::components::no_organization::NoOrganization;
use crate::loaders::keys::{self, KeyRow};
use crate::loaders::{self, OrgList};
use crate::state::AppState;

/// What the Owner asked of the keys.
#[derive(Clone)]
enum KeyChange {
    Create {
        org_id: String,
        label: String,
        role: Role,
    },
    Revoke(String),
}

/// The API keys page.
#[component]
pub fn KeysPage() -> impl IntoView {
    let app = AppState::get();
    // Only Owners may list keys: nothing is asked of the server for anyone else.
    let rows: OrgList<KeyRow> = LocalResource::new(move || {
        let pending = app.org.get().filter(|_| app.is_owner()).map(keys::list);
        async move {
            match pending {
                Some(rows) => Some(rows.await.map_err(|e| e.message)),
                None => None,
            }
        }
    });
    let (label, set_label) = signal(String::new());
    let (role, set_role) = signal(Role::User);
    let (created, set_created) = signal(None::<String>);
    let change = Action::new_local(move |change: &KeyChange| {
        let change = change.clone();
        let org = app.org_now();
        async move {
            let outcome = match change {
                KeyChange::Create {
                    org_id,
                    label,
                    role,
                } => keys::create(org_id, label, role)
                    .await
                    .map(|(status, key)| {
                        set_created.set(key);
                        set_label.set(String::new());
                        status
                    }),
                KeyChange::Revoke(id) => keys::revoke(id, org).await,
            };
            rows.refetch();
            outcome
        }
    });
    let (changing, changed) = (change.pending(), change.value());
    let message = move || changed.get().map(|outcome| loaders::message(&outcome));
    let create = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let Some(org_id) = app.org_now() else { return };
        change.dispatch(KeyChange::Create {
            org_id,
            label: label.get_untracked(),
            role: role.get_untracked(),
        });
    };
    let revoke = move |id: String| {
        change.dispatch(KeyChange::Revoke(id));
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
                        <option value="USER" selected=true>"User"</option>
                        <option value="OWNER">"Owner"</option>
                    </select>
                    <button id="key-create" type="submit" disabled=move || changing.get()>"Create key"</button>
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
            {move || message().map(|(ok, text)| view! {
                <p id="keys-message" class:success=ok class:form-error=!ok>{text}</p>
            })}
            {move || app.is_owner().then(|| view! {
                <table class="table">
                    <thead><tr><th>"Label"</th><th>"Role"</th><th>"Created"</th><th>"Last used"</th><th></th></tr></thead>
                    <tbody>
                        {move || rows.get().flatten().and_then(Result::ok).unwrap_or_default().into_iter().map(|k| {
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
