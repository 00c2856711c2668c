//! The controls: one component per field type, chosen by an exhaustive `match`.

use std::sync::Arc;

use houston_prototypes::{Destination, FieldType, PrototypeField, PrototypeSection};
use leptos::prelude::*;
use serde_json::Value;
use wasm_bindgen::JsCast;

use super::help::Help;
use super::model::{
    choice_from_key, choice_key, datetime_from_input, datetime_to_input, display_text, is_list,
    is_mapped, item_field, map_rows, new_item, number_from_text, set_section_enabled,
    write_map_rows,
};
use super::path::FieldPath;
use super::secret::SecretInput;
use super::state::FormState;
use crate::components::test_panel::PreviewEvent;
use crate::preview::{path_of, suggest, takes_path, typed_value};

/// The most path suggestions shown under a field.
const SUGGESTIONS: usize = 8;

/// The fields of one object, each with its label, help, control and error.
#[component]
pub fn FieldList(
    /// The form the fields edit.
    form: FormState,
    /// The fields, in order.
    fields: Arc<Vec<PrototypeField>>,
    /// Where their object sits in the form value (the root for top-level fields).
    parent: FieldPath,
) -> impl IntoView {
    fields
        .iter()
        .cloned()
        .map(|field| {
            view! {
                <FieldRow form=form field=field parent=parent.clone() />
            }
        })
        .collect_view()
}

/// One field: shown when its condition holds, with a required mark, help text and error.
#[component]
pub fn FieldRow(
    /// The form the field edits.
    form: FormState,
    /// The field.
    field: PrototypeField,
    /// Where its enclosing object sits.
    parent: FieldPath,
) -> impl IntoView {
    let path = parent.child(&field.property_name);
    let field = Arc::new(field);
    // Only a field with a condition reads the form's value to decide whether it shows or
    // is required (through the parts its conditions can see); a field without conditions
    // has constant answers, and is drawn once with no reactive node of its own.
    let conditional = field.depends_on.is_some() || field.required_if.is_some();
    if !conditional {
        let mark = field.required.then(required_mark);
        return (!field.hidden)
            .then(|| field_row(form, field, path, mark.into_any()))
            .into_any();
    }
    let state_field = field.clone();
    let state = Memo::new(move |_| form.field_state(&parent, &state_field));
    let visible = Memo::new(move |_| state.get().shown);
    let required = Memo::new(move |_| state.get().required);
    (move || {
        visible.get().then(|| {
            let mark = move || required.get().then(required_mark);
            field_row(form, field.clone(), path.clone(), mark.into_any())
        })
    })
    .into_any()
}

/// The mark of a required field.
fn required_mark() -> impl IntoView {
    view! { <span class="required-mark" title="required">"*"</span> }
}

/// A field's row: its label (with `mark` when it is required), control, help, error and
/// the Test panel's mark.
fn field_row(
    form: FormState,
    field: Arc<PrototypeField>,
    path: FieldPath,
    mark: AnyView,
) -> AnyView {
    let dotted = path.dotted();
    let label = field.display_name().to_owned();
    let description = field.description.clone();
    let nested = matches!(field.field_type, FieldType::Object | FieldType::Map) || is_list(&field);
    view! {
        <div class="field" class:nested=nested data-row=dotted.clone()>
            <label class="field-label" for=format!("f-{dotted}")>
                {label}
                {mark}
            </label>
            <Control form=form field=field path=path.clone() />
            <Help text=description />
            <FieldError form=form path=path.clone() />
            <PreviewMark form=form path=path />
        </div>
    }
    .into_any()
}

/// The error under a field, when there is one to show.
#[component]
pub fn FieldError(
    /// The form.
    form: FormState,
    /// The field's path.
    path: FieldPath,
) -> impl IntoView {
    let dotted = path.dotted();
    let message = form.error_slot(&path);
    move || {
        message
            .get()
            .map(|message| view! { <p class="field-error" data-field=dotted.clone()>{message}</p> })
    }
}

/// How a field's value is edited.
#[derive(Clone, Copy, PartialEq)]
enum Mode {
    /// A literal or a path into the event, typed in one box ([`PathOrLiteral`]).
    PathOrLiteral,
    /// Another mapping directive, shown read-only.
    Directive,
    /// The field type's own control.
    Plain,
}

