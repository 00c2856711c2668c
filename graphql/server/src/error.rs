//! Failures as the API reports them: a stable machine code and a sentence a person can act on.

use crate::store::StoreError;
use async_graphql::ErrorExtensions;
use houston_prototypes::FieldError;
use houston_vocabulary::ErrorCode;

/// Every way a request can fail. Mutations turn these into a `StatusMessage`; queries
/// into a GraphQL error with `extensions.code`. (Deliberately not `Display`: async-graphql
/// turns anything displayable into an error without a code, so the conversion must be ours.)
#[derive(Debug, Clone)]
pub enum ApiError {
    Unauthenticated,
    TokenExpired,
    Forbidden(&'static str),
    NotFound(&'static str),
    InvalidInput(String, Vec<FieldError>),
    Conflict(String),
    LastOwner,
    OrgMismatch,
    RateLimited,
    /// Too many requests of one kind from one client (or for one address), or the server
    /// is shedding load: try again later. The sentence says which.
    Busy(&'static str),
    /// The detail was logged on the server when the error was made, and is never sent.
    Internal,
}

/// Result of a resolver's inner work.
pub type ApiResult<T> = Result<T, ApiError>;

impl ApiError {
    /// The stable code clients match on.
    pub fn code(&self) -> ErrorCode {
        match self {
            ApiError::Unauthenticated => ErrorCode::Unauthenticated,
            ApiError::TokenExpired => ErrorCode::TokenExpired,
            ApiError::Forbidden(_) => ErrorCode::Forbidden,
            ApiError::NotFound(_) => ErrorCode::NotFound,
            ApiError::InvalidInput(..) => ErrorCode::InvalidInput,
            ApiError::Conflict(_) => ErrorCode::Conflict,
            ApiError::LastOwner => ErrorCode::LastOwner,
            ApiError::OrgMismatch => ErrorCode::OrgMismatch,
            ApiError::RateLimited | ApiError::Busy(_) => ErrorCode::RateLimited,
            ApiError::Internal => ErrorCode::Internal,
        }
    }

    /// A bad argument, with no particular field.
    pub fn invalid(message: impl Into<String>) -> Self {
        ApiError::InvalidInput(message.into(), Vec::new())
    }

    /// A bad argument that a form can show on one field.
    pub fn invalid_field(field: &str, message: impl Into<String>) -> Self {
        let message = message.into();
        ApiError::InvalidInput(
            message.clone(),
            vec![FieldError {
                property_name: field.to_string(),
                message,
            }],
        )
    }

    /// Logs an internal failure (its detail stays here) and returns the opaque error.
    pub fn internal(e: impl Into<anyhow::Error>) -> Self {
        let e = e.into();
        tracing::error!(error = %format!("{e:#}"), "internal error");
        ApiError::Internal
    }

    /// The sentence for a person.
    pub fn message(&self) -> String {
        match self {
            ApiError::Unauthenticated => "You must sign in first.".into(),
            ApiError::TokenExpired => "Your session has expired; sign in again.".into(),
            ApiError::Forbidden(m) => (*m).into(),
            ApiError::NotFound(what) => format!("{what} not found."),
            ApiError::InvalidInput(m, _) | ApiError::Conflict(m) => m.clone(),
            ApiError::LastOwner => "An organization must keep at least one owner.".into(),
            ApiError::OrgMismatch => {
                "The organization header and the orgId argument name different organizations."
                    .into()
            }
            ApiError::RateLimited => {
                "Too many failed attempts; wait a few minutes and try again.".into()
            }
            ApiError::Busy(m) => (*m).into(),
            ApiError::Internal => "Something went wrong on the server.".into(),
        }
    }
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::Conflict => ApiError::Conflict("That already exists.".into()),
            StoreError::LastOwner => ApiError::LastOwner,
            StoreError::InUse => {
                ApiError::Conflict("It is still in use; remove what uses it first.".into())
            }
            StoreError::NotFound => ApiError::NotFound("It was"),
            StoreError::OverQuota { table, held } => {
                ApiError::invalid(crate::schema::quotas::refusal(table, held))
            }
            other => ApiError::internal(other),
        }
    }
}

impl From<ApiError> for async_graphql::Error {
    fn from(e: ApiError) -> Self {
        let code = e.code();
        let fields = match &e {
            ApiError::InvalidInput(_, f) => f.clone(),
            _ => Vec::new(),
        };
        async_graphql::Error::new(e.message()).extend_with(|_, ext| {
            ext.set("code", code.as_str());
            if !fields.is_empty() {
                let list: Vec<async_graphql::Value> = fields
                    .iter()
                    .map(|f| {
                        let mut m = async_graphql::indexmap::IndexMap::new();
                        m.insert(
                            async_graphql::Name::new("propertyName"),
                            async_graphql::Value::from(f.property_name.clone()),
                        );
                        m.insert(
                            async_graphql::Name::new("message"),
                            async_graphql::Value::from(f.message.clone()),
                        );
                        async_graphql::Value::Object(m)
                    })
                    .collect();
                ext.set("fieldErrors", list);
            }
        })
    }
}
