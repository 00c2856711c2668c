//! A source's live debugger: its events as they arrive, newest on top, and a composer that
//! sends a test event through the collector exactly as an SDK would.

use std::sync::Arc;

use leptos::prelude::*;
use leptos::task::spawn_local;
use wasm_bindgen::JsCast;

use crate::api::Watch;
use crate::loaders::events::{self, Arrival, EventRow, TestEvent, KEPT};
use crate::state::{AppState, Page};
use crate::windowing::visible_rows;

/// The calls of Segment's spec, for the filters and the composer.
const TYPES: [&str; 6] = ["track", "identify", "page", "screen", "group", "alias"];

/// The height of a row of the list in px (`.event` in style.css): fixed, so that which rows
/// are on screen follows from the scroll position alone.
const ROW_PX: f64 = 36.0;
/// Rows rendered above and below the ones on screen, so that scrolling shows no gap before
/// the next frame renders them.
const OVERSCAN: usize = 8;

/// A row of the list: shared, so that filtering and re-rendering the list copy pointers,
/// not events.
type Row = Arc<EventRow>;

/// Puts `row` on top of `list` unless it is there already; at most [`KEPT`] are kept.
fn push_newest(list: &mut Vec<Row>, row: Row) {
    if list.iter().all(|r| r.id != row.id) {
        list.insert(0, row);
        list.truncate(KEPT);
    }
}

/// The window's inner height in px: the list is never taller (0 without a window).
fn window_height() -> f64 {
    web_sys::window()
        .and_then(|w| w.inner_height().ok())
        .and_then(|h| h.as_f64())
        .unwrap_or(0.0)
}

/// Runs `f` before the browser paints its next frame (at once when there is no window).
fn on_next_frame(f: impl FnOnce() + 'static) {
    let Some(window) = web_sys::window() else {
        f();
        return;
    };
    let callback = wasm_bindgen::closure::Closure::once_into_js(f);
    // Without a frame to wait for, the rows wait for the next arrival.
    let _ = window.request_animation_frame(callback.unchecked_ref());
}