/// The mode for a value: a field that takes paths stays in one box whichever it holds, so
/// that typing `$.` into it never swaps the control under the cursor.
fn mode(takes_path: bool, value: Option<&Value>) -> Mode {
    if path_of(value).is_some() || (takes_path && !is_mapped(value)) {
        Mode::PathOrLiteral
    } else if is_mapped(value) {
        Mode::Directive
    } else {
        Mode::Plain
    }
}

/// The control of a field: a literal or a path in one box (an action's text and number
/// fields, or any field holding a path), another mapping directive shown read-only, a
/// list editor, or the field type's own control.
#[component]
pub fn Control(
    /// The form.
    form: FormState,
    /// The field.
    field: Arc<PrototypeField>,
    /// Its path.
    path: FieldPath,
) -> impl IntoView {
    let takes = takes_path(&field);
    let mode = form.at(path.clone(), move |v| mode(takes, v));
    move || {
        let current = mode.get();
        if current == Mode::PathOrLiteral {
            view! { <PathOrLiteral form=form field=field.clone() path=path.clone() /> }.into_any()
        } else if current == Mode::Directive {
            view! { <MappedValue form=form path=path.clone() read_only=field.read_only /> }
                .into_any()
        } else if is_list(&field) {
            view! { <ListEditor form=form field=field.clone() path=path.clone() /> }.into_any()
        } else {
            single_control(form, field.clone(), path.clone())
        }
    }
}

/// The control for one value of the field's type. Exhaustive on purpose: a new field type
/// does not compile until it has a control.
pub fn single_control(form: FormState, field: Arc<PrototypeField>, path: FieldPath) -> AnyView {
    if field.secret {
        return view! { <SecretInput form=form field=field path=path /> }.into_any();
    }
    match field.field_type {
        FieldType::Input => view! { <TextInput form=form field=field path=path /> }.into_any(),
        FieldType::Text => view! { <TextArea form=form field=field path=path /> }.into_any(),
        FieldType::Password => view! { <SecretInput form=form field=field path=path /> }.into_any(),
        FieldType::Number => {
            view! { <NumberInput form=form field=field path=path integer=false /> }.into_any()
        }
        FieldType::Integer => {
            view! { <NumberInput form=form field=field path=path integer=true /> }.into_any()
        }
        FieldType::Boolean => view! { <Checkbox form=form field=field path=path /> }.into_any(),
        FieldType::Select => {
            if field.multiple {
                view! { <MultiSelect form=form field=field path=path /> }.into_any()
            } else if field.choices.is_empty() {
                // Options the server fetches at run time: any value, typed in.
                view! { <TextInput form=form field=field path=path /> }.into_any()
            } else {
                view! { <SingleSelect form=form field=field path=path /> }.into_any()
            }
        }
        FieldType::Array => view! { <ListEditor form=form field=field path=path /> }.into_any(),
        FieldType::Map => view! { <MapEditor form=form field=field path=path /> }.into_any(),
        FieldType::Object => {
            view! { <ObjectFieldset form=form field=field path=path /> }.into_any()
        }
        FieldType::Datetime => {
            view! { <DatetimeInput form=form field=field path=path /> }.into_any()
        }
    }
}

fn input_id(path: &FieldPath) -> String {
    format!("f-{}", path.dotted())
}

/// What a text control stores for `text`: nothing for "" at an object key, "" in a list.
fn text_value(path: &FieldPath, text: String) -> Option<Value> {
    let in_list = path
        .segments()
        .last()
        .is_some_and(|s| s.parse::<usize>().is_ok());
    if text.is_empty() && !in_list {
        None
    } else {
        Some(Value::String(text))
    }
}

/// A one-line text input (`input`; also a select whose options come at run time).
#[component]
pub fn TextInput(
    /// The form.
    form: FormState,
    /// The field.
    field: Arc<PrototypeField>,
    /// Its path.
    path: FieldPath,
) -> impl IntoView {
    let write_path = path.clone();
    let shown = form.at(path.clone(), display_text);
    view! {
        <input
            type="text"
            id=input_id(&path)
            data-field=path.dotted()
            disabled=field.read_only
            placeholder=field.placeholder.clone().unwrap_or_default()
            prop:value=move || shown.get()
            on:input=move |ev| form.set(&write_path, text_value(&write_path, event_target_value(&ev)))
        />
    }
}

