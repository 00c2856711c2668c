//! Integrations of the current organization: enable, disable, edit, delete; and what each
//! integration of a source would do with a test event (`deliveryPreview`).

use leptos::prelude::*;

use crate::components::combobox::{Choice, Combobox};
use crate::components::confirm::{self, Question};
use crate::components::no_organization::NoOrganization;
use crate::components::test_panel::{EventPicker, PreviewEvent};
use crate::components::windowed::{Layout, ListSearch, WindowedList};
use crate::loaders::integrations::{self, IntegrationActions, IntegrationRow};
use crate::loaders::sources::{self, SourceRow};
use crate::loaders::{self, delivery};
use crate::paging::PagedList;
use crate::preview::{overall, status_code, status_text};
use crate::state::{AppState, IntegrationDraft, Page};

/// "Test with an event": a source and an event, then one line per integration of that
/// source with what it would do, as the server answers for the saved configurations.
#[component]
fn DeliveryTest() -> impl IntoView {
    let app = AppState::get();
    let list = PagedList::new(sources::page);
    let source = RwSignal::new(String::new());
    // The first source unless one was chosen.
    Effect::new(move |_| {
        let first = list.state.with(|s| {
            (s.total.is_some() && list.search.with(String::is_empty))
                .then(|| s.rows.first().map(|r| r.id.clone()))
                .flatten()
        });
        if let Some(first) = first {
            if source.get_untracked().is_empty() {
                source.set(first);
            }
        }
    });
    let preview = PreviewEvent::new(source.into());
    preview.open.set(true);
    let run = Action::new_local(move |_: &()| {
        let (app_id, event, org) = (source.get_untracked(), preview.current(), app.org_now());
        async move {
            let Some(event) = event else {
                return Err("Choose an event first.".to_owned());
            };
            delivery::for_source(org, app_id, event)
                .await
                .map_err(|e| e.message)
        }
    });
    let answer = run.value();
    view! {
        <div class="card delivery-test">
            <h2>"Test with an event"</h2>
            <label class="stacked">
                <span>"Source"</span>
                <Combobox list=list id="delivery-source" value=source placeholder="Search sources by name"
                    choice=|s: &SourceRow| Choice::new(s.id.clone(), s.name.clone()) />
            </label>
            <EventPicker preview=preview />
            <button id="delivery-test" type="button" class="small" disabled=move || run.pending().get()
                on:click=move |_| { run.dispatch(()); }>
                "Test with an event"
            </button>
            {move || answer.get().map(|answer| match answer {
                Err(message) => view! { <p class="form-error">{message}</p> }.into_any(),
                Ok(lines) if lines.is_empty() => view! { <p class="muted delivery-none">"This source has no integrations."</p> }.into_any(),
                Ok(lines) => view! {
                    <ul class="delivery-lines">
                        {lines.into_iter().map(|line| {
                            let status = overall(&line.sections);
                            let sent: Vec<String> = line.sections.iter()
                                .filter(|s| s.status == houston_events::delivery::DeliveryStatus::Sent)
                                .map(|s| s.label.clone())
                                .collect();
                            let detail = (!sent.is_empty()).then(|| format!(" ({})", sent.join(", ")));
                            view! {
                                <li class="delivery-line" data-id=line.integration_id.clone().unwrap_or_default()
                                    data-status=status_code(status)>
                                    <strong>{line.name.clone()}</strong>
                                    <span class="muted">{format!(" {} · ", line.code)}</span>
                                    <span class="delivery-status">{status_text(status)}</span>
                                    <span class="muted">{detail}</span>
                                </li>
                            }
                        }).collect_view()}
                    </ul>
                }.into_any(),
            })}
        </div>
    }
}

