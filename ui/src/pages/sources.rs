//! Sources (applications): their write keys, the install snippet, create, rename, change
//! the platform, delete (asking first, with the number of integrations that go with it).

use leptos::prelude::*;

use crate::api;
use crate::catalog::PLATFORMS;
use crate::components::busy::BusyButton;
use crate::components::confirm::{self, Question};
use crate::components::names;
use crate::components::no_organization::NoOrganization;
use crate::components::pipeline::PipelineFile;
use crate::components::setup::SourceSetup;
use crate::components::unsaved;
use crate::components::windowed::{Layout, ListSearch, WindowedList};
use crate::loaders;
use crate::loaders::sources::{self, SourceEdit, SourceRow};
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
        edit: SourceEdit,
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
                SourceChange::Update { app_id, edit } => sources::update(app_id, edit, org).await,
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
    let update = move |app_id: String, edit: SourceEdit| {
        change.dispatch(SourceChange::Update { app_id, edit });
    };
    view! {
        <section class="page">
            <h1>"Sources"</h1>
            <NoOrganization />
            <CollectorCard />
            <form class="card row" on:submit=create>
                <label class="sr-only" for="source-name">"Source name"</label>
                <input id="source-name" placeholder="Source name" prop:value=move || name.get()
                    on:input=move |ev| set_name.set(event_target_value(&ev)) />
                <label class="sr-only" for="source-platform">"Platform"</label>
                <select id="source-platform" on:change=move |ev| set_platform.set(event_target_value(&ev))>
                    {PLATFORMS.iter().map(|p| view! { <option value=p.as_str()>{p.as_str()}</option> }).collect_view()}
                </select>
                <BusyButton id="source-create" label="Create source" busy_label="Working…" busy=changing submit=true />
            </form>
            {move || message().map(|(ok, text)| view! {
                <p id="sources-message" role="status" class:success=ok class:form-error=!ok>{text}</p>
            })}
            <ListSearch list=rows id="sources-search" placeholder="Search sources by name" />
            <WindowedList list=rows id="sources-list" layout=Layout::Blocks row_px=230.0
                key=|row: &SourceRow| row.id.clone()
                row=move |row: SourceRow| {
                    // Told apart from the same-named ones loaded so far.
                    let shown = rows.state.with_untracked(|loaded| {
                        names::distinct(&row.name, &row.id, loaded.rows.iter().map(|r| r.name.as_str()))
                    });
                    view! { <SourceCard row=row shown=shown on_update=update busy=changing /> }
                }
                empty="No sources yet." />
        </section>
    }
}

/// One source with its key, snippet and actions.
#[component]
fn SourceCard(
    /// The source.
    row: SourceRow,
    /// Its name as the list shows it (with the start of its id when another has the same).
    shown: String,
    /// Applies a change to a source by id.
    on_update: impl Fn(String, SourceEdit) + Copy + Send + Sync + 'static,
    /// Whether a change is being made.
    busy: Memo<bool>,
) -> impl IntoView {
    let (editing, set_editing) = signal(false);
    let (new_name, set_new_name) = signal(row.name.clone());
    let (copied, set_copied) = signal(false);
    let problem = RwSignal::new(None::<&'static str>);
    let app = AppState::get();
    let id = row.id.clone();
    let (copy_id, rename_id, delete_id, platform_id) =
        (id.clone(), id.clone(), id.clone(), id.clone());
    let (debug_id, debug_name, reports_id) = (id.clone(), row.name.clone(), id.clone());
    let collector = move || {
        app.session
            .with(|s| s.as_ref().and_then(|s| s.collector_url.clone()))
    };
    let snippet_id = id.clone();
    let input_id = format!("source-rename-{id}");
    let original = row.name.clone();
    unsaved::guard(
        format!("the name of “{}”", row.name),
        Signal::derive(move || editing.get() && new_name.with(|n| n.trim() != original)),
    );
    let asked_name = row.name.clone();
    let asker = confirm::asker();
    let ask_delete = move |_| {
        let (id, name, org) = (delete_id.clone(), asked_name.clone(), app.org_now());
        leptos::task::spawn_local(async move {
            let count = sources::integration_count(id.clone(), org).await.ok();
            asker.ask(Question::delete_source(&name, count), move || {
                on_update(id.clone(), SourceEdit::Delete);
            });
        });
    };
    let platform = row.platform.clone();
    view! {
        <article class="card source-row" data-id=id.clone()>
            <div class="row spread">
                <div>
                    <h3 class="source-name">{shown}</h3>
                    <span class="badge source-platform">{row.platform.clone()}</span>
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
                        "Edit"
                    </button>
                    <button type="button" class="source-delete danger small" disabled=move || busy.get() on:click=ask_delete>
                        "Delete"
                    </button>
                </div>
            </div>
            {move || editing.get().then(|| {
                let rename_id = rename_id.clone();
                let platform_id = platform_id.clone();
                let current = platform.clone();
                let input_id = input_id.clone();
                view! {
                    <form class="row" on:submit=move |ev| {
                        ev.prevent_default();
                        match names::typed(&new_name.get_untracked()) {
                            Ok(name) => {
                                problem.set(None);
                                set_editing.set(false);
                                on_update(rename_id.clone(), SourceEdit::Rename(name));
                            }
                            Err(why) => problem.set(Some(why)),
                        }
                    }>
                        <label class="sr-only" for=input_id.clone()>"New name"</label>
                        <input class="source-rename-input" id=input_id prop:value=move || new_name.get()
                            on:input=move |ev| set_new_name.set(event_target_value(&ev)) />
                        <BusyButton label="Save name" busy_label="Saving…" busy=busy class="source-rename-save small" submit=true />
                    </form>
                    <label class="row">
                        <span>"Platform "</span>
                        <select class="source-platform-select" disabled=move || busy.get() on:change=move |ev| {
                            on_update(platform_id.clone(), SourceEdit::Platform(event_target_value(&ev)));
                        }>
                            {PLATFORMS.iter().map(|p| {
                                let selected = p.as_str() == current;
                                view! { <option value=p.as_str() selected=selected>{p.as_str()}</option> }
                            }).collect_view()}
                        </select>
                    </label>
                    {move || problem.get().map(|why| view! { <p class="form-error source-problem" role="alert">{why}</p> })}
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
            <PipelineFile app_id=id.clone() source_name=row.name.clone() />
            {
                let setup_platform = row.platform.clone();
                move || view! {
                    <SourceSetup write_key=snippet_id.clone() platform=setup_platform.clone() url=collector() />
                }
            }
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