/// A multi-line text area (`text`).
#[component]
pub fn TextArea(
    /// The form.
    form: FormState,
    /// The field.
    field: Arc<PrototypeField>,
    /// Its path.
    path: FieldPath,
) -> impl IntoView {
    let write_path = path.clone();
    let shown = form.at(path.clone(), display_text);
    view! {
        <textarea
            id=input_id(&path)
            data-field=path.dotted()
            rows="3"
            disabled=field.read_only
            placeholder=field.placeholder.clone().unwrap_or_default()
            prop:value=move || shown.get()
            on:input=move |ev| form.set(&write_path, text_value(&write_path, event_target_value(&ev)))
        ></textarea>
    }
}

/// A number input (`number`, or `integer` with step 1).
#[component]
pub fn NumberInput(
    /// The form.
    form: FormState,
    /// The field.
    field: Arc<PrototypeField>,
    /// Its path.
    path: FieldPath,
    /// Whole numbers only.
    integer: bool,
) -> impl IntoView {
    let write_path = path.clone();
    let shown = form.at(path.clone(), display_text);
    view! {
        <input
            type="number"
            step=if integer { "1" } else { "any" }
            min=field.minimum.map(|m| m.to_string())
            max=field.maximum.map(|m| m.to_string())
            id=input_id(&path)
            data-field=path.dotted()
            disabled=field.read_only
            placeholder=field.placeholder.clone().unwrap_or_default()
            prop:value=move || shown.get()
            on:input=move |ev| form.set(&write_path, number_from_text(&event_target_value(&ev)))
        />
    }
}

/// A checkbox (`boolean`).
#[component]
pub fn Checkbox(
    /// The form.
    form: FormState,
    /// The field.
    field: Arc<PrototypeField>,
    /// Its path.
    path: FieldPath,
) -> impl IntoView {
    let write_path = path.clone();
    let checked = form.at(path.clone(), |v| {
        v.and_then(Value::as_bool).unwrap_or(false)
    });
    view! {
        <input
            type="checkbox"
            id=input_id(&path)
            data-field=path.dotted()
            disabled=field.read_only
            prop:checked=move || checked.get()
            on:change=move |ev| form.set(&write_path, Some(Value::Bool(event_target_checked(&ev))))
        />
    }
}

/// A select of one choice (`select`).
#[component]
pub fn SingleSelect(
    /// The form.
    form: FormState,
    /// The field.
    field: Arc<PrototypeField>,
    /// Its path.
    path: FieldPath,
) -> impl IntoView {
    let write_path = path.clone();
    let current = form.at(path.clone(), |v| v.map(choice_key));
    let choice_field = field.clone();
    let options = field
        .choices
        .iter()
        .map(|choice| {
            let key = choice_key(&choice.value);
            let selected_key = key.clone();
            view! {
                <option value=key prop:selected=move || current.get().as_deref() == Some(selected_key.as_str())>
                    {choice.label.clone()}
                </option>
            }
        })
        .collect_view();
    view! {
        <select
            id=input_id(&path)
            data-field=path.dotted()
            disabled=field.read_only
            on:change=move |ev| {
                let key = event_target_value(&ev);
                form.set(&write_path, choice_from_key(&choice_field, &key))
            }
        >
            <option value="" prop:selected=move || current.get().is_none()>"—"</option>
            {options}
        </select>
    }
}

