//! The API's output and input types.

use crate::access::Access;
use crate::error::{ApiError, ApiResult};
use crate::store::{
    ApiKeyRow, AppRow, ConnectionRow, IntegrationRow, MailRow, MemberRow, OrgRow, UserRow,
};
use async_graphql::{
    Context, Enum, InputObject, Json, Object, Scalar, ScalarType, SimpleObject, Value,
};
use houston_prototypes::{
    Destination, FieldError as ProtoFieldError, PrototypeField, PrototypeSection,
};
use houston_vocabulary::{ErrorCode, Role};
use std::collections::HashMap;
use std::sync::Arc;

// The GraphQL face of the vocabulary's `Role` (whose doc comments these repeat, as the
// schema's descriptions): resolvers, the store and access checks use the vocabulary's.
/// A member's role in an organization.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
#[graphql(name = "Role", remote = "houston_vocabulary::Role")]
pub enum GraphqlRole {
    /// Full control of the organization.
    Owner,
    /// Reads the organization and works on its pipelines.
    User,
}

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

/// The claims of a token, as the original clients read them.
#[derive(SimpleObject, Clone, Debug)]
pub struct DecodedToken {
    /// The user id.
    pub id: String,
    pub iat: Date,
    pub exp: Date,
    #[graphql(name = "sU")]
    pub s_u: bool,
}

/// The outcome of the token mutations.
#[derive(SimpleObject, Clone, Debug)]
pub struct Token {
    pub success: bool,
    pub message: String,
    /// The JWT to send in the `authorization` header.
    pub token: Option<String>,
    pub decoded: Option<DecodedToken>,
    /// A stable machine code, as in `StatusMessage`.
    pub code: Option<String>,
}

impl From<ApiError> for Token {
    fn from(e: ApiError) -> Self {
        Token {
            success: false,
            message: e.message(),
            token: None,
            decoded: None,
            code: Some(e.code().into()),
        }
    }
}

/// An email address of a user.
#[derive(SimpleObject, Clone, Debug)]
pub struct Email {
    pub address: String,
    pub verified: bool,
    pub primary: bool,
}

/// A person's name and company.
#[derive(SimpleObject, Clone, Debug, Default)]
pub struct UserProfile {
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub company: Option<String>,
}

/// A profile to set; absent fields keep their value.
#[derive(InputObject, Clone, Debug, Default)]
pub struct UserProfileInput {
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub company: Option<String>,
}

/// A person to add to an organization.
#[derive(InputObject, Clone, Debug)]
pub struct MemberInput {
    pub email: String,
    /// Defaults to `USER`.
    pub role: Option<GraphqlRole>,
}

/// A member's new role.
#[derive(InputObject, Clone, Debug)]
pub struct MemberRoleInput {
    pub user_id: String,
    pub role: GraphqlRole,
}

/// A person with an account.
pub struct User(pub UserRow);

#[Object]
impl User {
    async fn id(&self) -> &str {
        &self.0.id
    }
    /// The email the person signs in with.
    async fn username(&self) -> &str {
        &self.0.username
    }
    async fn emails(&self) -> Vec<Email> {
        vec![Email {
            address: self.0.username.clone(),
            verified: self.0.email_verified,
            primary: true,
        }]
    }
    async fn profile(&self) -> UserProfile {
        UserProfile {
            first_name: self.0.first_name.clone(),
            last_name: self.0.last_name.clone(),
            company: self.0.company.clone(),
        }
    }
    /// `pending` until the email is confirmed, then `active`; or `locked`.
    async fn status(&self) -> &str {
        &self.0.status
    }
    async fn created_at(&self) -> Date {
        Date(self.0.created_at.clone())
    }
}

/// A member of an organization.
pub struct Member(pub MemberRow);

#[Object]
impl Member {
    async fn user(&self) -> User {
        User(self.0.user.clone())
    }
    async fn role(&self) -> GraphqlRole {
        self.0.role.into()
    }
}

/// An organization, as seen by one of its members (`role` is the viewer's).
pub struct Organization {
    pub row: OrgRow,
    pub role: Role,
}

