//! Saved connections: names for everyone; details (never a secret), and replacing them, for
//! Owners. Made here on their own (or from a destination's form), renamed, deleted (the
//! server refuses while an integration uses one, and the card says so).

use std::sync::Arc;

use leptos::prelude::*;
use serde_json::Value;

use crate::components::busy::BusyButton;
use crate::components::confirm::{self, Question};
use crate::components::form::model::{initial_connection, Rules};
use crate::components::form::{FieldList, FieldPath, FormErrors, FormState, JsonView};
use crate::components::names;
use crate::components::no_organization::NoOrganization;
use crate::components::unsaved;
use crate::components::windowed::{Layout, ListSearch, WindowedList};
use crate::loaders;
use crate::loaders::connections::{self, ConnectionRow};
use crate::paging::PagedList;
use crate::state::AppState;

/// The connections list, a page at a time, searched by name on the server and filtered by
/// destination.
#[component]
pub fn ConnectionsPage() -> impl IntoView {
    let app = AppState::get();
    // The destination filter ("" for every destination).
    let code = RwSignal::new(String::new());
    let rows = PagedList::new(move |org, search, after| {
        let code = code.get_untracked();
        connections::page(org, search, (!code.is_empty()).then_some(code), after)
    });
    rows.reload_when(move || code.track());
    let catalog = loaders::catalog::list_resource(app);
    let destinations = move || catalog.with(with_connections);
    view! {
        <section class="page">
            <h1>"Connections"</h1>
            <NoOrganization />
            {move || app.org.get().is_some().then(|| view! { <NewConnection on_created=move || rows.reload() /> })}
            <div class="row">
                <ListSearch list=rows id="connections-search" placeholder="Search connections by name" />
                <label class="row">
                    <span class="muted">"Destination "</span>
                    <select id="connections-destination" on:change=move |ev| code.set(event_target_value(&ev))>
                        <option value="" prop:selected=move || code.with(String::is_empty)>"Every destination"</option>
                        {move || destinations().into_iter().map(|(c, name)| {
                            let chosen = c.clone();
                            view! { <option value=c prop:selected=move || code.with(|k| *k == chosen)>{name}</option> }
                        }).collect_view()}
                    </select>
                </label>
            </div>
            <WindowedList list=rows id="connections-list" layout=Layout::Blocks row_px=90.0
                key=|row: &ConnectionRow| row.id.clone()
                row=move |row: ConnectionRow| {
                    let owner = app.is_owner();
                    view! { <ConnectionCard row=row owner=owner on_saved=move || rows.reload() /> }
                }
                empty="No connections yet." />
        </section>
    }
}

