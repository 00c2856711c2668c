//! The app's session: which Houston it talks to, who is signed in, and the token. Free of
//! Tauri, so it is tested like any library; the commands in `commands.rs` only wrap it.

use crate::collector::{self, Collector};
use crate::operation::Document;
use crate::servers::{self, Server};
use crate::vault::TokenVault;
use async_graphql_parser::types::OperationType;
use futures_util::StreamExt;
use houston_client::graphql_client::GraphQLQuery;
use houston_client::vocabulary::{ErrorCode, MailKind, Role, UserStatus};
use houston_client::{
    clickstream_changed, confirm_email, create_api_key, create_new_user, create_token,
    event_received, events, logout, me, my_mail, run, set_password, ws_url, Change, ChangeWatch,
    ClickstreamChanged, ClientError, ConfirmEmail, CreateApiKey, CreateNewUser, CreateToken,
    EventReceived, EventWatch, Events, Healthcheck, HttpTransport, InProcessTransport, Live,
    Logout, Me, MyMail, SetPassword, Transport, WatchLink, WsSubscription,
};
use houston_server::{DataKeySource, Houston, SecretSource, ServerConfig};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::{BTreeMap, HashMap, VecDeque};
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::Mutex;
use tokio::task::AbortHandle;

/// What the webview sees, defined once in the client crate (the UI reads the same types).
pub use houston_client::{BackendKind, CommandError, KnownServer, Mail, SessionUser, SessionView};

/// What the app remembers between runs (no secrets: the token is in the keyring).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Settings {
    pub backend: BackendKind,
    pub remote_url: Option<String>,
    /// The remote servers used (their endpoints), newest used first: the server menu's
    /// list (see [`crate::servers`]).
    pub recent_servers: Vec<String>,
    /// The organization acted for on the current server.
    pub last_organization: Option<String>,
    /// The organization last acted for on each of the other servers, by server id.
    pub organizations: BTreeMap<String, String>,
    pub last_username: Option<String>,
    pub first_run_done: bool,
    /// The bundled collector's loopback port (8871 when unset).
    pub collector_port: Option<u16>,
    /// Whether the collector's port serves the whole API too.
    pub serve_api_on_collector: bool,
}

impl Settings {
    /// The server the app talks to.
    pub fn server(&self) -> Server {
        match (self.backend, &self.remote_url) {
            (BackendKind::Remote, Some(url)) => Server::Remote(url.clone()),
            _ => Server::Bundled,
        }
    }

    /// Makes `server` the current one: the organization acted for on the one left is
    /// kept for it, and the one last acted for on `server` comes back.
    fn make_current(&mut self, server: &Server) {
        let left = self.server();
        match self.last_organization.take() {
            Some(org) => self.organizations.insert(left.id().to_owned(), org),
            None => self.organizations.remove(left.id()),
        };
        self.last_organization = self.organizations.remove(server.id());
        match server {
            Server::Bundled => {
                self.backend = BackendKind::Bundled;
                self.remote_url = None;
            }
            Server::Remote(endpoint) => {
                self.backend = BackendKind::Remote;
                self.remote_url = Some(endpoint.clone());
                servers::used(&mut self.recent_servers, endpoint);
            }
        }
    }
}

/// Where settings are kept (tauri-plugin-store in the app, a file in tests).
pub trait SettingsStore: Send + Sync {
    fn load(&self) -> Settings;
    fn save(&self, settings: &Settings) -> Result<(), String>;
}

/// A person's name and company, as given at sign-up.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Profile {
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub company: Option<String>,
}

/// Root fields whose answer is a credential: a token (the sign-in commands keep it here)
/// or an API key (`create_api_key` hands it to the window once, to show). The `graphql`
/// command does not forward them, so a script in the window cannot mint either.
const CREDENTIAL_FIELDS: [&str; 6] = [
    "createToken",
    "createNewUser",
    "confirmEmail",
    "setPassword",
    "verifyToken",
    "createApiKey",
];

struct Inner {
    settings: Settings,
    transport: Arc<dyn Transport>,
    /// The bundled server while it is the current one.
    bundled: Option<Houston>,
    /// The bundled server once opened: switching back to it does not open its database
    /// a second time.
    opened_bundled: Option<Houston>,
    /// The bundled server's loopback collector, while it listens.
    collector: Option<Collector>,
    token: Option<String>,
    user: Option<SessionUser>,
}

impl Inner {
    /// Opens the transport to `server` (the one left is dropped: its requests in flight
    /// finish, nothing new goes to it).
    async fn open(
        &mut self,
        server: &Server,
        data_dir: &std::path::Path,
        vault: &dyn TokenVault,
    ) -> Result<(), CommandError> {
        let (transport, bundled) =
            connect(server, self.opened_bundled.clone(), data_dir, vault).await?;
        if bundled.is_some() {
            self.opened_bundled = bundled.clone();
        }
        self.transport = transport;
        self.bundled = bundled;
        Ok(())
    }

    /// Starts, restarts or stops the loopback collector so that it matches the backend and
    /// the settings. A collector that cannot listen is logged, never fatal: the app works
    /// without it.
    async fn sync_collector(&mut self) {
        let Some(houston) = self.bundled.clone() else {
            if let Some(old) = self.collector.take() {
                old.stop().await;
            }
            return;
        };
        let port = self
            .settings
            .collector_port
            .unwrap_or(collector::DEFAULT_PORT);
        let with_api = self.settings.serve_api_on_collector;
        if self
            .collector
            .as_ref()
            .is_some_and(|c| c.is(port, with_api))
        {
            return;
        }
        // Stopped first, so that its port is free to be taken again.
        if let Some(old) = self.collector.take() {
            old.stop().await;
        }
        match Collector::start(houston.clone(), port, with_api).await {
            Ok(started) => {
                // The mails' links point at the pages this listener serves, on the port
                // it got (the next free one when the asked one is taken).
                houston.set_public_url(&started.url());
                self.collector = Some(started);
            }
            Err(error) => tracing::warn!(%error, "the collector is not listening"),
        }
    }

    /// Where SDKs send events: the loopback collector, or the remote server.
    fn collector_url(&self) -> Option<String> {
        match self.settings.backend {
            BackendKind::Bundled => self.collector.as_ref().map(Collector::url),
            BackendKind::Remote => self
                .settings
                .remote_url
                .as_deref()
                .map(collector::remote_base),
        }
    }
}

/// The app's session.
pub struct Session {
    data_dir: PathBuf,
    settings_store: Box<dyn SettingsStore>,
    vault: Box<dyn TokenVault>,
    inner: Mutex<Inner>,
    /// The running watches on events, by id (`watch_events`).
    watches: std::sync::Mutex<HashMap<u64, AbortHandle>>,
    next_watch: AtomicU64,
    /// The watch on the current organization's changes (`watch_changes`).
    changes: std::sync::Mutex<ChangesWatch>,
}

/// The keyring account of the current server's session (see [`server_account`]).
pub fn account(settings: &Settings, data_dir: &std::path::Path) -> String {
    server_account(&settings.server(), data_dir)
}

/// The keyring account of a server's session: one per Houston, a remote one by its
/// normalized endpoint, the bundled one by its data directory (so two profiles of the app
/// never share a session).
pub fn server_account(server: &Server, data_dir: &std::path::Path) -> String {
    match server {
        Server::Remote(endpoint) => format!("remote:{endpoint}"),
        Server::Bundled => format!("bundled:{}", data_dir.display()),
    }
}

/// The keyring account of the bundled server's data key, per data directory like its
/// session.
pub fn data_key_account(data_dir: &std::path::Path) -> String {
    format!("data-key:{}", data_dir.display())
}

