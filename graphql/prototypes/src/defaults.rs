//! Building default values, and hiding and keeping secrets.

use serde_json::{Map, Value};

use crate::model::{is_empty, Destination, PrototypeField, MASK};

/// The value built from the fields' defaults (`default`, else `default_mapping` for mappable
/// fields); fields without either are left out.
pub fn defaults(fields: &[PrototypeField]) -> Value {
    Value::Object(default_map(fields))
}

fn default_map(fields: &[PrototypeField]) -> Map<String, Value> {
    fields
        .iter()
        .filter_map(|field| {
            let value = field
                .default
                .as_ref()
                .or(field.default_mapping.as_ref().filter(|_| field.mappable))?;
            Some((field.property_name.clone(), value.clone()))
        })
        .collect()
}

/// Replaces every secret field value (at any depth) by the mask string "********"
/// ([`MASK`]), leaving absent secrets absent. Empty secrets (null, `""`) stay as they are,
/// so that a form can tell "not set" from "set".
pub fn mask_secrets(fields: &[PrototypeField], value: &Value) -> Value {
    let Some(object) = value.as_object() else {
        return value.clone();
    };
    let mut masked = object.clone();
    for field in fields {
        let Some(slot) = masked.get_mut(&field.property_name) else {
            continue;
        };
        if field.secret {
            if !is_empty(Some(slot)) {
                *slot = Value::String(MASK.to_owned());
            }
        } else if !field.properties.is_empty() {
            *slot = match &*slot {
                Value::Array(items) if field.multiple => Value::Array(
                    items
                        .iter()
                        .map(|item| mask_secrets(&field.properties, item))
                        .collect(),
                ),
                other => mask_secrets(&field.properties, other),
            };
        }
    }
    Value::Object(masked)
}

/// For an update: starts from `new`, and for each secret field that is absent from `new` or
/// equal to MASK, copies the stored value from `old`. (So an update that omits a secret, or
/// sends back the mask, keeps it.) A secret sent as null or `""` is cleared. Nested secrets
/// are merged object by object; in lists of objects, item by item at the same index.
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
            let sent = merged.get(name);
            if sent.is_none() || sent.is_some_and(|v| v.as_str() == Some(MASK)) {
                match stored {
                    Some(stored) => {
                        merged.insert(name.clone(), stored.clone());
                    }
                    None => {
                        // The mask stands for nothing stored: drop it rather than save it.
                        merged.remove(name);
                    }
                }
            }
            continue;
        }
        if field.properties.is_empty() {
            continue;
        }
        let (Some(slot), Some(stored)) = (merged.get_mut(name), stored) else {
            continue;
        };
        *slot = match (&*slot, stored) {
            (Value::Array(items), Value::Array(stored_items)) if field.multiple => Value::Array(
                items
                    .iter()
                    .enumerate()
                    .map(|(index, item)| match stored_items.get(index) {
                        Some(stored_item) => merge_secrets(&field.properties, stored_item, item),
                        None => merge_secrets(&field.properties, &Value::Null, item),
                    })
                    .collect(),
            ),
            (sent, stored) => merge_secrets(&field.properties, stored, sent),
        };
    }
    Value::Object(merged)
}

impl Destination {
    /// The default configPayload: settings defaults at the top level, and for each section
    /// `{ "enabled": default_enabled, ...field defaults }`.
    pub fn default_config(&self) -> Value {
        let mut config = default_map(&self.settings);
        for section in &self.sections {
            let mut object = Map::new();
            object.insert("enabled".to_owned(), Value::Bool(section.default_enabled));
            object.extend(default_map(&section.fields));
            config.insert(section.code.clone(), Value::Object(object));
        }
        Value::Object(config)
    }

