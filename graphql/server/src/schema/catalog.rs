//! The destination catalog: `clickstreamPrototypes` (and its old alias `integrations`),
//! the prototype types that describe a destination's forms, and how the other resolvers
//! find a destination and check, merge and show the forms filled in for it (secrets never).

use super::status::valid;
use crate::access::Access;
use crate::error::{ApiError, ApiResult};
use crate::AppState;
use async_graphql::{Context, Json, Object, SimpleObject};
use houston_prototypes::{
    all_set, merge_all, merge_secrets, secrets_set, strip_secrets, Destination, Preset,
    PrototypeField, PrototypeSection,
};
use serde_json::Value;
use std::sync::Arc;

/// The destination a new connection or integration names by `integrationCode`;
/// `INVALID_INPUT` on that field when the catalog has none with this code.
pub(crate) fn destination<'a>(a: &Access<'a>, code: &str) -> ApiResult<&'a Destination> {
    a.state
        .catalog
        .get(code)
        .ok_or_else(|| ApiError::invalid_field("integrationCode", "No destination has this code."))
}

/// The two forms of a destination that a client fills in and the store keeps sealed.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Form {
    /// A connection's details, checked against the connection prototype.
    Connection,
    /// An integration's configPayload, checked against the config prototype and sections.
    Config,
}

impl Form {
    /// Checks a submitted form: `INVALID_INPUT` with every field that is wrong.
    pub(crate) fn check(self, dest: &Destination, value: &Value) -> ApiResult<()> {
        valid(match self {
            Form::Connection => dest.validate_connection(value),
            Form::Config => {
                let mut errors = dest.validate_config(value);
                errors.extend(houston_events::delivery::subscribe_errors(dest, value));
                errors
            }
        })
    }

    /// The stored form after an update: a secret the update leaves out keeps its stored
    /// value, one sent as `null` is cleared, any other value replaces it; the result is
    /// checked. A destination gone from the catalog has every key treated as a secret and
    /// nothing to check against.
    pub(crate) fn update(
        self,
        dest: Option<&Destination>,
        old: &Value,
        new: &Value,
    ) -> ApiResult<Value> {
        let Some(dest) = dest else {
            return Ok(merge_all(old, new));
        };
        let merged = match self {
            Form::Connection => merge_secrets(&dest.connection_fields, old, new),
            Form::Config => dest.merge_config_secrets(old, new),
        };
        self.check(dest, &merged)?;
        Ok(merged)
    }

    /// A stored form as reads show it: without any secret (in the settings and in each
    /// section of a configPayload); nothing of it when the destination is unknown.
    pub(crate) fn shown(self, dest: Option<&Destination>, value: &Value) -> Value {
        match (dest, self) {
            (Some(d), Form::Connection) => strip_secrets(&d.connection_fields, value),
            (Some(d), Form::Config) => d.strip_config(value),
            (None, _) => Value::Object(Default::default()),
        }
    }

    /// The paths of the secrets a stored form holds (`apiKey`, `section.token`); every key
    /// with a value when the destination is unknown.
    pub(crate) fn secrets_set(self, dest: Option<&Destination>, value: &Value) -> Vec<String> {
        match (dest, self) {
            (Some(d), Form::Connection) => secrets_set(&d.connection_fields, value, ""),
            (Some(d), Form::Config) => d.config_secrets_set(value),
            (None, _) => all_set(value),
        }
    }
}

/// The queries of the catalog.
#[derive(Default)]
pub struct CatalogQuery;

#[Object]
impl CatalogQuery {
    /// The destination catalog. `search` matches names and codes, case-insensitively.
    #[graphql(complexity = "super::limits::catalog_list(code.is_some(), child_complexity)")]
    async fn clickstream_prototypes<'ctx>(
        &self,
        ctx: &Context<'ctx>,
        code: Option<String>,
        platform: Option<String>,
        search: Option<String>,
    ) -> Vec<ClickstreamPrototype<'ctx>> {
        let state = ctx.data_unchecked::<Arc<AppState>>();
        state
            .catalog
            .find(code.as_deref(), platform.as_deref(), search.as_deref())
            .into_iter()
            .map(ClickstreamPrototype)
            .collect()
    }

    /// The catalog (deprecated alias of `clickstreamPrototypes`).
    #[graphql(
        deprecation = "use clickstreamPrototypes",
        complexity = "super::limits::catalog_list(code.is_some(), child_complexity)"
    )]
    async fn integrations<'ctx>(
        &self,
        ctx: &Context<'ctx>,
        code: Option<String>,
        platform: Option<String>,
    ) -> Vec<ClickstreamPrototype<'ctx>> {
        let state = ctx.data_unchecked::<Arc<AppState>>();
        state
            .catalog
            .find(code.as_deref(), platform.as_deref(), None)
            .into_iter()
            .map(ClickstreamPrototype)
            .collect()
    }
}