/// The debugger of the source `app_id` (named `name`).
#[component]
pub fn DebuggerPage(
    /// The source's id (its write key).
    app_id: String,
    /// Its name.
    name: String,
) -> impl IntoView {
    let app = AppState::get();
    // What the list shows, newest first; what arrived while the person was reading.
    let shown = RwSignal::new(Vec::<Row>::new());
    let queued = RwSignal::new(Vec::<Row>::new());
    let paused = RwSignal::new(false);
    let scrolled = RwSignal::new(false);
    let open = RwSignal::new(None::<String>);
    let ended = RwSignal::new(None::<String>);
    let link = RwSignal::new(String::new());
    let kind = RwSignal::new(String::new());
    let validity = RwSignal::new(String::new());
    let search = RwSignal::new(String::new());
    // The list's scroll position and the height it may show (at most the window's), which
    // decide the rows in the page.
    let scroll_top = RwSignal::new(0.0_f64);
    let viewport = RwSignal::new(window_height());
    let resize = window_event_listener(leptos::ev::resize, move |_| {
        viewport.set(window_height());
    });
    on_cleanup(move || resize.remove());

    // New events go behind the bar while the person reads (paused, scrolled down, a row
    // open) or while others already wait there, so that the rows never move under them.
    let place = move |rows: Vec<Row>| {
        let holding = paused.get_untracked()
            || scrolled.get_untracked()
            || open.with_untracked(Option::is_some)
            || queued.with_untracked(|q| !q.is_empty());
        let rows: Vec<Row> = shown
            .try_with_untracked(|s| {
                rows.into_iter()
                    .filter(|row| s.iter().all(|r| r.id != row.id))
                    .collect()
            })
            .unwrap_or_default();
        if rows.is_empty() {
            return;
        }
        let target = if holding { queued } else { shown };
        target.try_update(|list| {
            for row in rows {
                push_newest(list, row);
            }
        });
    };
    // Arrivals wait in the inbox for the next animation frame and go on the page together:
    // the list changes at most once a frame however fast events come (at 100 a second, one
    // update per event cost more than a frame). Only the newest KEPT wait: no more are shown.
    let inbox = StoredValue::new_local(Vec::<Row>::new());
    let arrive = move |row: EventRow| {
        let first = inbox
            .try_update_value(|rows| {
                rows.push(Arc::new(row));
                if rows.len() > KEPT {
                    rows.drain(..rows.len() - KEPT);
                }
                rows.len() == 1
            })
            .unwrap_or(false);
        if first {
            on_next_frame(move || {
                if let Some(rows) = inbox.try_update_value(std::mem::take) {
                    place(rows);
                }
            });
        }
    };
    let flush = move || {
        let waiting = queued.try_update(std::mem::take).unwrap_or_default();
        shown.try_update(|list| {
            for row in waiting.into_iter().rev() {
                push_newest(list, row);
            }
        });
    };

    let watch = StoredValue::new_local(None::<Watch>);
    {
        let (app_id, org) = (app_id.clone(), app.org_now());
        spawn_local(async move {
            let started =
                events::watch(app_id.clone(), org.clone(), move |arrival| match arrival {
                    Arrival::Event(row) => arrive(*row),
                    Arrival::Link(notice) => {
                        link.try_set(notice);
                    }
                    Arrival::Ended(why) => {
                        ended.try_set(Some(why));
                    }
                })
                .await;
            match started {
                // A page already gone drops the watch here, which ends it.
                Ok(started) => drop(watch.try_set_value(Some(started))),
                Err(error) => {
                    ended.try_set(Some(error.message));
                }
            }
            // The stored ones after the watch started, so that none falls between.
            if let Ok(rows) = events::newest(app_id, org).await {
                shown.try_update(|list| {
                    for row in rows {
                        if list.len() < KEPT && list.iter().all(|r| r.id != row.id) {
                            list.push(Arc::new(row));
                        }
                    }
                });
            }
        });
    }

    let visible = Memo::new(move |_| {
        let (kind, validity) = (kind.get(), validity.get());
        let needle = search.get().trim().to_lowercase();
        shown.with(|list| {
            list.iter()
                .filter(|r| kind.is_empty() || r.kind == kind)
                .filter(|r| match validity.as_str() {
                    "valid" => r.valid,
                    "invalid" => !r.valid,
                    _ => true,
                })
                .filter(|r| r.matches(&needle))
                .cloned()
                .collect::<Vec<_>>()
        })
    });
    // Only the rows on screen (and a few either side) are in the page: the list of up to
    // 500 costs the style and layout of a screenful. A spacer keeps the full height.
    let on_screen = Memo::new(move |_| {
        let count = visible.with(Vec::len);
        visible_rows(scroll_top.get(), viewport.get(), ROW_PX, count, OVERSCAN)
    });
    let slice = Memo::new(move |_| {
        let range = on_screen.get();
        visible.with(|rows| rows.get(range).map(<[Row]>::to_vec).unwrap_or_default())
    });
    // Set through the element's style object (CSSOM), which the app's CSP (style-src 'self')
    // allows where it blocks a style attribute.
    let spacer = move || format!("{}px", visible.with(Vec::len) as f64 * ROW_PX);
    let offset = move || format!("translateY({}px)", on_screen.get().start as f64 * ROW_PX);
    // The open row's JSON, shown beside the list (an inline one would make rows vary).
    let opened = Memo::new(move |_| {
        open.with(|id| {
            let id = id.as_deref()?;
            shown.with(|list| list.iter().find(|r| r.id == id).cloned())
        })
    });
    let on_scroll = move |ev: leptos::ev::Event| {
        let top = event_target::<web_sys::Element>(&ev).scroll_top();
        scrolled.set(top > 0);
        scroll_top.set(f64::from(top));
    };
    let toggle_pause = move |_| {
        let now = !paused.get_untracked();
        paused.set(now);
        if !now {
            flush();
        }
    };
    let reports_id = app_id.clone();
    let section_id = app_id.clone();
    view! {
        <section class="page debugger" data-app=section_id>
            <div class="row spread">
                <h1>"Debugger " <span class="muted">{name}</span></h1>
                <div class="row">
                    <button type="button" class="secondary small" on:click=move |_| app.page.set(Page::Sources)>
                        "Sources"
                    </button>
                    <button id="debugger-reports" type="button" class="secondary small"
                        on:click=move |_| app.page.set(Page::Reports(Some(reports_id.clone())))>
                        "Reports"
                    </button>
                </div>
            </div>
            <div class="debugger-grid">
                <div class="card debugger-live">
                    <div class="row debugger-tools">
                        <button id="debugger-pause" type="button" class="small"
                            class:secondary=move || !paused.get() on:click=toggle_pause>
                            {move || if paused.get() { "Resume" } else { "Pause" }}
                        </button>
                        <select id="debugger-type" aria-label="Type" on:change=move |ev| kind.set(event_target_value(&ev))>
                            <option value="">"All types"</option>
                            {TYPES.iter().map(|t| view! { <option value=*t>{*t}</option> }).collect_view()}
                        </select>
                        <select id="debugger-validity" aria-label="Validity" on:change=move |ev| validity.set(event_target_value(&ev))>
                            <option value="">"Valid and invalid"</option>
                            <option value="valid">"Valid only"</option>
                            <option value="invalid">"Invalid only"</option>
                        </select>
                        <input id="debugger-search" type="search" placeholder="Search name, user, message id"
                            aria-label="Search name, user, message id"
                            prop:value=move || search.get()
                            on:input=move |ev| search.set(event_target_value(&ev)) />
                        <span id="debugger-count" class="muted">
                            {move || format!("{} shown · {} kept", visible.with(Vec::len), shown.with(Vec::len))}
                        </span>
                    </div>
                    {move || (!link.with(String::is_empty)).then(|| view! {
                        <p id="debugger-link" class="muted">{link.get()}</p>
                    })}
                    {move || ended.get().map(|why| view! {
                        <p id="debugger-ended" class="form-error">{format!("The live view stopped: {why}")}</p>
                    })}
                    {move || {
                        let n = queued.with(Vec::len);
                        (n > 0).then(|| view! {
                            <button id="debugger-new" type="button" class="new-bar" on:click=move |_| flush()>
                                {format!("{n} new")}
                            </button>
                        })
                    }}
                    <div id="debugger-events" class="event-list" on:scroll=on_scroll>
                        {move || visible.with(Vec::is_empty).then(|| view! {
                            <p class="muted empty">"Waiting for events… send one with the composer, or from your site."</p>
                        })}
                        <div class="event-spacer" style:height=spacer>
                            <div class="event-window" style:transform=offset>
                                <For each=move || slice.get() key=|row| row.id.clone() children=move |row| {
                                    view! { <EventLine row=row open=open /> }
                                } />
                            </div>
                        </div>
                    </div>
                    {move || opened.get().map(|row| view! { <EventJson row=row open=open /> })}
                </div>
                <Composer app_id=app_id />
            </div>
        </section>
    }
}