/// A select of several choices (`select` with `multiple`), stored as a list.
#[component]
pub fn MultiSelect(
    /// The form.
    form: FormState,
    /// The field.
    field: Arc<PrototypeField>,
    /// Its path.
    path: FieldPath,
) -> impl IntoView {
    let write_path = path.clone();
    let chosen = form.at(path.clone(), |v| match v {
        Some(Value::Array(items)) => items.iter().map(choice_key).collect::<Vec<_>>(),
        Some(Value::Null) | None => Vec::new(),
        Some(other) => vec![choice_key(other)],
    });
    let choice_field = field.clone();
    let options = field
        .choices
        .iter()
        .map(|choice| {
            let key = choice_key(&choice.value);
            let selected_key = key.clone();
            view! {
                <option value=key prop:selected=move || chosen.with(|c| c.contains(&selected_key))>
                    {choice.label.clone()}
                </option>
            }
        })
        .collect_view();
    view! {
        <select
            multiple
            id=input_id(&path)
            data-field=path.dotted()
            disabled=field.read_only
            size=field.choices.len().clamp(2, 6).to_string()
            on:change=move |ev| {
                let Some(select) = ev.target().and_then(|t| t.dyn_into::<web_sys::HtmlSelectElement>().ok()) else {
                    return;
                };
                let options = select.selected_options();
                let values: Vec<Value> = (0..options.length())
                    .filter_map(|i| options.item(i))
                    .filter_map(|el| el.dyn_into::<web_sys::HtmlOptionElement>().ok())
                    .filter_map(|option| choice_from_key(&choice_field, &option.value()))
                    .collect();
                let new = if values.is_empty() { None } else { Some(Value::Array(values)) };
                form.set(&write_path, new)
            }
        >
            {options}
        </select>
    }
}

/// A date and time (`datetime`), stored as RFC 3339 in UTC.
#[component]
pub fn DatetimeInput(
    /// The form.
    form: FormState,
    /// The field.
    field: Arc<PrototypeField>,
    /// Its path.
    path: FieldPath,
) -> impl IntoView {
    let write_path = path.clone();
    let shown = form.at(path.clone(), |v| {
        v.and_then(Value::as_str)
            .map(datetime_to_input)
            .unwrap_or_default()
    });
    view! {
        <input
            type="datetime-local"
            step="1"
            id=input_id(&path)
            data-field=path.dotted()
            disabled=field.read_only
            prop:value=move || shown.get()
            on:input=move |ev| form.set(&write_path, datetime_from_input(&event_target_value(&ev)).map(Value::String))
        />
        <span class="unit">"UTC"</span>
    }
}

/// A list of values with add and remove buttons (`array`, and any type with `multiple`).
#[component]
pub fn ListEditor(
    /// The form.
    form: FormState,
    /// The list field.
    field: Arc<PrototypeField>,
    /// Its path.
    path: FieldPath,
) -> impl IntoView {
    let len = form.at(path.clone(), |v| {
        v.and_then(Value::as_array).map_or(0, Vec::len)
    });
    let item = Arc::new(item_field(&field));
    let (add_path, rows_path) = (path.clone(), path.clone());
    let new_value = new_item(&field);
    let read_only = field.read_only;
    view! {
        <div class="list-editor" data-field=path.dotted()>
            {move || {
                (0..len.get())
                    .map(|index| {
                        let item_path = rows_path.child(index);
                        let remove_path = item_path.clone();
                        view! {
                            <div class="list-row">
                                <div class="list-item">
                                    {single_control(form, item.clone(), item_path.clone())}
                                    <FieldError form=form path=item_path />
                                </div>
                                <button
                                    type="button"
                                    class="list-remove"
                                    disabled=read_only
                                    title="Remove"
                                    on:click=move |_| form.set(&remove_path, None)
                                >
                                    "×"
                                </button>
                            </div>
                        }
                    })
                    .collect_view()
            }}
            <button
                type="button"
                class="list-add"
                disabled=read_only
                on:click=move |_| {
                    let new_value = new_value.clone();
                    let add_path = add_path.clone();
                    form.update(&add_path, |value| {
                        let mut items = match add_path.get(value) {
                            Some(Value::Array(items)) => items.clone(),
                            _ => Vec::new(),
                        };
                        items.push(new_value);
                        add_path.set(value, Value::Array(items));
                    });
                    form.touch(&add_path);
                }
            >
                "+ Add"
            </button>
        </div>
    }
}