/// The bundled server's data key, from the keyring; made (random) and saved there on the
/// first run. A keyring that cannot be read, or an entry that is not a key, stops the
/// start rather than making a new key: a new key cannot open what the old one sealed, and
/// saving it would replace the old one for good. (A database from before sealing is sealed
/// with the new key when the server opens it.)
fn bundled_data_key(
    vault: &dyn TokenVault,
    data_dir: &std::path::Path,
) -> Result<DataKeySource, CommandError> {
    let account = data_key_account(data_dir);
    let from = "the data key in the OS keyring".to_string();
    let internal = |m: String| CommandError::new(ErrorCode::Internal, m);
    match vault.get_checked(&account).map_err(|e| {
        internal(format!(
            "The bundled Houston keeps its data key in the OS keyring, and {e}. Unlock the keyring and start again."
        ))
    })? {
        Some(text) => {
            let key = houston_server::seal::parse_key(&text).ok_or_else(|| {
                internal(format!(
                    "The OS keyring's entry {account} does not hold a data key; the bundled Houston cannot read its connections without it."
                ))
            })?;
            Ok(DataKeySource::Key { key, from })
        }
        None => {
            let key = houston_server::seal::random_key();
            vault
                .set(&account, &houston_server::seal::encode_key(&key))
                .map_err(|e| {
                    internal(format!(
                        "The bundled Houston could not save its data key: {e}"
                    ))
                })?;
            Ok(DataKeySource::Key { key, from })
        }
    }
}

/// The keyring account of the bundled server's token-signing secret, per data directory.
pub fn token_secret_account(data_dir: &std::path::Path) -> String {
    format!("token-secret:{}", data_dir.display())
}

/// The file in the data directory where earlier versions kept the signing secret.
pub const OLD_TOKEN_SECRET_FILE: &str = "token-secret";

/// The bundled server's token-signing secret, from the keyring, like its data key: whoever
/// copies the data directory must not be able to sign in as anyone. An older install's
/// secret file is moved into the keyring (so the tokens it signed still verify) and then
/// removed; a first run makes a random one. A keyring that cannot be read stops the start
/// rather than making a new secret (that would sign everyone out, for good).
fn bundled_token_secret(
    vault: &dyn TokenVault,
    data_dir: &std::path::Path,
) -> Result<SecretSource, CommandError> {
    use houston_server::auth;
    let account = token_secret_account(data_dir);
    let internal = |m: String| CommandError::new(ErrorCode::Internal, m);
    let old_file = data_dir.join(OLD_TOKEN_SECRET_FILE);
    let stored = vault.get_checked(&account).map_err(|e| {
        internal(format!(
            "The bundled Houston keeps its signing secret in the OS keyring, and {e}. Unlock the keyring and start again."
        ))
    })?;
    let secret = match stored {
        Some(text) => auth::parse_secret(text.as_bytes()),
        None => {
            let secret = match std::fs::read(&old_file) {
                Ok(bytes) => auth::parse_secret(&bytes),
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                    auth::random_secret().to_vec()
                }
                Err(e) => {
                    return Err(internal(format!(
                        "The bundled Houston could not read its signing secret {}: {e}",
                        old_file.display()
                    )))
                }
            };
            vault
                .set(&account, &auth::encode_secret(&secret))
                .map_err(|e| {
                    internal(format!(
                        "The bundled Houston could not save its signing secret: {e}"
                    ))
                })?;
            secret
        }
    };
    // Only once the keyring holds it (also after a start that stopped in between).
    match std::fs::remove_file(&old_file) {
        Ok(()) => {
            tracing::info!("the signing secret moved from the data directory into the OS keyring")
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => tracing::warn!(error = %e, "the old signing secret file could not be removed"),
    }
    Ok(SecretSource::Key {
        secret,
        from: "the signing secret in the OS keyring".into(),
    })
}

async fn open_bundled(
    data_dir: &std::path::Path,
    vault: &dyn TokenVault,
) -> Result<Houston, CommandError> {
    let data_key = bundled_data_key(vault, data_dir)?;
    let secret = bundled_token_secret(vault, data_dir)?;
    crate::launch::mark("keyring read");
    let opened = Houston::open(ServerConfig::in_dir(data_dir, secret, data_key)).await;
    crate::launch::mark("bundled server opened");
    opened.map_err(|e| {
        CommandError::new(
            ErrorCode::Internal,
            format!("The bundled Houston could not start: {e:#}"),
        )
    })
}

/// The transport to `server`, and the bundled server when it is the one (`opened` when it
/// was opened before).
async fn connect(
    server: &Server,
    opened: Option<Houston>,
    data_dir: &std::path::Path,
    vault: &dyn TokenVault,
) -> Result<(Arc<dyn Transport>, Option<Houston>), CommandError> {
    match server {
        Server::Remote(endpoint) => Ok((remote_transport(endpoint)?, None)),
        Server::Bundled => {
            let h = match opened {
                Some(h) => h,
                None => open_bundled(data_dir, vault).await?,
            };
            Ok((
                Arc::new(InProcessTransport::new(h.clone())) as Arc<dyn Transport>,
                Some(h),
            ))
        }
    }
}

fn remote_transport(url: &str) -> Result<Arc<dyn Transport>, CommandError> {
    let url = normalize_url(url)?;
    HttpTransport::new(url)
        .map(|t| Arc::new(t) as Arc<dyn Transport>)
        .map_err(|e| CommandError::new(ErrorCode::InvalidInput, e.to_string()))
}

/// A Houston's address, `http(s)://host[:port]` with or without `/graphql`, to its
/// endpoint `<origin>/graphql`: the only URL the app posts to. Nothing else is taken (no
/// path, query, fragment or user name), so that an address cannot name another resource
/// of the host. Plain `http://` only to this machine (loopback): elsewhere the token and
/// passwords would cross the network in clear.
pub fn normalize_url(url: &str) -> Result<String, CommandError> {
    let invalid = |message: &str| CommandError::new(ErrorCode::InvalidInput, message);
    let text = url.trim().trim_end_matches('/');
    let parsed = reqwest::Url::parse(text)
        .ok()
        .filter(|u| matches!(u.scheme(), "http" | "https") && u.host_str().is_some())
        .ok_or_else(|| invalid("Enter the server's address, e.g. https://houston.example.org"))?;
    if !parsed.username().is_empty()
        || parsed.password().is_some()
        || parsed.query().is_some()
        || parsed.fragment().is_some()
        || !matches!(parsed.path(), "" | "/" | "/graphql")
    {
        return Err(invalid(
            "Enter only the server's address (https://host or https://host:port), without a \
             path, query or user name.",
        ));
    }
    if parsed.scheme() == "http" && !is_loopback_url(text) {
        return Err(invalid(
            "Use https:// for a server on another machine: over plain http:// your password \
             and session would cross the network unencrypted.",
        ));
    }
    Ok(format!("{}/graphql", parsed.origin().ascii_serialization()))
}

/// Asks the Houston at `endpoint` (from [`normalize_url`]) for its health: one POST of
/// `{ healthcheck }`, with no token and no organization, following no redirect. What
/// failed is told in a sentence of the app's own: nothing that answered (a status, a body,
/// an error message) reaches the window, so the check cannot read another service.
async fn probe(endpoint: &str) -> Result<String, CommandError> {
    let transport = remote_transport(endpoint)?;
    run::<Healthcheck>(
        transport.as_ref(),
        houston_client::healthcheck::Variables,
        None,
        None,
    )
    .await
    .map(|data| data.healthcheck)
    .map_err(|error| {
        if CommandError::from(error).code == ErrorCode::Unreachable {
            CommandError::new(
                ErrorCode::Unreachable,
                format!("Nothing answers at {endpoint}."),
            )
        } else {
            CommandError::new(
                ErrorCode::BadResponse,
                format!("What answers at {endpoint} is not a Houston."),
            )
        }
    })
}

