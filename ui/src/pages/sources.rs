//! Sources (applications): their write keys, the install snippet, create, rename, delete.

use leptos::prelude::*;

use crate::api;
use crate::catalog::PLATFORMS;
use crate::components::no_organization::NoOrganization;
use crate::loaders::sources::{self, SourceRow};
use crate::loaders::{self, for_organization};
use crate::state::AppState;

/// What the person asked of the sources.
#[derive(Clone)]
enum SourceChange {
    Create {
        org_id: String,
        name: String,
        platform: String,
    },
    Update {
        app_id: String,
        name: Option<String>,
        delete: Option<bool>,
    },
}

/// The analytics.js snippet that sends a source's events (its id is the write key).
pub fn snippet(write_key: &str) -> String {
    format!(
        "<script>\n  !function(){{var analytics=window.analytics=window.analytics||[];if(!analytics.initialize)if(analytics.invoked)window.console&&console.error&&console.error(\"Segment snippet included twice.\");else{{analytics.invoked=!0;analytics.methods=[\"trackSubmit\",\"trackClick\",\"trackLink\",\"trackForm\",\"pageview\",\"identify\",\"reset\",\"group\",\"track\",\"ready\",\"alias\",\"debug\",\"page\",\"once\",\"off\",\"on\"];analytics.factory=function(t){{return function(){{var e=Array.prototype.slice.call(arguments);e.unshift(t);analytics.push(e);return analytics}}}};for(var t=0;t<analytics.methods.length;t++){{var e=analytics.methods[t];analytics[e]=analytics.factory(e)}}analytics.load=function(t){{var e=document.createElement(\"script\");e.type=\"text/javascript\";e.async=!0;e.src=\"https://cdn.segment.com/analytics.js/v1/\"+t+\"/analytics.min.js\";var n=document.getElementsByTagName(\"script\")[0];n.parentNode.insertBefore(e,n)}};analytics.SNIPPET_VERSION=\"4.0.0\";\n  analytics.load(\"{write_key}\");\n  analytics.page();\n  }}}}();\n</script>"
    )
}

/// Sources of the current organization.
#[component]
pub fn SourcesPage() -> impl IntoView {
    let app = AppState::get();
    let rows = for_organization(app, sources::list);
    let (name, set_name) = signal(String::new());
    let (platform, set_platform) = signal(PLATFORMS[0].as_str().to_owned());
    let change = Action::new_local(move |change: &SourceChange| {
        let change = change.clone();
        let org = app.org_now();
        async move {
            let outcome = match change {
                SourceChange::Create {
                    org_id,
                    name,
                    platform,
                } => {
                    let outcome = sources::create(org_id, name, platform).await;
                    if outcome.as_ref().is_ok_and(|s| s.success) {
                        set_name.set(String::new());
                    }
                    outcome
                }
                SourceChange::Update {
                    app_id,
                    name,
                    delete,
                } => sources::update(app_id, name, delete, org).await,
            };
            rows.refetch();
            outcome
        }
    });
    let (changing, changed) = (change.pending(), change.value());
    let message = move || changed.get().map(|outcome| loaders::message(&outcome));
    let create = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let Some(org_id) = app.org_now() else { return };
        change.dispatch(SourceChange::Create {
            org_id,
            name: name.get_untracked(),
            platform: platform.get_untracked(),
        });
    };
    let update = move |app_id: String, name: Option<String>, delete: Option<bool>| {
        change.dispatch(SourceChange::Update {
            app_id,
            name,
            delete,
        });
    };
    view! {
        <section class="page">
            <h1>"Sources"</h1>
            <NoOrganization />
            <form class="card row" on:submit=create>
                <input id="source-name" placeholder="Source name" prop:value=move || name.get()
                    on:input=move |ev| set_name.set(event_target_value(&ev)) />
                <select id="source-platform" on:change=move |ev| set_platform.set(event_target_value(&ev))>
                    {PLATFORMS.iter().map(|p| view! { <option value=p.as_str()>{p.as_str()}</option> }).collect_view()}
                </select>
                <button id="source-create" type="submit" disabled=move || changing.get()>"Create source"</button>
            </form>
            {move || message().map(|(ok, text)| view! {
                <p id="sources-message" class:success=ok class:form-error=!ok>{text}</p>
            })}
            <Transition fallback=|| view! { <p class="muted">"Loading…"</p> }>
                {move || match rows.get().flatten() {
                    None => view! { <p class="muted">"Loading…"</p> }.into_any(),
                    Some(Err(e)) => view! { <p class="form-error">{e}</p> }.into_any(),
                    Some(Ok(list)) if list.is_empty() => view! { <p class="muted">"No sources yet."</p> }.into_any(),
                    Some(Ok(list)) => list
                        .into_iter()
                        .map(|row| view! { <SourceCard row=row on_update=update /> })
                        .collect_view()
                        .into_any(),
                }}
            </Transition>
        </section>
    }
}

/// One source with its key, snippet and actions.
#[component]
fn SourceCard(
    /// The source.
    row: SourceRow,
    /// Renames (`Some(name)`) or deletes (`Some(true)`) a source by id.
    on_update: impl Fn(String, Option<String>, Option<bool>) + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let (editing, set_editing) = signal(false);
    let (new_name, set_new_name) = signal(row.name.clone());
    let (copied, set_copied) = signal(false);
    let id = row.id.clone();
    let (copy_id, rename_id, delete_id) = (id.clone(), id.clone(), id.clone());
    view! {
        <article class="card source-row" data-id=id.clone()>
            <div class="row spread">
                <div>
                    <h3 class="source-name">{row.name.clone()}</h3>
                    <span class="badge">{row.platform.clone()}</span>
                </div>
                <div class="row">
                    <button type="button" class="source-rename secondary small" on:click=move |_| set_editing.update(|e| *e = !*e)>
                        "Rename"
                    </button>
                    <button type="button" class="source-delete danger small" on:click=move |_| on_update(delete_id.clone(), None, Some(true))>
                        "Delete"
                    </button>
                </div>
            </div>
            {move || editing.get().then(|| {
                let rename_id = rename_id.clone();
                view! {
                    <div class="row">
                        <input class="source-rename-input" prop:value=move || new_name.get()
                            on:input=move |ev| set_new_name.set(event_target_value(&ev)) />
                        <button type="button" class="source-rename-save small" on:click=move |_| {
                            set_editing.set(false);
                            on_update(rename_id.clone(), Some(new_name.get_untracked()), None);
                        }>"Save"</button>
                    </div>
                }
            })}
            <div class="row key">
                <span class="muted">"Write key "</span>
                <code class="source-id">{id.clone()}</code>
                <button type="button" class="source-copy ghost small" on:click=move |_| {
                    api::copy_to_clipboard(&copy_id);
                    set_copied.set(true);
                }>
                    {move || if copied.get() { "Copied" } else { "Copy" }}
                </button>
            </div>
            <p class="muted">"Install analytics.js on your site with:"</p>
            <pre class="source-snippet">{snippet(&id)}</pre>
        </article>
    }
}