/// Key/value rows (`map`), after the fields of its known keys, if any.
#[component]
pub fn MapEditor(
    /// The form.
    form: FormState,
    /// The map field.
    field: Arc<PrototypeField>,
    /// Its path.
    path: FieldPath,
) -> impl IntoView {
    let known = Arc::new(field.properties.clone());
    let initial = form.value.with_untracked(|v| map_rows(path.get(v), &known));
    let (rows, set_rows) = signal(initial);
    let count = Memo::new(move |_| rows.with(Vec::len));
    let rows_path = path.clone();
    let target = StoredValue::new((path.clone(), known.clone()));
    let write = move |new_rows: Vec<(String, String)>| {
        let (write_path, write_known) = target.get_value();
        let current = form.get(&write_path);
        let value = write_map_rows(current.as_ref(), &write_known, &new_rows);
        set_rows.set(new_rows);
        form.set(&write_path, Some(value));
    };
    let read_only = field.read_only;
    let known_view = (!known.is_empty())
        .then(|| view! { <FieldList form=form fields=known.clone() parent=path.clone() /> });
    view! {
        <div class="map-editor" data-field=path.dotted()>
            {known_view}
            {move || {
                (0..count.get())
                    .map(|index| {
                        let key = move || rows.with(|r| r.get(index).map(|(k, _)| k.clone()).unwrap_or_default());
                        let entry = move || rows.with(|r| r.get(index).map(|(_, v)| v.clone()).unwrap_or_default());
                        let entry_path = rows_path.child(key());
                        view! {
                            <div class="map-row">
                                <input
                                    type="text"
                                    class="map-key"
                                    placeholder="key"
                                    disabled=read_only
                                    prop:value=key
                                    on:input=move |ev| {
                                        let mut new_rows = rows.get_untracked();
                                        if let Some(row) = new_rows.get_mut(index) {
                                            row.0 = event_target_value(&ev);
                                        }
                                        write(new_rows);
                                    }
                                />
                                <input
                                    type="text"
                                    class="map-value"
                                    placeholder="value"
                                    data-field=entry_path.dotted()
                                    disabled=read_only
                                    prop:value=entry
                                    on:input=move |ev| {
                                        let mut new_rows = rows.get_untracked();
                                        if let Some(row) = new_rows.get_mut(index) {
                                            row.1 = event_target_value(&ev);
                                        }
                                        write(new_rows);
                                    }
                                />
                                <button
                                    type="button"
                                    class="list-remove"
                                    disabled=read_only
                                    title="Remove"
                                    on:click=move |_| {
                                        let mut new_rows = rows.get_untracked();
                                        if index < new_rows.len() {
                                            new_rows.remove(index);
                                        }
                                        write(new_rows);
                                    }
                                >
                                    "×"
                                </button>
                                <FieldError form=form path=entry_path />
                            </div>
                        }
                    })
                    .collect_view()
            }}
            <button
                type="button"
                class="list-add"
                disabled=read_only
                on:click=move |_| {
                    set_rows.update(|r| r.push((String::new(), String::new())));
                }
            >
                "+ Add pair"
            </button>
        </div>
    }
}

/// A nested fieldset of the object's `properties` (`object`), recursively.
#[component]
pub fn ObjectFieldset(
    /// The form.
    form: FormState,
    /// The object field.
    field: Arc<PrototypeField>,
    /// Its path.
    path: FieldPath,
) -> impl IntoView {
    let properties = Arc::new(field.properties.clone());
    let empty = properties.is_empty();
    view! {
        <fieldset class="object" data-field=path.dotted()>
            {if empty {
                view! { <p class="help">"No fixed properties."</p> }.into_any()
            } else {
                view! { <FieldList form=form fields=properties parent=path.clone() /> }.into_any()
            }}
        </fieldset>
    }
}

