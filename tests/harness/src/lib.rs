//! What every package's tests share, written once:
//!
//! - [`TestServer`]: a Houston in this process on a SQLite file in a temporary directory
//!   or on a fresh PostgreSQL database ([`PgDatabase`], from `HOUSTON_TEST_POSTGRES`), also
//!   served over HTTP on a 127.0.0.1 port-0 listener, with helpers that walk the sign-up
//!   flow;
//! - [`ServerProcess`]: the `houston-server` binary as a child process on port 0, found (and
//!   rebuilt when older than its sources) by [`houston_server_bin`], its log kept;
//! - [`chrome`]: headless Chromium through chromedriver, reaching loopback only, and a
//!   loopback server for its test pages (how analytics.js is run in tests);
//! - [`node`]: Node.js 20 on `PATH` and `npm ci` from a lock file, when it is stale;
//! - [`ws`]: a graphql-transport-ws client with one subscription;
//! - [`http`]: one GraphQL request over HTTP (document, variables, `authorization` and
//!   `organization` headers) answering JSON, and the `ok`/`ok_id` checks built on it.
//!
//! A dev-dependency only. `houston-server`'s own integration tests and benches use it too
//! (cargo allows that dev-dependency cycle); its `#[cfg(test)]` unit tests must not, since
//! they would see two copies of the server crate.

#![warn(missing_docs)]

pub mod chrome;
pub mod http;
mod keyed_db;
pub mod node;
pub mod postgres;
pub mod process;
mod server;
pub mod ws;

pub use keyed_db::KeyedDb;
pub use postgres::PgDatabase;
pub use process::{houston_server_bin, ServerProcess};
pub use server::{error_code, execute, Backend, TestServer, Via};
