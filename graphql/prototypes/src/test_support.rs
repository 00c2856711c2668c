//! What the unit tests of several modules build their fields with.

use crate::model::{FieldType, PrototypeField};

/// A field of `field_type` whose key and label are `name`, everything else defaulted.
pub(crate) fn field(name: &str, field_type: FieldType) -> PrototypeField {
    PrototypeField {
        property_name: name.to_owned(),
        label: name.to_owned(),
        field_type,
        ..PrototypeField::default()
    }
}