#[Object]
impl Organization {
    async fn id(&self) -> &str {
        &self.row.id
    }
    async fn name(&self) -> &str {
        &self.row.name
    }
    async fn description(&self) -> Option<&str> {
        self.row.description.as_deref()
    }
    async fn enabled(&self) -> bool {
        self.row.enabled
    }
    /// The viewer's role in this organization.
    async fn my_role(&self) -> GraphqlRole {
        self.role.into()
    }
    async fn members(&self, ctx: &Context<'_>) -> ApiResult<Vec<Member>> {
        let a = Access::of(ctx);
        Ok(a.state
            .store
            .members(&self.row.id)
            .await?
            .into_iter()
            .map(Member)
            .collect())
    }
    /// Members with the `USER` role.
    async fn users(&self, ctx: &Context<'_>) -> ApiResult<Vec<User>> {
        self.with_role(ctx, Role::User).await
    }
    /// Members with the `OWNER` role.
    async fn owners(&self, ctx: &Context<'_>) -> ApiResult<Vec<User>> {
        self.with_role(ctx, Role::Owner).await
    }
    /// Its clickstream sources.
    async fn applications(&self, ctx: &Context<'_>) -> ApiResult<Vec<Application>> {
        let a = Access::of(ctx);
        Ok(a.state
            .store
            .apps_of_org(&self.row.id)
            .await?
            .into_iter()
            .map(|row| Application {
                row,
                role: self.role,
                prefetched: None,
            })
            .collect())
    }
    async fn created_at(&self) -> Date {
        Date(self.row.created_at.clone())
    }
}

impl Organization {
    async fn with_role(&self, ctx: &Context<'_>, role: Role) -> ApiResult<Vec<User>> {
        let a = Access::of(ctx);
        Ok(a.state
            .store
            .members(&self.row.id)
            .await?
            .into_iter()
            .filter(|m| m.role == role)
            .map(|m| User(m.user))
            .collect())
    }
}

/// Rows a list resolver read in bulk for the objects it returns, so that their nested
/// fields (a source's organization and integrations, an integration's source and
/// connection) come from memory instead of one query per object. Without it the
/// Integrations page of an organization with 100,000 integrations ran 200,000 queries
/// (`make bench`, large-org). Everything in it belongs to the one organization whose
/// role the list resolver checked; a row missing from it is read from the store as before.
#[derive(Default)]
pub struct Prefetched {
    pub org: Option<OrgRow>,
    pub apps: HashMap<String, AppRow>,
    pub connections: HashMap<String, ConnectionRow>,
    /// Integrations by source id (in the store's order), when they were read.
    pub integrations: Option<HashMap<String, Vec<IntegrationRow>>>,
}

impl Prefetched {
    /// Groups an organization's integrations by source.
    pub fn group_integrations(rows: Vec<IntegrationRow>) -> HashMap<String, Vec<IntegrationRow>> {
        let mut by_app: HashMap<String, Vec<IntegrationRow>> = HashMap::new();
        for row in rows {
            by_app.entry(row.app_id.clone()).or_default().push(row);
        }
        by_app
    }
}

/// A clickstream source: analytics.js, server, analytics-android or analytics-ios.
pub struct Application {
    pub row: AppRow,
    pub role: Role,
    /// What the list this source came in already read (see [`Prefetched`]).
    pub prefetched: Option<Arc<Prefetched>>,
}

