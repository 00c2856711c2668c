//! Secrets are explicit: a stored secret is never shown (neither its value nor a mask);
//! reads say which secrets are stored by their paths ([`secrets_set`]), and an update says
//! for each secret what to do ([`merge_secrets`]): left out keeps it, `null` clears it, any
//! other value replaces it (so `"********"` is a value like any other).
//!
//! A path is the property names (and list indexes) from the form's root, joined by dots,
//! as in [`crate::FieldError::property_name`]: `apiKey`, `oauth.refresh`, `rows.0.token`,
//! and in a configPayload `section.token` for a section's field.

use serde_json::Value;

use crate::model::{is_empty, Destination, PrototypeField};

/// `value` without its secret fields, at any depth (in nested objects and in lists of
/// objects). What reads show of a stored form.
pub fn strip_secrets(fields: &[PrototypeField], value: &Value) -> Value {
    let Some(object) = value.as_object() else {
        return value.clone();
    };
    let mut shown = object.clone();
    for field in fields {
        if field.secret {
            shown.remove(&field.property_name);
            continue;
        }
        if field.properties.is_empty() {
            continue;
        }
        if let Some(slot) = shown.get_mut(&field.property_name) {
            *slot = each_object(slot, field, |item| strip_secrets(&field.properties, item));
        }
    }
    Value::Object(shown)
}

/// The paths of the secret fields that hold a value in `value` (not null, not `""`), under
/// `prefix` (empty for the form's root), in field order.
pub fn secrets_set(fields: &[PrototypeField], value: &Value, prefix: &str) -> Vec<String> {
    let mut paths = Vec::new();
    collect_set(fields, value, prefix, &mut paths);
    paths
}

fn collect_set(fields: &[PrototypeField], value: &Value, prefix: &str, paths: &mut Vec<String>) {
    let Some(object) = value.as_object() else {
        return;
    };
    for field in fields {
        let Some(slot) = object.get(&field.property_name) else {
            continue;
        };
        let path = join(prefix, &field.property_name);
        if field.secret {
            if !is_empty(Some(slot)) {
                paths.push(path);
            }
        } else if !field.properties.is_empty() {
            match slot {
                Value::Array(items) if field.multiple => {
                    for (index, item) in items.iter().enumerate() {
                        collect_set(
                            &field.properties,
                            item,
                            &join(&path, &index.to_string()),
                            paths,
                        );
                    }
                }
                other => collect_set(&field.properties, other, &path, paths),
            }
        }
    }
}

fn join(prefix: &str, name: &str) -> String {
    if prefix.is_empty() {
        name.to_owned()
    } else {
        format!("{prefix}.{name}")
    }
}

/// Applies `f` to an object field's value: to each item of a list of objects, else to the
/// value itself.
fn each_object(slot: &Value, field: &PrototypeField, f: impl Fn(&Value) -> Value) -> Value {
    match slot {
        Value::Array(items) if field.multiple => Value::Array(items.iter().map(f).collect()),
        other => f(other),
    }
}

/// The form to store after an update `new` of the stored `old`: `new`, except that a
/// secret `new` leaves out keeps its stored value and a secret sent as `null` is removed
/// (cleared). Any other value sent replaces the stored one. Nested secrets are merged
/// object by object; in lists of objects, item by item at the same index.
pub fn merge_secrets(fields: &[PrototypeField], old: &Value, new: &Value) -> Value {
    let Some(new_object) = new.as_object() else {
        return new.clone();
    };
    let old_object = old.as_object();
    let mut merged = new_object.clone();
    for field in fields {
        let name = &field.property_name;
        let stored = old_object.and_then(|o| o.get(name));
        if field.secret {
            match (merged.get(name), stored) {
                (None, Some(stored)) => {
                    merged.insert(name.clone(), stored.clone());
                }
                (Some(Value::Null), _) => {
                    merged.remove(name);
                }
                _ => {}
            }
            continue;
        }
        if field.properties.is_empty() {
            continue;
        }
        let Some(slot) = merged.get_mut(name) else {
            continue;
        };
        let stored = stored.unwrap_or(&Value::Null);
        *slot = match (&*slot, stored) {
            (Value::Array(items), Value::Array(stored_items)) if field.multiple => Value::Array(
                items
                    .iter()
                    .enumerate()
                    .map(|(index, item)| {
                        let stored_item = stored_items.get(index).unwrap_or(&Value::Null);
                        merge_secrets(&field.properties, stored_item, item)
                    })
                    .collect(),
            ),
            (Value::Array(items), _) if field.multiple => Value::Array(
                items
                    .iter()
                    .map(|item| merge_secrets(&field.properties, &Value::Null, item))
                    .collect(),
            ),
            (sent, stored) => merge_secrets(&field.properties, stored, sent),
        };
    }
    Value::Object(merged)
}

/// [`secrets_set`] for a form whose fields are unknown (a destination gone from the
/// catalog), where every top-level key counts as a secret: each key with a value.
pub fn all_set(value: &Value) -> Vec<String> {
    value
        .as_object()
        .map(|o| {
            o.iter()
                .filter(|(_, v)| !is_empty(Some(v)))
                .map(|(k, _)| k.clone())
                .collect()
        })
        .unwrap_or_default()
}

/// [`merge_secrets`] for a form whose fields are unknown: every top-level key is a secret
/// (left out keeps, `null` clears, a value replaces).
pub fn merge_all(old: &Value, new: &Value) -> Value {
    let Some(new_object) = new.as_object() else {
        return new.clone();
    };
    let mut merged = old.as_object().cloned().unwrap_or_default();
    for (key, value) in new_object {
        if value.is_null() {
            merged.remove(key);
        } else {
            merged.insert(key.clone(), value.clone());
        }
    }
    Value::Object(merged)
}

