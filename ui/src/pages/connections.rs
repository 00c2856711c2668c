//! Saved connections: names for everyone; masked details, and replacing them, for Owners.

use std::sync::Arc;

use houston_client::{org_connections, update_connection, OrgConnections, UpdateConnection};
use leptos::prelude::*;
use leptos::task::spawn_local;
use serde_json::Value;

use crate::api::{self, Status};
use crate::components::form::model::{initial_connection, Rules};
use crate::components::form::{FieldList, FieldPath, FormErrors, FormState};
use crate::pages::destinations::load_catalog;
use crate::pages::NoOrganization;
use crate::state::AppState;

#[derive(Clone, Debug, PartialEq)]
struct ConnectionRow {
    id: String,
    name: String,
    code: String,
    details: Option<Value>,
}

/// The connections list.
#[component]
pub fn ConnectionsPage() -> impl IntoView {
    let app = AppState::get();
    let (rows, set_rows) = signal(None::<Result<Vec<ConnectionRow>, String>>);
    let (reload, set_reload) = signal(0u32);
    Effect::new(move |_| {
        reload.get();
        let Some(org_id) = app.org.get() else { return };
        spawn_local(async move {
            let variables = org_connections::Variables {
                org_id: org_id.clone(),
                connection_prototype: None,
            };
            let result = api::run::<OrgConnections>(variables, Some(org_id)).await;
            set_rows.set(Some(result.map_err(|e| e.message).map(|data| {
                data.org_connections
                    .into_iter()
                    .map(|c| ConnectionRow {
                        id: c.id,
                        name: c.name,
                        code: c.integration_code,
                        details: c.details,
                    })
                    .collect()
            })));
        });
    });
    view! {
        <section class="page">
            <h1>"Connections"</h1>
            <NoOrganization />
            {move || match rows.get() {
                None => view! { <p class="muted">"Loading…"</p> }.into_any(),
                Some(Err(e)) => view! { <p class="form-error">{e}</p> }.into_any(),
                Some(Ok(list)) if list.is_empty() => view! { <p class="muted">"No connections yet."</p> }.into_any(),
                Some(Ok(list)) => {
                    let owner = app.is_owner();
                    list.into_iter().map(|row| view! {
                        <ConnectionCard row=row owner=owner on_saved=move || set_reload.update(|n| *n += 1) />
                    }).collect_view().into_any()
                }
            }}
        </section>
    }
}

/// One connection; Owners can replace its details.
#[component]
fn ConnectionCard(
    /// The connection.
    row: ConnectionRow,
    /// Whether the viewer owns the organization.
    owner: bool,
    /// Called after a successful replace.
    on_saved: impl Fn() + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let (editing, set_editing) = signal(false);
    let details_text = row
        .details
        .as_ref()
        .map(|d| serde_json::to_string_pretty(d).unwrap_or_default());
    let details = row.details.clone();
    let (id, code) = (row.id.clone(), row.code.clone());
    view! {
        <article class="card connection-row" data-id=row.id.clone()>
            <div class="row spread">
                <div>
                    <h3 class="connection-name">{row.name.clone()}</h3>
                    <span class="badge connection-destination">{row.code.clone()}</span>
                </div>
                {owner.then(|| view! {
                    <button type="button" class="connection-edit secondary small" on:click=move |_| set_editing.update(|e| *e = !*e)>
                        "Replace details"
                    </button>
                })}
            </div>
            {(owner).then(|| details_text.map(|t| view! { <pre class="connection-details">{t}</pre> }))}
            {move || editing.get().then(|| view! {
                <EditConnection id=id.clone() code=code.clone() details=details.clone()
                    on_saved=move || { set_editing.set(false); on_saved(); } />
            })}
        </article>
    }
}

/// Loads the catalog if needed, then shows the connection form of the destination.
#[component]
fn EditConnection(
    /// The connection's id.
    id: String,
    /// Its destination's code.
    code: String,
    /// The stored details (masked).
    details: Option<Value>,
    /// Called after saving.
    on_saved: impl Fn() + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let app = AppState::get();
    spawn_local(async move {
        let _ = load_catalog(app).await;
    });
    move || {
        let destination = app.catalog.with(|c| {
            c.as_ref()
                .and_then(|c| c.iter().find(|d| d.code == code).cloned())
        });
        destination.map(|destination| {
            view! {
                <ReplaceDetails id=id.clone() destination=Arc::new(destination) details=details.clone() on_saved=on_saved />
            }
        })
    }
}

/// The connection form, prefilled with the masked details; secrets left as they are stay.
#[component]
fn ReplaceDetails(
    /// The connection's id.
    id: String,
    /// Its destination.
    destination: Arc<houston_prototypes::Destination>,
    /// The stored details (masked).
    details: Option<Value>,
    /// Called after saving.
    on_saved: impl Fn() + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let app = AppState::get();
    let form = FormState::new(
        initial_connection(&destination, details.as_ref()),
        Rules::Connection(destination.clone()),
    );
    let (message, set_message) = signal(None::<String>);
    let fields = Arc::new(destination.connection_fields.clone());
    let save = move |_| {
        if !form.submit() {
            return;
        }
        let variables = update_connection::Variables {
            connection_id: id.clone(),
            action: update_connection::ConnectionActions::UPDATE,
            name: None,
            details: Some(form.value.get_untracked()),
        };
        let org = app.org_now();
        spawn_local(async move {
            match api::run::<UpdateConnection>(variables, org).await {
                Ok(data) => {
                    let status = Status::of(&data.update_connection);
                    if status.success {
                        on_saved();
                    } else {
                        form.set_server_errors(status.field_errors());
                        set_message.set(Some(status.message));
                    }
                }
                Err(e) => set_message.set(Some(e.message)),
            }
        });
    };
    view! {
        <div class="generated-form connection-form">
            <FieldList form=form fields=fields parent=FieldPath::root() />
            <FormErrors form=form />
            <button type="button" class="connection-save" on:click=save>"Save details"</button>
            {move || message.get().map(|m| view! { <p class="form-error">{m}</p> })}
        </div>
    }
}
