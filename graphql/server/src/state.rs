//! What every request shares: the state the schema's resolvers read.

use crate::catalog::Catalog;
use crate::store::Store;
use crate::{auth, changes, event_feed, mail, socket, throttle};
use std::sync::Arc;

/// What every request shares.
pub struct AppState {
    pub store: Arc<dyn Store>,
    pub tokens: auth::Tokens,
    pub passwords: auth::Passwords,
    pub catalog: Arc<Catalog>,
    pub mailer: mail::Mailer,
    /// Integration changes, for `clickstreamChanged` (across servers on PostgreSQL).
    pub changes: changes::Changes,
    /// Stored events, for `eventReceived` (across servers on PostgreSQL), and their
    /// retention.
    pub events: event_feed::EventFeed,
    /// Per-client rates and the load shed from password hashing.
    pub throttle: throttle::Throttle,
    /// Open WebSockets per principal, and subscribers' re-checks.
    pub sockets: socket::Sockets,
}
