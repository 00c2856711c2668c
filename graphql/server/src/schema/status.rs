//! What every mutation answers: its outcome (`StatusMessage`) with the fields that are
//! wrong (`FieldError`), and the two steps every mutation shares: turning a failure into
//! that answer, and turning a form's field errors into `INVALID_INPUT`.

use crate::error::{ApiError, ApiResult};
use async_graphql::SimpleObject;
use houston_prototypes::FieldError as ProtoFieldError;
use houston_vocabulary::ErrorCode;

/// A form field that is wrong, and why.
#[derive(SimpleObject, Clone, Debug)]
#[graphql(name = "FieldError")]
pub struct FieldErrorOut {
    /// The path of the field in the submitted JSON, e.g. `apiKey` or `logEvent.user_id`.
    pub property_name: String,
    pub message: String,
}

impl From<ProtoFieldError> for FieldErrorOut {
    fn from(e: ProtoFieldError) -> Self {
        FieldErrorOut {
            property_name: e.property_name,
            message: e.message,
        }
    }
}

/// The outcome of a mutation.
#[derive(SimpleObject, Clone, Debug)]
pub struct StatusMessage {
    /// Whether the mutation did what was asked.
    pub success: bool,
    /// What happened, for a person.
    pub message: String,
    /// The id of what was created or changed.
    pub id: Option<String>,
    /// A stable machine code: `OK`, `UNAUTHENTICATED`, `TOKEN_EXPIRED`, `FORBIDDEN`,
    /// `NOT_FOUND`, `INVALID_INPUT`, `CONFLICT`, `LAST_OWNER`, `ORG_MISMATCH`,
    /// `RATE_LIMITED`, `INTERNAL`.
    pub code: Option<String>,
    /// The fields that are wrong, for `INVALID_INPUT`.
    pub field_errors: Option<Vec<FieldErrorOut>>,
}

impl StatusMessage {
    /// Success, with the id of what was made or changed.
    pub fn ok(message: impl Into<String>, id: Option<String>) -> Self {
        StatusMessage {
            success: true,
            message: message.into(),
            id,
            code: Some(ErrorCode::Ok.into()),
            field_errors: None,
        }
    }
}

impl From<ApiError> for StatusMessage {
    fn from(e: ApiError) -> Self {
        let code = e.code();
        let message = e.message();
        let field_errors = match e {
            ApiError::InvalidInput(_, f) if !f.is_empty() => {
                Some(f.into_iter().map(Into::into).collect())
            }
            _ => None,
        };
        StatusMessage {
            success: false,
            message,
            id: None,
            code: Some(code.into()),
            field_errors,
        }
    }
}

/// A mutation's answer: what it did, or why it did not, as data a form can show.
pub(crate) fn status(r: ApiResult<StatusMessage>) -> StatusMessage {
    r.unwrap_or_else(StatusMessage::from)
}

/// The end of every check of a submitted form: nothing wrong, or `INVALID_INPUT` naming
/// the one field that is wrong (or how many are) with every field error attached.
pub(crate) fn valid(errors: Vec<ProtoFieldError>) -> ApiResult<()> {
    let message = match errors.as_slice() {
        [] => return Ok(()),
        [one] => format!("{}: {}", one.property_name, one.message),
        many => format!("{} fields need attention.", many.len()),
    };
    Err(ApiError::InvalidInput(message, errors))
}