#[Object]
impl Application {
    /// 21 characters of `A-Za-z0-9_-`: the write key the SDKs send.
    async fn id(&self) -> &str {
        &self.row.id
    }
    async fn name(&self) -> &str {
        &self.row.name
    }
    async fn platform(&self) -> &str {
        &self.row.platform
    }
    async fn organization(&self, ctx: &Context<'_>) -> ApiResult<Organization> {
        let known = self.prefetched.as_ref().and_then(|p| p.org.as_ref());
        if let Some(row) = known.filter(|o| o.id == self.row.org_id) {
            return Ok(Organization {
                row: row.clone(),
                role: self.role,
            });
        }
        let a = Access::of(ctx);
        let row = a
            .state
            .store
            .org_by_id(&self.row.org_id)
            .await?
            .ok_or(ApiError::NotFound("Organization"))?;
        Ok(Organization {
            row,
            role: self.role,
        })
    }
    /// The destinations switched on for this source.
    async fn clickstream(&self, ctx: &Context<'_>) -> ApiResult<Vec<ClickstreamConfig>> {
        let known = self
            .prefetched
            .as_ref()
            .and_then(|p| p.integrations.as_ref());
        let rows = match known {
            Some(by_app) => by_app.get(&self.row.id).cloned().unwrap_or_default(),
            None => {
                let a = Access::of(ctx);
                a.state.store.integrations_of_app(&self.row.id).await?
            }
        };
        Ok(rows
            .into_iter()
            .map(|row| ClickstreamConfig {
                row,
                role: self.role,
                prefetched: self.prefetched.clone(),
            })
            .collect())
    }
    async fn created_at(&self) -> Date {
        Date(self.row.created_at.clone())
    }
}

/// Saved credentials for a destination, reusable by several integrations.
pub struct ConnectionConfig {
    pub row: ConnectionRow,
    pub role: Role,
}

#[Object]
impl ConnectionConfig {
    async fn id(&self) -> &str {
        &self.row.id
    }
    async fn name(&self) -> &str {
        &self.row.name
    }
    async fn integration_code(&self) -> &str {
        &self.row.integration_code
    }
    async fn connection_prototype_id(&self) -> &str {
        &self.row.connection_prototype_id
    }
    async fn organization(&self, ctx: &Context<'_>) -> ApiResult<Organization> {
        let a = Access::of(ctx);
        let row = a
            .state
            .store
            .org_by_id(&self.row.org_id)
            .await?
            .ok_or(ApiError::NotFound("Organization"))?;
        Ok(Organization {
            row,
            role: self.role,
        })
    }
    /// The credentials: `null` for Users; for Owners, with every secret field masked.
    async fn details(&self, ctx: &Context<'_>) -> Option<Json<serde_json::Value>> {
        if self.role != Role::Owner {
            return None;
        }
        let a = Access::of(ctx);
        Some(Json(crate::schema::mask_connection(
            a.state.catalog.get(&self.row.integration_code),
            &self.row.details,
        )))
    }
    async fn created_at(&self) -> Date {
        Date(self.row.created_at.clone())
    }
    async fn updated_at(&self) -> Date {
        Date(self.row.updated_at.clone())
    }
}

/// A destination switched on for a source: an integration.
pub struct ClickstreamConfig {
    pub row: IntegrationRow,
    pub role: Role,
    /// What the list this integration came in already read (see [`Prefetched`]).
    pub prefetched: Option<Arc<Prefetched>>,
}

#[Object]
impl ClickstreamConfig {
    async fn id(&self) -> &str {
        &self.row.id
    }
    async fn name(&self) -> &str {
        &self.row.name
    }
    /// The destination's code in the catalog.
    async fn code(&self) -> &str {
        &self.row.code
    }
    async fn enabled(&self) -> bool {
        self.row.enabled
    }
    /// The configPayload, with secret fields masked.
    async fn config(&self, ctx: &Context<'_>) -> Json<serde_json::Value> {
        let a = Access::of(ctx);
        Json(crate::schema::mask_config(
            a.state.catalog.get(&self.row.code),
            &self.row.config,
        ))
    }
    async fn application(&self, ctx: &Context<'_>) -> ApiResult<Application> {
        let known = self
            .prefetched
            .as_ref()
            .and_then(|p| p.apps.get(&self.row.app_id));
        let row = match known {
            Some(row) => row.clone(),
            None => Access::of(ctx)
                .state
                .store
                .app_by_id(&self.row.app_id)
                .await?
                .ok_or(ApiError::NotFound("Source"))?,
        };
        Ok(Application {
            row,
            role: self.role,
            prefetched: self.prefetched.clone(),
        })
    }
    async fn connection(&self, ctx: &Context<'_>) -> ApiResult<Option<ConnectionConfig>> {
        let Some(id) = &self.row.connection_id else {
            return Ok(None);
        };
        if let Some(row) = self.prefetched.as_ref().and_then(|p| p.connections.get(id)) {
            return Ok(Some(ConnectionConfig {
                row: row.clone(),
                role: self.role,
            }));
        }
        let a = Access::of(ctx);
        Ok(a.state
            .store
            .connection_by_id(id)
            .await?
            .map(|row| ConnectionConfig {
                row,
                role: self.role,
            }))
    }
    async fn created_at(&self) -> Date {
        Date(self.row.created_at.clone())
    }
    async fn updated_at(&self) -> Date {
        Date(self.row.updated_at.clone())
    }
}