/// A choice of a select field.
#[derive(SimpleObject, Clone, Debug)]
pub struct Choice {
    pub value: Json<serde_json::Value>,
    pub label: String,
}

/// One field of a generated form.
pub struct PrototypeFieldOut<'a>(pub &'a PrototypeField);

#[Object(name = "PrototypeField")]
impl<'a> PrototypeFieldOut<'a> {
    /// The key of the value in the saved JSON.
    async fn property_name(&self) -> &str {
        &self.0.property_name
    }
    async fn label(&self) -> &str {
        &self.0.label
    }
    /// `input`, `text`, `password`, `number`, `integer`, `boolean`, `select`, `array`,
    /// `map`, `object` or `datetime`.
    #[graphql(name = "type")]
    async fn field_type(&self) -> &str {
        self.0.field_type.as_str()
    }
    async fn description(&self) -> Option<&str> {
        self.0.description.as_deref()
    }
    async fn required(&self) -> bool {
        self.0.required
    }
    async fn default(&self) -> Option<Json<serde_json::Value>> {
        self.0.default.clone().map(Json)
    }
    /// A mapping directive used when no value is given (action destinations).
    async fn default_mapping(&self) -> Option<Json<serde_json::Value>> {
        self.0.default_mapping.clone().map(Json)
    }
    #[graphql(complexity = "super::limits::list(child_complexity, super::limits::CHOICES)")]
    async fn choices(&self) -> Option<Vec<Choice>> {
        if self.0.choices.is_empty() {
            return None;
        }
        Some(
            self.0
                .choices
                .iter()
                .map(|c| Choice {
                    value: Json(c.value.clone()),
                    label: c.label.clone(),
                })
                .collect(),
        )
    }
    /// The value is a list of items of `type`.
    async fn multiple(&self) -> bool {
        self.0.multiple
    }
    /// Write-only: reads never return it (nor a mask); `secretsSet` says it is stored.
    async fn secret(&self) -> bool {
        self.0.secret
    }
    async fn format(&self) -> Option<&str> {
        self.0.format.as_deref()
    }
    /// A regular expression the value must match.
    async fn pattern(&self) -> Option<&str> {
        self.0.pattern.as_deref()
    }
    async fn minimum(&self) -> Option<f64> {
        self.0.minimum
    }
    async fn maximum(&self) -> Option<f64> {
        self.0.maximum
    }
    async fn placeholder(&self) -> Option<&str> {
        self.0.placeholder.as_deref()
    }
    /// Nested fields of an object (or the values of a map).
    #[graphql(complexity = "super::limits::list(child_complexity, super::limits::PROPERTIES)")]
    async fn properties(&self) -> Option<Vec<PrototypeFieldOut<'a>>> {
        if self.0.properties.is_empty() {
            return None;
        }
        Some(self.0.properties.iter().map(PrototypeFieldOut).collect())
    }
    /// Whether an object accepts keys beyond `properties`.
    async fn additional_properties(&self) -> bool {
        self.0.additional_properties
    }
    /// Show the field only when this condition on its siblings holds.
    async fn depends_on(&self) -> Option<Json<serde_json::Value>> {
        self.0
            .depends_on
            .as_ref()
            .and_then(|c| serde_json::to_value(c).ok())
            .map(Json)
    }
    /// The field becomes required when this condition on its siblings holds.
    async fn required_if(&self) -> Option<Json<serde_json::Value>> {
        self.0
            .required_if
            .as_ref()
            .and_then(|c| serde_json::to_value(c).ok())
            .map(Json)
    }
    async fn hidden(&self) -> bool {
        self.0.hidden
    }
    async fn read_only(&self) -> bool {
        self.0.read_only
    }
    /// The fewest entries of a `map` (or items of a list), when bounded.
    async fn min_items(&self) -> Option<u32> {
        self.0.min_items
    }
    /// The most entries of a `map` (or items of a list), when bounded.
    async fn max_items(&self) -> Option<u32> {
        self.0.max_items
    }
    /// Every value of the `map` must be this prefix followed by a number (`eVar12` for
    /// `eVar`): the classic catalogs' `map_prefix`.
    async fn key_prefix(&self) -> Option<&str> {
        self.0.key_prefix.as_deref()
    }
    /// The values a `map` entry may take (the classic catalogs' `select_options`); none
    /// when any value is allowed.
    async fn value_choices(&self) -> Option<&[String]> {
        (!self.0.value_choices.is_empty()).then_some(self.0.value_choices.as_slice())
    }
}

/// The credentials part of a destination's form.
pub struct ConnectionPrototype<'a>(pub &'a Destination);

