//! Saved connections: names for everyone; masked details, and replacing them, for Owners.

use std::sync::Arc;

use leptos::prelude::*;
use serde_json::Value;

use crate::components::form::model::{initial_connection, Rules};
use crate::components::form::{FieldList, FieldPath, FormErrors, FormState};
use crate::components::no_organization::NoOrganization;
use crate::loaders::connections::{self, ConnectionRow};
use crate::loaders::{self, for_organization};
use crate::state::AppState;

/// The connections list.
#[component]
pub fn ConnectionsPage() -> impl IntoView {
    let app = AppState::get();
    let rows = for_organization(app, connections::list_all);
    view! {
        <section class="page">
            <h1>"Connections"</h1>
            <NoOrganization />
            <Transition fallback=|| view! { <p class="muted">"Loading…"</p> }>
                {move || match rows.get().flatten() {
                    None => view! { <p class="muted">"Loading…"</p> }.into_any(),
                    Some(Err(e)) => view! { <p class="form-error">{e}</p> }.into_any(),
                    Some(Ok(list)) if list.is_empty() => view! { <p class="muted">"No connections yet."</p> }.into_any(),
                    Some(Ok(list)) => {
                        let owner = app.is_owner();
                        list.into_iter().map(|row| view! {
                            <ConnectionCard row=row owner=owner on_saved=move || rows.refetch() />
                        }).collect_view().into_any()
                    }
                }}
            </Transition>
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

/// Loads the destination's forms if needed, then shows its connection form.
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
    let loaded = loaders::catalog::destination_resource(AppState::get(), code);
    move || {
        let destination = loaded.with(|d| d.as_ref().and_then(|d| d.clone().ok()).flatten());
        destination.map(|destination| {
            view! {
                <ReplaceDetails id=id.clone() destination=destination details=details.clone() on_saved=on_saved />
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
    let replace = Action::new_local(move |details: &Value| {
        let details = details.clone();
        let (id, org) = (id.clone(), app.org_now());
        async move {
            match connections::replace_details(id, details, org).await {
                Ok(status) if status.success => {
                    on_saved();
                    None
                }
                Ok(status) => {
                    form.set_server_errors(status.field_errors());
                    Some(status.message)
                }
                Err(e) => Some(e.message),
            }
        }
    });
    let (saving, saved) = (replace.pending(), replace.value());
    let message = move || saved.get().flatten();
    let fields = Arc::new(destination.connection_fields.clone());
    let save = move |_| {
        if !form.submit() {
            return;
        }
        replace.dispatch(form.value.get_untracked());
    };
    view! {
        <div class="generated-form connection-form">
            <FieldList form=form fields=fields parent=FieldPath::root() />
            <FormErrors form=form />
            <button type="button" class="connection-save" disabled=move || saving.get() on:click=save>"Save details"</button>
            {move || message().map(|m| view! { <p class="form-error">{m}</p> })}
        </div>
    }
}
