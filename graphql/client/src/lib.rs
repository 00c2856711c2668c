//! Typed Houston operations over a pluggable [`Transport`].
//!
//! Every document in `graphql/operations/` becomes one struct here, named after its file
//! (`CreateToken.graphql` → [`CreateToken`], with its types in [`create_token`]), checked
//! against `graphql/schema.graphql` at compile time. [`run`] sends one of them through any
//! [`Transport`] and answers its typed data, or a [`ClientError`] a UI can match on.
//!
//! The operations and [`Transport`] compile everywhere, `wasm32-unknown-unknown` included.
//! The transports that need an operating system are behind features:
//!
//! - `http`: [`HttpTransport`], to a Houston over HTTP (reqwest, rustls);
//! - `in-process`: [`InProcessTransport`], to a bundled `houston_server::Houston`,
//!   without opening a port;
//! - `ws`: [`WsSubscription`], a subscription to a remote Houston over graphql-transport-ws
//!   that reconnects with backoff.
//!
//! ```no_run
//! # async fn example(transport: &dyn houston_client::Transport) -> Result<(), houston_client::ClientError> {
//! use houston_client::{run, me, Me};
//! let data = run::<Me>(transport, me::Variables, Some("<jwt>"), None).await?;
//! println!("{:?}", data.me.map(|user| user.username));
//! # Ok(())
//! # }
//! ```

#![warn(missing_docs)]

mod error;
mod operations;
pub mod pipeline;
mod shell;
mod transport;

#[cfg(feature = "http")]
mod http;
#[cfg(feature = "in-process")]
mod in_process;
#[cfg(feature = "ws")]
mod ws;

pub use error::{ClientError, TransportError};
pub use operations::*;
pub use shell::{
    BackendKind, Change, ChangeWatch, CommandError, EventWatch, KnownServer, Mail, ServerCheck,
    SessionUser, SessionView, WatchLink,
};
pub use transport::{run, MaybeSendSync, Transport};

#[cfg(feature = "http")]
pub use http::HttpTransport;
#[cfg(feature = "in-process")]
pub use in_process::InProcessTransport;
#[cfg(feature = "ws")]
pub use ws::{ws_url, Live, WsSubscription};

/// The shared words ([`ErrorCode`](houston_vocabulary::ErrorCode),
/// [`Role`](houston_vocabulary::Role), …), re-exported so that every user of the client
/// speaks them without a second dependency.
pub use houston_vocabulary as vocabulary;

/// Re-exported so that callers can name [`GraphQLQuery`](graphql_client::GraphQLQuery)
/// and its `Response` without depending on `graphql_client` themselves.
pub use graphql_client;
