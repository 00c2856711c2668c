//! Configuring a destination for a source: its connection (picked or new) and its
//! generated configuration form, saved in two steps that say how far they got.

use std::sync::Arc;

use houston_prototypes::Destination;
use leptos::prelude::*;

use crate::api::ApiError;
use crate::components::combobox::{Choice, Combobox};
use crate::components::form::model::{initial_config, initial_connection, Rules};
use crate::components::form::{
    focus_first_error, ConfigForm, ConfigJson, FieldList, FieldPath, FormErrors, FormState,
    JsonView,
};
use crate::components::test_panel::{PreviewEvent, TestPanel};
use crate::loaders::connections::{self, ConnectionRow};
use crate::loaders::integrations::{self, NewIntegration};
use crate::loaders::sources::SourceRow;
use crate::loaders::{self, sources};
use crate::paging::PagedList;
use crate::state::{AppState, IntegrationDraft, Page};

/// The configure page: loads the destination's forms if needed, then shows [`ConfigureForm`].
///
/// No `Suspense` here: the form holds what was typed, and must never be swapped for a
/// fallback while something loads again.
#[component]
pub fn ConfigurePage(
    /// The destination's code.
    code: String,
    /// The integration being edited, if any.
    draft: Option<Box<IntegrationDraft>>,
) -> impl IntoView {
    let loaded = loaders::catalog::destination_resource(AppState::get(), code.clone());
    let destination = Memo::new(move |_| {
        loaded.with(|d| {
            d.as_ref()
                .map(|d| d.as_ref().cloned().map_err(|e| e.message.clone()))
        })
    });
    move || match destination.get() {
        None => view! { <p class="muted">"Loading the destination…"</p> }.into_any(),
        Some(Err(e)) => view! { <p class="form-error">{e}</p> }.into_any(),
        Some(Ok(None)) => {
            view! { <p class="form-error">{format!("No destination `{code}` in the catalog.")}</p> }
                .into_any()
        }
        Some(Ok(Some(destination))) => {
            view! { <ConfigureForm destination=destination draft=draft.clone() /> }.into_any()
        }
    }
}

/// The configure page's element id: a failed save looks for its first error in it.
const PAGE_ID: &str = "configure-page";

#[derive(Clone, Copy, PartialEq)]
enum Tab {
    Form,
    Json,
}

/// One press of Save, once the form is valid.
#[derive(Clone)]
struct SaveRequest {
    /// The organization it is saved for.
    org_id: String,
    /// The integration edited, if any.
    editing: Option<String>,
    /// Whether a new connection is saved first.
    new_connection: bool,
}

