//! Integrations of the current organization: enable, disable, edit, delete.

use leptos::prelude::*;

use crate::components::no_organization::NoOrganization;
use crate::loaders::integrations::{self, IntegrationActions};
use crate::loaders::{self, for_organization};
use crate::state::{AppState, IntegrationDraft, Page};

/// The integrations list.
#[component]
pub fn IntegrationsPage() -> impl IntoView {
    let app = AppState::get();
    let rows = for_organization(app, integrations::list);
    let act = Action::new_local(
        move |(integration_id, action): &(String, IntegrationActions)| {
            let (integration_id, action) = (integration_id.clone(), action.clone());
            let org = app.org_now();
            async move {
                let outcome = integrations::act(integration_id, action, org).await;
                rows.refetch();
                outcome
            }
        },
    );
    let acted = act.value();
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
                <p id="integrations-message" class:success=ok class:form-error=!ok>{text}</p>
            })}
            <table class="table">
                <thead><tr><th>"Name"</th><th>"Destination"</th><th>"Source"</th><th>"Connection"</th><th>"Enabled"</th><th></th></tr></thead>
                <tbody>
                    <Transition fallback=|| view! { <tr><td colspan="6" class="muted">"Loading…"</td></tr> }>
                        {move || match rows.get().flatten() {
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
                                                    IntegrationActions::DISABLE
                                                } else {
                                                    IntegrationActions::ENABLE
                                                });
                                            }>{if enabled { "Disable" } else { "Enable" }}</button>
                                            <button type="button" class="integration-edit secondary small" on:click=move |_| {
                                                app.page.set(Page::Configure(code.clone(), Some(Box::new(draft.clone()))));
                                            }>"Edit"</button>
                                            <button type="button" class="integration-delete danger small" on:click=move |_| {
                                                act(delete_id.clone(), IntegrationActions::DELETE);
                                            }>"Delete"</button>
                                        </td>
                                    </tr>
                                }
                            }).collect_view().into_any(),
                        }}
                    </Transition>
                </tbody>
            </table>
        </section>
    }
}