    /// The configPayload a new configuration starts with: [`Destination::default_config`],
    /// except that when Segment's presets switch some sections on, only those are on, each
    /// with its preset's trigger as `subscribe` where it differs from the action's default
    /// (switching every action on would send one event several times).
    pub fn preset_config(&self) -> Value {
        let mut config = self.default_config();
        if self.sections.iter().all(|s| s.preset_subscribe.is_none()) {
            return config;
        }
        for section in &self.sections {
            let Some(Value::Object(object)) = config.get_mut(&section.code) else {
                continue;
            };
            object.insert(
                "enabled".to_owned(),
                Value::Bool(section.preset_subscribe.is_some()),
            );
            if let Some(subscribe) = section
                .preset_subscribe
                .as_ref()
                .filter(|s| section.default_subscribe.as_ref() != Some(*s))
            {
                object.insert("subscribe".to_owned(), Value::String(subscribe.clone()));
            }
        }
        config
    }

    /// The default connection details (the connection fields' defaults).
    pub fn default_connection(&self) -> Value {
        defaults(&self.connection_fields)
    }

    /// [`mask_secrets`] over a configPayload: its settings and every section's fields.
    pub fn mask_config(&self, value: &Value) -> Value {
        let mut masked = mask_secrets(&self.settings, value);
        if let Some(object) = masked.as_object_mut() {
            for section in &self.sections {
                if let Some(slot) = object.get_mut(&section.code) {
                    *slot = mask_secrets(&section.fields, slot);
                }
            }
        }
        masked
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
    use serde_json::json;

    fn field(name: &str, field_type: FieldType) -> PrototypeField {
        PrototypeField {
            property_name: name.to_owned(),
            label: name.to_owned(),
            field_type,
            ..PrototypeField::default()
        }
    }

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

    #[test]
    fn defaults_prefer_default_then_mapping_for_mappable_fields() {
        let mut plain = field("plain", FieldType::Number);
        plain.default = Some(json!(3));
        let mut both = field("both", FieldType::Input);
        both.mappable = true;
        both.default = Some(json!("literal"));
        both.default_mapping = Some(json!({"@path": "$.x"}));
        let mut mapped = field("mapped", FieldType::Input);
        mapped.mappable = true;
        mapped.default_mapping = Some(json!({"@path": "$.userId"}));
        let mut literal_only = field("literalOnly", FieldType::Input);
        literal_only.default_mapping = Some(json!({"@path": "$.userId"}));
        let fields = [
            plain,
            both,
            mapped,
            literal_only,
            field("none", FieldType::Input),
        ];
        assert_eq!(
            defaults(&fields),
            json!({"plain": 3, "both": "literal", "mapped": {"@path": "$.userId"}})
        );
    }

    #[test]
    fn default_config_has_settings_and_sections() {
        let mut region = field("region", FieldType::Input);
        region.default = Some(json!("us"));
        let mut user = field("userId", FieldType::Input);
        user.mappable = true;
        user.default_mapping = Some(json!({"@path": "$.userId"}));
        let destination = Destination {
            code: "d".to_owned(),
            settings: vec![region],
            connection_fields: vec![{
                let mut host = field("host", FieldType::Input);
                host.default = Some(json!("api.example.com"));
                host
            }],
            sections: vec![
                PrototypeSection {
                    code: "track".to_owned(),
                    default_enabled: true,
                    fields: vec![user],
                    ..PrototypeSection::default()
                },
                PrototypeSection {
                    code: "page".to_owned(),
                    ..PrototypeSection::default()
                },
            ],
            ..Destination::default()
        };
        assert_eq!(
            destination.default_config(),
            json!({"region": "us", "track": {"enabled": true, "userId": {"@path": "$.userId"}}, "page": {"enabled": false}})
        );
        assert_eq!(
            destination.default_connection(),
            json!({"host": "api.example.com"})
        );
    }

    #[test]
    fn preset_config_switches_on_only_the_presets_sections() {
        let section = |code: &str, default: Option<&str>, preset: Option<&str>| PrototypeSection {
            code: code.to_owned(),
            default_enabled: default.is_some(),
            default_subscribe: default.map(str::to_owned),
            preset_subscribe: preset.map(str::to_owned),
            ..PrototypeSection::default()
        };
        let mut destination = Destination {
            sections: vec![
                section("track", Some("type = \"track\""), Some("type = \"track\"")),
                section("page", Some("type = \"page\""), None),
                section(
                    "screen",
                    Some("type = \"screen\""),
                    Some("type = \"screen\" and name = \"Home\""),
                ),
            ],
            ..Destination::default()
        };
        assert_eq!(
            destination.preset_config(),
            json!({
                "track": {"enabled": true},
                "page": {"enabled": false},
                "screen": {"enabled": true, "subscribe": "type = \"screen\" and name = \"Home\""}
            })
        );
        for s in &mut destination.sections {
            s.preset_subscribe = None;
        }
        assert_eq!(
            destination.preset_config(),
            destination.default_config(),
            "without presets, the action's own defaults"
        );
    }

    #[test]
    fn secrets_are_masked_at_any_depth() {
        let stored = json!({
            "user": "me", "apiKey": "k-123", "other": "",
            "oauth": {"refresh": "r-1", "scope": "all"},
            "rows": [{"name": "a", "token": "t-1"}, {"name": "b"}]
        });
        assert_eq!(
            mask_secrets(&credentials(), &stored),
            json!({
                "user": "me", "apiKey": MASK, "other": "",
                "oauth": {"refresh": MASK, "scope": "all"},
                "rows": [{"name": "a", "token": MASK}, {"name": "b"}]
            }),
            "absent and empty secrets stay so"
        );
        assert_eq!(mask_secrets(&credentials(), &json!(null)), json!(null));
    }

    #[test]
    fn an_update_keeps_secrets_it_leaves_out_or_sends_masked() {
        let stored = json!({
            "user": "me", "apiKey": "k-123", "other": "o-1",
            "oauth": {"refresh": "r-1", "scope": "all"},
            "rows": [{"name": "a", "token": "t-1"}, {"name": "b", "token": "t-2"}]
        });
        let update = json!({
            "user": "you", "apiKey": MASK,
            "oauth": {"refresh": MASK, "scope": "some"},
            "rows": [{"name": "a2", "token": MASK}, {"name": "b2", "token": "t-new"}, {"name": "c", "token": MASK}]
        });
        assert_eq!(
            merge_secrets(&credentials(), &stored, &update),
            json!({
                "user": "you", "apiKey": "k-123", "other": "o-1",
                "oauth": {"refresh": "r-1", "scope": "some"},
                "rows": [{"name": "a2", "token": "t-1"}, {"name": "b2", "token": "t-new"}, {"name": "c"}]
            })
        );
        assert_eq!(
            merge_secrets(&credentials(), &stored, &json!({"apiKey": "new", "other": null})),
            json!({"apiKey": "new", "other": null}),
            "a new value replaces, null clears; a nested secret whose parent is left out goes with it"
        );
        assert_eq!(
            merge_secrets(&credentials(), &json!({}), &json!({"apiKey": MASK})),
            json!({}),
            "a mask that stands for nothing is dropped"
        );
        let round_trip = merge_secrets(
            &credentials(),
            &stored,
            &mask_secrets(&credentials(), &stored),
        );
        assert_eq!(
            round_trip, stored,
            "sending back what was shown changes nothing"
        );
    }

    #[test]
    fn config_secrets_in_sections() {
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
        let masked = destination.mask_config(&stored);
        assert_eq!(
            masked,
            json!({"audienceKey": MASK, "send": {"enabled": true, "token": MASK}})
        );
        assert_eq!(destination.merge_config_secrets(&stored, &masked), stored);
        assert_eq!(
            destination.merge_config_secrets(&stored, &json!({"send": {"enabled": false}})),
            json!({"audienceKey": "a", "send": {"enabled": false, "token": "t"}})
        );
    }
}
