//! The Test panel beside a destination's form: a test event (the source's recent events,
//! else a sample of every call type, or pasted JSON) and, for every section, whether its
//! trigger matches, the payload it would send and the fields it would lack, marked on the
//! form. It recomputes as the person types, in the wasm, with the server's own
//! `houston_events::delivery` (no round trip).
//!
//! `@liquid` is the one exception: the window's build leaves the Liquid engine out (about
//! 1.3 MB of wasm), so a section whose mapping uses it says that the server evaluates it,
//! and one button asks the server (`previewDelivery`) for that form and event.

use std::collections::BTreeSet;
use std::sync::Arc;

use houston_events::delivery::{deliver, DeliveryStatus, SectionDelivery};
use houston_events::sample::{samples, Sample};
use houston_prototypes::{Destination, PrototypeSection};
use leptos::prelude::*;
use serde_json::Value;

use crate::components::form::FormState;
use crate::loaders::delivery;
use crate::loaders::events::{self, EventRow};
use crate::preview::{
    event_paths, hide_stored_secrets, marks, parse_event, status_code, status_text, uses_liquid,
    with_stored_secrets,
};
use crate::state::AppState;

/// What the event picker chooses from, and the event chosen: shared by the panel, the
/// fields' path suggestions (through the context) and the integrations list. Copy.
#[derive(Clone, Copy)]
pub struct PreviewEvent {
    /// Whether it is in use (the Test panel open): nothing is loaded or offered before.
    pub open: RwSignal<bool>,
    /// `recent:<messageId>`, `sample:<index>`, `paste`, or "" for the newest recent event,
    /// else the first sample.
    pub choice: RwSignal<String>,
    /// The pasted JSON.
    pub pasted: RwSignal<String>,
    /// The source's recent events (newest first).
    pub recent: LocalResource<Vec<EventRow>>,
    /// The sample events.
    samples: StoredValue<Arc<Vec<Sample>>>,
    /// The event chosen, or why there is none (a pasted text that does not parse).
    pub event: Memo<Result<Arc<Value>, String>>,
    /// Its paths, for suggestions (none while closed).
    pub paths: Memo<Arc<Vec<String>>>,
}

impl PreviewEvent {
    /// The events of the source `source` (its recent ones are loaded once `open`, in the
    /// app; outside it, as in the benchmark, only the samples and pasted JSON are offered).
    pub fn new(source: Signal<String>) -> Self {
        let app = use_context::<AppState>();
        let open = RwSignal::new(false);
        let choice = RwSignal::new(String::new());
        let pasted = RwSignal::new(String::new());
        let recent = LocalResource::new(move || {
            let (app_id, open) = (source.get(), open.get());
            let org = app.and_then(|app| {
                app.reloads.track();
                app.org.get()
            });
            async move {
                if !open || app_id.is_empty() || app.is_none() {
                    return Vec::new();
                }
                events::newest(app_id, org).await.unwrap_or_default()
            }
        });
        let samples = StoredValue::new(Arc::new(samples()));
        let event = Memo::new(move |_| {
            let choice = choice.get();
            let sample = |index: usize| {
                samples
                    .with_value(|s| s.get(index).map(|s| Arc::new(s.event.clone())))
                    .ok_or_else(|| "No such sample.".to_owned())
            };
            if choice == "paste" {
                return pasted.with(|text| parse_event(text).map(Arc::new));
            }
            if let Some(index) = choice.strip_prefix("sample:") {
                return sample(index.parse().unwrap_or_default());
            }
            let wanted = choice.strip_prefix("recent:");
            let found = recent.with(|rows| {
                rows.as_ref().and_then(|rows| {
                    rows.iter()
                        .find(|r| wanted.is_none_or(|id| r.id == id))
                        .map(|r| Arc::new(r.payload.clone()))
                })
            });
            match found {
                Some(event) => Ok(event),
                None => sample(0),
            }
        });
        let paths = Memo::new(move |_| {
            if !open.get() {
                return Arc::new(Vec::new());
            }
            event.with(|e| Arc::new(e.as_ref().map(|e| event_paths(e)).unwrap_or_default()))
        });
        PreviewEvent {
            open,
            choice,
            pasted,
            recent,
            samples,
            event,
            paths,
        }
    }

    /// The event chosen now (untracked), if there is one.
    pub fn current(&self) -> Option<Value> {
        self.event
            .with_untracked(|e| e.as_ref().ok().map(|e| Value::clone(e)))
    }
}

