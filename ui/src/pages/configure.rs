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
use crate::components::unsaved;
use crate::loaders::connections::{self, ConnectionRow};
use crate::loaders::integrations::{self, NewIntegration};
use crate::loaders::sources::SourceRow;
use crate::loaders::{self, sources};
use crate::paging::PagedList;
use crate::state::{AppState, IntegrationDraft, Page};
use crate::timeline;

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
    timeline::mark("configure: start");
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
    timeline::mark("configure: forms' state");

    // Leaving with changes not saved asks first (nav links, the organization switcher);
    // a save that succeeds leaves without asking.
    let opened = StoredValue::new((
        name.get_untracked(),
        pick.get_untracked(),
        connection_name.get_untracked(),
        config_form.value.get_untracked(),
        connection_form.value.get_untracked(),
    ));
    let edited = Signal::derive(move || {
        opened.with_value(
            |(first_name, first_pick, first_connection_name, config, connection)| {
                let new_connection = pick.with(|p| p == "new");
                name.with(|n| n != first_name)
                    || pick.with(|p| p != first_pick)
                    || config_form.value.with(|v| v != config)
                    || (new_connection
                        && (connection_name.with(|n| n != first_connection_name)
                            || connection_form.value.with(|v| v != connection)))
            },
        )
    });
    unsaved::guard(format!("this {} integration", destination.name), edited);
    let news = follow_changes(destination.code.clone(), draft.as_deref().cloned(), edited);

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
        if news.get_untracked() == Some(News::Deleted) {
            set_outcome.set(Some(DELETED.to_owned()));
            return;
        }
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
            <ChangedNotice news=news code=destination.code.clone() />
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
                <span id="save-progress" class="muted status" role="status">{move || progress.get()}</span>
                <span role="alert">
                    {move || outcome.get().map(|text| view! { <span id="save-outcome" class="form-error status">{text}</span> })}
                </span>
            </div>
        </section>
    }
}

/// What the page says of an integration someone else deleted while it was open.
const DELETED: &str =
    "Someone else deleted this integration: it cannot be saved. Add it again to keep these settings.";

/// What another person did to the integration edited, as the page tells it.
#[derive(Clone, Debug, PartialEq)]
enum News {
    /// It changed while the person had unsaved edits: theirs are kept until they choose.
    Changed(Box<IntegrationDraft>),
    /// It is gone (alone or with its source).
    Deleted,
}

/// Follows the changes other people make to the integration edited (`draft`; nothing for
/// a new one): when it changed, the page loads it again if the person edited nothing, and
/// otherwise answers [`News::Changed`] and keeps their values until they choose; when it
/// is gone, [`News::Deleted`]. A change that leaves it as loaded (the person's own save,
/// an enable or disable) is no news. `edited` is the page's one answer to "are there unsaved
/// changes" (the leave-page guard asks it too).
fn follow_changes(
    code: String,
    draft: Option<IntegrationDraft>,
    edited: Signal<bool>,
) -> RwSignal<Option<News>> {
    let news = RwSignal::new(None::<News>);
    let Some(draft) = draft else {
        return news;
    };
    let app = AppState::get();
    // What the server held when last seen.
    let seen = StoredValue::new(draft);
    Effect::new(move |before: Option<()>| {
        let touched = app
            .changes
            .with(|c| seen.with_value(|d| c.touch(&d.app_id, &d.id)));
        if before.is_none() || !touched {
            return;
        }
        let (Some(org), Some(known)) = (app.org_now(), seen.try_get_value()) else {
            return;
        };
        let code = code.clone();
        leptos::task::spawn_local(async move {
            let fresh = integrations::current(org, known.app_id.clone(), known.id.clone()).await;
            match fresh {
                Ok(None) => news.set(Some(News::Deleted)),
                Ok(Some(fresh)) if fresh == known => {}
                Ok(Some(fresh)) if !edited.get_untracked() => {
                    app.page.set(Page::Configure(code, Some(Box::new(fresh))));
                }
                Ok(Some(fresh)) => {
                    seen.set_value(fresh.clone());
                    news.set(Some(News::Changed(Box::new(fresh))));
                }
                // Unreachable: the banner says so; the next change asks again.
                Err(_) => {}
            }
        });
    });
    news
}

/// The notice of what another person did to the integration edited.
#[component]
fn ChangedNotice(
    /// What they did, if anything.
    news: RwSignal<Option<News>>,
    /// The destination's code (the page loaded again).
    code: String,
) -> impl IntoView {
    let app = AppState::get();
    move || match news.get() {
        None => None,
        Some(News::Deleted) => Some(
            view! { <div id="deleted-notice" class="notice" role="alert">{DELETED}</div> }
                .into_any(),
        ),
        Some(News::Changed(fresh)) => {
            let code = code.clone();
            let reload = move |_| {
                app.page
                    .set(Page::Configure(code.clone(), Some(fresh.clone())))
            };
            Some(
                view! {
                    <div id="changed-notice" class="notice" role="alert">
                        <span>"Changed by someone else — "</span>
                        <button type="button" id="changed-reload" class="secondary small" on:click=reload>
                            "Reload (discards your changes)"
                        </button>
                        " / "
                        <button type="button" id="changed-keep" class="secondary small" on:click=move |_| news.set(None)>
                            "Keep editing"
                        </button>
                    </div>
                }
                .into_any(),
            )
        }
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