/// One connection: anyone may rename or delete it (the server refuses deleting one in
/// use); Owners can replace its details.
#[component]
fn ConnectionCard(
    /// The connection.
    row: ConnectionRow,
    /// Whether the viewer owns the organization.
    owner: bool,
    /// Called after a successful change.
    on_saved: impl Fn() + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let app = AppState::get();
    let (editing, set_editing) = signal(false);
    let (renaming, set_renaming) = signal(false);
    let said = RwSignal::new(None::<(bool, String)>);
    let details_text = row
        .details
        .as_ref()
        .map(|d| serde_json::to_string_pretty(d).unwrap_or_default());
    let details = row.details.clone();
    let secrets_set = row.secrets_set.clone();
    let (id, code) = (row.id.clone(), row.code.clone());
    let (rename_id, delete_id, edit_id) = (row.id.clone(), row.id.clone(), row.id.clone());
    let stored_name = row.name.clone();
    let new_name = RwSignal::new(row.name.clone());
    let rename = Action::new_local(move |name: &String| {
        let (id, name, org) = (rename_id.clone(), name.clone(), app.org_now());
        async move {
            let outcome = connections::rename(id, name, org).await;
            let (ok, text) = loaders::message(&outcome);
            said.set(Some((ok, text)));
            if ok {
                set_renaming.set(false);
                on_saved();
            }
        }
    });
    let delete = Action::new_local(move |_: &()| {
        let (id, org) = (delete_id.clone(), app.org_now());
        async move {
            let outcome = connections::delete(id, org).await;
            let (ok, text) = loaders::message(&outcome);
            said.set(Some((ok, text)));
            if ok {
                on_saved();
            }
        }
    });
    let original = stored_name.clone();
    unsaved::guard(
        format!("the name of “{}”", row.name),
        Signal::derive(move || renaming.get() && new_name.with(|n| n.trim() != original)),
    );
    let save_name = Callback::new(move |_| match names::typed(&new_name.get_untracked()) {
        Ok(name) => {
            rename.dispatch(name);
        }
        Err(why) => said.set(Some((false, why.to_owned()))),
    });
    let asked_name = row.name.clone();
    let ask_delete = Callback::new(move |_| {
        confirm::ask(Question::delete_connection(&asked_name), move || {
            delete.dispatch(());
        });
    });
    view! {
        <article class="card connection-row" data-id=row.id.clone()>
            <div class="row spread">
                <div>
                    <h3 class="connection-name">{row.name.clone()}</h3>
                    <span class="badge connection-destination">{row.code.clone()}</span>
                </div>
                <div class="row">
                    <button type="button" class="connection-rename secondary small" on:click=move |_| {
                        new_name.set(stored_name.clone());
                        set_renaming.update(|r| *r = !*r);
                    }>"Rename"</button>
                    {owner.then(|| view! {
                        <button type="button" class="connection-edit secondary small" on:click=move |_| set_editing.update(|e| *e = !*e)>
                            "Replace details"
                        </button>
                    })}
                    <BusyButton label="Delete" busy_label="Deleting…" busy=delete.pending()
                        class="connection-delete danger small" on_click=ask_delete />
                </div>
            </div>
            {move || renaming.get().then(|| view! {
                <form class="row" on:submit=move |ev| { ev.prevent_default(); save_name.run(()); }>
                    <label class="sr-only" for=format!("rename-{}", id.clone())>"New name"</label>
                    <input class="connection-rename-input" id=format!("rename-{}", id.clone())
                        prop:value=move || new_name.get() on:input=move |ev| new_name.set(event_target_value(&ev)) />
                    <BusyButton label="Save name" busy_label="Saving…" busy=rename.pending()
                        class="connection-rename-save small" submit=true />
                    <button type="button" class="ghost small" on:click=move |_| set_renaming.set(false)>"Cancel"</button>
                </form>
            })}
            {move || said.get().map(|(ok, text)| view! {
                <p class="connection-message" role="status" class:success=ok class:form-error=!ok>{text}</p>
            })}
            {(owner).then(|| details_text.map(|t| view! { <pre class="connection-details">{t}</pre> }))}
            {move || editing.get().then(|| view! {
                <EditConnection id=edit_id.clone() code=code.clone() details=details.clone()
                    secrets_set=secrets_set.clone() on_saved=move || { set_editing.set(false); on_saved(); } />
            })}
        </article>
    }
}

/// Making a connection on its own: a destination that has connection fields, a name, and
/// that destination's connection form.
/// The destinations of the catalog's list (once read) that take a connection, as
/// (code, name): what the filter and the "New connection" picker offer.
fn with_connections(
    list: &Option<Result<Arc<Vec<crate::catalog::Listing>>, crate::api::ApiError>>,
) -> Vec<(String, String)> {
    list.as_ref()
        .and_then(|l| l.as_ref().ok())
        .map(|l| {
            l.iter()
                .filter(|d| d.has_connection)
                .map(|d| (d.code.clone(), d.name.clone()))
                .collect()
        })
        .unwrap_or_default()
}

#[component]
fn NewConnection(
    /// Called after one is made.
    on_created: impl Fn() + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let app = AppState::get();
    let (open, set_open) = signal(false);
    let list = loaders::catalog::list_resource(app);
    let code = RwSignal::new(String::new());
    view! {
        <div class="card new-connection">
            {move || (!open.get()).then(|| view! {
                <button id="connection-new" type="button" class="secondary" on:click=move |_| set_open.set(true)>
                    "New connection"
                </button>
            })}
            {move || open.get().then(|| {
                let destinations = list.with(with_connections);
                view! {
                    <h2>"New connection"</h2>
                    <label class="stacked">
                        <span>"Destination"</span>
                        <select id="connection-new-destination" on:change=move |ev| code.set(event_target_value(&ev))>
                            <option value="" prop:selected=move || code.get().is_empty()>"— choose —"</option>
                            {destinations.into_iter().map(|(c, name)| {
                                let chosen = c.clone();
                                view! { <option value=c prop:selected=move || code.get() == chosen>{name}</option> }
                            }).collect_view()}
                        </select>
                    </label>
                    {move || {
                        let chosen = code.get();
                        // The chosen destination's forms, read when it is chosen.
                        (!chosen.is_empty()).then(|| {
                            let loaded = loaders::catalog::destination_resource(app, chosen);
                            move || loaded
                                .with(|d| d.as_ref().and_then(|d| d.clone().ok()).flatten())
                                .map(|destination| view! {
                            <NewConnectionForm destination=destination
                                on_done=move |made| {
                                    set_open.set(false);
                                    code.set(String::new());
                                    if made {
                                        on_created();
                                    }
                                } />
                                })
                        })
                    }}
                    {move || code.with(String::is_empty).then(|| view! {
                        <button type="button" class="ghost small" on:click=move |_| set_open.set(false)>"Cancel"</button>
                    })}
                }
            })}
        </div>
    }
}

