//! The assembled server: [`Houston`] opens the store, catalog and secrets named by a
//! [`ServerConfig`], builds the schema over them, and answers in-process or over HTTP.

use crate::access::RequestAuth;
use crate::catalog::Catalog;
use crate::config::{SecretSource, ServerConfig};
use crate::schema::{build_schema, HoustonSchema};
use crate::state::AppState;
use crate::store::{self, Store};
use crate::{auth, changes, http, mail};
use anyhow::Context as _;
use std::sync::Arc;

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

    /// The HTTP routes: `/graphql` (POST, GET, GraphiQL), `/graphql/ws` and the collector.
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
        axum::serve(
            listener,
            app.into_make_service_with_connect_info::<std::net::SocketAddr>(),
        )
        .with_graceful_shutdown(shutdown)
        .await
    }

    pub(crate) fn allowed_hosts(&self) -> &[String] {
        &self.allowed_hosts
    }
}
