//! Telling the other servers on the same database about a change (`clickstreamChanged`)
//! and about the events stored (`eventReceived`): two feeds, each its own channel.

use super::StoreResult;
use async_trait::async_trait;
use futures_util::stream::BoxStream;

/// The payloads other servers on the same database publish with
/// [`ChangeFeed::publish_change`].
pub type ChangeStream = BoxStream<'static, String>;

/// Servers sharing the database.
#[async_trait]
pub trait ChangeFeed: Send + Sync {
    /// Tells every server listening on this database (see [`ChangeFeed::listen_changes`])
    /// about a change, as an opaque text payload. A store that only one process can open
    /// has nobody else to tell and does nothing.
    async fn publish_change(&self, payload: &str) -> StoreResult<()> {
        let _ = payload;
        Ok(())
    }
    /// Starts listening for the payloads published on this database, this server's own
    /// included (the caller tells them apart). `None` when the database cannot be shared.
    /// Listening has begun when this returns: nothing published after is missed, unless
    /// the connection is lost (the stream then reconnects and goes on).
    async fn listen_changes(&self) -> StoreResult<Option<ChangeStream>> {
        Ok(None)
    }
    /// Like [`ChangeFeed::publish_change`], on the feed of stored events.
    async fn publish_events(&self, payload: &str) -> StoreResult<()> {
        let _ = payload;
        Ok(())
    }
    /// Like [`ChangeFeed::listen_changes`], on the feed of stored events.
    async fn listen_events(&self) -> StoreResult<Option<ChangeStream>> {
        Ok(None)
    }
}