/// One event of the list (one line, [`ROW_PX`] high); a click opens its JSON below the list.
#[component]
fn EventLine(row: Row, open: RwSignal<Option<String>>) -> impl IntoView {
    let id = row.id.clone();
    let is_open = {
        let id = id.clone();
        move || open.with(|o| o.as_deref() == Some(id.as_str()))
    };
    let toggle = {
        let id = id.clone();
        move |_| {
            open.update(|o| {
                *o = if o.as_deref() == Some(id.as_str()) {
                    None
                } else {
                    Some(id.clone())
                }
            })
        }
    };
    let label = row.event.clone().unwrap_or_default();
    let who = row
        .user_id
        .clone()
        .or_else(|| row.anonymous_id.clone().map(|a| format!("anon {a}")))
        .unwrap_or_default();
    let time = row.received_at.replace('T', " ");
    let time = time.get(..19).unwrap_or(&time).to_owned();
    let valid = row.valid;
    let problems = row.problems.join(", ");
    view! {
        <div class="event" data-id=id data-type=row.kind.clone() class:invalid=!valid>
            <button type="button" class="event-row" class:open=is_open on:click=toggle>
                <span class="badge event-type">{row.kind.clone()}</span>
                <span class="event-name">{label}</span>
                <span class="event-user muted">{who}</span>
                {(!valid).then(|| view! {
                    <span class="badge danger event-invalid" title=problems.clone()>{format!("invalid: {problems}")}</span>
                })}
                <span class="event-time muted">{time}</span>
            </button>
        </div>
    }
}