/// Whether `url`'s host is this machine: `localhost`, 127.0.0.0/8 or `::1`.
fn is_loopback_url(url: &str) -> bool {
    let Some(host) = reqwest::Url::parse(url)
        .ok()
        .and_then(|u| u.host_str().map(str::to_owned))
    else {
        return false;
    };
    let host = host.trim_start_matches('[').trim_end_matches(']');
    host.eq_ignore_ascii_case("localhost")
        || host
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

impl Session {
    /// Opens the session: the settings, the chosen backend (starting the bundled server
    /// when it is the one), and the token saved in the keyring, checked with `me`.
    pub async fn start(
        data_dir: PathBuf,
        settings_store: Box<dyn SettingsStore>,
        vault: Box<dyn TokenVault>,
    ) -> Result<Session, CommandError> {
        let settings = settings_store.load();
        let server = settings.server();
        let (transport, bundled) = connect(&server, None, &data_dir, vault.as_ref()).await?;
        let token = vault.get(&account(&settings, &data_dir));
        let mut inner = Inner {
            settings,
            transport,
            opened_bundled: bundled.clone(),
            bundled,
            collector: None,
            token,
            user: None,
        };
        inner.sync_collector().await;
        crate::launch::mark("collector listening");
        let session = Session {
            data_dir,
            settings_store,
            vault,
            inner: Mutex::new(inner),
            watches: std::sync::Mutex::new(HashMap::new()),
            next_watch: AtomicU64::new(1),
            changes: std::sync::Mutex::new(ChangesWatch::default()),
        };
        session.refresh_user().await;
        crate::launch::mark("user read");
        Ok(session)
    }

    /// Reads `me` with the held token; a refused token is forgotten, an unreachable server
    /// keeps it (the user may still be signed in once it is back).
    async fn refresh_user(&self) {
        let mut inner = self.inner.lock().await;
        let Some(token) = inner.token.clone() else {
            inner.user = None;
            return;
        };
        match run::<Me>(inner.transport.as_ref(), me::Variables, Some(&token), None).await {
            Ok(data) => match data.me.map(session_user).transpose() {
                Ok(user) => inner.user = user,
                Err(e) => tracing::warn!(error = %e, "could not read the signed-in user"),
            },
            Err(e) if e.needs_sign_in() => {
                let acct = account(&inner.settings, &self.data_dir);
                self.vault.delete(&acct);
                inner.token = None;
                inner.user = None;
            }
            Err(e) => tracing::warn!(error = %e, "could not read the signed-in user"),
        }
    }

    /// What the webview may know.
    pub async fn view(&self) -> SessionView {
        let inner = self.inner.lock().await;
        SessionView {
            backend: inner.settings.backend,
            remote_url: inner.settings.remote_url.clone(),
            signed_in: inner.token.is_some(),
            first_run: !inner.settings.first_run_done,
            organization: inner.settings.last_organization.clone(),
            user: inner.user.clone(),
            last_username: inner.settings.last_username.clone(),
            collector_url: inner.collector_url(),
            collector_port: inner
                .settings
                .collector_port
                .unwrap_or(collector::DEFAULT_PORT),
            serve_api_on_collector: inner.settings.serve_api_on_collector,
        }
    }

    /// Whether a Houston answers at `url` (see [`probe`]). Only the server being set up:
    /// any address during the first run; after it, only the servers in the list. The
    /// window cannot make the app reach other addresses through it (adding a server, which
    /// the person asks for in the server menu, is [`Session::add_server`]).
    pub async fn check_server(&self, url: &str) -> Result<String, CommandError> {
        let endpoint = normalize_url(url)?;
        self.may_probe(&endpoint).await?;
        probe(&endpoint).await
    }

    /// `Ok` when `endpoint` is the server being set up (during the first run) or one in
    /// the list.
    async fn may_probe(&self, endpoint: &str) -> Result<(), CommandError> {
        let inner = self.inner.lock().await;
        let known = servers::knows(
            &inner.settings.recent_servers,
            &Server::Remote(endpoint.to_owned()),
        );
        if !inner.settings.first_run_done || known {
            return Ok(());
        }
        Err(CommandError::new(
            ErrorCode::Forbidden,
            "Add the server in the server menu first; the app checks no other address.",
        ))
    }

    /// Chooses the backend. A remote one must answer first, and be new only during the
    /// first run (after it, servers are added in the server menu). Ends the first run.
    pub async fn save_settings(
        &self,
        backend: BackendKind,
        remote_url: Option<String>,
    ) -> Result<SessionView, CommandError> {
        let server = match backend {
            BackendKind::Remote => {
                let url = normalize_url(remote_url.as_deref().unwrap_or(""))?;
                self.may_probe(&url).await?;
                probe(&url).await?;
                Server::Remote(url)
            }
            BackendKind::Bundled => Server::Bundled,
        };
        self.switch_to(&server).await?;
        Ok(self.view().await)
    }

    /// The servers used, the bundled one first, the current one marked.
    pub async fn servers(&self) -> Vec<KnownServer> {
        let (settings, signed_in) = {
            let inner = self.inner.lock().await;
            (inner.settings.clone(), inner.token.is_some())
        };
        let current = settings.server();
        std::iter::once(Server::Bundled)
            .chain(settings.recent_servers.iter().cloned().map(Server::Remote))
            .map(|server| KnownServer {
                id: server.id().to_owned(),
                backend: match server {
                    Server::Bundled => BackendKind::Bundled,
                    Server::Remote(_) => BackendKind::Remote,
                },
                url: match &server {
                    Server::Bundled => None,
                    Server::Remote(endpoint) => Some(endpoint.clone()),
                },
                current: server == current,
                signed_in: if server == current {
                    signed_in
                } else {
                    self.vault
                        .get(&server_account(&server, &self.data_dir))
                        .is_some()
                },
            })
            .collect()
    }

    /// Adds the remote Houston at `url` to the list, once it answers (the current server
    /// stays). Answers the list.
    pub async fn add_server(&self, url: &str) -> Result<Vec<KnownServer>, CommandError> {
        let endpoint = normalize_url(url)?;
        probe(&endpoint).await?;
        {
            let mut inner = self.inner.lock().await;
            servers::used(&mut inner.settings.recent_servers, &endpoint);
            self.settings_store
                .save(&inner.settings)
                .map_err(|e| CommandError::new(ErrorCode::Internal, e))?;
        }
        Ok(self.servers().await)
    }

    /// Talks to the server `id` (one in the list) from now on, with its own session.
    pub async fn switch_server(&self, id: &str) -> Result<SessionView, CommandError> {
        let server = Server::parse(id)?;
        let known = servers::knows(&self.inner.lock().await.settings.recent_servers, &server);
        if !known {
            return Err(CommandError::new(
                ErrorCode::NotFound,
                format!("{id} is not in the list of servers: add it first."),
            ));
        }
        self.switch_to(&server).await?;
        Ok(self.view().await)
    }

    /// Takes the server `id` out of the list and deletes its session from the keyring;
    /// when it is the current one, the app moves to the bundled server first.
    pub async fn forget_server(&self, id: &str) -> Result<SessionView, CommandError> {
        let server = Server::parse(id)?;
        let next = {
            let inner = self.inner.lock().await;
            let mut list = inner.settings.recent_servers.clone();
            servers::forget(&mut list, &inner.settings.server(), &server)?
        };
        if let Some(next) = next {
            self.switch_to(&next).await?;
        }
        {
            let mut inner = self.inner.lock().await;
            let current = inner.settings.server();
            servers::forget(&mut inner.settings.recent_servers, &current, &server)?;
            inner.settings.organizations.remove(server.id());
            self.vault.delete(&server_account(&server, &self.data_dir));
            self.settings_store
                .save(&inner.settings)
                .map_err(|e| CommandError::new(ErrorCode::Internal, e))?;
        }
        Ok(self.view().await)
    }

    /// Makes `server` the current one: the old transport and its watches are closed, the
    /// new one opened with the session the keyring keeps for it, and the organization
    /// last acted for there comes back. Ends the first run.
    async fn switch_to(&self, server: &Server) -> Result<(), CommandError> {
        {
            let mut inner = self.inner.lock().await;
            let closed = *server == Server::Bundled && inner.bundled.is_none();
            if inner.settings.server() != *server || closed {
                inner
                    .open(server, &self.data_dir, self.vault.as_ref())
                    .await?;
            }
            self.stop_all_watches();
            inner.settings.make_current(server);
            inner.settings.first_run_done = true;
            inner.sync_collector().await;
            inner.token = self.vault.get(&account(&inner.settings, &self.data_dir));
            inner.user = None;
            self.settings_store
                .save(&inner.settings)
                .map_err(|e| CommandError::new(ErrorCode::Internal, e))?;
        }
        self.refresh_user().await;
        self.rewatch_changes().await;
        Ok(())
    }

    /// Keeps a token that a sign-in operation answered: in the keyring under `acct`, the
    /// server that answered it, and in memory while that server is still the current one
    /// (the person may have switched meanwhile).
    async fn adopt(
        &self,
        acct: String,
        token: Option<String>,
        username: Option<String>,
    ) -> Result<SessionView, CommandError> {
        let token = token.ok_or_else(|| {
            CommandError::new(ErrorCode::Internal, "The server answered no token.")
        })?;
        {
            let mut inner = self.inner.lock().await;
            self.vault
                .set(&acct, &token)
                .map_err(|e| CommandError::new(ErrorCode::Keyring, e))?;
            if account(&inner.settings, &self.data_dir) == acct {
                inner.token = Some(token);
            }
            if let Some(u) = username {
                inner.settings.last_username = Some(u);
                let _ = self.settings_store.save(&inner.settings);
            }
        }
        self.refresh_user().await;
        self.rewatch_changes().await;
        Ok(self.view().await)
    }

    fn refused(success: bool, code: Option<String>, message: String) -> Result<(), CommandError> {
        if success {
            Ok(())
        } else {
            Err(CommandError::new(
                code.map_or(ErrorCode::Error, ErrorCode::from),
                message,
            ))
        }
    }

    /// The current transport, and the keyring account of its server's session.
    async fn transport(&self) -> (Arc<dyn Transport>, String) {
        let inner = self.inner.lock().await;
        (
            inner.transport.clone(),
            account(&inner.settings, &self.data_dir),
        )
    }

    /// Signs in with a password.
    pub async fn sign_in(
        &self,
        username: &str,
        password: &str,
    ) -> Result<SessionView, CommandError> {
        let (transport, acct) = self.transport().await;
        let t = run::<CreateToken>(
            transport.as_ref(),
            create_token::Variables {
                username: username.trim().to_string(),
                password: password.to_string(),
                org_id: None,
                duration: None,
            },
            None,
            None,
        )
        .await?
        .create_token;
        Session::refused(t.success, t.code, t.message)?;
        self.adopt(acct, t.token, Some(username.trim().to_lowercase()))
            .await
    }

    /// Self Signup: the account is pending until its email is confirmed.
    pub async fn sign_up(
        &self,
        email: &str,
        password: &str,
        profile: Profile,
    ) -> Result<SessionView, CommandError> {
        let blank = |s: Option<String>| s.filter(|v| !v.trim().is_empty());
        let profile = create_new_user::UserProfileInput {
            first_name: blank(profile.first_name),
            last_name: blank(profile.last_name),
            company: blank(profile.company),
        };
        let (transport, acct) = self.transport().await;
        let t = run::<CreateNewUser>(
            transport.as_ref(),
            create_new_user::Variables {
                email: email.trim().to_string(),
                password: password.to_string(),
                profile: Some(profile),
            },
            None,
            None,
        )
        .await?
        .create_new_user;
        Session::refused(t.success, t.code, t.message)?;
        self.adopt(acct, t.token, Some(email.trim().to_lowercase()))
            .await
    }

    /// Confirms an email with a mailed link's token, and signs in.
    pub async fn confirm_email(&self, token: &str) -> Result<SessionView, CommandError> {
        let (transport, acct) = self.transport().await;
        let t = run::<ConfirmEmail>(
            transport.as_ref(),
            confirm_email::Variables {
                token: token.trim().to_string(),
            },
            None,
            None,
        )
        .await?
        .confirm_email;
        Session::refused(t.success, t.code, t.message)?;
        self.adopt(acct, t.token, None).await
    }

    /// Sets a password from an invitation or reset link, and signs in.
    pub async fn accept_link(
        &self,
        token: &str,
        password: &str,
    ) -> Result<SessionView, CommandError> {
        let (transport, acct) = self.transport().await;
        let t = run::<SetPassword>(
            transport.as_ref(),
            set_password::Variables {
                token: token.trim().to_string(),
                password: password.to_string(),
            },
            None,
            None,
        )
        .await?
        .set_password;
        Session::refused(t.success, t.code, t.message)?;
        self.adopt(acct, t.token, None).await
    }

    /// Signs out: revokes the tokens on the server (when it answers) and forgets ours.
    pub async fn sign_out(&self) -> SessionView {
        self.stop_all_watches();
        {
            let mut inner = self.inner.lock().await;
            if let Some(token) = inner.token.take() {
                if let Err(e) = run::<Logout>(
                    inner.transport.as_ref(),
                    logout::Variables,
                    Some(&token),
                    None,
                )
                .await
                {
                    tracing::warn!(error = %e, "the server did not hear the sign-out");
                }
            }
            let acct = account(&inner.settings, &self.data_dir);
            self.vault.delete(&acct);
            inner.user = None;
        }
        self.view().await
    }

    /// Remembers the organization the user works in.
    pub async fn set_organization(
        &self,
        org_id: Option<String>,
    ) -> Result<SessionView, CommandError> {
        {
            let mut inner = self.inner.lock().await;
            inner.settings.last_organization = org_id.filter(|o| !o.is_empty());
            self.settings_store
                .save(&inner.settings)
                .map_err(|e| CommandError::new(ErrorCode::Internal, e))?;
        }
        self.rewatch_changes().await;
        Ok(self.view().await)
    }

    /// Forwards one operation with the token attached and answers its `data`. The
    /// first GraphQL error becomes the rejection; a refused token is forgotten and
    /// reported as `TOKEN_EXPIRED`, so the webview asks to sign in again in place.
    pub async fn graphql(
        &self,
        body: Value,
        organization: Option<String>,
    ) -> Result<Value, CommandError> {
        let query = body.get("query").and_then(Value::as_str).unwrap_or("");
        if query.is_empty() {
            return Err(CommandError::new(
                ErrorCode::InvalidInput,
                "The operation has no query.",
            ));
        }
        let document = Document::parse(query).map_err(|why| {
            CommandError::new(
                ErrorCode::InvalidInput,
                format!("The operation cannot be read: {why}"),
            )
        })?;
        if document
            .root_fields()
            .iter()
            .any(|field| CREDENTIAL_FIELDS.contains(field))
        {
            return Err(CommandError::new(
                ErrorCode::Forbidden,
                "Operations that answer a credential go through the app's own commands \
                 (sign-in, create an API key).",
            ));
        }
        let operation_name = body.get("operationName").and_then(Value::as_str);
        let is_mutation = document.kind(operation_name) == Some(OperationType::Mutation);
        self.forward(body, organization, is_mutation).await
    }

    /// Creates an API key `label` with `role` in `org_id`: the server's answer
    /// (`ApiKeyCreated`), whose `key` the window shows once. The app keeps no copy.
    pub async fn create_api_key(
        &self,
        org_id: String,
        label: String,
        role: Role,
    ) -> Result<Value, CommandError> {
        let variables = create_api_key::Variables {
            org_id: org_id.clone(),
            label,
            role: Some(role),
        };
        let body = serde_json::to_value(CreateApiKey::build_query(variables))
            .map_err(|e| CommandError::new(ErrorCode::Internal, e.to_string()))?;
        let data = self.forward(body, Some(org_id), true).await?;
        Ok(data.get("createApiKey").cloned().unwrap_or(Value::Null))
    }

    /// Posts one operation with the token attached and answers its `data` (see
    /// [`Session::graphql`]).
    async fn forward(
        &self,
        body: Value,
        organization: Option<String>,
        is_mutation: bool,
    ) -> Result<Value, CommandError> {
        let (transport, token, acct) = {
            let inner = self.inner.lock().await;
            (
                inner.transport.clone(),
                inner.token.clone(),
                account(&inner.settings, &self.data_dir),
            )
        };
        let answer = transport
            .post(body, token.as_deref(), organization.as_deref())
            .await
            .map_err(ClientError::from)?;
        // A query reports a refused token as an error; a mutation as its outcome's code.
        let error = ClientError::from_answer(&answer)
            .map(CommandError::from)
            .or_else(|| is_mutation.then(|| refused_outcome(&answer)).flatten());
        if let Some(error) = error {
            if token.is_some() && error.needs_sign_in() {
                // The server that refused it may no longer be the current one.
                let mut inner = self.inner.lock().await;
                if inner.token == token && account(&inner.settings, &self.data_dir) == acct {
                    self.vault.delete(&acct);
                    inner.token = None;
                }
                return Err(CommandError::new(
                    ErrorCode::TokenExpired,
                    "Your session has ended; sign in again to continue.",
                ));
            }
            return Err(error);
        }
        Ok(answer.get("data").cloned().unwrap_or(Value::Null))
    }

    /// Sets the bundled collector's port and whether it serves the API too, and restarts
    /// it on them.
    pub async fn save_collector(
        &self,
        port: u16,
        serve_api: bool,
    ) -> Result<SessionView, CommandError> {
        if port == 0 {
            return Err(CommandError::new(
                ErrorCode::InvalidInput,
                "Choose a port from 1 to 65535.",
            ));
        }
        {
            let mut inner = self.inner.lock().await;
            inner.settings.collector_port = Some(port);
            inner.settings.serve_api_on_collector = serve_api;
            self.settings_store
                .save(&inner.settings)
                .map_err(|e| CommandError::new(ErrorCode::Internal, e))?;
            inner.sync_collector().await;
        }
        Ok(self.view().await)
    }

    /// Posts `event` to the collector with the write key `app_id`, exactly as an SDK would.
    pub async fn send_test_event(&self, app_id: &str, event: Value) -> Result<(), CommandError> {
        let base = self.inner.lock().await.collector_url().ok_or_else(|| {
            CommandError::new(
                ErrorCode::Unreachable,
                "The collector is not listening; see the log for why.",
            )
        })?;
        collector::send_event(&base, app_id, event).await
    }

    /// Watches the events of the source `app_id` as they are stored, handing each to
    /// `sink` (as [`EventWatch`]) until `sink` answers `false`, the watch fails, or
    /// [`Session::stop_watching`]. Through `eventReceived` and the one relay of
    /// [`Session::relay`]: the events stored while a remote server's socket was down are
    /// read back, and a server whose socket cannot be opened is read every two seconds.
    /// Answers the watch's id. The subscription listens a moment after that (its task
    /// first checks the source): read the stored events after starting a watch, as the
    /// debugger does, so that none falls between.
    pub async fn watch_events(
        &self,
        app_id: String,
        organization: Option<String>,
        sink: impl Fn(EventWatch) -> bool + Send + Sync + 'static,
    ) -> Result<u64, CommandError> {
        let task = self
            .relay(
                Feed::Events { app_id },
                organization,
                move |heard| match heard {
                    Heard::Item(event) => sink(EventWatch::Event(event)),
                    Heard::Error(error) => sink(EventWatch::Error(error)),
                    Heard::Link(link) => sink(EventWatch::Link(link)),
                    // The events' feed reads back what it missed itself.
                    Heard::Missed => true,
                },
            )
            .await?;
        let id = self.next_watch.fetch_add(1, Ordering::Relaxed);
        if let Ok(mut watches) = self.watches.lock() {
            watches.insert(id, task);
        }
        Ok(id)
    }

    /// Hands the changes to the sources and integrations of the current organization to
    /// `sink` (as [`ChangeWatch`], a burst coalesced into one message) for as long as
    /// someone is signed in: the watch moves when the organization or the session changes
    /// (see [`Session::rewatch_changes`]), and ends once `sink` answers `false`. One sink
    /// at a time: a new one (the window loaded again) replaces the last.
    pub async fn watch_changes(&self, sink: impl Fn(ChangeWatch) -> bool + Send + Sync + 'static) {
        if let Ok(mut changes) = self.changes.lock() {
            changes.sink = Some(Arc::new(sink));
            changes.stop();
        }
        self.rewatch_changes().await;
    }

    /// Starts the watch on the current organization's changes again when who is signed in
    /// or the organization changed since it started (nothing otherwise); stops it when
    /// nobody is signed in or no organization is chosen.
    async fn rewatch_changes(&self) {
        let (token, organization) = {
            let inner = self.inner.lock().await;
            (
                inner.token.clone(),
                inner.settings.last_organization.clone(),
            )
        };
        let Some(sink) = self.changes.lock().ok().and_then(|c| c.sink.clone()) else {
            return;
        };
        let (Some(token), Some(org_id)) = (token, organization) else {
            if let Ok(mut changes) = self.changes.lock() {
                changes.stop();
            }
            return;
        };
        let key = (token, org_id.clone());
        let running = self.changes.lock().ok().is_some_and(|c| {
            c.key.as_ref() == Some(&key) && c.task.as_ref().is_some_and(|t| !t.is_finished())
        });
        if running {
            return;
        }
        let (heard, bursts) = tokio::sync::mpsc::unbounded_channel();
        let relayed = self
            .relay(
                Feed::Changes {
                    org_id: org_id.clone(),
                },
                Some(org_id),
                move |message| heard.send(message).is_ok(),
            )
            .await;
        let relay = match relayed {
            Ok(relay) => relay,
            Err(error) => {
                sink(ChangeWatch::Error(error));
                return;
            }
        };
        let coalescing = tokio::spawn(coalesce(bursts, move |m| sink(m)));
        if let Ok(mut changes) = self.changes.lock() {
            changes.stop();
            changes.key = Some(key);
            changes.relay = Some(relay);
            changes.task = Some(coalescing.abort_handle());
        } else {
            relay.abort();
            coalescing.abort();
        }
    }

    /// The one relay of a subscription (`feed`) to `sink`, as a task: in-process on the
    /// bundled server, over the remote server's WebSocket (`/graphql/ws`) otherwise,
    /// reopened with backoff when it drops (each change told as [`Heard::Link`], and what
    /// was missed meanwhile read back or told as [`Heard::Missed`]). A remote server that
    /// refuses the credentials on the socket is an error here; one whose socket cannot be
    /// opened at all (a proxy that does not pass WebSockets, say) is read every few
    /// seconds instead ([`WatchLink::Polling`]). The task ends when `sink` answers `false`
    /// or the subscription fails.
    async fn relay(
        &self,
        feed: Feed,
        organization: Option<String>,
        sink: impl Fn(Heard) -> bool + Send + Sync + 'static,
    ) -> Result<AbortHandle, CommandError> {
        let (bundled, transport, token, remote_url) = {
            let inner = self.inner.lock().await;
            (
                inner.bundled.clone(),
                inner.transport.clone(),
                inner.token.clone(),
                inner.settings.remote_url.clone(),
            )
        };
        let body = feed.request()?;
        let task = match bundled {
            Some(houston) => {
                let mut answers = InProcessTransport::new(houston)
                    .subscribe(body, token.as_deref(), organization.as_deref())
                    .await
                    .map_err(ClientError::from)?;
                tokio::spawn(async move {
                    if !sink(Heard::Link(WatchLink::Live)) {
                        return;
                    }
                    let mut seen = Seen::default();
                    while let Some(answer) = answers.next().await {
                        if !hand_answer(&answer, feed.field(), &sink, &mut seen) {
                            break;
                        }
                    }
                })
            }
            None => {
                let url = ws_url(remote_url.as_deref().unwrap_or_default())?;
                let source = Source {
                    transport,
                    token,
                    organization,
                    feed,
                };
                let opened = WsSubscription::open(
                    &url,
                    body,
                    source.token.as_deref(),
                    source.organization.as_deref(),
                )
                .await;
                match opened {
                    Ok(live) => tokio::spawn(forward_live(live, source, sink)),
                    Err(refused @ ClientError::Graphql { .. }) => return Err(refused.into()),
                    Err(why) => {
                        tracing::warn!(error = %why, "no WebSocket to the server: polling it");
                        sink(Heard::Link(WatchLink::Polling {
                            why: why.to_string(),
                            every_ms: source.feed.poll_every().as_millis() as u64,
                        }));
                        tokio::spawn(poll(source, sink))
                    }
                }
            }
        };
        Ok(task.abort_handle())
    }

    /// Ends the watch `id` (nothing when it already ended).
    pub fn stop_watching(&self, id: u64) {
        if let Some(task) = self.watches.lock().ok().and_then(|mut w| w.remove(&id)) {
            task.abort();
        }
    }

    /// Ends every watch, the one on changes too: they hold the token of a session that is
    /// ending ([`Session::rewatch_changes`] starts that one again for the next).
    fn stop_all_watches(&self) {
        if let Ok(mut watches) = self.watches.lock() {
            for (_, task) in watches.drain() {
                task.abort();
            }
        }
        if let Ok(mut changes) = self.changes.lock() {
            changes.stop();
        }
    }

    /// The mail the webview may show: the whole outbox of the bundled server (it is the
    /// user's own machine), or the signed-in user's mail on a remote one.
    pub async fn mail_outbox(&self) -> Result<Vec<Mail>, CommandError> {
        let (bundled, transport, token) = {
            let inner = self.inner.lock().await;
            (
                inner.bundled.clone(),
                inner.transport.clone(),
                inner.token.clone(),
            )
        };
        if let Some(h) = bundled {
            let mail = h
                .outbox_shown()
                .await
                .map_err(|e| CommandError::new(ErrorCode::Internal, format!("{e:#}")))?;
            return Ok(mail
                .into_iter()
                .map(|shown| {
                    let m = shown.mail;
                    Mail {
                        kind: m.kind,
                        id: m.id,
                        to: m.to_address,
                        subject: m.subject,
                        body: m.body,
                        token: m.token,
                        created_at: m.created_at,
                        used: shown.used,
                    }
                })
                .collect());
        }
        let Some(token) = token else {
            return Ok(Vec::new());
        };
        let data =
            run::<MyMail>(transport.as_ref(), my_mail::Variables, Some(&token), None).await?;
        Ok(data
            .my_mail
            .into_iter()
            .filter_map(|m| {
                Some(Mail {
                    kind: known_kind(&m.kind)?,
                    id: m.id,
                    to: m.to,
                    subject: m.subject,
                    body: m.body,
                    token: m.token,
                    created_at: m.created_at,
                    used: m.used,
                })
            })
            .collect())
    }
}

/// How often a remote server's events are read for a watch without a WebSocket.
const POLL_EVERY: Duration = Duration::from_secs(2);
/// How often the window is told to read again what it shows when a remote server's
/// changes cannot be heard (no WebSocket): changes cannot be read back, only guessed.
const CHANGES_POLL_EVERY: Duration = Duration::from_secs(15);
/// How many ids a watch remembers, to hand each event once.
const SEEN: usize = 2_000;
/// A burst of changes ends after this long without one...
const BURST_QUIET: Duration = Duration::from_millis(250);
/// ...or this long after its first change, whichever comes first.
const BURST_LONGEST: Duration = Duration::from_secs(1);

/// What a relay listens to.
#[derive(Clone, Debug)]
enum Feed {
    /// A source's events as they are stored (`eventReceived`).
    Events {
        /// The source.
        app_id: String,
    },
    /// An organization's sources and integrations as they change (`clickstreamChanged`).
    Changes {
        /// The organization.
        org_id: String,
    },
}

impl Feed {
    /// The subscription's request.
    fn request(&self) -> Result<Value, CommandError> {
        let body = match self {
            Feed::Events { app_id } => {
                serde_json::to_value(EventReceived::build_query(event_received::Variables {
                    app_id: app_id.clone(),
                }))
            }
            Feed::Changes { org_id } => serde_json::to_value(ClickstreamChanged::build_query(
                clickstream_changed::Variables {
                    org_id: Some(org_id.clone()),
                },
            )),
        };
        body.map_err(|e| CommandError::new(ErrorCode::Internal, e.to_string()))
    }

    /// The root field its answers carry.
    fn field(&self) -> &'static str {
        match self {
            Feed::Events { .. } => "eventReceived",
            Feed::Changes { .. } => "clickstreamChanged",
        }
    }

    /// How often it is read without a WebSocket.
    fn poll_every(&self) -> Duration {
        match self {
            Feed::Events { .. } => POLL_EVERY,
            Feed::Changes { .. } => CHANGES_POLL_EVERY,
        }
    }
}