/// A literal or a path into the event (`$.properties.revenue`), typed in one box, with
/// the Test panel's event's own paths suggested as a path is typed.
#[component]
pub fn PathOrLiteral(
    /// The form.
    form: FormState,
    /// The field.
    field: Arc<PrototypeField>,
    /// Its path.
    path: FieldPath,
) -> impl IntoView {
    let write_path = path.clone();
    let shown = form.at(path.clone(), |v| match path_of(v) {
        Some(p) => p.to_owned(),
        None => display_text(v),
    });
    let is_path = form.at(path.clone(), |v| path_of(v).is_some());
    let focused = RwSignal::new(false);
    let preview = use_context::<PreviewEvent>();
    let write_field = field.clone();
    let dotted = path.dotted();
    // Only the focused field follows the event's paths (800 fields must not), and only it
    // builds its list of suggestions.
    let (pick_path, pick_field, list_dotted) = (path.clone(), field.clone(), dotted.clone());
    let suggestions = move || {
        let preview = preview?;
        if !focused.get() {
            return None;
        }
        let typed = shown.get();
        let list = preview
            .paths
            .with(|paths| suggest(paths, &typed, SUGGESTIONS));
        (!list.is_empty()).then(|| {
            let items = list
                .into_iter()
                .map(|suggestion| {
                    let (text, data) = (suggestion.clone(), suggestion.clone());
                    let (path, field) = (pick_path.clone(), pick_field.clone());
                    view! {
                        <li>
                            // mousedown, not click: the input keeps its focus.
                            <button type="button" class="path-suggestion" data-path=data
                                on:mousedown=move |ev| {
                                    ev.prevent_default();
                                    form.set(&path, typed_value(&field, &text));
                                }>
                                {suggestion}
                            </button>
                        </li>
                    }
                })
                .collect_view();
            view! { <ul class="path-suggestions" data-field=list_dotted.clone()>{items}</ul> }
        })
    };
    view! {
        <div class="path-or-literal">
            <input
                type="text"
                id=input_id(&path)
                data-field=dotted
                class:path-value=move || is_path.get()
                spellcheck="false"
                autocomplete="off"
                disabled=field.read_only
                placeholder=crate::preview::empty_hint(&field).or_else(|| field.placeholder.clone()).unwrap_or_else(|| "a value, or $. for a path into the event".to_owned())
                prop:value=move || shown.get()
                on:focus=move |_| focused.set(true)
                on:blur=move |_| focused.set(false)
                on:input=move |ev| form.set(&write_path, typed_value(&write_field, &event_target_value(&ev)))
            />
            {suggestions}
        </div>
    }
}

/// A section's trigger (its `subscribe`, Segment's FQL), edited as text; the action's
/// default until changed. Its parse error shows under it as the form's rules find it
/// (the same check the server makes on save).
#[component]
pub fn TriggerField(
    /// The form.
    form: FormState,
    /// The section's code.
    code: String,
    /// The action's default trigger.
    default: Option<String>,
) -> impl IntoView {
    let path = FieldPath::root().child(&code).child("subscribe");
    let write_path = path.clone();
    let shown = form.at(path.clone(), move |v| {
        v.and_then(Value::as_str)
            .map(str::to_owned)
            .or_else(|| default.clone())
            .unwrap_or_default()
    });
    let dotted = path.dotted();
    let row = dotted.clone();
    view! {
        <div class="field trigger" data-row=row>
            <label class="field-label" for=input_id(&path)>"Trigger"</label>
            <input
                type="text"
                class="trigger-input"
                id=input_id(&path)
                data-field=dotted
                spellcheck="false"
                autocomplete="off"
                placeholder="type = \"track\" and event = \"Order Completed\""
                prop:value=move || shown.get()
                on:input=move |ev| form.set(&write_path, Some(Value::String(event_target_value(&ev))))
            />
            <p class="help">"Which events this action receives, in Segment's FQL; empty, none."</p>
            <FieldError form=form path=path />
        </div>
    }
}

/// The Test panel's mark on a field: what the test event's delivery lacks there.
#[component]
pub fn PreviewMark(
    /// The form.
    form: FormState,
    /// The field's path.
    path: FieldPath,
) -> impl IntoView {
    let dotted = path.dotted();
    let mark = form.mark_slot(&path);
    move || {
        mark.get().map(|message| {
            view! { <p class="preview-mark" data-field=dotted.clone()>{format!("With the test event: {message}")}</p> }
        })
    }
}

/// A mapping directive (`{"@template": "…"}`): filled in from each event, shown as text.
#[component]
pub fn MappedValue(
    /// The form.
    form: FormState,
    /// The field's path.
    path: FieldPath,
    /// Whether the field can be changed.
    read_only: bool,
) -> impl IntoView {
    let clear_path = path.clone();
    let shown = form.at(path.clone(), |v| {
        v.map(Value::to_string).unwrap_or_default()
    });
    view! {
        <div class="mapped" data-field=path.dotted()>
            <span class="badge mapped-badge">"mapped"</span>
            <code>{move || shown.get()}</code>
            <button
                type="button"
                class="link mapped-clear"
                disabled=read_only
                on:click=move |_| form.set(&clear_path, None)
            >
                "use a fixed value"
            </button>
        </div>
    }
}