/// The open event's JSON, pretty or raw, with its problems.
#[component]
fn EventJson(row: Row, open: RwSignal<Option<String>>) -> impl IntoView {
    let raw = RwSignal::new(false);
    let pretty = serde_json::to_string_pretty(&row.payload).unwrap_or_default();
    let compact = row.payload.to_string();
    view! {
        <div class="event-detail" data-id=row.id.clone()>
            {(!row.problems.is_empty()).then(|| view! {
                <ul class="event-problems form-error">
                    {row.problems.iter().map(|p| view! { <li>{p.clone()}</li> }).collect_view()}
                </ul>
            })}
            <div class="row">
                <button type="button" class="small event-pretty" class:secondary=move || raw.get() on:click=move |_| raw.set(false)>"Pretty"</button>
                <button type="button" class="small event-raw" class:secondary=move || !raw.get() on:click=move |_| raw.set(true)>"Raw"</button>
                <button type="button" class="small secondary event-close" on:click=move |_| open.set(None)>"Close"</button>
            </div>
            <pre class="event-json" tabindex="0">{move || if raw.get() { compact.clone() } else { pretty.clone() }}</pre>
        </div>
    }
}

/// "Send a test event": posts through the collector with the source's write key.
#[component]
fn Composer(app_id: String) -> impl IntoView {
    let form = RwSignal::new(TestEvent {
        kind: "track".to_owned(),
        name: "Test Event".to_owned(),
        user_id: String::new(),
        properties: "{\n  \"source\": \"houston-desktop\"\n}".to_owned(),
    });
    let anonymous_id = format!("houston-{:08x}", (js_sys::Math::random() * 4e9) as u64);
    let send = Action::new_local(move |event: &serde_json::Value| {
        let (app_id, event) = (app_id.clone(), event.clone());
        async move { events::send(app_id, event).await.map_err(|e| e.message) }
    });
    let problem = RwSignal::new(None::<String>);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        match form.with_untracked(|f| f.to_json(&anonymous_id)) {
            Ok(event) => {
                problem.set(None);
                send.dispatch(event);
            }
            Err(why) => problem.set(Some(why)),
        }
    };
    let sent = send.value();
    let set = move |change: fn(&mut TestEvent, String)| {
        move |ev| {
            let value = event_target_value(&ev);
            form.update(|f| change(f, value));
        }
    };
    view! {
        <form id="composer" class="card composer" on:submit=submit>
            <h3>"Send a test event"</h3>
            <label>"Type"
                <select id="composer-type" on:change=set(|f, v| f.kind = v)>
                    {TYPES.iter().map(|t| view! { <option value=*t>{*t}</option> }).collect_view()}
                </select>
            </label>
            <label>"Name"
                <input id="composer-name" prop:value=move || form.with(|f| f.name.clone())
                    on:input=set(|f, v| f.name = v) />
            </label>
            <label>"User id"
                <input id="composer-user" placeholder="anonymous when empty"
                    prop:value=move || form.with(|f| f.user_id.clone()) on:input=set(|f, v| f.user_id = v) />
            </label>
            <label>"Properties (JSON)"
                <textarea id="composer-properties" rows="5"
                    prop:value=move || form.with(|f| f.properties.clone())
                    on:input=set(|f, v| f.properties = v)></textarea>
            </label>
            <button id="composer-send" type="submit" disabled=move || send.pending().get()>"Send"</button>
            {move || problem.get().map(|why| view! { <p id="composer-message" class="form-error">{why}</p> })}
            {move || sent.get().map(|outcome| match outcome {
                Ok(()) => view! { <p id="composer-message" class="success">"Sent: the collector accepted it."</p> }.into_any(),
                Err(why) => view! { <p id="composer-message" class="form-error">{why}</p> }.into_any(),
            })}
        </form>
    }
}