/// What a relay hands on, whatever its feed.
#[derive(Clone, Debug, PartialEq)]
enum Heard {
    /// One answer's item: an event, or a change.
    Item(Value),
    /// Items may have been missed and cannot be read back (changes).
    Missed,
    /// Why the relay ended.
    Error(CommandError),
    /// How the items reach the relay now.
    Link(WatchLink),
}

/// The watch on the current organization's changes (see [`Session::watch_changes`]).
#[derive(Default)]
struct ChangesWatch {
    /// Where the changes go: the window's channel.
    sink: Option<Arc<dyn Fn(ChangeWatch) -> bool + Send + Sync>>,
    /// The token and organization the running watch listens with.
    key: Option<(String, String)>,
    /// The relay of `clickstreamChanged`.
    relay: Option<AbortHandle>,
    /// The task that coalesces its bursts into the sink.
    task: Option<AbortHandle>,
}

impl ChangesWatch {
    /// Stops the running watch, keeping the sink.
    fn stop(&mut self) {
        for task in [self.relay.take(), self.task.take()].into_iter().flatten() {
            task.abort();
        }
        self.key = None;
    }
}

/// Hands what a relay heard to `sink` as [`ChangeWatch`] messages, each burst of changes
/// as one ([`BURST_QUIET`], [`BURST_LONGEST`]); ends when the relay does or `sink`
/// answers `false`.
async fn coalesce(
    mut heard: tokio::sync::mpsc::UnboundedReceiver<Heard>,
    sink: impl Fn(ChangeWatch) -> bool,
) {
    let mut next = heard.recv().await;
    while let Some(first) = next.take() {
        let change = match first {
            Heard::Item(change) => change,
            Heard::Missed => {
                if !sink(ChangeWatch::Missed) {
                    return;
                }
                next = heard.recv().await;
                continue;
            }
            Heard::Error(error) => {
                sink(ChangeWatch::Error(error));
                return;
            }
            Heard::Link(link) => {
                if !sink(ChangeWatch::Link(link)) {
                    return;
                }
                next = heard.recv().await;
                continue;
            }
        };
        let longest = tokio::time::Instant::now() + BURST_LONGEST;
        let mut burst: Vec<Change> = serde_json::from_value(change).into_iter().collect();
        loop {
            let until = (tokio::time::Instant::now() + BURST_QUIET).min(longest);
            match tokio::time::timeout_at(until, heard.recv()).await {
                Ok(Some(Heard::Item(change))) => {
                    burst.extend(serde_json::from_value::<Change>(change));
                }
                // Something else ends the burst and is handed after it.
                Ok(Some(other)) => {
                    next = Some(other);
                    break;
                }
                Ok(None) => break,
                Err(_) => {
                    break;
                }
            }
        }
        if !burst.is_empty() && !sink(ChangeWatch::Changed(burst)) {
            return;
        }
        if next.is_none() {
            next = heard.recv().await;
        }
    }
}

