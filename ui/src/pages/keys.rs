//! API keys of the current organization (Owners): create (shown once), list, revoke.

use houston_client::vocabulary::Role;
use leptos::prelude::*;

use crate::api;
use crate::components::busy::BusyButton;
use crate::components::confirm::{self, Question};
use crate::components::names;
use crate::components::no_organization::NoOrganization;
use crate::components::time::Time;
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
        app.reloads.track();
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
    let refused = RwSignal::new(None::<&'static str>);
    let create = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let Some(org_id) = app.org_now() else { return };
        match names::typed(&label.get_untracked()) {
            Ok(label) => {
                refused.set(None);
                change.dispatch(KeyChange::Create {
                    org_id,
                    label,
                    role: role.get_untracked(),
                });
            }
            Err(_) => refused.set(Some("A label is needed: say what the key is for.")),
        }
    };
    let revoke = move |id: String, label: String| {
        confirm::ask(Question::revoke_key(&label), move || {
            change.dispatch(KeyChange::Revoke(id.clone()));
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
                    <label class="sr-only" for="key-label">"Label"</label>
                    <input id="key-label" placeholder="Label" prop:value=move || label.get()
                        on:input=move |ev| set_label.set(event_target_value(&ev)) />
                    <label class="sr-only" for="key-role">"Role"</label>
                    <select id="key-role" on:change=move |ev| set_role.set(Role::parse(&event_target_value(&ev)))>
                        <option value="USER" selected=true>"User"</option>
                        <option value="OWNER">"Owner"</option>
                    </select>
                    <BusyButton id="key-create" label="Create key" busy_label="Creating…" busy=changing submit=true />
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
            {move || match refused.get() {
                Some(why) => Some(view! { <p id="keys-message" role="alert" class="form-error">{why}</p> }.into_any()),
                None => message().map(|(ok, text)| view! {
                    <p id="keys-message" role="status" class:success=ok class:form-error=!ok>{text}</p>
                }.into_any()),
            }}
            {move || app.is_owner().then(|| view! {
                <table class="table">
                    <thead><tr><th>"Label"</th><th>"Role"</th><th>"Created"</th><th>"Last used"</th><th></th></tr></thead>
                    <tbody>
                        {move || match rows.get().flatten() {
                            None => view! { <tr><td colspan="5" class="muted">"Loading…"</td></tr> }.into_any(),
                            Some(Err(e)) => view! {
                                <tr><td colspan="5" id="keys-error" class="form-error" role="alert">
                                    {format!("The keys could not be loaded: {e}")}
                                </td></tr>
                            }.into_any(),
                            Some(Ok(list)) if list.is_empty() => view! {
                                <tr><td colspan="5" id="keys-empty" class="muted">
                                    "No API keys yet. A key lets a program (a script, CI, another server) call the API as a member of this organization: create one above."
                                </td></tr>
                            }.into_any(),
                            Some(Ok(list)) => list.into_iter().map(|k| {
                                let (id, label) = (k.id.clone(), k.label.clone());
                                view! {
                                    <tr class="key-row" data-id=k.id.clone()>
                                        <td class="key-label">{k.label}</td>
                                        <td>{names::role(&k.role)}</td>
                                        <td><Time at=k.created_at /></td>
                                        <td>{match k.last_used_at {
                                            Some(at) => view! { <Time at=at /> }.into_any(),
                                            None => view! { <span class="muted">"never"</span> }.into_any(),
                                        }}</td>
                                        <td><button type="button" class="key-revoke danger small" disabled=move || changing.get()
                                            on:click=move |_| revoke(id.clone(), label.clone())>"Revoke"</button></td>
                                    </tr>
                                }
                            }).collect_view().into_any(),
                        }}
                    </tbody>
                </table>
            })}
        </section>
    }
}
