//! Organizations: the list, creating one, and renaming or deleting the current one.

use leptos::prelude::*;

use crate::loaders::{self, members, orgs};
use crate::state::AppState;

/// What the viewer asked of the organizations.
#[derive(Clone)]
enum OrgChange {
    Create(String),
    Update {
        org_id: String,
        name: Option<String>,
        delete: Option<bool>,
    },
}

/// The viewer's organizations.
#[component]
pub fn OrgsPage() -> impl IntoView {
    let app = AppState::get();
    let (new_name, set_new_name) = signal(String::new());
    let (rename, set_rename) = signal(String::new());
    let (confirming, set_confirming) = signal(false);
    Effect::new(move |_| {
        let org = app.org.get();
        let name = app.orgs.with(|orgs| {
            orgs.iter()
                .find(|o| Some(&o.id) == org.as_ref())
                .map(|o| o.name.clone())
        });
        set_rename.set(name.unwrap_or_default());
        set_confirming.set(false);
    });
    let change = Action::new_local(move |change: &OrgChange| {
        let change = change.clone();
        async move {
            match change {
                OrgChange::Create(name) => {
                    let outcome = orgs::create(app, name).await;
                    if outcome.as_ref().is_ok_and(|s| s.success) {
                        set_new_name.set(String::new());
                    }
                    outcome
                }
                OrgChange::Update {
                    org_id,
                    name,
                    delete,
                } => orgs::update(app, org_id, name, delete).await,
            }
        }
    });
    let (changing, changed) = (change.pending(), change.value());
    let message = move || changed.get().map(|outcome| loaders::message(&outcome));
    let create = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        change.dispatch(OrgChange::Create(new_name.get_untracked()));
    };
    let update = move |name: Option<String>, delete: Option<bool>| {
        let Some(org_id) = app.org_now() else { return };
        change.dispatch(OrgChange::Update {
            org_id,
            name,
            delete,
        });
    };
    // Invitations to the viewer: they join only by accepting (issue 12: consent).
    let invited = LocalResource::new(members::mine);
    let answer = Action::new_local(move |(id, accept): &(String, bool)| {
        let (id, accept) = (id.clone(), *accept);
        async move {
            let outcome = members::answer(app, id, accept).await;
            invited.refetch();
            outcome
        }
    });
    let answered = answer.value();
    view! {
        <section class="page">
            <h1>"Organizations"</h1>
            {move || {
                let list = invited.get().and_then(Result::ok).unwrap_or_default();
                (!list.is_empty()).then(|| view! {
                    <div class="card" id="my-invitations">
                        <h2>"Invitations for you"</h2>
                        <ul class="list">
                            {list.into_iter().map(|i| {
                                let (accept_id, decline_id) = (i.id.clone(), i.id.clone());
                                view! {
                                    <li class="my-invitation" data-invitation=i.id.clone()>
                                        <span class="org-name">{i.organization}</span>
                                        <span class="badge">{i.role.as_str()}</span>
                                        <button type="button" class="invitation-accept small" disabled=move || answer.pending().get()
                                            on:click=move |_| { answer.dispatch((accept_id.clone(), true)); }>"Accept"</button>
                                        <button type="button" class="invitation-decline small" disabled=move || answer.pending().get()
                                            on:click=move |_| { answer.dispatch((decline_id.clone(), false)); }>"Decline"</button>
                                    </li>
                                }
                            }).collect_view()}
                        </ul>
                    </div>
                })
            }}
            {move || answered.get().map(|outcome| {
                let (ok, text) = loaders::message(&outcome);
                view! { <p id="invitations-message" class:success=ok class:form-error=!ok>{text}</p> }
            })}
            <ul class="list">
                {move || {
                    let current = app.org.get();
                    app.orgs
                        .get()
                        .into_iter()
                        .map(|o| {
                            let is_current = Some(&o.id) == current.as_ref();
                            view! {
                                <li class="org-item" class:current=is_current data-id=o.id.clone()>
                                    <span class="org-name">{o.name.clone()}</span>
                                    <span class="badge">{if o.owner { "Owner" } else { "User" }}</span>
                                    {is_current.then(|| view! { <span class="badge current">"current"</span> })}
                                </li>
                            }
                        })
                        .collect_view()
                }}
            </ul>
            {move || app.orgs.with(Vec::is_empty).then(|| view! {
                <p class="muted">"You belong to no organization yet: create one."</p>
            })}
            <form class="card row" on:submit=create>
                <input
                    id="org-new-name"
                    placeholder="New organization name"
                    prop:value=move || new_name.get()
                    on:input=move |ev| set_new_name.set(event_target_value(&ev))
                />
                <button id="org-create" type="submit" disabled=move || changing.get()>"Create"</button>
            </form>
            {move || message().map(|(ok, text)| view! {
                <p id="orgs-message" class:success=ok class:form-error=!ok>{text}</p>
            })}
            {move || (app.org.get().is_some() && app.is_owner()).then(|| view! {
                <div class="card">
                    <h2>"Current organization"</h2>
                    <div class="row">
                        <input
                            id="org-rename"
                            prop:value=move || rename.get()
                            on:input=move |ev| set_rename.set(event_target_value(&ev))
                        />
                        <button id="org-rename-save" type="button" on:click=move |_| update(Some(rename.get_untracked()), None)>
                            "Rename"
                        </button>
                    </div>
                    <div class="row danger-zone">
                        <button id="org-delete" type="button" class="danger" on:click=move |_| set_confirming.set(true)>
                            "Delete organization"
                        </button>
                        {move || confirming.get().then(|| view! {
                            <span>"This deletes its sources, integrations and connections. "</span>
                            <button id="org-delete-confirm" type="button" class="danger" on:click=move |_| {
                                set_confirming.set(false);
                                update(None, Some(true));
                            }>
                                "Yes, delete it"
                            </button>
                            <button type="button" class="ghost" on:click=move |_| set_confirming.set(false)>"Cancel"</button>
                        })}
                    </div>
                </div>
            })}
        </section>
    }
}