/// What a remote relay reads, and as whom.
struct Source {
    transport: Arc<dyn Transport>,
    token: Option<String>,
    organization: Option<String>,
    feed: Feed,
}

impl Source {
    /// The source's newest events (up to 100), newest first; nothing for a feed that
    /// cannot be read back.
    async fn newest(&self) -> Result<Vec<Value>, ClientError> {
        let Feed::Events { app_id } = &self.feed else {
            return Ok(Vec::new());
        };
        let variables = events::Variables {
            app_id: app_id.clone(),
            first: Some(100),
            after: None,
            type_: None,
            search: None,
            valid: None,
        };
        let data = run::<Events>(
            self.transport.as_ref(),
            variables,
            self.token.as_deref(),
            self.organization.as_deref(),
        )
        .await?;
        Ok(data
            .events
            .nodes
            .iter()
            .map(|node| serde_json::to_value(node).unwrap_or(Value::Null))
            .collect())
    }
}

/// The ids of the events a watch handed, the last [`SEEN`] of them.
#[derive(Default)]
struct Seen(VecDeque<String>);

impl Seen {
    /// Whether `event` is new to the watch (and remembers it). Items without an id
    /// (changes) are always new.
    fn first_time(&mut self, event: &Value) -> bool {
        let Some(id) = event.get("id").and_then(Value::as_str) else {
            return true;
        };
        if self.0.iter().any(|seen| seen == id) {
            return false;
        }
        self.0.push_back(id.to_owned());
        if self.0.len() > SEEN {
            self.0.pop_front();
        }
        true
    }