/// The event picker: the source's recent events, the samples, or a pasted JSON with its
/// parse error.
#[component]
pub fn EventPicker(
    /// The events to pick from.
    preview: PreviewEvent,
) -> impl IntoView {
    let choose = move |ev: leptos::ev::Event| {
        let value = event_target_value(&ev);
        if value == "paste" && preview.pasted.with_untracked(String::is_empty) {
            // Start from the event shown, so that one key changes it.
            let text = preview
                .current()
                .and_then(|e| serde_json::to_string_pretty(&e).ok())
                .unwrap_or_default();
            preview.pasted.set(text);
        }
        preview.choice.set(value);
    };
    let sample_options = preview.samples.with_value(|list| {
        list.iter()
            .enumerate()
            .map(|(index, sample)| {
                let value = format!("sample:{index}");
                let selected = value.clone();
                view! {
                    <option value=value prop:selected=move || preview.choice.get() == selected>
                        {format!("Sample: {}", sample.label)}
                    </option>
                }
            })
            .collect_view()
    });
    view! {
        <label class="stacked">
            <span>"Test event"</span>
            <select class="test-event-pick" on:change=choose>
                <option value="" prop:selected=move || preview.choice.get().is_empty()>
                    {move || if preview.recent.with(|r| r.as_ref().is_some_and(|r| !r.is_empty())) {
                        "The newest event of the source"
                    } else {
                        "No events from the source yet: a sample"
                    }}
                </option>
                <optgroup label="Recent events of the source">
                    {move || preview.recent.get().unwrap_or_default().into_iter().map(|row| {
                        let value = format!("recent:{}", row.id);
                        let selected = value.clone();
                        let name = row.event.clone().unwrap_or_default();
                        view! {
                            <option value=value prop:selected=move || preview.choice.get() == selected>
                                {format!("{} {} · {}", row.kind, name, row.received_at)}
                            </option>
                        }
                    }).collect_view()}
                </optgroup>
                <optgroup label="Samples">{sample_options}</optgroup>
                <option value="paste" prop:selected=move || preview.choice.get() == "paste">"Paste JSON…"</option>
            </select>
        </label>
        {move || (preview.choice.get() == "paste").then(|| view! {
            <textarea class="test-event-json" rows="10" spellcheck="false" aria-label="Event JSON"
                prop:value=move || preview.pasted.get()
                on:input=move |ev| preview.pasted.set(event_target_value(&ev))></textarea>
        })}
        {move || preview.event.get().err().map(|message| view! { <p class="form-error test-event-error">{message}</p> })}
    }
}

/// Every section's delivery of the test event, and the sections only the server
/// evaluates (their mapping uses `@liquid`).
#[derive(Clone, PartialEq)]
struct Previewed {
    sections: Vec<SectionDelivery>,
    server_only: Vec<String>,
}

/// The delivery of `event` for `destination` configured with `config`, as the panel
/// shows it: what [`deliver`] answers, and which sections use `@liquid`. The secrets the
/// server holds (`kept`) and the form leaves out count as present, as in the server's
/// `deliveryPreview` of the stored integration.
fn preview(
    destination: &Destination,
    config: &Value,
    kept: &BTreeSet<String>,
    event: &Value,
) -> Previewed {
    let server_only = destination
        .sections
        .iter()
        .filter(|s| section_uses_liquid(s, config.get(&s.code)))
        .map(|s| s.code.clone())
        .collect();
    let sections = if kept.is_empty() {
        deliver(destination, config, true, event)
    } else {
        let (config, filled) = with_stored_secrets(config, kept);
        let mut sections = deliver(destination, &config, true, event);
        hide_stored_secrets(destination, &mut sections, &filled);
        sections
    };
    Previewed {
        sections,
        server_only,
    }
}

/// Whether the mapping a section evaluates (`houston_events::delivery::section_mapping`: each field's own value,
/// else its default mapping, else its default) uses `@liquid`, read in place: this runs on
/// every keystroke, and copying the mapping of 14 sections to look at it costs more than
/// the delivery.
fn section_uses_liquid(section: &PrototypeSection, section_config: Option<&Value>) -> bool {
    let own = section_config.and_then(Value::as_object);
    section.fields.iter().any(|field| {
        own.and_then(|o| o.get(&field.property_name))
            .or(field.default_mapping.as_ref())
            .or(field.default.as_ref())
            .is_some_and(uses_liquid)
    })
}

