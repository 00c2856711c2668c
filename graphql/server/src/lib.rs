//! The Houston API server: the whole contract of `API.md` over async-graphql and sqlx.
//!
//! The desktop app embeds it ([`Houston::open`] then [`Houston::execute`], no port), the
//! `houston-server` binary serves it over HTTP ([`Houston::serve`]), and the tests do both.

pub mod access;
pub mod analytics_js;
mod answers;
pub mod auth;
pub mod catalog;
pub mod changes;
pub mod clock;
pub mod collector;
mod config;
pub mod error;
pub mod event_feed;
pub mod graphiql;
pub mod http;
pub mod ids;
pub mod input;
mod listener;
pub mod mail;
pub mod migrate;
mod pages;
pub mod schema;
pub mod seal;
mod server;
pub mod socket;
mod state;
pub mod store;
pub mod throttle;

pub use access::RequestAuth;
pub use config::{
    parse_event_retention, DataKeySource, RetentionError, SecretSource, ServerConfig,
};
pub use schema::{build_schema, sdl, HoustonSchema};
pub use server::Houston;
pub use state::AppState;
pub use throttle::Limits;
