//! The destination catalog as the server sends it: the list the catalog page shows
//! (`DestinationList`), and one destination's forms (`ClickstreamPrototypes(code:)`) turned
//! into the `houston_prototypes` model that forms and validation use; and the list's filters.

use houston_client::destination_list::DestinationListClickstreamPrototypes;
use houston_prototypes::{Destination, PrototypeField, PrototypeSection};
use serde::Deserialize;

/// A destination as the catalog page lists it: what a card shows and the filters read,
/// without its forms.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Listing {
    /// The catalog code, e.g. `acquisio`.
    pub code: String,
    /// The display name.
    pub name: String,
    /// What the destination is.
    pub description: Option<String>,
    /// Its categories; none for most action destinations.
    pub categories: Vec<String>,
    /// The source platforms it accepts.
    pub platforms: Vec<String>,
    /// Whether it has connection fields (credentials kept as a connection).
    pub has_connection: bool,
}

impl From<DestinationListClickstreamPrototypes> for Listing {
    fn from(wire: DestinationListClickstreamPrototypes) -> Self {
        Listing {
            code: wire.code,
            name: wire.name,
            description: wire.description,
            categories: wire.categories,
            platforms: wire.platforms,
            has_connection: !wire.connection_prototype.fields.is_empty(),
        }
    }
}

/// One catalog entry on the wire (the shape of `ClickstreamPrototypes.graphql`).
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
struct WirePrototype {
    code: String,
    name: String,
    description: Option<String>,
    platforms: Vec<String>,
    categories: Vec<String>,
    connection_prototype: WireConnection,
    config_prototype: Vec<PrototypeField>,
    sections: Vec<PrototypeSection>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
struct WireConnection {
    scheme: Option<String>,
    fields: Vec<PrototypeField>,
}

/// A `ClickstreamPrototypes` answer as the wire holds it, its null members left out (see
/// [`crate::api::run_without_nulls`]).
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct WireAnswer {
    clickstream_prototypes: Vec<WirePrototype>,
}

impl WireAnswer {
    /// Its destinations, in the form model.
    pub fn destinations(self) -> Vec<Destination> {
        destinations(self.clickstream_prototypes)
    }
}

/// The wire's entries in the form model.
///
/// The wire leaves out what a form cannot use; the one attribute that matters for
/// validation and is not on the wire is `mappable`, which the catalog sets on every field
/// of every section (action fields), and only there.
fn destinations(entries: Vec<WirePrototype>) -> Vec<Destination> {
    entries
        .into_iter()
        .map(|entry| Destination {
            code: entry.code,
            name: entry.name,
            description: entry.description,
            categories: entry.categories,
            platforms: entry.platforms,
            connection_scheme: entry.connection_prototype.scheme,
            connection_fields: entry.connection_prototype.fields,
            settings: entry.config_prototype,
            sections: entry
                .sections
                .into_iter()
                .map(|mut section| {
                    section.fields.iter_mut().for_each(make_mappable);
                    section
                })
                .collect(),
            // The wire carries what a form needs of them: each section's `presetSubscribe`.
            presets: Vec::new(),
        })
        .collect()
}

fn make_mappable(field: &mut PrototypeField) {
    field.mappable = true;
    field.properties.iter_mut().for_each(make_mappable);
}

/// The destinations matching a search on name or code (case-insensitive), a category and a
/// platform (empty strings match everything). A destination without a category matches
/// every category: the catalog does not say where it belongs (most action destinations
/// have none), and a filter must not make it unreachable.
pub fn filter<'d>(
    catalog: &'d [Listing],
    search: &str,
    category: &str,
    platform: &str,
) -> Vec<&'d Listing> {
    let search = search.trim().to_lowercase();
    catalog
        .iter()
        .filter(|d| {
            search.is_empty()
                || d.name.to_lowercase().contains(&search)
                || d.code.to_lowercase().contains(&search)
        })
        .filter(|d| {
            category.is_empty()
                || d.categories.is_empty()
                || d.categories.iter().any(|c| c == category)
        })
        .filter(|d| platform.is_empty() || d.platforms.iter().any(|p| p == platform))
        .collect()
}

/// Every category of the catalog, sorted, once each.
pub fn categories(catalog: &[Listing]) -> Vec<String> {
    let mut all: Vec<String> = catalog
        .iter()
        .flat_map(|d| d.categories.iter().cloned())
        .collect();
    all.sort();
    all.dedup();
    all
}

/// The source platforms, as the server names them (the vocabulary's one list).
pub use houston_vocabulary::PLATFORMS;

#[cfg(test)]
mod tests {
    use super::*;
    use houston_prototypes::FieldType;
    use serde_json::json;
    use serde_json::Value;