    /// Whether `event` was handed already.
    fn contains(&self, event: &Value) -> bool {
        let id = event.get("id").and_then(Value::as_str);
        id.is_some_and(|id| self.0.iter().any(|seen| seen == id))
    }
}

/// Hands one answer of the subscription whose root field is `field` to `sink`: its item,
/// or its error (which ends the relay). Answers whether the relay goes on.
fn hand_answer(
    answer: &Value,
    field: &str,
    sink: &impl Fn(Heard) -> bool,
    seen: &mut Seen,
) -> bool {
    if let Some(error) = ClientError::from_answer(answer) {
        sink(Heard::Error(error.into()));
        return false;
    }
    match answer
        .get("data")
        .and_then(|data| data.get(field))
        .filter(|item| !item.is_null())
    {
        Some(item) if seen.first_time(item) => sink(Heard::Item(item.clone())),
        _ => true,
    }
}

/// A remote relay over its WebSocket: each item as it comes; after a reconnection, what
/// was missed meanwhile (see [`catch_up`]).
async fn forward_live(
    mut live: WsSubscription,
    source: Source,
    sink: impl Fn(Heard) -> bool + Send + Sync + 'static,
) {
    if !sink(Heard::Link(WatchLink::Live)) {
        return;
    }
    let mut seen = Seen::default();
    while let Some(next) = live.next().await {
        let goes_on = match next {
            Live::Answer(answer) => hand_answer(&answer, source.feed.field(), &sink, &mut seen),
            Live::Reconnecting { why, retry_in } => sink(Heard::Link(WatchLink::Reconnecting {
                why,
                retry_in_ms: retry_in.as_millis() as u64,
            })),
            Live::Reconnected => {
                sink(Heard::Link(WatchLink::Live)) && catch_up(&source, &sink, &mut seen).await
            }
            Live::Refused(refused) => {
                sink(Heard::Error(refused.into()));
                false
            }
        };
        if !goes_on {
            live.close().await;
            return;
        }
    }
    sink(Heard::Error(CommandError::new(
        ErrorCode::Unreachable,
        "The server ended the subscription.",
    )));
}

