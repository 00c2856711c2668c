//! The assembled server: [`Houston`] opens the store, catalog and secrets named by a
//! [`ServerConfig`], builds the schema over them, and answers in-process or over HTTP.

use crate::access::RequestAuth;
use crate::answers::CatalogAnswers;
use crate::catalog::Catalog;
use crate::config::{SecretSource, ServerConfig};
use crate::schema::{build_schema, HoustonSchema};
use crate::state::AppState;
use crate::store::{self, Retention, Store};
use crate::{auth, changes, event_feed, http, mail};
use anyhow::Context as _;
use std::sync::Arc;

/// An opened Houston: store, catalog, secret and schema.
#[derive(Clone)]
pub struct Houston {
    state: Arc<AppState>,
    schema: HoustonSchema,
    allowed_hosts: Vec<String>,
    catalog_answers: Arc<CatalogAnswers>,
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
            SecretSource::Key { secret, from } => auth::Tokens::new(secret)
                .with_context(|| format!("the token secret in {from} is too short"))?,
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
            config.event_retention,
            config.limits,
        )
        .await
    }

    /// Assembles a server from its parts; on a shared store it starts listening for the
    /// changes other servers make and the events they store.
    pub async fn from_parts(
        store: Arc<dyn Store>,
        tokens: auth::Tokens,
        catalog: Arc<Catalog>,
        mailer: mail::Mailer,
        allowed_hosts: Vec<String>,
        event_retention: Retention,
        limits: crate::throttle::Limits,
    ) -> anyhow::Result<Houston> {
        let changes = changes::Changes::open(store.clone())
            .await
            .context("listening for changes made by other servers")?;
        let events = event_feed::EventFeed::open(store.clone(), event_retention)
            .await
            .context("listening for events stored by other servers")?;
        store.set_quotas(limits.quotas);
        let state = Arc::new(AppState {
            store,
            tokens,
            passwords: auth::Passwords::default(),
            catalog,
            mailer,
            changes,
            events,
            throttle: crate::throttle::Throttle::new(limits),
            sockets: Default::default(),
        });
        Ok(Houston {
            schema: build_schema(state.clone()),
            state,
            allowed_hosts,
            catalog_answers: Arc::default(),
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

    /// Every mail in the outbox, newest first, with the links this process still holds
    /// (the desktop app's Mail panel; see [`mail::Mailer::reveal`]).
    pub async fn outbox(&self) -> anyhow::Result<Vec<store::MailRow>> {
        let stored = self.state.store.outbox().await?;
        Ok(stored
            .into_iter()
            .map(|m| self.state.mailer.reveal(m))
            .collect())
    }

    /// [`Self::outbox`], each mail with whether its link was used (the desktop app's Mail
    /// panel; see [`mail::Mailer::show`]).
    pub async fn outbox_shown(&self) -> anyhow::Result<Vec<mail::Shown>> {
        let mut shown = Vec::new();
        for m in self.state.store.outbox().await? {
            shown.push(self.state.mailer.show(self.state.store.as_ref(), m).await?);
        }
        Ok(shown)
    }

    /// Points the links of the next mails at `url`: the desktop's loopback listener, which
    /// serves their pages, once it has its port.
    pub fn set_public_url(&self, url: &str) {
        self.state.mailer.set_public_url(url);
    }

    /// The HTTP routes: `/graphql` (POST, GET, GraphiQL), `/graphql/ws` and the collector.
    pub fn router(&self) -> axum::Router {
        http::router(self.clone())
    }

    /// Serves HTTP on `listener` until `shutdown` completes, within the configured
    /// [`Limits`](crate::Limits) (header-read and request timeouts, connections at once).
    pub async fn serve(
        self,
        listener: tokio::net::TcpListener,
        shutdown: impl std::future::Future<Output = ()> + Send + 'static,
    ) -> std::io::Result<()> {
        let local = listener.local_addr()?;
        let mut hosts = self.allowed_hosts.clone();
        hosts.push(local.to_string());
        let limits = self.state.throttle.limits().clone();
        let app = http::router_with_hosts(self, hosts);
        crate::listener::serve(listener, app, &limits, shutdown).await
    }

    pub(crate) fn catalog_answers(&self) -> &CatalogAnswers {
        &self.catalog_answers
    }

    /// Serves HTTP on `listener` until `shutdown` completes: only the collector's routes
    /// ([`crate::collector`]) and the mailed links' pages ([`crate::pages`]), or every
    /// route when `with_api` (the desktop app's loopback
    /// collector port, where serving the API is the user's choice).
    pub async fn serve_collector(
        self,
        listener: tokio::net::TcpListener,
        with_api: bool,
        shutdown: impl std::future::Future<Output = ()> + Send + 'static,
    ) -> std::io::Result<()> {
        if with_api {
            return self.serve(listener, shutdown).await;
        }
        let local = listener.local_addr()?;
        let mut hosts = self.allowed_hosts.clone();
        hosts.push(local.to_string());
        let limits = self.state.throttle.limits().clone();
        let app = http::collector_router_with_hosts(self, hosts);
        crate::listener::serve(listener, app, &limits, shutdown).await
    }

    /// Runs one subscription as the holder of `authorization` acting for `organization`:
    /// the in-process transport's stream of answers (the desktop's live debugger).
    pub async fn execute_stream(
        &self,
        request: impl Into<async_graphql::Request>,
        authorization: Option<&str>,
        organization: Option<&str>,
    ) -> futures_util::stream::BoxStream<'static, async_graphql::Response> {
        let auth = RequestAuth::resolve(&self.state, authorization, organization).await;
        Box::pin(self.schema.execute_stream(request.into().data(auth)))
    }

    pub(crate) fn allowed_hosts(&self) -> &[String] {
        &self.allowed_hosts
    }
}