/// A destination's configuration: an index of its sections (when it has several), its
/// settings, then each section with its switch. A section's fields are built only while
/// it is switched on and open: a closed one is its header, so a long form of actions
/// (the largest has 14 sections, 852 fields) costs what its open sections cost.
#[component]
pub fn ConfigForm(
    /// The form (its rules are the destination's configuration).
    form: FormState,
    /// The destination.
    destination: Arc<Destination>,
) -> impl IntoView {
    move || {
        form.generation.get();
        let settings = Arc::new(destination.settings.clone());
        let index = (destination.sections.len() > 1)
            .then(|| view! { <SectionIndex form=form destination=destination.clone() /> });
        let sections = destination
            .sections
            .iter()
            .map(|section| view! { <Section form=form section=section.clone() /> })
            .collect_view();
        view! {
            <div class="generated-form">
                {index}
                <FieldList form=form fields=settings parent=FieldPath::root() />
                {sections}
            </div>
        }
    }
}

/// Whether the section `code` is switched on, as a memo of its own switch.
fn section_switch(form: FormState, code: &str) -> Memo<bool> {
    form.at(FieldPath::of([code, "enabled"]), |v| {
        v.and_then(Value::as_bool).unwrap_or(false)
    })
}

/// The element id of a section's fieldset.
fn section_id(code: &str) -> String {
    format!("section-{code}")
}

/// Links to every section, saying which are on; following one opens it and scrolls to it.
#[component]
fn SectionIndex(
    /// The form.
    form: FormState,
    /// The destination.
    destination: Arc<Destination>,
) -> impl IntoView {
    let links = destination
        .sections
        .iter()
        .map(|section| {
            let code = section.code.clone();
            let enabled = section_switch(form, &code);
            let jump_code = code.clone();
            view! {
                <li>
                    <a
                        href="#"
                        class="section-link"
                        class:on=move || enabled.get()
                        data-section=code
                        on:click=move |ev| {
                            ev.prevent_default();
                            if enabled.get_untracked() {
                                form.set_open(&jump_code, true);
                            }
                            scroll_to(&section_id(&jump_code), None);
                        }
                    >
                        {section.label.clone()}
                    </a>
                </li>
            }
        })
        .collect_view();
    view! {
        <nav class="section-index" aria-label="Sections">
            <span class="muted">"Sections (on in bold):"</span>
            <ul>{links}</ul>
        </nav>
    }
}

/// One section: its switch, label, help and, while on and open, its trigger and fields.
#[component]
fn Section(
    /// The form.
    form: FormState,
    /// The section.
    section: PrototypeSection,
) -> impl IntoView {
    let code = section.code.clone();
    let enabled = section_switch(form, &code);
    let open_code = code.clone();
    let open = Memo::new(move |_| form.is_open(&open_code));
    let fields = Arc::new(section.fields.clone());
    let parent = FieldPath::root().child(&code);
    let (toggle_code, trigger_code, fold_code) = (code.clone(), code.clone(), code.clone());
    let default_subscribe = section.default_subscribe.clone();
    let toggle_section = section.clone();
    view! {
        <fieldset class="section" id=section_id(&code) data-section=code.clone()
            class:closed=move || !(enabled.get() && open.get())>
            <legend>
                <label class="switch">
                    <input
                        type="checkbox"
                        class="section-toggle"
                        data-section=code.clone()
                        prop:checked=move || enabled.get()
                        on:change=move |ev| {
                            let on = event_target_checked(&ev);
                            form.update(&FieldPath::of([toggle_code.as_str()]), |v| {
                                set_section_enabled(v, &toggle_section, on)
                            });
                            form.set_open(&toggle_code, on);
                        }
                    />
                    <span>{section.label.clone()}</span>
                </label>
                {move || enabled.get().then(|| {
                    let fold_code = fold_code.clone();
                    view! {
                        <button
                            type="button"
                            class="link section-fold"
                            data-section=fold_code.clone()
                            aria-expanded=move || open.get().to_string()
                            on:click=move |_| form.set_open(&fold_code, !open.get_untracked())
                        >
                            {move || if open.get() { "Hide fields" } else { "Show fields" }}
                        </button>
                    }
                })}
            </legend>
            <Help text=section.description.clone() />
            {move || {
                (enabled.get() && open.get()).then(|| view! {
                    <TriggerField form=form code=trigger_code.clone() default=default_subscribe.clone() />
                    <FieldList form=form fields=fields.clone() parent=parent.clone() />
                })
            }}
        </fieldset>
    }
}