#[Object]
impl<'a> ConnectionPrototype<'a> {
    /// What `createConnection(connectionPrototypeId:)` takes.
    async fn id(&self) -> &str {
        &self.0.code
    }
    async fn code(&self) -> &str {
        &self.0.code
    }
    /// The authentication scheme (`custom`, `oauth2`, `basic`, …) when known.
    async fn scheme(&self) -> Option<&str> {
        self.0.connection_scheme.as_deref()
    }
    #[graphql(
        complexity = "super::limits::list(child_complexity, super::limits::CONNECTION_FIELDS)"
    )]
    async fn fields(&self) -> Vec<PrototypeFieldOut<'a>> {
        self.0
            .connection_fields
            .iter()
            .map(PrototypeFieldOut)
            .collect()
    }
}

/// A titled group of fields that can be switched on (an action of a destination).
pub struct PrototypeSectionOut<'a>(pub &'a PrototypeSection);

#[Object(name = "PrototypeSection")]
impl<'a> PrototypeSectionOut<'a> {
    /// The key of the section in the configPayload.
    async fn code(&self) -> &str {
        &self.0.code
    }
    async fn label(&self) -> &str {
        &self.0.label
    }
    async fn description(&self) -> Option<&str> {
        self.0.description.as_deref()
    }
    async fn default_enabled(&self) -> bool {
        self.0.default_enabled
    }
    /// The trigger of Segment's own automatic preset for this action; `null` when no preset
    /// uses it. A new configuration switches on only the sections that have one (see
    /// `presetConfig`), when the destination has any.
    async fn preset_subscribe(&self) -> Option<&str> {
        self.0.preset_subscribe.as_deref()
    }

    /// The action's default trigger (Segment's FQL), in force while the section's
    /// `subscribe` is not set.
    async fn default_subscribe(&self) -> Option<&str> {
        self.0.default_subscribe.as_deref()
    }
    #[graphql(complexity = "super::limits::list(child_complexity, super::limits::SECTION_FIELDS)")]
    async fn fields(&self) -> Vec<PrototypeFieldOut<'a>> {
        self.0.fields.iter().map(PrototypeFieldOut).collect()
    }
}

/// A destination of the catalog and the forms that configure it.
pub struct ClickstreamPrototype<'a>(pub &'a Destination);

#[Object]
impl<'a> ClickstreamPrototype<'a> {
    async fn id(&self) -> &str {
        &self.0.code
    }
    /// Kebab-case, e.g. `acquisio`, `actions-amplitude`.
    async fn code(&self) -> &str {
        &self.0.code
    }
    async fn name(&self) -> &str {
        &self.0.name
    }
    async fn description(&self) -> Option<&str> {
        self.0.description.as_deref()
    }
    /// The source platforms it accepts.
    async fn platforms(&self) -> &[String] {
        &self.0.platforms
    }
    async fn categories(&self) -> &[String] {
        &self.0.categories
    }
    async fn connection_prototype(&self) -> ConnectionPrototype<'a> {
        ConnectionPrototype(self.0)
    }
    /// The top-level fields of the configPayload.
    #[graphql(complexity = "super::limits::list(child_complexity, super::limits::CONFIG_FIELDS)")]
    async fn config_prototype(&self) -> Vec<PrototypeFieldOut<'a>> {
        self.0.settings.iter().map(PrototypeFieldOut).collect()
    }
    /// Groups of fields that can be switched on, each under its `code` in the configPayload.
    #[graphql(complexity = "super::limits::list(child_complexity, super::limits::SECTIONS)")]
    async fn sections(&self) -> Vec<PrototypeSectionOut<'a>> {
        self.0.sections.iter().map(PrototypeSectionOut).collect()
    }
    /// The configPayload made of every default.
    async fn default_config(&self) -> Json<serde_json::Value> {
        Json(self.0.default_config())
    }
    /// The configPayload a new configuration starts with: `defaultConfig` with only the
    /// sections Segment's presets switch on (each with its preset's trigger), when the
    /// destination has presets.
    async fn preset_config(&self) -> Json<serde_json::Value> {
        Json(self.0.preset_config())
    }
    /// Segment's own presets of the destination (`@segment/action-destinations`).
    async fn presets(&self) -> Vec<PresetOut<'a>> {
        self.0.presets.iter().map(PresetOut).collect()
    }
}

/// One of Segment's presets: an action switched on with a trigger.
pub struct PresetOut<'a>(pub &'a Preset);

#[Object(name = "Preset")]
impl PresetOut<'_> {
    /// E.g. "Track Calls".
    async fn name(&self) -> &str {
        &self.0.name
    }
    /// `automatic` (on for a new destination) or `specificEvent` (for one Engage event).
    #[graphql(name = "type")]
    async fn preset_type(&self) -> &str {
        &self.0.preset_type
    }
    /// The code of the section (action) it switches on.
    async fn section(&self) -> &str {
        &self.0.partner_action
    }
    /// Its trigger (Segment's FQL), for automatic presets.
    async fn subscribe(&self) -> Option<&str> {
        self.0.subscribe.as_deref()
    }
    /// The field values it gives the section.
    async fn mapping(&self) -> Option<Json<serde_json::Value>> {
        self.0.mapping.clone().map(Json)
    }
}
