//! The GraphQL schema, cut by concept: each module holds one concept's queries and
//! mutations beside its output types, and the roots below merge them. Besides them: the
//! subscription, and the limits that keep a single request from costing too much.

mod accounts;
mod api_keys;
mod audit;
mod catalog;
mod connections;
mod delivery;
mod events;
mod hashing;
mod integrations;
mod invitations;
mod limits;
mod mail;
mod organizations;
mod paging;
mod prefetch;
pub(crate) mod quotas;
mod scalars;
mod sources;
mod status;
mod stored_sizes;
mod subscription;

pub use accounts::{UserProfileInput, MAX_FAILED_SIGN_INS, SIGN_IN_WINDOW_SECS};
pub use integrations::ClickstreamChange;
pub use limits::Budget;

use crate::AppState;
use async_graphql::{MergedObject, Object, Schema};
use std::sync::Arc;

/// The Houston schema type.
pub type HoustonSchema = Schema<Query, Mutation, subscription::Subscription>;

/// Deepest selection accepted (the catalog's nested properties need about 8).
pub const MAX_DEPTH: usize = 16;
/// Largest cost accepted for one request, its batch included: every field counts one, a
/// list its expected length times its selection (see `limits`). The client's whole-catalog
/// query (every form field of 483 destinations, estimated 533,501) fits; two do not.
pub const MAX_COMPLEXITY: usize = 800_000;
/// Most values (fields and list items) one request, its batch included, may produce: the
/// bound on the memory an answer takes while it is built, whatever the estimates said.
pub const MAX_VALUES: usize = 800_000;
/// Most aliases in one document: aliasing is how one request repeats an expensive field.
pub const MAX_ALIASES: usize = 30;
/// Most field selections in one document, fragments included.
pub const MAX_FIELDS: usize = 1_500;
/// Most directives on one field.
pub const MAX_DIRECTIVES: usize = 5;

// Everything that reads; the order of the parts is the order of the fields in the SDL.
// (Plain comments on both roots: MergedObject would make a doc comment the root type's
// description, which the published SDL has never had.)
#[derive(MergedObject, Default)]
pub struct Query(
    HealthQuery,
    accounts::AccountsQuery,
    organizations::OrganizationsQuery,
    sources::SourcesQuery,
    connections::ConnectionsQuery,
    catalog::CatalogQuery,
    integrations::IntegrationsQuery,
    api_keys::ApiKeysQuery,
    mail::MailQuery,
    events::EventsQuery,
    delivery::DeliveryQuery,
    invitations::InvitationsQuery,
);

// Everything that writes. Each mutation returns its outcome as data (`StatusMessage`,
// `Token`), so a form can show what went wrong; each change is one store transaction.
#[derive(MergedObject, Default)]
pub struct Mutation(
    accounts::AccountsMutation,
    organizations::OrganizationsMutation,
    sources::SourcesMutation,
    connections::ConnectionsMutation,
    integrations::IntegrationsMutation,
    api_keys::ApiKeysMutation,
    invitations::InvitationsMutation,
);

/// The server's own query.
#[derive(Default)]
pub struct HealthQuery;

#[Object]
impl HealthQuery {
    /// A liveness answer with the server's version.
    async fn healthcheck(&self) -> String {
        format!("houston-server {} ok", env!("CARGO_PKG_VERSION"))
    }
}

fn roots() -> async_graphql::SchemaBuilder<Query, Mutation, subscription::Subscription> {
    Schema::build(
        Query::default(),
        Mutation::default(),
        subscription::Subscription::default(),
    )
}

/// Builds the schema over `state`, with the limits above. Requests carry their caller as a
/// [`crate::access::RequestAuth`] in their data; without one they run anonymously.
pub fn build_schema(state: Arc<AppState>) -> HoustonSchema {
    roots()
        .data(state)
        .limit_depth(MAX_DEPTH)
        .limit_recursive_depth(MAX_DEPTH * 2)
        .limit_directives(MAX_DIRECTIVES)
        .extension(limits::DocumentLimits)
        .extension(hashing::OneHashPerDocument)
        .extension(stored_sizes::StoredSizes)
        .extension(audit::KeyAudit)
        .disable_suggestions()
        .finish()
}

/// The SDL of the schema, as checked in at `graphql/schema.graphql`.
pub fn sdl() -> String {
    roots().finish().sdl()
}
