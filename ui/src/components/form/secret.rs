//! A secret field's control. The server never shows a stored secret (neither its value nor
//! a mask); it names the stored ones (`secretsSet`, kept by [`FormState::keep_secrets`]).
//! So the control says "stored" and offers to replace or clear it, and what it puts in the
//! form's value is what the update asks for: nothing keeps the stored secret, `null`
//! clears it, a string (any string, `********` too) replaces it.

use std::sync::Arc;

use houston_prototypes::PrototypeField;
use leptos::prelude::*;
use serde_json::Value;

use super::path::FieldPath;
use super::state::FormState;

/// What the form asks of one secret, read from its value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SecretChoice {
    /// Left out: a stored secret is kept (and an unstored one stays unset).
    Keep,
    /// `null`: the stored secret is cleared.
    Clear,
    /// A string: the new value (possibly being typed, possibly empty).
    Replace(String),
}

impl SecretChoice {
    /// The choice a value at a secret's path stands for.
    pub fn of(value: Option<&Value>) -> SecretChoice {
        match value {
            None => SecretChoice::Keep,
            Some(Value::Null) => SecretChoice::Clear,
            Some(Value::String(text)) => SecretChoice::Replace(text.clone()),
            Some(other) => SecretChoice::Replace(other.to_string()),
        }
    }

    /// The value that asks for this choice (`None`: the key left out).
    pub fn value(&self) -> Option<Value> {
        match self {
            SecretChoice::Keep => None,
            SecretChoice::Clear => Some(Value::Null),
            SecretChoice::Replace(text) => Some(Value::String(text.clone())),
        }
    }
}

/// What typing `text` asks for: a new value; an emptied box asks for nothing when no
/// secret is stored, and stays a (blank) replacement of a stored one, so that the box does
/// not vanish under the cursor.
pub fn typed(stored: bool, text: String) -> SecretChoice {
    if text.is_empty() && !stored {
        SecretChoice::Keep
    } else {
        SecretChoice::Replace(text)
    }
}

/// A secret field (a `password` field, or any field marked `secret`): a password box when
/// nothing is stored or a new value is being typed; "stored — Replace / Clear" when the
/// server holds one and the form keeps it; "cleared on save — Keep" once Clear is pressed.
#[component]
pub fn SecretInput(
    /// The form.
    form: FormState,
    /// The field.
    field: Arc<PrototypeField>,
    /// Its path.
    path: FieldPath,
) -> impl IntoView {
    let stored_path = path.clone();
    let stored = Memo::new(move |_| form.is_kept(&stored_path));
    let choice = form.at(path.clone(), SecretChoice::of);
    let dotted = path.dotted();
    let read_only = field.read_only;
    let placeholder = field.placeholder.clone().unwrap_or_default();
    let set = move |path: &FieldPath, choice: SecretChoice| form.set(path, choice.value());
    move || {
        let (path, dotted, placeholder) = (path.clone(), dotted.clone(), placeholder.clone());
        let keep_path = path.clone();
        let keep = move |_| set(&keep_path, SecretChoice::Keep);
        match (stored.get(), choice.get()) {
            (true, SecretChoice::Keep) => {
                let (replace_path, clear_path) = (path.clone(), path.clone());
                view! {
                    <div class="secret secret-stored" data-field=dotted.clone() id=format!("f-{dotted}")>
                        <span class="badge secret-badge">"stored"</span>
                        <button type="button" class="link secret-replace" disabled=read_only
                            on:click=move |_| set(&replace_path, SecretChoice::Replace(String::new()))>
                            "Replace"
                        </button>
                        <button type="button" class="link secret-clear" disabled=read_only
                            on:click=move |_| set(&clear_path, SecretChoice::Clear)>
                            "Clear"
                        </button>
                    </div>
                }
                .into_any()
            }
            (_, SecretChoice::Clear) => view! {
                <div class="secret secret-cleared" data-field=dotted.clone() id=format!("f-{dotted}")>
                    <span class="badge secret-badge">"cleared on save"</span>
                    <button type="button" class="link secret-keep" disabled=read_only on:click=keep>
                        {if stored.get_untracked() { "Keep the stored value" } else { "Undo" }}
                    </button>
                </div>
            }
            .into_any(),
            (is_stored, current) => {
                let text = match current {
                    SecretChoice::Replace(text) => text,
                    _ => String::new(),
                };
                let write_path = path.clone();
                view! {
                    <div class="secret">
                        <input
                            type="password"
                            autocomplete="new-password"
                            id=format!("f-{dotted}")
                            data-field=dotted.clone()
                            disabled=read_only
                            placeholder=if is_stored { "the new value".to_owned() } else { placeholder }
                            prop:value=text
                            on:input=move |ev| set(&write_path, typed(is_stored, event_target_value(&ev)))
                        />
                        {is_stored.then(|| view! {
                            <button type="button" class="link secret-keep" disabled=read_only on:click=keep>
                                "Keep the stored value"
                            </button>
                        })}
                    </div>
                }
                .into_any()
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_value_is_what_the_update_asks_for() {
        for choice in [
            SecretChoice::Keep,
            SecretChoice::Clear,
            SecretChoice::Replace("********".to_owned()),
            SecretChoice::Replace(String::new()),
        ] {
            assert_eq!(SecretChoice::of(choice.value().as_ref()), choice);
        }
        assert_eq!(SecretChoice::Keep.value(), None, "left out keeps");
        assert_eq!(
            SecretChoice::Clear.value(),
            Some(json!(null)),
            "null clears"
        );
        assert_eq!(
            SecretChoice::Replace("********".to_owned()).value(),
            Some(json!("********")),
            "eight stars are a value"
        );
        assert_eq!(typed(false, String::new()), SecretChoice::Keep);
        assert_eq!(
            typed(true, String::new()),
            SecretChoice::Replace(String::new())
        );
    }
}
