//! The form generator: one component per field type, chosen by an exhaustive match, over
//! one `serde_json::Value` validated as it changes with the rules the server uses.

pub mod model;
pub mod path;

mod controls;
mod help;
mod json_view;
pub mod secret;
mod state;

pub use controls::{focus_first_error, ConfigForm, ConfigJson, FieldList, FormErrors};
pub use help::Help;
pub use json_view::JsonView;
pub use path::FieldPath;
pub use state::FormState;