/// An organization's API key; the key itself was shown once, at creation.
pub struct ApiKey(pub ApiKeyRow);

#[Object]
impl ApiKey {
    async fn id(&self) -> &str {
        &self.0.id
    }
    async fn label(&self) -> &str {
        &self.0.label
    }
    async fn role(&self) -> GraphqlRole {
        Role::parse(&self.0.role).into()
    }
    async fn organization(&self, ctx: &Context<'_>) -> ApiResult<Organization> {
        let a = Access::of(ctx);
        let row = a
            .state
            .store
            .org_by_id(&self.0.org_id)
            .await?
            .ok_or(ApiError::NotFound("Organization"))?;
        Ok(Organization {
            row,
            role: Role::Owner,
        })
    }
    async fn created_at(&self) -> Date {
        Date(self.0.created_at.clone())
    }
    async fn last_used_at(&self) -> Option<Date> {
        self.0.last_used_at.clone().map(Date)
    }
}

/// The answer to `createApiKey`: the key, shown this once.
#[derive(SimpleObject, Clone, Debug)]
pub struct ApiKeyCreated {
    pub success: bool,
    pub message: String,
    pub id: Option<String>,
    /// Send as `authorization: service:<key>`. It cannot be read again.
    pub key: Option<String>,
    pub code: Option<String>,
}

impl From<ApiError> for ApiKeyCreated {
    fn from(e: ApiError) -> Self {
        ApiKeyCreated {
            success: false,
            message: e.message(),
            id: None,
            key: None,
            code: Some(e.code().into()),
        }
    }
}

/// A mail the server sent (or would have sent).
pub struct Mail(pub MailRow);

#[Object]
impl Mail {
    async fn id(&self) -> &str {
        &self.0.id
    }
    async fn to(&self) -> &str {
        &self.0.to_address
    }
    /// `CONFIRM_EMAIL`, `INVITATION` or `PASSWORD_RESET`.
    async fn kind(&self) -> &str {
        &self.0.kind
    }
    async fn subject(&self) -> &str {
        &self.0.subject
    }
    async fn body(&self) -> &str {
        &self.0.body
    }
    /// The token of the link in the body.
    async fn token(&self) -> Option<&str> {
        self.0.token.as_deref()
    }
    async fn created_at(&self) -> Date {
        Date(self.0.created_at.clone())
    }
}

/// A change to a source's integrations, pushed to subscribers.
#[derive(SimpleObject, Clone, Debug)]
pub struct ClickstreamChange {
    pub app_id: String,
    pub integration_id: String,
    /// `CREATE`, `UPDATE`, `ENABLE`, `DISABLE` or `DELETE`.
    pub action: String,
    #[graphql(skip)]
    pub org_id: String,
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
    /// Write-only: reads return it masked.
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
    async fn config_prototype(&self) -> Vec<PrototypeFieldOut<'a>> {
        self.0.settings.iter().map(PrototypeFieldOut).collect()
    }
    /// Groups of fields that can be switched on, each under its `code` in the configPayload.
    async fn sections(&self) -> Vec<PrototypeSectionOut<'a>> {
        self.0.sections.iter().map(PrototypeSectionOut).collect()
    }
    /// The configPayload made of every default.
    async fn default_config(&self) -> Json<serde_json::Value> {
        Json(self.0.default_config())
    }
}
