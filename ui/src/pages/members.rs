//! Members of the current organization: Owners edit, Users read.

use houston_client::vocabulary::Role;
use leptos::prelude::*;
use serde_json::json;

use crate::components::busy::BusyButton;
use crate::components::confirm::{self, Question};
use crate::components::names;
use crate::components::no_organization::NoOrganization;
use crate::components::time::Time;
use crate::components::windowed::{Layout, ListSearch, WindowedList};
use crate::loaders;
use crate::loaders::members::{self, MemberRow};
use crate::paging::PagedList;
use crate::state::AppState;

/// The members list, a page at a time, searched by name or email on the server and
/// filtered by role, with add, role change and remove for Owners. The pending invitations
/// below it are listed whole: an invitation expires unless accepted, so they stay few, and
/// the server has no paged field for them.
#[component]
pub fn MembersPage() -> impl IntoView {
    let app = AppState::get();
    // The role filter ("" for every role).
    let role_filter = RwSignal::new(String::new());
    let rows = PagedList::new(move |org, search, after| {
        let role = role_filter.with_untracked(|r| (!r.is_empty()).then(|| Role::parse(r)));
        members::page(org, search, role, after)
    });
    rows.reload_when(move || role_filter.track());
    // Only Owners may read invitations: nothing is asked of the server for anyone else.
    let invitations: loaders::OrgList<members::InvitationRow> = LocalResource::new(move || {
        app.reloads.track();
        let pending = app
            .org
            .get()
            .filter(|_| app.is_owner())
            .map(members::invitations);
        async move {
            match pending {
                Some(rows) => Some(rows.await.map_err(|e| e.message)),
                None => None,
            }
        }
    });
    let resending = Action::new_local(move |(email, role): &(String, Role)| {
        let (email, role, org) = (email.clone(), *role, app.org_now());
        async move {
            let org = org?;
            let outcome = members::resend(app, org, email, role).await;
            invitations.refetch();
            Some(outcome)
        }
    });
    let (email, set_email) = signal(String::new());
    let (role, set_role) = signal(Role::User);
    let change = Action::new_local(
        move |(org_id, changes, revert): &(String, serde_json::Value, Revert)| {
            let (org_id, changes, revert) = (org_id.clone(), changes.clone(), *revert);
            async move {
                let outcome = members::change(app, org_id, changes).await;
                if let Some((shown, was)) = revert {
                    if !loaders::message(&outcome).0 {
                        shown.set(was);
                    }
                }
                rows.reload();
                invitations.refetch();
                outcome
            }
        },
    );
    let (changing, changed) = (change.pending(), change.value());
    let message = move || changed.get().map(|outcome| loaders::message(&outcome));
    let change_or = move |changes: serde_json::Value, revert: Revert| {
        let Some(org_id) = app.org_now() else { return };
        change.dispatch((org_id, changes, revert));
    };
    let change = move |changes: serde_json::Value| change_or(changes, None);
    let add = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        change(
            json!({"addUser": {"email": email.get_untracked(), "role": role.get_untracked().as_str()}}),
        );
        set_email.set(String::new());
    };
    view! {
        <section class="page">
            <h1>"Members"</h1>
            <NoOrganization />
            {move || app.is_owner().then(|| view! {
                <form class="card row" on:submit=add>
                    <label class="sr-only" for="member-email">"Email"</label>
                    <input id="member-email" type="email" placeholder="Email" prop:value=move || email.get()
                        on:input=move |ev| set_email.set(event_target_value(&ev)) />
                    <label class="sr-only" for="member-role">"Role"</label>
                    <select id="member-role" on:change=move |ev| set_role.set(Role::parse(&event_target_value(&ev)))>
                        <option value="USER" selected=true>"User"</option>
                        <option value="OWNER">"Owner"</option>
                    </select>
                    <BusyButton id="member-add" label="Add member" busy_label="Sending…" busy=changing submit=true />
                </form>
            })}
            {move || resending.value().get().flatten().map(|outcome| {
                let (ok, text) = loaders::message(&outcome);
                view! { <p id="invitations-message" role="status" class:success=ok class:form-error=!ok>{text}</p> }
            })}
            {move || message().map(|(ok, text)| view! {
                <p id="members-message" role="status" class:success=ok class:form-error=!ok>{text}</p>
            })}
            <div class="row">
                <ListSearch list=rows id="members-search" placeholder="Search members by name or email" />
                <label class="row">
                    <span class="muted">"Role "</span>
                    <select id="members-role" on:change=move |ev| role_filter.set(event_target_value(&ev))>
                        <option value="" selected=true>"Every role"</option>
                        <option value=Role::Owner.as_str()>{names::role(&Role::Owner)}</option>
                        <option value=Role::User.as_str()>{names::role(&Role::User)}</option>
                    </select>
                </label>
            </div>
            <WindowedList list=rows id="members-list" layout=Layout::Table row_px=41.0 columns=5
                header=|| view! { <tr><th>"Email"</th><th>"Name"</th><th>"Status"</th><th>"Role"</th><th></th></tr> }
                key=|row: &MemberRow| row.user_id.clone()
                row=move |m: MemberRow| member_row(m, app.is_owner(), change_or, changing)
                empty="No members match." />
            {move || app.is_owner().then(|| view! {
                <h2>"Invitations not yet accepted"</h2>
                <p class="muted">"An invited person joins only by accepting, in the app or with the mailed link."</p>
                <table class="table" id="invitations">
                    <thead><tr><th>"Email"</th><th>"Role"</th><th>"Expires"</th><th></th></tr></thead>
                    <tbody>
                        {move || match invitations.get().flatten() {
                            None => view! { <tr><td colspan="4" class="muted">"Loading…"</td></tr> }.into_any(),
                            Some(Err(e)) => view! { <tr><td colspan="4" class="form-error">{e}</td></tr> }.into_any(),
                            Some(Ok(list)) if list.is_empty() => view! {
                                <tr><td colspan="4" class="muted">"None pending."</td></tr>
                            }.into_any(),
                            Some(Ok(list)) => list.into_iter().map(|i| {
                                let (email, role) = (i.email.clone(), i.role);
                                view! {
                                    <tr class="invitation-row" data-invitation=i.id.clone()>
                                        <td class="invitation-email">{i.email}</td>
                                        <td>{names::role(&i.role)}</td>
                                        <td><Time at=i.expires_at /></td>
                                        <td>
                                            <BusyButton label="Send again" busy_label="Sending…" busy=resending.pending()
                                                class="invitation-resend secondary small"
                                                on_click=Callback::new(move |_| { resending.dispatch((email.clone(), role)); }) />
                                        </td>
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

/// The control to put back as it was if the server refuses a change: a role select
/// showing the role asked for, and the role it showed before.
type Revert = Option<(RwSignal<Role>, Role)>;

/// One member of the list: email, name, status, role (a select for Owners) and, for
/// Owners, Remove; `change` sends a change, `changing` says one is under way.
fn member_row(
    m: MemberRow,
    owner: bool,
    change: impl Fn(serde_json::Value, Revert) + Copy + Send + Sync + 'static,
    changing: Memo<bool>,
) -> impl IntoView {
    let (role_id, remove_id) = (m.user_id.clone(), m.user_id.clone());
    let shown_role = RwSignal::new(m.role);
    let email = m.email.clone();
    view! {
        <tr class="member-row" data-user=m.user_id.clone()>
            <td class="member-email">{m.email.clone()}</td>
            <td>{m.name.clone()}</td>
            <td>{m.status.clone()}</td>
            <td>
                {if owner {
                    view! {
                        <select class="member-role-select" aria-label=format!("Role of {}", m.email)
                            on:change=move |ev| {
                                let asked = Role::parse(&event_target_value(&ev));
                                let was = shown_role.get_untracked();
                                shown_role.set(asked);
                                change(
                                    json!({"setRole": {"userId": role_id.clone(), "role": asked.as_str()}}),
                                    Some((shown_role, was)),
                                );
                            }>
                            <option value=Role::User.as_str() prop:selected=move || shown_role.get() == Role::User>{names::role(&Role::User)}</option>
                            <option value=Role::Owner.as_str() prop:selected=move || shown_role.get() == Role::Owner>{names::role(&Role::Owner)}</option>
                        </select>
                        <span class="member-role sr-only">{move || shown_role.get().as_str()}</span>
                    }.into_any()
                } else {
                    view! { <span class="member-role">{names::role(&m.role)}</span> }.into_any()
                }}
            </td>
            <td>
                {owner.then(|| view! {
                    <button type="button" class="member-remove danger small" disabled=move || changing.get() on:click=move |_| {
                        let remove_id = remove_id.clone();
                        confirm::ask(Question::remove_member(&email), move || {
                            change(json!({"removeUserId": remove_id.clone()}), None);
                        });
                    }>"Remove"</button>
                })}
            </td>
        </tr>
    }
}
