//! The Houston API server: the whole contract of `API.md` over async-graphql and sqlx.
//!
//! The desktop app embeds it ([`Houston::open`] then [`Houston::execute`], no port), the
//! `houston-server` binary serves it over HTTP ([`Houston::serve`]), and the tests do both.

pub mod access;
pub mod auth;
pub mod catalog;
pub mod changes;
pub mod error;
pub mod http;
pub mod input;
pub mod mail;
pub mod migrate;
pub mod schema;
pub mod store;

pub use access::RequestAuth;
pub use schema::{build_schema, sdl, HoustonSchema};

use anyhow::Context as _;
use catalog::Catalog;
use std::path::PathBuf;
use std::sync::Arc;
use store::Store;

/// What every request shares.
pub struct AppState {
    pub store: Arc<dyn Store>,
    pub tokens: auth::Tokens,
    pub passwords: auth::Passwords,
    pub catalog: Arc<Catalog>,
    pub mailer: mail::Mailer,
    /// Integration changes, for `clickstreamChanged` (across servers on PostgreSQL).
    pub changes: changes::Changes,
}

/// Where the signing secret comes from.
#[derive(Clone, Debug)]
pub enum SecretSource {
    /// A file, created with a random secret (mode 0600) when missing.
    File(PathBuf),
    /// A fresh random secret: tokens die with the process (tests).
    Ephemeral,
}

/// How to open a server.
#[derive(Clone, Debug)]
pub struct ServerConfig {
    /// `sqlite://path`, a plain path or `sqlite::memory:`; or `postgres://…` (also
    /// `postgresql://…`) for a database that several servers share.
    pub database_url: String,
    /// Another catalog file instead of the bundled ones.
    pub catalog: Option<PathBuf>,
    pub secret: SecretSource,
    /// Send mail over SMTP (`smtp://…`); otherwise mail only goes to the outbox.
    pub smtp_url: Option<String>,
    /// The sender of mail sent over SMTP.
    pub mail_from: Option<String>,
    /// The base of the links in mails.
    pub public_url: String,
    /// `Host` header values accepted besides loopback names (see [`http::HostAllowList`]).
    pub allowed_hosts: Vec<String>,
}

impl ServerConfig {
    /// A throwaway in-memory server with an ephemeral secret: for tests.
    pub fn in_memory() -> Self {
        ServerConfig {
            database_url: "sqlite::memory:".into(),
            catalog: None,
            secret: SecretSource::Ephemeral,
            smtp_url: None,
            mail_from: None,
            public_url: "http://127.0.0.1:8871".into(),
            allowed_hosts: Vec::new(),
        }
    }

    /// A server on a SQLite file in `dir`, with its secret beside it (the desktop app).
    pub fn in_dir(dir: &std::path::Path) -> Self {
        ServerConfig {
            database_url: format!("sqlite://{}", dir.join("houston.db").display()),
            secret: SecretSource::File(dir.join("token-secret")),
            ..ServerConfig::in_memory()
        }
    }
}

/// An opened Houston: store, catalog, secret and schema.
#[derive(Clone)]
pub struct Houston {
    state: Arc<AppState>,
    schema: HoustonSchema,
    allowed_hosts: Vec<String>,
}

impl Houston {
    /// Opens the database (migrating it), loads the catalog and the secret.
    pub async fn open(config: ServerConfig) -> anyhow::Result<Houston> {
        let catalog = match &config.catalog {
            Some(path) => Catalog::from_file(path)?,
            None => Catalog::bundled()?,
        };
        let store = store::open(&config.database_url).await.context(
            if store::is_postgres_url(&config.database_url) {
                "opening the PostgreSQL database"
            } else {
                "opening the SQLite database"
            },
        )?;
        let tokens = match &config.secret {
            SecretSource::File(path) => auth::Tokens::from_file(path)?,
            SecretSource::Ephemeral => auth::Tokens::random(),
        };
        let mailer = match &config.smtp_url {
            Some(url) => {
                mail::Mailer::with_smtp(&config.public_url, url, config.mail_from.as_deref())?
            }
            None => mail::Mailer::outbox_only(&config.public_url),
        };
        Houston::from_parts(
            store,
            tokens,
            Arc::new(catalog),
            mailer,
            config.allowed_hosts,
        )
        .await
    }

    /// Assembles a server from its parts; on a shared store it starts listening for the
    /// changes other servers make.
    pub async fn from_parts(
        store: Arc<dyn Store>,
        tokens: auth::Tokens,
        catalog: Arc<Catalog>,
        mailer: mail::Mailer,
        allowed_hosts: Vec<String>,
    ) -> anyhow::Result<Houston> {
        let changes = changes::Changes::open(store.clone())
            .await
            .context("listening for changes made by other servers")?;
        let state = Arc::new(AppState {
            store,
            tokens,
            passwords: auth::Passwords::default(),
            catalog,
            mailer,
            changes,
        });
        Ok(Houston {
            schema: build_schema(state.clone()),
            state,
            allowed_hosts,
        })
    }

    /// The schema, for `execute` with your own request data.
    pub fn schema(&self) -> &HoustonSchema {
        &self.schema
    }

    /// The shared state.
    pub fn state(&self) -> &Arc<AppState> {
        &self.state
    }

    /// Executes one request as the holder of `authorization` (a raw or `Bearer` JWT, or
    /// `service:<key>`) acting for `organization`: the in-process transport.
    pub async fn execute(
        &self,
        request: impl Into<async_graphql::Request>,
        authorization: Option<&str>,
        organization: Option<&str>,
    ) -> async_graphql::Response {
        let auth = RequestAuth::resolve(&self.state, authorization, organization).await;
        self.schema.execute(request.into().data(auth)).await
    }

    /// Every mail in the outbox, newest first (the desktop app's Mail panel).
    pub async fn outbox(&self) -> anyhow::Result<Vec<store::MailRow>> {
        Ok(self.state.store.outbox().await?)
    }

    /// The HTTP routes: `/graphql` (POST, GET, GraphiQL) and `/graphql/ws`.
    pub fn router(&self) -> axum::Router {
        http::router(self.clone())
    }

    /// Serves HTTP on `listener` until `shutdown` completes.
    pub async fn serve(
        self,
        listener: tokio::net::TcpListener,
        shutdown: impl std::future::Future<Output = ()> + Send + 'static,
    ) -> std::io::Result<()> {
        let local = listener.local_addr()?;
        let mut hosts = self.allowed_hosts.clone();
        hosts.push(local.to_string());
        let app = http::router_with_hosts(self, hosts);
        axum::serve(listener, app)
            .with_graceful_shutdown(shutdown)
            .await
    }

    pub(crate) fn allowed_hosts(&self) -> &[String] {
        &self.allowed_hosts
    }
}