/// The connection picker's options before the saved connections: none (when the
/// destination can do without) and a new one.
fn connection_choices(needs_connection: bool) -> Vec<Choice> {
    let none = (!needs_connection).then(|| Choice::new("none", "No connection"));
    none.into_iter()
        .chain([Choice::new("new", "New connection…")])
        .collect()
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
    let source = RwSignal::new(draft.as_ref().map(|d| d.app_id.clone()).unwrap_or_default());
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
    let pick = RwSignal::new(initial_pick);
    // The chosen connection's name, known at once for one made here.
    let pick_label = RwSignal::new(String::new());
    let (connection_name, set_connection_name) = signal(format!("{} connection", destination.name));
    let (tab, set_tab) = signal(Tab::Form);
    let (progress, set_progress) = signal(None::<String>);
    let (outcome, set_outcome) = signal(None::<String>);

    let connection_form = FormState::new(
        initial_connection(&destination, None),
        Rules::Connection(destination.clone()),
    );
    let config_form = FormState::new(
        initial_config(&destination, draft.as_ref().map(|d| &d.config)),
        Rules::Config(destination.clone()),
    );
    config_form.keep_secrets(draft.iter().flat_map(|d| d.secrets_set.clone()));

    // The Test panel's event; the fields suggest its paths (through the context).
    let preview = PreviewEvent::new(source.into());
    provide_context(preview);

    let code = destination.code.clone();
    // The pickers search the organization's sources and this destination's connections
    // on the server as the person types; their first page is read again only when the
    // organization changes (not when a new session arrives after signing in again): the
    // form keeps what was typed.
    let sources = PagedList::new(sources::page);
    let connection_code = code.clone();
    let connections = PagedList::new(move |org, search, after| {
        connections::page(org, search, Some(connection_code.clone()), after)
    });
    // A new integration goes to the first source unless one was chosen.
    Effect::new(move |_| {
        let first = sources.state.with(|s| {
            (s.total.is_some() && sources.search.with(String::is_empty))
                .then(|| s.rows.first().map(|r| r.id.clone()))
                .flatten()
        });
        if let Some(first) = first {
            if source.get_untracked().is_empty() {
                source.set(first);
            }
        }
    });

    let save_code = code.clone();
    let saving = Action::new_local(move |request: &SaveRequest| {
        let SaveRequest {
            org_id,
            editing,
            new_connection,
        } = request.clone();
        let code = save_code.clone();
        async move {
            let mut connection_id = match pick.get_untracked().as_str() {
                "new" | "none" => None,
                id => Some(id.to_owned()),
            };
            let mut saved_connection = false;
            if new_connection {
                set_progress.set(Some("Saving connection…".to_owned()));
                let result = connections::create(
                    org_id.clone(),
                    code.clone(),
                    connection_name.get_untracked(),
                    connection_form.value.get_untracked(),
                )
                .await;
                match result {
                    Ok(status) if status.success && status.id.is_some() => {
                        let id = status.id.clone().unwrap_or_default();
                        pick_label.set(connection_name.get_untracked());
                        pick.set(id.clone());
                        connections.reload();
                        connection_id = Some(id);
                        saved_connection = true;
                    }
                    Ok(status) => {
                        connection_form.set_server_errors(status.field_errors());
                        focus_first_error(&[connection_form], PAGE_ID);
                        finish(
                            set_progress,
                            set_outcome,
                            format!("The connection was not saved: {}", status.message),
                        );
                        return;
                    }
                    Err(error) => {
                        finish(
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
                    integrations::edit(
                        org_id,
                        integration_id,
                        name.get_untracked(),
                        config,
                        connection_id,
                    )
                    .await
                }
                None => {
                    let new = NewIntegration {
                        app_id: source.get_untracked(),
                        code,
                        name: name.get_untracked(),
                        config,
                        connection_id,
                    };
                    integrations::create(org_id, new).await
                }
            };
            let failure = match result {
                Ok(status) if status.success => None,
                Ok(status) => {
                    config_form.set_server_errors(status.field_errors());
                    focus_first_error(&[config_form], PAGE_ID);
                    Some(status.message)
                }
                Err(error) => Some(describe(&error)),
            };
            match failure {
                None => app.page.set(Page::Integrations),
                Some(message) => {
                    let text = if saved_connection {
                        format!("The connection was saved, but the integration was not: {message}")
                    } else {
                        format!("The integration was not saved: {message}")
                    };
                    finish(set_progress, set_outcome, text);
                }
            }
        }
    });
    let busy = saving.pending();
    let save = move |_| {
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
            focus_first_error(&[connection_form, config_form], PAGE_ID);
            return;
        }
        let Some(org_id) = app.org_now() else {
            set_outcome.set(Some("Choose an organization first.".to_owned()));
            return;
        };
        saving.dispatch(SaveRequest {
            org_id,
            editing,
            new_connection,
        });
    };

    let connection_fields = Arc::new(destination.connection_fields.clone());
    let title = if editing_title(&draft) { "Edit" } else { "Add" };
    view! {
        <section class="page" id=PAGE_ID>
            <h1>{format!("{title} {}", destination.name)}</h1>
            {destination.description.clone().map(|d| view! { <p class="muted">{d}</p> })}
            <div class="card">
                <h2>"Where"</h2>
                <label class="stacked">
                    <span>"Source"</span>
                    <Combobox list=sources id="integration-source" value=source disabled=draft.is_some()
                        placeholder="Search sources by name"
                        choice=|s: &SourceRow| Choice::new(s.id.clone(), format!("{} ({})", s.name, s.platform)) />
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
                    <Combobox list=connections id="connection-pick" value=pick label=pick_label
                        placeholder="Search connections by name"
                        fixed=connection_choices(needs_connection)
                        choice=|c: &ConnectionRow| Choice::new(c.id.clone(), c.name.clone()) />
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
                    <JsonView form=connection_form id="connection-json" />
                    <FormErrors form=connection_form />
                })}
            </div>
            <div class="configure-grid" class:testing=move || preview.open.get()>
            <div class="card">
                <div class="tabs">
                    <button type="button" id="config-form-tab" class:active=move || tab.get() == Tab::Form on:click=move |_| set_tab.set(Tab::Form)>"Form"</button>
                    <button type="button" id="config-json-tab" class:active=move || tab.get() == Tab::Json on:click=move |_| set_tab.set(Tab::Json)>"JSON"</button>
                    <button type="button" id="test-open" class="secondary small test-open" class:active=move || preview.open.get()
                        on:click=move |_| preview.open.update(|open| *open = !*open)>
                        {move || if preview.open.get() { "Close Test" } else { "Test" }}
                    </button>
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
            {
                let destination = destination.clone();
                move || preview.open.get().then(|| view! {
                    <TestPanel form=config_form destination=destination.clone() preview=preview />
                })
            }
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
    set_progress: WriteSignal<Option<String>>,
    set_outcome: WriteSignal<Option<String>>,
    text: String,
) {
    set_progress.set(None);
    set_outcome.set(Some(text));
}
