//! Integrations of the current organization: enable, disable, edit, delete.

use houston_client::{
    clickstream_configs, update_integration, ClickstreamConfigs, UpdateIntegration,
};
use leptos::prelude::*;
use leptos::task::spawn_local;
use serde_json::Value;

use crate::api::{self, Status};
use crate::pages::NoOrganization;
use crate::state::{AppState, IntegrationDraft, Page};

#[derive(Clone, Debug, PartialEq)]
struct IntegrationRow {
    id: String,
    name: String,
    code: String,
    enabled: bool,
    config: Value,
    app_id: String,
    app_name: String,
    connection: Option<(String, String)>,
}

/// The integrations list.
#[component]
pub fn IntegrationsPage() -> impl IntoView {
    let app = AppState::get();
    let (rows, set_rows) = signal(None::<Result<Vec<IntegrationRow>, String>>);
    let (reload, set_reload) = signal(0u32);
    let (message, set_message) = signal(None::<(bool, String)>);
    Effect::new(move |_| {
        reload.get();
        let Some(org_id) = app.org.get() else { return };
        spawn_local(async move {
            let variables = clickstream_configs::Variables {
                app_id: None,
                org_id: Some(org_id.clone()),
            };
            let result = api::run::<ClickstreamConfigs>(variables, Some(org_id)).await;
            set_rows.set(Some(result.map_err(|e| e.message).map(|data| {
                data.clickstream_configs
                    .into_iter()
                    .map(|c| IntegrationRow {
                        id: c.id,
                        name: c.name,
                        code: c.code,
                        enabled: c.enabled,
                        config: c.config,
                        app_id: c.application.id,
                        app_name: c.application.name,
                        connection: c.connection.map(|k| (k.id, k.name)),
                    })
                    .collect()
            })));
        });
    });
    let act = move |integration_id: String, action: update_integration::IntegrationActions| {
        let org = app.org_now();
        spawn_local(async move {
            let variables = update_integration::Variables {
                integration_id,
                action,
                name: None,
                config_payload: None,
                connection_id: None,
            };
            match api::run::<UpdateIntegration>(variables, org).await {
                Ok(data) => {
                    let status = Status::of(&data.update_integration);
                    set_message.set(Some((status.success, status.message)));
                }
                Err(e) => set_message.set(Some((false, e.message))),
            }
            set_reload.update(|n| *n += 1);
        });
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
            {move || message.get().map(|(ok, text)| view! {
                <p id="integrations-message" class:success=ok class:form-error=!ok>{text}</p>
            })}
            <table class="table">
                <thead><tr><th>"Name"</th><th>"Destination"</th><th>"Source"</th><th>"Connection"</th><th>"Enabled"</th><th></th></tr></thead>
                <tbody>
                    {move || match rows.get() {
                        None => view! { <tr><td colspan="6" class="muted">"Loading…"</td></tr> }.into_any(),
                        Some(Err(e)) => view! { <tr><td colspan="6" class="form-error">{e}</td></tr> }.into_any(),
                        Some(Ok(list)) if list.is_empty() => view! { <tr><td colspan="6" class="muted">"No integrations yet."</td></tr> }.into_any(),
                        Some(Ok(list)) => list.into_iter().map(|row| {
                            let (toggle_id, delete_id) = (row.id.clone(), row.id.clone());
                            let enabled = row.enabled;
                            let draft = IntegrationDraft {
                                id: row.id.clone(),
                                name: row.name.clone(),
                                app_id: row.app_id.clone(),
                                connection_id: row.connection.as_ref().map(|c| c.0.clone()),
                                config: row.config.clone(),
                            };
                            let code = row.code.clone();
                            view! {
                                <tr class="integration-row" data-id=row.id.clone() data-enabled=enabled.to_string()>
                                    <td class="integration-name">{row.name.clone()}</td>
                                    <td class="integration-code">{row.code.clone()}</td>
                                    <td class="integration-source">{row.app_name.clone()}</td>
                                    <td>{row.connection.clone().map(|c| c.1).unwrap_or_default()}</td>
                                    <td class="integration-enabled">{if enabled { "enabled" } else { "disabled" }}</td>
                                    <td class="row">
                                        <button type="button" class="integration-toggle secondary small" on:click=move |_| {
                                            act(toggle_id.clone(), if enabled {
                                                update_integration::IntegrationActions::DISABLE
                                            } else {
                                                update_integration::IntegrationActions::ENABLE
                                            });
                                        }>{if enabled { "Disable" } else { "Enable" }}</button>
                                        <button type="button" class="integration-edit secondary small" on:click=move |_| {
                                            app.page.set(Page::Configure(code.clone(), Some(Box::new(draft.clone()))));
                                        }>"Edit"</button>
                                        <button type="button" class="integration-delete danger small" on:click=move |_| {
                                            act(delete_id.clone(), update_integration::IntegrationActions::DELETE);
                                        }>"Delete"</button>
                                    </td>
                                </tr>
                            }
                        }).collect_view().into_any(),
                    }}
                </tbody>
            </table>
        </section>
    }
}
