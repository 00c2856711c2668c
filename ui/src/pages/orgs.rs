//! Organizations: the list, creating one, and renaming, describing, leaving or deleting
//! the current one (leaving and deleting ask first).

use leptos::prelude::*;

use crate::components::busy::BusyButton;
use crate::components::confirm::{self, Question};
use crate::components::names;
use crate::components::time::Time;
use crate::components::unsaved;
use crate::loaders::orgs::OrgEdit;
use crate::loaders::{self, members, orgs};
use crate::state::AppState;

/// What the viewer asked of the organizations.
#[derive(Clone)]
enum OrgChange {
    Create(String),
    Update { org_id: String, edit: OrgEdit },
    Leave(String),
}

/// The viewer's organizations.
#[component]
pub fn OrgsPage() -> impl IntoView {
    let app = AppState::get();
    let (new_name, set_new_name) = signal(String::new());
    let (rename, set_rename) = signal(String::new());
    let (description, set_description) = signal(String::new());
    let stored = RwSignal::new((String::new(), String::new()));
    let current_name = move || {
        let org = app.org.get();
        app.orgs
            .with(|orgs| {
                orgs.iter()
                    .find(|o| Some(&o.id) == org.as_ref())
                    .map(|o| o.name.clone())
            })
            .unwrap_or_default()
    };
    // The current organization's description, read again when it changes.
    let described = LocalResource::new(move || {
        let org = app.org.get();
        async move {
            match org {
                Some(org) => orgs::description(org).await.ok(),
                None => None,
            }
        }
    });
    Effect::new(move |_| {
        let name = current_name();
        let description = described.get().flatten().unwrap_or_default();
        set_rename.set(name.clone());
        set_description.set(description.clone());
        stored.set((name, description));
    });
    unsaved::guard(
        "the organization's name or description",
        Signal::derive(move || {
            stored.with(|(name, stored_description)| {
                rename.with(|r| r.trim() != name)
                    || description.with(|d| d.trim() != stored_description)
            })
        }),
    );
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
                OrgChange::Update { org_id, edit } => {
                    let outcome = orgs::update(app, org_id, edit).await;
                    described.refetch();
                    outcome
                }
                OrgChange::Leave(org_id) => orgs::leave(app, org_id).await,
            }
        }
    });
    let (changing, changed) = (change.pending(), change.value());
    let message = move || changed.get().map(|outcome| loaders::message(&outcome));
    let refused = RwSignal::new(None::<&'static str>);
    let create = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        match names::typed(&new_name.get_untracked()) {
            Ok(name) => {
                refused.set(None);
                change.dispatch(OrgChange::Create(name));
            }
            Err(why) => refused.set(Some(why)),
        }
    };
    let update = move |edit: OrgEdit| {
        let Some(org_id) = app.org_now() else { return };
        change.dispatch(OrgChange::Update { org_id, edit });
    };
    let rename_now = move |_| match names::typed(&rename.get_untracked()) {
        Ok(name) => {
            refused.set(None);
            update(OrgEdit::Rename(name));
        }
        Err(why) => refused.set(Some(why)),
    };
    let asker = confirm::asker();
    let ask_delete = move |_| {
        let Some(org_id) = app.org_now() else { return };
        let name = current_name();
        leptos::task::spawn_local(async move {
            let holds = orgs::holdings(org_id).await.ok();
            asker.ask(Question::delete_organization(&name, holds), move || {
                update(OrgEdit::Delete);
            });
        });
    };
    let ask_leave = move |_| {
        let Some(org_id) = app.org_now() else { return };
        confirm::ask(Question::leave_organization(&current_name()), move || {
            change.dispatch(OrgChange::Leave(org_id.clone()));
        });
    };
    // Invitations to the viewer: they join only by accepting (issue 12: consent).
    let invited = LocalResource::new(move || {
        app.reloads.track();
        members::mine()
    });
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
                                        <span class="badge">{names::role(&i.role)}</span>
                                        <span class="muted small">"expires " <Time at=i.expires_at.clone() /></span>
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
                    let all = app.orgs.get();
                    let names_of: Vec<String> = all.iter().map(|o| o.name.clone()).collect();
                    all
                        .into_iter()
                        .map(|o| {
                            let is_current = Some(&o.id) == current.as_ref();
                            let shown = names::distinct(&o.name, &o.id, names_of.iter().map(String::as_str));
                            view! {
                                <li class="org-item" class:current=is_current data-id=o.id.clone()>
                                    <span class="org-name">{shown}</span>
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
                <label class="sr-only" for="org-new-name">"New organization name"</label>
                <input
                    id="org-new-name"
                    placeholder="New organization name"
                    prop:value=move || new_name.get()
                    on:input=move |ev| set_new_name.set(event_target_value(&ev))
                />
                <BusyButton id="org-create" label="Create" busy_label="Working…" busy=changing submit=true />
            </form>
            {move || match refused.get() {
                Some(why) => Some(view! { <p id="orgs-message" role="alert" class="form-error">{why}</p> }.into_any()),
                None => message().map(|(ok, text)| view! {
                    <p id="orgs-message" role="status" class:success=ok class:form-error=!ok>{text}</p>
                }.into_any()),
            }}
            {move || (app.org.get().is_some() && !app.is_owner()).then(|| view! {
                <div class="card">
                    <h2>"Current organization"</h2>
                    <p class="muted">{move || described.get().flatten().filter(|d| !d.is_empty()).unwrap_or_else(|| "No description.".to_owned())}</p>
                    <div class="row danger-zone">
                        <BusyButton id="org-leave" label="Leave organization" busy_label="Leaving…" busy=changing
                            class="secondary" on_click=Callback::new(ask_leave) />
                    </div>
                </div>
            })}
            {move || (app.org.get().is_some() && app.is_owner()).then(|| view! {
                <div class="card">
                    <h2>"Current organization"</h2>
                    <form class="stacked" on:submit=move |ev| { ev.prevent_default(); rename_now(()); }>
                        <label class="stacked" for="org-rename">
                            <span>"Name"</span>
                            <input
                                id="org-rename"
                                prop:value=move || rename.get()
                                on:input=move |ev| set_rename.set(event_target_value(&ev))
                            />
                        </label>
                        <BusyButton id="org-rename-save" label="Rename" busy_label="Saving…" busy=changing submit=true />
                    </form>
                    <form class="stacked" on:submit=move |ev| {
                        ev.prevent_default();
                        update(OrgEdit::Describe(description.get_untracked().trim().to_owned()));
                    }>
                        <label class="stacked" for="org-description">
                            <span>"Description"</span>
                            <textarea
                                id="org-description"
                                rows="3"
                                prop:value=move || description.get()
                                on:input=move |ev| set_description.set(event_target_value(&ev))
                            ></textarea>
                        </label>
                        <BusyButton id="org-description-save" label="Save description" busy_label="Saving…" busy=changing submit=true />
                    </form>
                    <div class="row danger-zone">
                        <BusyButton id="org-leave" label="Leave organization" busy_label="Leaving…" busy=changing
                            class="secondary" on_click=Callback::new(ask_leave) />
                        <BusyButton id="org-delete" label="Delete organization" busy_label="Deleting…" busy=changing
                            class="danger" on_click=Callback::new(ask_delete) />
                    </div>
                </div>
            })}
        </section>
    }
}
