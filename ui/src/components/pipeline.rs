//! A source's pipeline as a file (issue 13 #9a): "Export pipeline" writes its integrations
//! (configurations without secrets, connections by name and destination) to a file the
//! person chooses in a native save dialog; "Import pipeline…" reads one chosen in a native
//! open dialog and recreates its integrations for this source, after the person has picked
//! a connection for each one missing in this organization. The dialogs and the file are
//! the shell's (`save_pipeline`, `open_pipeline`); the webview sees only the pipeline.

use std::collections::BTreeMap;

use async_trait::async_trait;
use houston_client::pipeline::{self, Pipeline, PipelineConnection};
use houston_client::{Transport, TransportError};
use leptos::prelude::*;
use serde_json::{json, Value};

use crate::api;
use crate::state::AppState;

/// GraphQL through the shell's `graphql` command (which holds the token), as a
/// [`Transport`] for [`houston_client::pipeline`].
struct Shell;

// The trait's futures are `Send` off the web (the native build of this crate, for its unit
// tests), as `houston_client::Transport` declares; the shell call is wrapped for that.
#[cfg_attr(not(target_arch = "wasm32"), async_trait)]
#[cfg_attr(target_arch = "wasm32", async_trait(?Send))]
impl Transport for Shell {
    async fn post(
        &self,
        body: Value,
        _authorization: Option<&str>,
        organization: Option<&str>,
    ) -> Result<Value, TransportError> {
        let data = send_wrapper::SendWrapper::new(api::invoke(
            "graphql",
            json!({ "body": body, "organization": organization }),
        ))
        .await
        .map_err(|e| TransportError::Malformed(e.message))?;
        Ok(json!({ "data": data }))
    }
}

/// An import under way: the file read, and the connection picked for each missing one.
#[derive(Clone, PartialEq)]
struct Pending {
    pipeline: Pipeline,
    existing: BTreeMap<PipelineConnection, String>,
    missing: Vec<PipelineConnection>,
}

/// The export and import buttons of one source, with what they did.
#[component]
pub fn PipelineFile(
    /// The source's id.
    app_id: String,
    /// Its name (the file's suggested name).
    source_name: String,
) -> impl IntoView {
    let app = AppState::get();
    let (message, set_message) = signal(None::<String>);
    let pending = RwSignal::new(None::<Pending>);
    let picks = RwSignal::new(BTreeMap::<PipelineConnection, String>::new());
    let busy = RwSignal::new(false);
    let export_id = app_id.clone();
    let export = move |_| {
        let (app_id, name, org) = (export_id.clone(), source_name.clone(), app.org_now());
        busy.set(true);
        leptos::task::spawn_local(async move {
            let said = match pipeline::export(&Shell, None, org.as_deref(), &app_id).await {
                Ok(p) => match api::invoke(
                    "save_pipeline",
                    json!({ "text": p.to_text(), "sourceName": name }),
                )
                .await
                {
                    Ok(Value::String(file)) => format!("Saved to {file}."),
                    Ok(_) => "Not saved.".to_owned(),
                    Err(e) => e.message,
                },
                Err(e) => e.to_string(),
            };
            set_message.set(Some(said));
            busy.set(false);
        });
    };
    let open = move |_| {
        let org = app.org_now();
        busy.set(true);
        leptos::task::spawn_local(async move {
            let said = match (api::invoke("open_pipeline", json!({})).await, org) {
                (Ok(Value::String(text)), Some(org)) => match read(&text, &org).await {
                    Ok(p) => {
                        picks.set(BTreeMap::new());
                        pending.set(Some(p));
                        None
                    }
                    Err(e) => Some(e),
                },
                (Ok(_), _) => None,
                (Err(e), _) => Some(e.message),
            };
            set_message.set(said);
            busy.set(false);
        });
    };
    let import_id = app_id.clone();
    let import =
        move |_| {
            let Some(p) = pending.get_untracked() else {
                return;
            };
            let (app_id, org) = (import_id.clone(), app.org_now().unwrap_or_default());
            let mut connections = p.existing.clone();
            connections.extend(picks.get_untracked());
            busy.set(true);
            leptos::task::spawn_local(async move {
                let said =
                    match pipeline::import(&Shell, None, &org, &app_id, &p.pipeline, &connections)
                        .await
                    {
                        Ok(ids) => {
                            pending.set(None);
                            format!("Imported {} integrations.", ids.len())
                        }
                        Err(e) => e.to_string(),
                    };
                set_message.set(Some(said));
                busy.set(false);
            });
        };
    view! {
        <div class="pipeline-file row">
            <button type="button" class="pipeline-export secondary small" disabled=move || busy.get() on:click=export>
                "Export pipeline"
            </button>
            <button type="button" class="pipeline-import secondary small" disabled=move || busy.get() on:click=open>
                "Import pipeline…"
            </button>
            <span class="pipeline-message muted" aria-live="polite">{move || message.get()}</span>
        </div>
        {move || pending.get().map(|p| view! {
            <div class="pipeline-pending card">
                <p>{format!("{} integrations from \"{}\".", p.pipeline.integrations.len(), p.pipeline.source.name)}</p>
                {p.missing.iter().map(|needed| {
                    let choices: Vec<(String, String)> = p.existing.iter()
                        .filter(|(c, _)| c.integration_code == needed.integration_code)
                        .map(|(c, id)| (id.clone(), c.name.clone()))
                        .collect();
                    let key = needed.clone();
                    view! {
                        <label class="stacked pipeline-missing" data-name=needed.name.clone()>
                            <span>{format!("Connection \"{}\" ({}) is not in this organization; use:", needed.name, needed.integration_code)}</span>
                            <select on:change=move |ev| {
                                let id = event_target_value(&ev);
                                picks.update(|m| { if id.is_empty() { m.remove(&key); } else { m.insert(key.clone(), id); } });
                            }>
                                <option value="">"— create one on the Connections page —"</option>
                                {choices.into_iter().map(|(id, name)| view! { <option value=id>{name}</option> }).collect_view()}
                            </select>
                        </label>
                    }
                }).collect_view()}
                <div class="row">
                    <button type="button" class="pipeline-import-confirm small" disabled=move || busy.get() on:click=import.clone()>
                        "Import"
                    </button>
                    <button type="button" class="ghost small" on:click=move |_| pending.set(None)>"Cancel"</button>
                </div>
            </div>
        })}
    }
}

/// Reads a pipeline file's text and finds what this organization lacks for it.
async fn read(text: &str, org: &str) -> Result<Pending, String> {
    let pipeline = Pipeline::parse(text).map_err(|e| e.to_string())?;
    let existing = pipeline::connections_of(&Shell, None, org)
        .await
        .map_err(|e| e.to_string())?;
    let missing = pipeline::missing_connections(&pipeline, &existing);
    Ok(Pending {
        pipeline,
        existing,
        missing,
    })
}
