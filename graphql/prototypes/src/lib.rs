//! Destination form prototypes for Houston: the field model, catalog loading, default values,
//! explicit secrets and validation.
//!
//! A destination has a *connection prototype* (credential fields) and a *config prototype*
//! (settings fields and, for action-based destinations, sections that can be switched on).
//! Forms are generated from these fields and checked with [`validate`]; the server refuses
//! bad input with the same rules. The crate does no IO and builds for
//! `wasm32-unknown-unknown`.
//!
//! ```
//! let catalog = houston_prototypes::parse_catalog(r#"[{
//!     "code": "acquisio", "name": "Acquisio",
//!     "platforms": {"browser": true, "server": false, "mobile": false},
//!     "connection": {"fields": [{"propertyName": "apiKey", "label": "API Key", "type": "input", "required": true, "secret": true}]},
//!     "settings": [{"propertyName": "events", "label": "Events", "type": "array", "required": false}]
//! }]"#).unwrap();
//! let acquisio = &catalog[0];
//! let errors = acquisio.validate_config(&serde_json::json!({"events": ["Order Completed", 7]}));
//! assert_eq!(errors[0].property_name, "events.1");
//! assert_eq!(errors[0].message, "Must be text");
//! ```

#![warn(missing_docs)]

mod catalog;
#[cfg(feature = "compact")]
mod compact;
mod defaults;
mod format;
mod model;
mod pattern;
mod scope;
mod secrets;
mod validate;

#[cfg(test)]
mod test_support;

pub use catalog::{parse_catalog, CatalogError};
#[cfg(feature = "compact")]
pub use compact::{decode_catalog, encode_catalog, CompactError};
pub use defaults::defaults;
pub use model::{
    is_mapping_directive, Choice, Condition, ConditionRule, Destination, FieldError, FieldType,
    Preset, PrototypeField, PrototypeSection,
};
pub use scope::Scope;
pub use secrets::{all_set, merge_all, merge_secrets, secrets_set, strip_secrets};
pub use validate::validate;
