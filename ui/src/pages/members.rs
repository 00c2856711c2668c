//! Members of the current organization: Owners edit, Users read.

use houston_client::vocabulary::Role;
use houston_client::{organizations, update_organization, Organizations, UpdateOrganization};
use leptos::prelude::*;
use leptos::task::spawn_local;
use serde_json::json;

use crate::api::{self, Status};
use crate::pages::NoOrganization;
use crate::state::AppState;

#[derive(Clone, Debug, PartialEq)]
struct MemberRow {
    user_id: String,
    email: String,
    name: String,
    status: String,
    role: Role,
}

/// The members list, with add, role change and remove for Owners.
#[component]
pub fn MembersPage() -> impl IntoView {
    let app = AppState::get();
    let (rows, set_rows) = signal(None::<Result<Vec<MemberRow>, String>>);
    let (reload, set_reload) = signal(0u32);
    let (email, set_email) = signal(String::new());
    let (role, set_role) = signal(Role::User);
    let (message, set_message) = signal(None::<(bool, String)>);
    Effect::new(move |_| {
        reload.get();
        let Some(org_id) = app.org.get() else { return };
        spawn_local(async move {
            let variables = organizations::Variables {
                user_id: None,
                org_id: Some(org_id.clone()),
            };
            let result = api::run::<Organizations>(variables, Some(org_id)).await;
            set_rows.set(Some(result.map_err(|e| e.message).map(|data| {
                data.organizations
                    .into_iter()
                    .flat_map(|o| o.members)
                    .map(|m| MemberRow {
                        user_id: m.user.id,
                        email: m.user.username,
                        name: [m.user.profile.first_name, m.user.profile.last_name]
                            .into_iter()
                            .flatten()
                            .collect::<Vec<_>>()
                            .join(" "),
                        status: m.user.status,
                        role: m.role,
                    })
                    .collect()
            })));
        });
    });
    let change = move |changes: serde_json::Value| {
        let Some(org_id) = app.org_now() else { return };
        spawn_local(async move {
            let mut variables = json!({ "orgId": org_id });
            if let (Some(target), Some(extra)) = (variables.as_object_mut(), changes.as_object()) {
                target.extend(extra.clone());
            }
            let variables: update_organization::Variables = match serde_json::from_value(variables)
            {
                Ok(v) => v,
                Err(e) => {
                    set_message.set(Some((false, e.to_string())));
                    return;
                }
            };
            match api::run::<UpdateOrganization>(variables, Some(org_id)).await {
                Ok(data) => {
                    let status = Status::of(&data.update_organization);
                    set_message.set(Some((status.success, status.message)));
                }
                Err(e) => set_message.set(Some((false, e.message))),
            }
            set_reload.update(|n| *n += 1);
            app.reload_orgs();
        });
    };
    let add = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        change(json!({"addUser": {"email": email.get_untracked(), "role": role.get_untracked()}}));
        set_email.set(String::new());
    };
    view! {
        <section class="page">
            <h1>"Members"</h1>
            <NoOrganization />
            {move || app.is_owner().then(|| view! {
                <form class="card row" on:submit=add>
                    <input id="member-email" type="email" placeholder="Email" prop:value=move || email.get()
                        on:input=move |ev| set_email.set(event_target_value(&ev)) />
                    <select id="member-role" on:change=move |ev| set_role.set(Role::parse(&event_target_value(&ev)))>
                        <option value=Role::User.as_str() selected=true>"User"</option>
                        <option value=Role::Owner.as_str()>"Owner"</option>
                    </select>
                    <button id="member-add" type="submit">"Add member"</button>
                </form>
            })}
            {move || message.get().map(|(ok, text)| view! {
                <p id="members-message" class:success=ok class:form-error=!ok>{text}</p>
            })}
            <table class="table">
                <thead><tr><th>"Email"</th><th>"Name"</th><th>"Status"</th><th>"Role"</th><th></th></tr></thead>
                <tbody>
                    {move || match rows.get() {
                        None => view! { <tr><td colspan="5" class="muted">"Loading…"</td></tr> }.into_any(),
                        Some(Err(e)) => view! { <tr><td colspan="5" class="form-error">{e}</td></tr> }.into_any(),
                        Some(Ok(list)) => {
                            let owner = app.is_owner();
                            list.into_iter().map(|m| {
                                let (role_id, remove_id) = (m.user_id.clone(), m.user_id.clone());
                                let is_owner_role = m.role == Role::Owner;
                                view! {
                                    <tr class="member-row" data-user=m.user_id.clone()>
                                        <td class="member-email">{m.email.clone()}</td>
                                        <td>{m.name.clone()}</td>
                                        <td>{m.status.clone()}</td>
                                        <td>
                                            {if owner {
                                                view! {
                                                    <select class="member-role-select" on:change=move |ev| {
                                                        change(json!({"setRole": {"userId": role_id.clone(), "role": event_target_value(&ev)}}));
                                                    }>
                                                        <option value=Role::User.as_str() selected=!is_owner_role>"User"</option>
                                                        <option value=Role::Owner.as_str() selected=is_owner_role>"Owner"</option>
                                                    </select>
                                                    <span class="member-role sr-only">{m.role.as_str()}</span>
                                                }.into_any()
                                            } else {
                                                view! { <span class="member-role">{m.role.as_str()}</span> }.into_any()
                                            }}
                                        </td>
                                        <td>
                                            {owner.then(|| view! {
                                                <button type="button" class="member-remove danger small" on:click=move |_| {
                                                    change(json!({"removeUserId": remove_id.clone()}));
                                                }>"Remove"</button>
                                            })}
                                        </td>
                                    </tr>
                                }
                            }).collect_view().into_any()
                        }
                    }}
                </tbody>
            </table>
        </section>
    }
}
