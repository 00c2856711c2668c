//! The Houston API server: the whole contract of `API.md` over async-graphql and sqlx.
//!
//! The desktop app embeds it ([`Houston::open`] then [`Houston::execute`], no port), the
//! `houston-server` binary serves it over HTTP ([`Houston::serve`]), and the tests do both.

pub mod access;
pub mod auth;
pub mod catalog;
pub mod changes;
pub mod clock;
pub mod error;
pub mod http;
pub mod ids;
pub mod input;
pub mod mail;
pub mod migrate;
pub mod schema;
pub mod seal;
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

/// Where the data key comes from: the 256-bit key that seals connection details and
/// integration configurations at rest (see [`seal`]). It never lives in the database, and
/// never beside it by default: whoever copies the database file alone must not be able to
/// read the secrets in it.
#[derive(Clone)]
pub enum DataKeySource {
    /// A key file (32 bytes, base64 or hex), created random with mode 0600 when missing.
    /// The standalone server's default: `houston-data.key` beside its token secret.
    File(PathBuf),
    /// A key the embedder holds (the desktop app keeps its own in the OS keyring;
    /// `houston-server` takes `HOUSTON_DATA_KEY`). `from` names where it came from, for
    /// error messages; the key itself is never printed.
    Key { key: [u8; 32], from: String },
    /// A fresh random key: what it seals is unreadable once the process exits, and a file
    /// database opened with it cannot be opened with another key afterwards. For tests and
    /// in-memory databases only.
    Ephemeral,
}

impl DataKeySource {
    /// The key itself.
    pub fn load(&self) -> anyhow::Result<seal::DataKey> {
        Ok(match self {
            DataKeySource::File(path) => seal::DataKey::from_file(path)?,
            DataKeySource::Key { key, from } => seal::DataKey::new(key, from.clone()),
            DataKeySource::Ephemeral => seal::DataKey::ephemeral(),
        })
    }
}

impl std::fmt::Debug for DataKeySource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            DataKeySource::File(path) => f.debug_tuple("File").field(path).finish(),
            DataKeySource::Key { from, .. } => f
                .debug_struct("Key")
                .field("from", from)
                .finish_non_exhaustive(),
            DataKeySource::Ephemeral => f.write_str("Ephemeral"),
        }
    }
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
    /// The key that seals connection details and integration configurations at rest.
    pub data_key: DataKeySource,
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
            data_key: DataKeySource::Ephemeral,
            smtp_url: None,
            mail_from: None,
            public_url: "http://127.0.0.1:8871".into(),
            allowed_hosts: Vec::new(),
        }
    }

    /// A server on a SQLite file in `dir`, with its token secret beside it (the desktop
    /// app). The data key is the caller's to give, and deliberately not a file in `dir`:
    /// a key next to the database would let anyone who copies the directory read the
    /// connection details (the desktop app passes the key it keeps in the OS keyring).
    pub fn in_dir(dir: &std::path::Path, data_key: DataKeySource) -> Self {
        ServerConfig {
            database_url: format!("sqlite://{}", dir.join("houston.db").display()),
            secret: SecretSource::File(dir.join("token-secret")),
            data_key,
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
        let data_key = config.data_key.load()?;
        let store = store::open(&config.database_url, data_key).await.context(
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
