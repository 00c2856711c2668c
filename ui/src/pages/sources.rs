//! Sources (applications): their write keys, the install snippet, create, rename, delete.

use leptos::prelude::*;

use crate::api;
use crate::catalog::PLATFORMS;
use crate::components::no_organization::NoOrganization;
use crate::components::windowed::{Layout, ListSearch, WindowedList};
use crate::loaders;
use crate::loaders::sources::{self, SourceRow};
use crate::paging::PagedList;
use crate::state::{AppState, Page};

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

/// Sources of the current organization.
#[component]
pub fn SourcesPage() -> impl IntoView {
    let app = AppState::get();
    let rows = PagedList::new(sources::page);
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
            rows.reload();
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
            <CollectorCard />
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
            <ListSearch list=rows id="sources-search" placeholder="Search sources by name" />
            <WindowedList list=rows id="sources-list" layout=Layout::Blocks row_px=230.0
                key=|row: &SourceRow| row.id.clone()
                row=move |row: SourceRow| view! { <SourceCard row=row on_update=update /> }
                empty="No sources yet." />
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
    let app = AppState::get();
    let id = row.id.clone();
    let (copy_id, rename_id, delete_id) = (id.clone(), id.clone(), id.clone());
    let (debug_id, debug_name, reports_id) = (id.clone(), row.name.clone(), id.clone());
    let collector = move || {
        app.session
            .with(|s| s.as_ref().and_then(|s| s.collector_url.clone()))
    };
    let snippet_id = id.clone();
    view! {
        <article class="card source-row" data-id=id.clone()>
            <div class="row spread">
                <div>
                    <h3 class="source-name">{row.name.clone()}</h3>
                    <span class="badge">{row.platform.clone()}</span>
                </div>
                <div class="row">
                    <button type="button" class="source-debugger small"
                        on:click=move |_| app.page.set(Page::Debugger(debug_id.clone(), debug_name.clone()))>
                        "Debugger"
                    </button>
                    <button type="button" class="source-reports secondary small"
                        on:click=move |_| app.page.set(Page::Reports(Some(reports_id.clone())))>
                        "Reports"
                    </button>
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
            {move || match collector() {
                Some(url) => view! {
                    <p class="muted">"Install analytics.js on your site with (it loads from and sends to "
                        <code class="source-collector">{url.clone()}</code>"):"</p>
                    <pre class="source-snippet">{houston_events::snippet::snippet(&snippet_id, &url)}</pre>
                }.into_any(),
                None => view! {
                    <p class="muted">"The collector is not listening, so there is no snippet to show."</p>
                }.into_any(),
            }}
        </article>
    }
}

/// Where SDKs send events; on the bundled server, its loopback port and whether the whole
/// API is served there too.
#[component]
fn CollectorCard() -> impl IntoView {
    let app = AppState::get();
    let session = move || app.session.get().unwrap_or_default();
    let bundled = move || session().backend == api::BackendKind::Bundled;
    let port = RwSignal::new(String::new());
    let serve_api = RwSignal::new(false);
    Effect::new(move |_| {
        let s = session();
        port.set(s.collector_port.to_string());
        serve_api.set(s.serve_api_on_collector);
    });
    let save = Action::new_local(move |(port, serve_api): &(u16, bool)| {
        let (port, serve_api) = (*port, *serve_api);
        async move {
            match api::save_collector(port, serve_api).await {
                Ok(session) => {
                    app.session.set(Some(session));
                    Ok(())
                }
                Err(e) => Err(e.message),
            }
        }
    });
    let problem = RwSignal::new(None::<String>);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        match port.get_untracked().trim().parse::<u16>() {
            Ok(p) if p > 0 => {
                problem.set(None);
                save.dispatch((p, serve_api.get_untracked()));
            }
            _ => problem.set(Some("Choose a port from 1 to 65535.".to_owned())),
        }
    };
    view! {
        <div class="card collector">
            <div class="row">
                <span class="muted">"Collector "</span>
                {move || match session().collector_url {
                    Some(url) => view! { <code id="collector-url">{url}</code> }.into_any(),
                    None => view! { <span id="collector-url" class="form-error">"not listening"</span> }.into_any(),
                }}
            </div>
            {move || bundled().then(|| view! {
                <form class="row" on:submit=submit>
                    <label>"Port "
                        <input id="collector-port" class="narrow" inputmode="numeric" prop:value=move || port.get()
                            on:input=move |ev| port.set(event_target_value(&ev)) />
                    </label>
                    <label class="checkbox">
                        <input id="collector-serve-api" type="checkbox" prop:checked=move || serve_api.get()
                            on:change=move |ev| serve_api.set(event_target_checked(&ev)) />
                        " Serve the API here too"
                    </label>
                    <button id="collector-save" type="submit" class="small secondary" disabled=move || save.pending().get()>"Save"</button>
                </form>
                <p class="muted small">"Loopback only; the next free port is used when this one is taken. The API is not served on this port unless you ask."</p>
            })}
            {move || problem.get().or_else(|| save.value().get().and_then(Result::err)).map(|why| view! {
                <p class="form-error">{why}</p>
            })}
        </div>
    }
}