impl Destination {
    /// [`strip_secrets`] over a configPayload: its settings and every section's fields.
    pub fn strip_config(&self, value: &Value) -> Value {
        let mut shown = strip_secrets(&self.settings, value);
        if let Some(object) = shown.as_object_mut() {
            for section in &self.sections {
                if let Some(slot) = object.get_mut(&section.code) {
                    *slot = strip_secrets(&section.fields, slot);
                }
            }
        }
        shown
    }

    /// [`secrets_set`] over a configPayload: settings by name, sections' fields as
    /// `section.field`.
    pub fn config_secrets_set(&self, value: &Value) -> Vec<String> {
        let mut paths = secrets_set(&self.settings, value, "");
        for section in &self.sections {
            if let Some(slot) = value.get(&section.code) {
                paths.extend(secrets_set(&section.fields, slot, &section.code));
            }
        }
        paths
    }

    /// [`merge_secrets`] over a configPayload: its settings and every section's fields.
    pub fn merge_config_secrets(&self, old: &Value, new: &Value) -> Value {
        let mut merged = merge_secrets(&self.settings, old, new);
        if let Some(object) = merged.as_object_mut() {
            for section in &self.sections {
                if let Some(slot) = object.get_mut(&section.code) {
                    let stored = old.get(&section.code).unwrap_or(&Value::Null);
                    *slot = merge_secrets(&section.fields, stored, slot);
                }
            }
        }
        merged
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{FieldType, PrototypeSection};
    use crate::test_support::field;
    use serde_json::json;

    fn secret(name: &str) -> PrototypeField {
        PrototypeField {
            secret: true,
            ..field(name, FieldType::Password)
        }
    }

    fn credentials() -> Vec<PrototypeField> {
        let mut row = field("rows", FieldType::Object);
        row.multiple = true;
        row.properties = vec![field("name", FieldType::Input), secret("token")];
        let mut nested = field("oauth", FieldType::Object);
        nested.properties = vec![secret("refresh"), field("scope", FieldType::Input)];
        vec![
            field("user", FieldType::Input),
            secret("apiKey"),
            secret("other"),
            nested,
            row,
        ]
    }

    fn stored() -> Value {
        json!({
            "user": "me", "apiKey": "k-123", "other": "",
            "oauth": {"refresh": "r-1", "scope": "all"},
            "rows": [{"name": "a", "token": "t-1"}, {"name": "b"}]
        })
    }

    #[test]
    fn reads_show_no_secret_and_name_the_stored_ones() {
        assert_eq!(
            strip_secrets(&credentials(), &stored()),
            json!({
                "user": "me",
                "oauth": {"scope": "all"},
                "rows": [{"name": "a"}, {"name": "b"}]
            }),
            "no value and no mask, empty ones included"
        );
        assert_eq!(
            secrets_set(&credentials(), &stored(), ""),
            ["apiKey", "oauth.refresh", "rows.0.token"],
            "an empty secret is not stored"
        );
        assert_eq!(strip_secrets(&credentials(), &json!(null)), json!(null));
        assert!(secrets_set(&credentials(), &json!(null), "").is_empty());
    }

    #[test]
    fn left_out_keeps_null_clears_a_value_replaces() {
        let update = json!({
            "user": "you", "other": null, "apiKey": "********",
            "oauth": {"scope": "some"},
            "rows": [{"name": "a2"}, {"name": "b2", "token": "t-new"}, {"name": "c"}]
        });
        assert_eq!(
            merge_secrets(&credentials(), &stored(), &update),
            json!({
                "user": "you", "apiKey": "********",
                "oauth": {"refresh": "r-1", "scope": "some"},
                "rows": [{"name": "a2", "token": "t-1"}, {"name": "b2", "token": "t-new"}, {"name": "c"}]
            }),
            "eight stars are a value; null removes the key"
        );
        assert_eq!(
            merge_secrets(&credentials(), &stored(), &json!({"apiKey": null})),
            json!({"other": ""}),
            "a nested secret whose parent is left out goes with it"
        );
        let shown = strip_secrets(&credentials(), &stored());
        assert_eq!(
            merge_secrets(&credentials(), &stored(), &shown),
            stored(),
            "sending back what was shown changes nothing"
        );
    }

    #[test]
    fn config_secrets_in_settings_and_sections() {
        let destination = Destination {
            settings: vec![secret("audienceKey")],
            sections: vec![PrototypeSection {
                code: "send".to_owned(),
                fields: vec![secret("token")],
                ..PrototypeSection::default()
            }],
            ..Destination::default()
        };
        let stored = json!({"audienceKey": "a", "send": {"enabled": true, "token": "t"}});
        let shown = destination.strip_config(&stored);
        assert_eq!(shown, json!({"send": {"enabled": true}}));
        assert_eq!(
            destination.config_secrets_set(&stored),
            ["audienceKey", "send.token"]
        );
        assert_eq!(destination.merge_config_secrets(&stored, &shown), stored);
        assert_eq!(
            destination.merge_config_secrets(
                &stored,
                &json!({"audienceKey": null, "send": {"enabled": false, "token": "u"}})
            ),
            json!({"send": {"enabled": false, "token": "u"}})
        );
    }

    #[test]
    fn unknown_forms_treat_every_key_as_a_secret() {
        let stored = json!({"a": "1", "b": "", "c": 3});
        assert_eq!(all_set(&stored), ["a", "c"]);
        assert_eq!(
            merge_all(&stored, &json!({"a": null, "d": "4"})),
            json!({"b": "", "c": 3, "d": "4"})
        );
    }
}
