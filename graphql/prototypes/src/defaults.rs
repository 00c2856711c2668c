//! Building default values.

use serde_json::{Map, Value};

use crate::model::{Destination, PrototypeField};

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
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{FieldType, PrototypeSection};
    use crate::test_support::field;
    use serde_json::json;

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
}