/// The name and connection form of one destination, saved as a new connection.
#[component]
fn NewConnectionForm(
    /// The destination.
    destination: Arc<houston_prototypes::Destination>,
    /// Called with whether one was made (false: cancelled).
    on_done: impl Fn(bool) + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let app = AppState::get();
    let initial = initial_connection(&destination, None);
    let form = FormState::new(initial.clone(), Rules::Connection(destination.clone()));
    let name = RwSignal::new(format!("{} connection", destination.name));
    let problem = RwSignal::new(None::<String>);
    let code = destination.code.clone();
    let create = Action::new_local(move |(name, details): &(String, Value)| {
        let (name, details, code) = (name.clone(), details.clone(), code.clone());
        let org = app.org_now();
        async move {
            let Some(org) = org else { return };
            match connections::create(org, code, name, details).await {
                Ok(status) if status.success => on_done(true),
                Ok(status) => {
                    form.set_server_errors(status.field_errors());
                    problem.set(Some(status.message));
                }
                Err(e) => problem.set(Some(e.message)),
            }
        }
    });
    let saving = create.pending();
    unsaved::guard(
        "the new connection",
        Signal::derive(move || !saving.get() && form.value.with(|v| *v != initial)),
    );
    let fields = Arc::new(destination.connection_fields.clone());
    let save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let name = match names::typed(&name.get_untracked()) {
            Ok(name) => name,
            Err(why) => {
                problem.set(Some(why.to_owned()));
                return;
            }
        };
        if !form.submit() {
            return;
        }
        problem.set(None);
        create.dispatch((name, form.value.get_untracked()));
    };
    view! {
        <form class="generated-form connection-form" on:submit=save>
            <label class="stacked" for="connection-new-name">
                <span>"Name"</span>
                <input id="connection-new-name" prop:value=move || name.get()
                    on:input=move |ev| name.set(event_target_value(&ev)) />
            </label>
            <FieldList form=form fields=fields parent=FieldPath::root() />
            <FormErrors form=form />
            <div class="row">
                <BusyButton id="connection-new-save" label="Save connection" busy_label="Saving…"
                    busy=saving submit=true />
                <button type="button" class="ghost" on:click=move |_| on_done(false)>"Cancel"</button>
            </div>
            {move || problem.get().map(|m| view! { <p class="form-error" role="alert">{m}</p> })}
        </form>
    }
}

/// Loads the destination's forms if needed, then shows its connection form.
#[component]
fn EditConnection(
    /// The connection's id.
    id: String,
    /// Its destination's code.
    code: String,
    /// The stored details (without secrets).
    details: Option<Value>,
    /// The paths of the secrets it holds.
    secrets_set: Vec<String>,
    /// Called after saving.
    on_saved: impl Fn() + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let loaded = loaders::catalog::destination_resource(AppState::get(), code);
    move || {
        let destination = loaded.with(|d| d.as_ref().and_then(|d| d.clone().ok()).flatten());
        destination.map(|destination| {
            view! {
                <ReplaceDetails id=id.clone() destination=destination details=details.clone() secrets_set=secrets_set.clone() on_saved=on_saved />
            }
        })
    }
}

/// The connection form, prefilled with the details; the stored secrets, named only, stay
/// unless replaced or cleared. Also as JSON.
#[component]
fn ReplaceDetails(
    /// The connection's id.
    id: String,
    /// Its destination.
    destination: Arc<houston_prototypes::Destination>,
    /// The stored details (without secrets).
    details: Option<Value>,
    /// The paths of the secrets it holds.
    secrets_set: Vec<String>,
    /// Called after saving.
    on_saved: impl Fn() + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let app = AppState::get();
    let initial = initial_connection(&destination, details.as_ref());
    let form = FormState::new(initial.clone(), Rules::Connection(destination.clone()));
    form.keep_secrets(secrets_set);
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
    unsaved::guard(
        "the connection's details",
        Signal::derive(move || !saving.get() && form.value.with(|v| *v != initial)),
    );
    let message = move || saved.get().flatten();
    let fields = Arc::new(destination.connection_fields.clone());
    let save = move |_: ()| {
        if !form.submit() {
            return;
        }
        replace.dispatch(form.value.get_untracked());
    };
    view! {
        <div class="generated-form connection-form">
            <FieldList form=form fields=fields parent=FieldPath::root() />
            <JsonView form=form />
            <FormErrors form=form />
            <BusyButton label="Save details" busy_label="Saving…" busy=saving class="connection-save"
                on_click=Callback::new(save) />
            {move || message().map(|m| view! { <p class="form-error">{m}</p> })}
        </div>
    }
}
