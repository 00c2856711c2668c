//! Configuring a destination for a source: its connection (picked or new) and its
//! generated configuration form, saved in two steps that say how far they got.

use std::sync::Arc;

use houston_client::{
    create_connection, create_integration, org_connections, update_integration, CreateConnection,
    CreateIntegration, OrgConnections, UpdateIntegration,
};
use houston_prototypes::Destination;
use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::api::{self, ApiError, Status};
use crate::components::form::model::{initial_config, initial_connection, Rules};
use crate::components::form::{
    ConfigForm, ConfigJson, FieldList, FieldPath, FormErrors, FormState,
};
use crate::pages::destinations::load_catalog;
use crate::pages::sources::{load_sources, SourceRow};
use crate::state::{AppState, IntegrationDraft, Page};

/// The configure page: loads the catalog if needed, then shows [`ConfigureForm`].
#[component]
pub fn ConfigurePage(
    /// The destination's code.
    code: String,
    /// The integration being edited, if any.
    draft: Option<Box<IntegrationDraft>>,
) -> impl IntoView {
    let app = AppState::get();
    let (error, set_error) = signal(None::<String>);
    spawn_local(async move {
        if let Err(e) = load_catalog(app).await {
            set_error.set(Some(e.message));
        }
    });
    let wanted = code.clone();
    let destination = Memo::new(move |_| {
        app.catalog.with(|c| {
            c.as_ref()
                .map(|c| c.iter().find(|d| d.code == wanted).cloned().map(Arc::new))
        })
    });
    move || match destination.get() {
        None => match error.get() {
            Some(e) => view! { <p class="form-error">{e}</p> }.into_any(),
            None => view! { <p class="muted">"Loading the catalog…"</p> }.into_any(),
        },
        Some(None) => {
            view! { <p class="form-error">{format!("No destination `{code}` in the catalog.")}</p> }
                .into_any()
        }
        Some(Some(destination)) => {
            view! { <ConfigureForm destination=destination draft=draft.clone() /> }.into_any()
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
struct ConnectionRow {
    id: String,
    name: String,
}

#[derive(Clone, Copy, PartialEq)]
enum Tab {
    Form,
    Json,
}

/// The form itself, for one destination.
#[component]
fn ConfigureForm(
    /// The destination.
    destination: Arc<Destination>,
    /// The integration being edited, if any.
    draft: Option<Box<IntegrationDraft>>,
) -> impl IntoView {
    let app = AppState::get();
    let editing = draft.as_ref().map(|d| d.id.clone());
    let needs_connection = !destination.connection_fields.is_empty();
    let (sources, set_sources) = signal(Vec::<SourceRow>::new());
    let (connections, set_connections) = signal(Vec::<ConnectionRow>::new());
    let (source, set_source) = signal(draft.as_ref().map(|d| d.app_id.clone()).unwrap_or_default());
    let (name, set_name) = signal(
        draft
            .as_ref()
            .map(|d| d.name.clone())
            .unwrap_or_else(|| destination.name.clone()),
    );
    let initial_pick = draft
        .as_ref()
        .and_then(|d| d.connection_id.clone())
        .unwrap_or_else(|| if needs_connection { "new" } else { "none" }.to_owned());
    let (pick, set_pick) = signal(initial_pick);
    let (connection_name, set_connection_name) = signal(format!("{} connection", destination.name));
    let (tab, set_tab) = signal(Tab::Form);
    let (progress, set_progress) = signal(None::<String>);
    let (outcome, set_outcome) = signal(None::<String>);
    let (busy, set_busy) = signal(false);

    let connection_form = FormState::new(
        initial_connection(&destination, None),
        Rules::Connection(destination.clone()),
    );
    let config_form = FormState::new(
        initial_config(&destination, draft.as_ref().map(|d| &d.config)),
        Rules::Config(destination.clone()),
    );

    let code = destination.code.clone();
    let load_code = code.clone();
    Effect::new(move |_| {
        let Some(org_id) = app.org.get() else { return };
        let code = load_code.clone();
        spawn_local(async move {
            if let Ok(list) = load_sources(org_id.clone()).await {
                if source.get_untracked().is_empty() {
                    if let Some(first) = list.first() {
                        set_source.set(first.id.clone());
                    }
                }
                set_sources.set(list);
            }
            let variables = org_connections::Variables {
                org_id: org_id.clone(),
                connection_prototype: Some(code),
            };
            if let Ok(data) = api::run::<OrgConnections>(variables, Some(org_id)).await {
                set_connections.set(
                    data.org_connections
                        .into_iter()
                        .map(|c| ConnectionRow {
                            id: c.id,
                            name: c.name,
                        })
                        .collect(),
                );
            }
        });
    });

    let save_code = code.clone();
    let save = move |_| {
        let code = save_code.clone();
        let editing = editing.clone();
        set_outcome.set(None);
        let new_connection = pick.get_untracked() == "new";
        let config_ok = config_form.submit();
        let connection_ok = !new_connection || connection_form.submit();
        if source.get_untracked().is_empty() {
            set_outcome.set(Some(
                "Choose a source first (create one on the Sources page).".to_owned(),
            ));
            return;
        }
        if !config_ok || !connection_ok {
            set_outcome.set(Some(
                "Some fields need attention: see the messages under them.".to_owned(),
            ));
            return;
        }
        let Some(org_id) = app.org_now() else {
            set_outcome.set(Some("Choose an organization first.".to_owned()));
            return;
        };
        set_busy.set(true);
        spawn_local(async move {
            let mut connection_id = match pick.get_untracked().as_str() {
                "new" | "none" => None,
                id => Some(id.to_owned()),
            };
            let mut saved_connection = false;
            if new_connection {
                set_progress.set(Some("Saving connection…".to_owned()));
                let variables = create_connection::Variables {
                    integration_code: code.clone(),
                    details: connection_form.value.get_untracked(),
                    name: connection_name.get_untracked(),
                    org_id: org_id.clone(),
                    connection_prototype_id: code.clone(),
                };
                let result = api::run::<CreateConnection>(variables, Some(org_id.clone()))
                    .await
                    .map(|d| Status::of(&d.create_connection));
                match result {
                    Ok(status) if status.success && status.id.is_some() => {
                        let id = status.id.clone().unwrap_or_default();
                        set_connections.update(|list| {
                            list.push(ConnectionRow {
                                id: id.clone(),
                                name: connection_name.get_untracked(),
                            })
                        });
                        set_pick.set(id.clone());
                        connection_id = Some(id);
                        saved_connection = true;
                    }
                    Ok(status) => {
                        connection_form.set_server_errors(status.field_errors());
                        finish(
                            set_busy,
                            set_progress,
                            set_outcome,
                            format!("The connection was not saved: {}", status.message),
                        );
                        return;
                    }
                    Err(error) => {
                        finish(
                            set_busy,
                            set_progress,
                            set_outcome,
                            format!("The connection was not saved: {}", describe(&error)),
                        );
                        return;
                    }
                }
            }
            set_progress.set(Some("Saving integration…".to_owned()));
            let config = config_form.value.get_untracked();
            let result = match editing {
                Some(integration_id) => {
                    let variables = update_integration::Variables {
                        integration_id,
                        action: update_integration::IntegrationActions::UPDATE,
                        name: Some(name.get_untracked()),
                        config_payload: Some(config),
                        connection_id,
                    };
                    api::run::<UpdateIntegration>(variables, Some(org_id))
                        .await
                        .map(|d| Status::of(&d.update_integration))
                }
                None => {
                    let variables = create_integration::Variables {
                        app_id: source.get_untracked(),
                        integration_code: code,
                        config_payload: config,
                        connection_id,
                        name: name.get_untracked(),
                    };
                    api::run::<CreateIntegration>(variables, Some(org_id))
                        .await
                        .map(|d| Status::of(&d.create_integration))
                }
            };
            let failure = match result {
                Ok(status) if status.success => None,
                Ok(status) => {
                    config_form.set_server_errors(status.field_errors());
                    Some(status.message)
                }
                Err(error) => Some(describe(&error)),
            };
            match failure {
                None => {
                    set_busy.set(false);
                    app.page.set(Page::Integrations);
                }
                Some(message) => {
                    let text = if saved_connection {
                        format!("The connection was saved, but the integration was not: {message}")
                    } else {
                        format!("The integration was not saved: {message}")
                    };
                    finish(set_busy, set_progress, set_outcome, text);
                }
            }
        });
    };

    let connection_fields = Arc::new(destination.connection_fields.clone());
    let title = if editing_title(&draft) { "Edit" } else { "Add" };
    view! {
        <section class="page">
            <h1>{format!("{title} {}", destination.name)}</h1>
            {destination.description.clone().map(|d| view! { <p class="muted">{d}</p> })}
            <div class="card">
                <h2>"Where"</h2>
                <label class="stacked">
                    <span>"Source"</span>
                    <select id="integration-source" disabled=draft.is_some() on:change=move |ev| set_source.set(event_target_value(&ev))>
                        {move || {
                            let chosen = source.get();
                            sources.get().into_iter().map(|s| {
                                let selected = s.id == chosen;
                                view! { <option value=s.id.clone() prop:selected=selected>{format!("{} ({})", s.name, s.platform)}</option> }
                            }).collect_view()
                        }}
                    </select>
                </label>
                <label class="stacked">
                    <span>"Integration name"</span>
                    <input id="integration-name" prop:value=move || name.get() on:input=move |ev| set_name.set(event_target_value(&ev)) />
                </label>
            </div>
            <div class="card">
                <h2>"Connection"</h2>
                <label class="stacked">
                    <span>"Credentials"</span>
                    <select id="connection-pick" on:change=move |ev| set_pick.set(event_target_value(&ev))>
                        {(!needs_connection).then(|| view! {
                            <option value="none" prop:selected=move || pick.get() == "none">"No connection"</option>
                        })}
                        {move || {
                            let chosen = pick.get();
                            connections.get().into_iter().map(|c| {
                                let selected = c.id == chosen;
                                view! { <option value=c.id.clone() prop:selected=selected>{c.name}</option> }
                            }).collect_view()
                        }}
                        <option value="new" prop:selected=move || pick.get() == "new">"New connection…"</option>
                    </select>
                </label>
                {move || (pick.get() == "new").then(|| view! {
                    <label class="stacked">
                        <span>"Connection name"</span>
                        <input id="connection-name" prop:value=move || connection_name.get()
                            on:input=move |ev| set_connection_name.set(event_target_value(&ev)) />
                    </label>
                    <div class="generated-form connection-form">
                        <FieldList form=connection_form fields=connection_fields.clone() parent=FieldPath::root() />
                    </div>
                    <FormErrors form=connection_form />
                })}
            </div>
            <div class="card">
                <div class="tabs">
                    <button type="button" id="config-form-tab" class:active=move || tab.get() == Tab::Form on:click=move |_| set_tab.set(Tab::Form)>"Form"</button>
                    <button type="button" id="config-json-tab" class:active=move || tab.get() == Tab::Json on:click=move |_| set_tab.set(Tab::Json)>"JSON"</button>
                </div>
                {
                    let destination = destination.clone();
                    move || match tab.get() {
                        Tab::Form => view! { <ConfigForm form=config_form destination=destination.clone() /> }.into_any(),
                        Tab::Json => view! { <ConfigJson form=config_form /> }.into_any(),
                    }
                }
                <FormErrors form=config_form />
            </div>
            <div class="actions sticky">
                <button id="save-integration" type="button" disabled=move || busy.get() on:click=save>"Save"</button>
                <span id="save-progress" class="muted">{move || progress.get()}</span>
                {move || outcome.get().map(|text| view! { <span id="save-outcome" class="form-error">{text}</span> })}
            </div>
        </section>
    }
}

fn editing_title(draft: &Option<Box<IntegrationDraft>>) -> bool {
    draft.is_some()
}

fn describe(error: &ApiError) -> String {
    if error.is_unreachable() {
        "the server cannot be reached; your changes are kept.".to_owned()
    } else if error.needs_sign_in() {
        "your session expired: sign in again, then save again.".to_owned()
    } else {
        error.message.clone()
    }
}

fn finish(
    set_busy: WriteSignal<bool>,
    set_progress: WriteSignal<Option<String>>,
    set_outcome: WriteSignal<Option<String>>,
    text: String,
) {
    set_busy.set(false);
    set_progress.set(None);
    set_outcome.set(Some(text));
}