    fn wire() -> Value {
        json!([{
            "id": "actions-x", "code": "actions-x", "name": "X Actions", "description": null,
            "platforms": ["analytics.js", "server"], "categories": ["Analytics"],
            "connectionPrototype": {"id": "actions-x", "code": "actions-x", "scheme": "custom", "fields": [
                {"propertyName": "apiKey", "label": "API Key", "type": "password", "required": true,
                 "secret": true, "choices": null, "properties": null, "dependsOn": null, "multiple": false,
                 "additionalProperties": false, "hidden": false, "readOnly": false}
            ]},
            "configPrototype": [],
            "sections": [{"code": "track", "label": "Track", "description": null, "defaultEnabled": true, "fields": [
                {"propertyName": "props", "label": "Props", "type": "object", "required": false,
                 "defaultMapping": {"@path": "$.properties"},
                 "properties": [{"propertyName": "a", "label": "A", "type": "input"}],
                 "dependsOn": {"matchAll": true, "rules": [{"fieldKey": "kind", "negate": false, "value": "x"}]}}
            ]}],
            "defaultConfig": {"track": {"enabled": true}}
        }, {
            "code": "acquisio", "name": "Acquisio", "platforms": ["analytics.js"], "categories": ["Advertising"],
            "connectionPrototype": {"id": "acquisio", "code": "acquisio", "fields": []},
            "configPrototype": [{"propertyName": "events", "label": "Events", "type": "array"}],
            "sections": []
        }])
    }

    /// `value` with every null object member left out, as the page writes an answer
    /// (`api::run_without_nulls`).
    fn without_nulls(value: Value) -> Value {
        match value {
            Value::Object(object) => Value::Object(
                object
                    .into_iter()
                    .filter(|(_, v)| !v.is_null())
                    .map(|(k, v)| (k, without_nulls(v)))
                    .collect(),
            ),
            Value::Array(items) => Value::Array(items.into_iter().map(without_nulls).collect()),
            other => other,
        }
    }

    #[test]
    fn the_wire_catalog_becomes_destinations() {
        let text = json!({ "clickstreamPrototypes": without_nulls(wire()) }).to_string();
        let answer: WireAnswer = serde_json::from_str(&text).expect("reads");
        let catalog = answer.destinations();
        assert_eq!(catalog.len(), 2);
        let actions = &catalog[0];
        assert_eq!(actions.connection_fields[0].field_type, FieldType::Password);
        assert!(actions.connection_fields[0].secret);
        assert!(
            !actions.connection_fields[0].mappable,
            "credentials are literal"
        );
        let props = &actions.sections[0].fields[0];
        assert!(
            props.mappable && props.properties[0].mappable,
            "action fields take directives"
        );
        assert!(props.depends_on.is_some());
        assert_eq!(
            actions.default_config(),
            json!({"track": {"enabled": true, "props": {"@path": "$.properties"}}}),
            "defaults are the server's own"
        );
        assert_eq!(catalog[1].settings[0].field_type, FieldType::Array);
    }

    fn listing(code: &str, categories: &[&str], platforms: &[&str]) -> Listing {
        Listing {
            code: code.to_owned(),
            name: code.to_uppercase(),
            description: None,
            categories: categories.iter().map(|c| c.to_string()).collect(),
            platforms: platforms.iter().map(|p| p.to_string()).collect(),
            has_connection: false,
        }
    }

    fn codes(found: Vec<&Listing>) -> Vec<&str> {
        found.iter().map(|d| d.code.as_str()).collect()
    }

    #[test]
    fn filters_combine() {
        let catalog = [
            listing("actions-x", &["Analytics"], &["analytics.js", "server"]),
            listing("acquisio", &["Advertising"], &["analytics.js"]),
        ];
        assert_eq!(codes(filter(&catalog, "", "", "")).len(), 2);
        assert_eq!(codes(filter(&catalog, "ACQ", "", "")), ["acquisio"]);
        assert_eq!(codes(filter(&catalog, "", "Analytics", "")), ["actions-x"]);
        assert_eq!(codes(filter(&catalog, "", "", "server")), ["actions-x"]);
        assert_eq!(categories(&catalog), ["Advertising", "Analytics"]);
    }

    #[test]
    fn a_category_keeps_the_destinations_without_one() {
        let catalog = [
            listing("actions-amplitude", &[], &["server"]),
            listing("amplitude", &["Analytics"], &["server"]),
            listing("acquisio", &["Advertising"], &["analytics.js"]),
        ];
        assert_eq!(
            codes(filter(&catalog, "", "Analytics", "")),
            ["actions-amplitude", "amplitude"],
            "no category is not another category"
        );
        assert_eq!(
            codes(filter(&catalog, "acq", "Analytics", "")),
            Vec::<&str>::new(),
            "the other filters still apply"
        );
        assert_eq!(
            codes(filter(&catalog, "", "Advertising", "server")),
            ["actions-amplitude"]
        );
        assert_eq!(categories(&catalog), ["Advertising", "Analytics"]);
    }
}
