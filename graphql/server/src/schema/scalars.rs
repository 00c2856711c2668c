//! The scalars the schema adds to GraphQL's own.

use async_graphql::{Scalar, ScalarType, Value};

/// An RFC 3339 date-time, e.g. `2026-11-27T10:00:00Z`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Date(pub String);

#[Scalar(name = "Date")]
impl ScalarType for Date {
    fn parse(value: Value) -> async_graphql::InputValueResult<Self> {
        match value {
            Value::String(s)
                if time::OffsetDateTime::parse(
                    &s,
                    &time::format_description::well_known::Rfc3339,
                )
                .is_ok() =>
            {
                Ok(Date(s))
            }
            other => Err(async_graphql::InputValueError::expected_type(other)),
        }
    }
    fn to_value(&self) -> Value {
        Value::String(self.0.clone())
    }
}