/// Hands what was missed while the socket was down: the events stored since the last
/// one `seen`, oldest first (all of the newest 100 when none was seen yet: the window
/// drops those it shows already); for changes, [`Heard::Missed`]. A failure to read is
/// logged: the live items go on.
async fn catch_up(source: &Source, sink: &impl Fn(Heard) -> bool, seen: &mut Seen) -> bool {
    if let Feed::Changes { .. } = source.feed {
        return sink(Heard::Missed);
    }
    let newest = match source.newest().await {
        Ok(newest) => newest,
        Err(error) => {
            tracing::warn!(%error, "could not read the events stored while the socket was down");
            return true;
        }
    };
    let missed: Vec<Value> = newest
        .into_iter()
        .take_while(|event| !seen.contains(event))
        .collect();
    for event in missed.into_iter().rev() {
        if seen.first_time(&event) && !sink(Heard::Item(event)) {
            return false;
        }
    }
    true
}

/// A relay on a remote server without a WebSocket, every [`Feed::poll_every`]: each new
/// event of the newest ones handed oldest first (those already stored when it starts are
/// not handed); for changes, [`Heard::Missed`].
async fn poll(source: Source, sink: impl Fn(Heard) -> bool + Send + Sync + 'static) {
    let mut seen = Seen::default();
    let mut first = true;
    loop {
        if !first {
            if let Feed::Changes { .. } = source.feed {
                if !sink(Heard::Missed) {
                    return;
                }
            }
        }
        match source.newest().await {
            Err(error) => {
                sink(Heard::Error(error.into()));
                return;
            }
            Ok(newest) => {
                for event in newest.into_iter().rev() {
                    if seen.first_time(&event) && !first && !sink(Heard::Item(event)) {
                        return;
                    }
                }
            }
        }
        first = false;
        tokio::time::sleep(source.feed.poll_every()).await;
    }
}

/// A mutation's refused token, from its outcome (`success: false` with a code that asks
/// for a sign-in), as a failure.
fn refused_outcome(answer: &Value) -> Option<CommandError> {
    answer
        .get("data")
        .and_then(Value::as_object)?
        .values()
        .filter(|outcome| outcome.get("success") == Some(&Value::Bool(false)))
        .find_map(|outcome| {
            let code = ErrorCode::parse(outcome.get("code").and_then(Value::as_str)?);
            let message = outcome
                .get("message")
                .and_then(Value::as_str)
                .unwrap_or("The server refused.");
            code.needs_sign_in()
                .then(|| CommandError::new(code, message))
        })
}

/// A mail's kind from the server's spelling. A kind this app does not know (from a newer
/// server) has a link it cannot follow: its mail is left out, with a warning.
fn known_kind(kind: &str) -> Option<MailKind> {
    match kind.parse() {
        Ok(kind) => Some(kind),
        Err(e) => {
            tracing::warn!(error = %e, "leaving out a mail of an unknown kind");
            None
        }
    }
}