/// Scrolls the element with `id` into view, and focuses `focus` within it if given.
fn scroll_to(id: &str, focus: Option<&str>) {
    let Some(document) = web_sys::window().and_then(|w| w.document()) else {
        return;
    };
    let Some(element) = document.get_element_by_id(id) else {
        return;
    };
    element.scroll_into_view();
    if let Some(selector) = focus {
        if let Ok(Some(target)) = element.query_selector(selector) {
            if let Ok(target) = target.dyn_into::<web_sys::HtmlElement>() {
                let _ = target.focus();
            }
        }
    }
}

/// After a failed save: opens the sections of `forms` that hold errors, then, once they
/// are drawn, scrolls to the first error in the element `container_id` and focuses its
/// field's control (or the message itself, when the field has no control of that path).
pub fn focus_first_error(forms: &[FormState], container_id: &'static str) {
    for form in forms {
        form.open_errors();
    }
    // The opened sections are built by the next reactive run: look after it.
    request_animation_frame(move || {
        let Some(document) = web_sys::window().and_then(|w| w.document()) else {
            return;
        };
        let Some(container) = document.get_element_by_id(container_id) else {
            return;
        };
        let Ok(Some(error)) = container.query_selector(".field-error") else {
            return;
        };
        let path = css_escape(&error.get_attribute("data-field").unwrap_or_default());
        let control = container
            .query_selector(&format!("#f-{path}"))
            .ok()
            .flatten();
        let target = control.unwrap_or(error);
        target.scroll_into_view();
        if let Ok(target) = target.dyn_into::<web_sys::HtmlElement>() {
            let _ = target.focus();
        }
    });
}

/// `text` escaped for a CSS selector (ids and attribute values of field paths hold dots
/// and may hold any character of a catalog's property names).
fn css_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
            out.push(c);
        } else {
            out.push_str(&format!("\\{:x} ", c as u32));
        }
    }
    out
}

/// After a save attempt, every error in a list (also those of fields not on screen).
#[component]
pub fn FormErrors(
    /// The form.
    form: FormState,
) -> impl IntoView {
    move || {
        let errors = form.all_errors();
        (form.submitted() && !errors.is_empty()).then(|| {
            view! {
                <ul class="form-errors">
                    {errors
                        .into_iter()
                        .map(|(path, message)| {
                            let text = if path.is_empty() { message } else { format!("{path}: {message}") };
                            view! { <li>{text}</li> }
                        })
                        .collect_view()}
                </ul>
            }
        })
    }
}

/// The configuration as editable JSON, checked live with the same rules, applied back to
/// the form on request.
#[component]
pub fn ConfigJson(
    /// The form.
    form: FormState,
    /// The text area's id (the apply button's is it with `-apply`).
    #[prop(default = "config-json")]
    id: &'static str,
) -> impl IntoView {
    let pretty = form
        .value
        .with_untracked(|v| serde_json::to_string_pretty(v).unwrap_or_default());
    let (text, set_text) = signal(pretty);
    let parsed = Memo::new(move |_| {
        text.with(|t| serde_json::from_str::<Value>(t).map_err(|e| e.to_string()))
    });
    let problems = Memo::new(move |_| match parsed.get() {
        Err(message) => vec![format!("Not valid JSON: {message}")],
        Ok(value) => form
            .check(&value)
            .into_iter()
            .map(|e| e.to_string())
            .collect(),
    });
    view! {
        <div class="config-json">
            <textarea
                id=id
                rows="18"
                spellcheck="false"
                prop:value=move || text.get()
                on:input=move |ev| set_text.set(event_target_value(&ev))
            ></textarea>
            <ul class="json-errors">
                {move || {
                    problems
                        .get()
                        .into_iter()
                        .map(|p| view! { <li class="json-error">{p}</li> })
                        .collect_view()
                }}
            </ul>
            <button
                type="button"
                id=format!("{id}-apply")
                disabled=move || parsed.with(Result::is_err)
                on:click=move |_| {
                    if let Ok(value) = parsed.get_untracked() {
                        form.replace(value);
                    }
                }
            >
                "Apply to the form"
            </button>
        </div>
    }
}