/// The Test panel of a destination's form.
#[component]
pub fn TestPanel(
    /// The form (a destination's configuration).
    form: FormState,
    /// The destination.
    destination: Arc<Destination>,
    /// The test event.
    preview: PreviewEvent,
) -> impl IntoView {
    let computed_for = destination.clone();
    let previewed = Memo::new(move |_| {
        preview.event.with(|event| {
            event.as_ref().ok().map(|event| {
                let kept = form.kept_secrets();
                form.value
                    .with(|config| self::preview(&computed_for, config, &kept, event))
            })
        })
    });
    Effect::new(move |_| {
        let marks = previewed.with(|p| {
            p.as_ref()
                .map(|p| marks(&p.sections, &p.server_only))
                .unwrap_or_default()
        });
        form.set_marks(marks);
    });
    on_cleanup(move || form.set_marks(Default::default()));

    // The server's answer for the sections it alone evaluates; dropped on any change.
    let server = RwSignal::new(None::<Result<Vec<SectionDelivery>, String>>);
    Effect::new(move |_| {
        previewed.track();
        server.set(None);
    });
    let code = destination.code.clone();
    // The app's state (none in the benchmark's mount, which never asks the server).
    let app = use_context::<AppState>();
    let ask = Action::new_local(move |_: &()| {
        let code = code.clone();
        let config = form.value.get_untracked();
        let event = preview.current();
        let org = app.and_then(|app| app.org_now());
        async move {
            let Some(event) = event else { return };
            let answer = delivery::preview(org, code, config, event)
                .await
                .map(|d| d.sections)
                .map_err(|e| e.message);
            server.set(Some(answer));
        }
    });

    let rows: Vec<(usize, String, String)> = if destination.sections.is_empty() {
        vec![(0, "event".to_owned(), destination.name.clone())]
    } else {
        destination
            .sections
            .iter()
            .enumerate()
            .map(|(i, s)| (i, s.code.clone(), s.label.clone()))
            .collect()
    };
    let rows = rows
        .into_iter()
        .map(|(index, code, label)| {
            let row = Memo::new(move |_| {
                previewed.with(|p| p.as_ref().and_then(|p| p.sections.get(index).cloned()))
            });
            let server_code = code.clone();
            let by_server = Memo::new(move |_| {
                previewed.with(|p| p.as_ref().is_some_and(|p| p.server_only.contains(&server_code)))
            });
            let answer_code = StoredValue::new(code.clone());
            let server_answer = move || {
                server.with(|s| match s {
                    Some(Ok(sections)) => answer_code.with_value(|code| {
                        sections.iter().find(|d| &d.code == code).cloned().map(Ok)
                    }),
                    Some(Err(message)) => Some(Err(message.clone())),
                    None => None,
                })
            };
            let status = move || row.with(|r| r.as_ref().map(|r| r.status));
            view! {
                <div class="test-section" data-section=code
                    data-status=move || if by_server.get() { "SERVER" } else { status().map(status_code).unwrap_or_default() }>
                    <div class="row spread">
                        <strong>{label}</strong>
                        <span class="badge test-status">{move || if by_server.get() {
                            "evaluated by the server"
                        } else {
                            status().map(status_text).unwrap_or_default()
                        }}</span>
                    </div>
                    {move || by_server.get().then(|| view! {
                        <p class="muted test-server">
                            "This section uses @liquid, which the server evaluates. "
                            <button type="button" class="link test-server-preview" on:click=move |_| { ask.dispatch(()); }>
                                "Preview on the server"
                            </button>
                        </p>
                        {move || server_answer().map(|answer| match answer {
                            Ok(d) => section_body(&d).into_any(),
                            Err(message) => view! { <p class="form-error">{message}</p> }.into_any(),
                        })}
                    })}
                    {move || (!by_server.get()).then(|| row.get().map(|d| section_body(&d)))}
                </div>
            }
        })
        .collect_view();

    view! {
        <aside class="card test-panel" id="test-panel">
            <h2>"Test"</h2>
            <EventPicker preview=preview />
            <div class="test-sections">{rows}</div>
        </aside>
    }
}

/// A section's answer: the trigger when it does not match, the fields it lacks, and the
/// payload it would send.
fn section_body(delivery: &SectionDelivery) -> impl IntoView {
    let trigger = (delivery.status == DeliveryStatus::NotSubscribed).then(|| {
        let text = delivery
            .subscribe
            .clone()
            .unwrap_or_else(|| "no trigger".to_owned());
        view! { <p class="muted test-trigger">"Trigger does not match: " <code>{text}</code></p> }
    });
    let lacks = (!delivery.field_errors.is_empty()).then(|| {
        view! {
            <ul class="test-missing">
                {delivery.field_errors.iter().map(|e| view! {
                    <li data-field=e.property_name.clone()>{format!("{}: {}", e.property_name, e.message)}</li>
                }).collect_view()}
            </ul>
        }
    });
    let payload = delivery.payload.as_ref().map(|p| {
        let text = serde_json::to_string_pretty(p).unwrap_or_default();
        view! { <pre class="test-payload" tabindex="0">{text}</pre> }
    });
    view! { {trigger} {lacks} {payload} }
}
