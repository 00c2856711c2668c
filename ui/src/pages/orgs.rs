//! Organizations: the list, creating one, and renaming or deleting the current one.

use houston_client::{
    create_organization, update_organization, CreateOrganization, UpdateOrganization,
};
use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::api::{self, Status};
use crate::state::AppState;

/// The viewer's organizations.
#[component]
pub fn OrgsPage() -> impl IntoView {
    let app = AppState::get();
    let (new_name, set_new_name) = signal(String::new());
    let (message, set_message) = signal(None::<(bool, String)>);
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
    let report = move |status: Result<Status, api::ApiError>| match status {
        Ok(status) => {
            set_message.set(Some((status.success, status.message.clone())));
            if status.success {
                app.reload_orgs();
            }
            status.success
        }
        Err(e) => {
            set_message.set(Some((false, e.message)));
            false
        }
    };
    let create = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let name = new_name.get_untracked();
        spawn_local(async move {
            let variables = create_organization::Variables {
                name,
                user_id: None,
            };
            let result = api::run::<CreateOrganization>(variables, None).await;
            if report(result.map(|d| Status::of(&d.create_organization))) {
                set_new_name.set(String::new());
            }
        });
    };
    let update = move |name: Option<String>, delete: Option<bool>| {
        let Some(org_id) = app.org_now() else { return };
        spawn_local(async move {
            let variables = update_organization::Variables {
                org_id: org_id.clone(),
                name,
                description: None,
                add_user: None,
                remove_user_id: None,
                set_role: None,
                delete,
            };
            let result = api::run::<UpdateOrganization>(variables, Some(org_id)).await;
            report(result.map(|d| Status::of(&d.update_organization)));
        });
    };
    view! {
        <section class="page">
            <h1>"Organizations"</h1>
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
                <button id="org-create" type="submit">"Create"</button>
            </form>
            {move || message.get().map(|(ok, text)| view! {
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