/// The integrations list.
#[component]
pub fn IntegrationsPage() -> impl IntoView {
    let app = AppState::get();
    let rows = PagedList::new(integrations::page);
    let act = Action::new_local(
        move |(integration_id, action): &(String, IntegrationActions)| {
            let (integration_id, action) = (integration_id.clone(), action.clone());
            let org = app.org_now();
            async move {
                let outcome = integrations::act(integration_id, action, org).await;
                rows.reload();
                outcome
            }
        },
    );
    let (acting, acted) = (act.pending(), act.value());
    let message = move || acted.get().map(|outcome| loaders::message(&outcome));
    let act = move |integration_id: String, action: IntegrationActions| {
        act.dispatch((integration_id, action));
    };
    view! {
        <section class="page">
            <h1>"Integrations"</h1>
            <NoOrganization />
            <p>
                <a href="#" on:click=move |ev| { ev.prevent_default(); app.page.set(Page::Destinations); }>
                    "Add a destination from the catalog"
                </a>
            </p>
            {move || message().map(|(ok, text)| view! {
                <p id="integrations-message" role="status" class:success=ok class:form-error=!ok>{text}</p>
            })}
            <DeliveryTest />
            <ListSearch list=rows id="integrations-search" placeholder="Search integrations by name" />
            <WindowedList list=rows id="integrations-list" layout=Layout::Table row_px=41.0 columns=6
                header=|| view! { <tr><th>"Name"</th><th>"Destination"</th><th>"Source"</th><th>"Connection"</th><th>"Enabled"</th><th></th></tr> }
                key=|row: &IntegrationRow| row.id.clone()
                row=move |row: IntegrationRow| integration_row(row, act, acting)
                empty="No integrations yet." />
        </section>
    }
}

/// Opens the configure page on `draft` (a row of the list) once its configuration is read:
/// a page of the list leaves configurations out.
fn edit(code: String, mut draft: IntegrationDraft) {
    let app = AppState::get();
    let Some(org) = app.org_now() else { return };
    leptos::task::spawn_local(async move {
        let read = integrations::config_of(org, draft.app_id.clone(), draft.id.clone()).await;
        // Gone or unreachable: the page stays (an unreachable server shows its banner).
        if let Ok((config, secrets_set)) = read {
            draft.config = config;
            draft.secrets_set = secrets_set;
            app.page.set(Page::Configure(code, Some(Box::new(draft))));
        }
    });
}

/// One integration of the list: its cells and its actions (`act` enables, disables or
/// deletes one by id).
fn integration_row(
    row: IntegrationRow,
    act: impl Fn(String, IntegrationActions) + Copy + Send + Sync + 'static,
    acting: Memo<bool>,
) -> impl IntoView {
    let (toggle_id, delete_id) = (row.id.clone(), row.id.clone());
    let enabled = row.enabled;
    let draft = IntegrationDraft {
        id: row.id.clone(),
        name: row.name.clone(),
        app_id: row.app_id.clone(),
        connection_id: row.connection.as_ref().map(|c| c.0.clone()),
        config: row.config.clone(),
        secrets_set: row.secrets_set.clone(),
    };
    let code = row.code.clone();
    let (name, source) = (row.name.clone(), row.app_name.clone());
    view! {
        <tr class="integration-row" data-id=row.id.clone() data-enabled=enabled.to_string()>
            <td class="integration-name">{row.name.clone()}</td>
            <td class="integration-code">{row.code.clone()}</td>
            <td class="integration-source">{row.app_name.clone()}</td>
            <td>{row.connection.clone().map(|c| c.1).unwrap_or_default()}</td>
            <td class="integration-enabled">{if enabled { "enabled" } else { "disabled" }}</td>
            <td class="row">
                <button type="button" class="integration-toggle secondary small" disabled=move || acting.get() on:click=move |_| {
                    act(toggle_id.clone(), if enabled {
                        IntegrationActions::DISABLE
                    } else {
                        IntegrationActions::ENABLE
                    });
                }>{if enabled { "Disable" } else { "Enable" }}</button>
                <button type="button" class="integration-edit secondary small" on:click=move |_| {
                    edit(code.clone(), draft.clone());
                }>"Edit"</button>
                <button type="button" class="integration-delete danger small" disabled=move || acting.get() on:click=move |_| {
                    let delete_id = delete_id.clone();
                    confirm::ask(Question::delete_integration(&name, &source), move || {
                        act(delete_id.clone(), IntegrationActions::DELETE);
                    });
                }>"Delete"</button>
            </td>
        </tr>
    }
}