/// The signed-in person from `me`; a status this app does not know is an answer it
/// cannot read.
fn session_user(u: me::MeMe) -> Result<SessionUser, houston_client::vocabulary::UnknownWord> {
    Ok(SessionUser {
        status: u.status.parse::<UserStatus>()?,
        id: u.id,
        username: u.username,
        first_name: u.profile.first_name,
        last_name: u.profile.last_name,
        company: u.profile.company,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn change(app: &str) -> Heard {
        Heard::Item(json!({ "appId": app, "integrationId": "", "action": "CREATE" }))
    }

    /// What `coalesce` hands on for what a relay hears, as `(message, when)`.
    async fn coalesced(
        heard: impl FnOnce(tokio::sync::mpsc::UnboundedSender<Heard>) -> tokio::task::JoinHandle<()>,
    ) -> Vec<(ChangeWatch, std::time::Instant)> {
        let (tx, rx) = tokio::sync::mpsc::unbounded_channel();
        let out = Arc::new(std::sync::Mutex::new(Vec::new()));
        let kept = out.clone();
        let task = tokio::spawn(coalesce(rx, move |m| {
            kept.lock().unwrap().push((m, std::time::Instant::now()));
            true
        }));
        heard(tx).await.unwrap();
        task.await.unwrap();
        let out = out.lock().unwrap().clone();
        out
    }

    #[tokio::test]
    async fn a_burst_of_changes_is_one_message() {
        let out = coalesced(|tx| {
            tokio::spawn(async move {
                tx.send(Heard::Link(WatchLink::Live)).unwrap();
                for i in 0..20 {
                    tx.send(change(&format!("a{i}"))).unwrap();
                    tokio::time::sleep(Duration::from_millis(10)).await;
                }
                tokio::time::sleep(BURST_LONGEST * 2).await;
                tx.send(change("later")).unwrap();
            })
        })
        .await;
        let messages: Vec<_> = out.iter().map(|(m, _)| m.clone()).collect();
        assert_eq!(
            messages.len(),
            3,
            "the link, one burst, one later: {messages:?}"
        );
        assert_eq!(messages[0], ChangeWatch::Link(WatchLink::Live));
        match &messages[1] {
            ChangeWatch::Changed(burst) => {
                let apps: Vec<_> = burst.iter().map(|c| c.app_id.clone()).collect();
                let sent: Vec<_> = (0..20).map(|i| format!("a{i}")).collect();
                assert_eq!(apps, sent, "every change of the burst, in order");
            }
            other => panic!("a burst is one Changed: {other:?}"),
        }
        match &messages[2] {
            ChangeWatch::Changed(burst) => assert_eq!(burst.len(), 1, "{burst:?}"),
            other => panic!("{other:?}"),
        }
    }

    #[tokio::test]
    async fn a_burst_lasts_a_second_at_most_and_other_news_follows_it() {
        let out = coalesced(|tx| {
            tokio::spawn(async move {
                let until = std::time::Instant::now() + BURST_LONGEST * 2;
                // A change every 100 ms, never a quiet 250 ms: still told every second.
                while std::time::Instant::now() < until {
                    tx.send(change("busy")).unwrap();
                    tokio::time::sleep(Duration::from_millis(100)).await;
                }
                tx.send(Heard::Missed).unwrap();
                tx.send(Heard::Error(CommandError::new(
                    ErrorCode::TokenExpired,
                    "expired",
                )))
                .unwrap();
                tx.send(change("after the end")).unwrap();
            })
        })
        .await;
        let bursts = out
            .iter()
            .filter(|(m, _)| matches!(m, ChangeWatch::Changed(_)))
            .count();
        assert!(
            (2..=3).contains(&bursts),
            "two seconds of changes are told in 2 or 3 messages, not {bursts}: {out:?}"
        );
        let tail: Vec<_> = out.iter().rev().take(2).map(|(m, _)| m.clone()).collect();
        assert_eq!(tail[1], ChangeWatch::Missed, "{out:?}");
        assert!(
            matches!(&tail[0], ChangeWatch::Error(e) if e.code == ErrorCode::TokenExpired),
            "an error ends the watch: nothing after it: {out:?}"
        );
    }

    #[test]
    fn each_feed_reads_its_own_field() {
        let changes = Feed::Changes {
            org_id: "o1".into(),
        };
        let request = changes.request().unwrap();
        assert!(request["query"]
            .as_str()
            .unwrap()
            .contains("clickstreamChanged(orgId: $orgId)"));
        assert_eq!(request["variables"], json!({ "orgId": "o1" }));
        let answer = json!({ "data": { "clickstreamChanged": { "appId": "a", "integrationId": "i", "action": "UPDATE" } } });
        let heard = std::sync::Mutex::new(Vec::new());
        let sink = |h: Heard| {
            heard.lock().unwrap().push(h);
            true
        };
        let mut seen = Seen::default();
        assert!(hand_answer(&answer, changes.field(), &sink, &mut seen));
        assert!(hand_answer(&answer, changes.field(), &sink, &mut seen));
        let events = Feed::Events { app_id: "a".into() };
        assert!(hand_answer(&answer, events.field(), &sink, &mut seen));
        let heard = heard.into_inner().unwrap();
        assert_eq!(
            heard.len(),
            2,
            "the same change twice is two changes; not an event: {heard:?}"
        );
        let refused =
            json!({ "errors": [{ "message": "no", "extensions": { "code": "UNAUTHENTICATED" } }] });
        let ended = std::sync::Mutex::new(Vec::new());
        let ends = |h: Heard| {
            ended.lock().unwrap().push(h);
            true
        };
        assert!(
            !hand_answer(&refused, changes.field(), &ends, &mut seen),
            "an error ends the relay"
        );
        assert!(matches!(ended.into_inner().unwrap()[..], [Heard::Error(_)]));
    }

    #[test]
    fn plain_http_only_to_this_machine() {
        for ok in [
            "https://houston.example.org",
            "http://127.0.0.1:8871",
            "http://localhost:8871/graphql",
            "http://[::1]:8871",
        ] {
            assert!(normalize_url(ok).is_ok(), "{ok}");
        }
        for refused in [
            "http://houston.example.org",
            "http://10.0.0.5:8871",
            "http://127.0.0.1.example.org",
        ] {
            let error = normalize_url(refused).unwrap_err();
            assert!(
                error.message.contains("https://"),
                "{refused}: {}",
                error.message
            );
        }
    }

    /// A new root field that answers a token or a key must not slip through the `graphql`
    /// command: every root field whose type holds a `token` or `key` is refused, except
    /// `myMail`, whose one-use links the mail page exists to show.
    #[test]
    fn every_root_field_answering_a_credential_is_refused() {
        use async_graphql_parser::types::{TypeKind, TypeSystemDefinition};
        let schema =
            async_graphql_parser::parse_schema(include_str!("../../graphql/schema.graphql"))
                .expect("the checked-in schema parses");
        let objects: Vec<_> = schema
            .definitions
            .iter()
            .filter_map(|d| match d {
                TypeSystemDefinition::Type(t) => match &t.node.kind {
                    TypeKind::Object(o) => Some((t.node.name.node.as_str(), &o.fields)),
                    _ => None,
                },
                _ => None,
            })
            .collect();
        let credential_types: Vec<&str> = objects
            .iter()
            .filter(|(_, fields)| {
                fields
                    .iter()
                    .any(|f| matches!(f.node.name.node.as_str(), "token" | "key"))
            })
            .map(|(name, _)| *name)
            .collect();
        assert!(credential_types.contains(&"Token") && credential_types.contains(&"ApiKeyCreated"));
        let mut answering = Vec::new();
        for (root, fields) in objects
            .iter()
            .filter(|(name, _)| matches!(*name, "Query" | "Mutation" | "Subscription"))
        {
            for field in fields.iter() {
                let ty = field.node.ty.node.to_string();
                let base = ty.trim_matches(|c| matches!(c, '[' | ']' | '!'));
                if credential_types.contains(&base) {
                    answering.push(format!("{root}.{}", field.node.name.node));
                }
            }
        }
        for field in &answering {
            let name = field.split('.').nth(1).unwrap_or_default();
            assert!(
                CREDENTIAL_FIELDS.contains(&name) || name == "myMail",
                "{field} answers a credential and the graphql command would forward it"
            );
        }
        assert!(answering.len() >= CREDENTIAL_FIELDS.len(), "{answering:?}");
    }

    #[test]
    fn a_server_address_names_one_endpoint_only() {
        assert_eq!(
            normalize_url(" https://Houston.example.org/ ").unwrap(),
            "https://houston.example.org/graphql"
        );
        assert_eq!(
            normalize_url("https://houston.example.org:8443/graphql").unwrap(),
            "https://houston.example.org:8443/graphql"
        );
        for other in [
            "https://houston.example.org/admin",
            "https://houston.example.org/api/graphql",
            "https://houston.example.org/?next=/graphql",
            "https://houston.example.org/#/graphql",
            "https://user:secret@houston.example.org",
            "http://127.0.0.1:9200/_cluster/settings?x=",
        ] {
            let error = normalize_url(other).unwrap_err();
            assert_eq!(error.code, "INVALID_INPUT", "{other}");
        }
    }

    #[test]
    fn a_refused_token_in_a_mutation_outcome_is_read_with_the_shared_code() {
        let refused = json!({ "data": { "createOrganization": {
            "success": false, "code": "TOKEN_EXPIRED", "message": "Your session has expired."
        } } });
        assert_eq!(
            refused_outcome(&refused),
            Some(CommandError::new(
                ErrorCode::TokenExpired,
                "Your session has expired."
            ))
        );
        // Other refusals are the form's business, not a sign-in.
        let invalid = json!({ "data": { "createOrganization": {
            "success": false, "code": "INVALID_INPUT", "message": "Give it a name."
        } } });
        assert_eq!(refused_outcome(&invalid), None);
        let done = json!({ "data": { "logout": { "success": true, "code": "OK" } } });
        assert_eq!(refused_outcome(&done), None);
    }

    #[test]
    fn mail_of_an_unknown_kind_is_left_out() {
        assert_eq!(known_kind("INVITATION"), Some(MailKind::Invitation));
        assert_eq!(known_kind("NEWSLETTER"), None);
    }
}
