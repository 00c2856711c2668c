//! [`TestServer`]: a Houston in this process on a SQLite file or a fresh PostgreSQL
//! database, reachable in-process or over HTTP on a port-0 listener, and helpers that walk
//! the sign-up flow.

use crate::http::gql_with;
use crate::postgres::PgDatabase;

use houston_server::{DataKeySource, Houston, SecretSource, ServerConfig};
use serde_json::{json, Value};
use std::path::PathBuf;
use tempfile::TempDir;

/// How a test reaches the server.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Via {
    /// Through [`Houston::execute`], as the desktop's bundled server is reached.
    InProcess,
    /// A POST to the server's `/graphql` URL on its port-0 listener.
    Http,
}

/// Which database a test server runs on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    /// A SQLite file in the server's temporary directory.
    Sqlite,
    /// A fresh database on the PostgreSQL server in `HOUSTON_TEST_POSTGRES`.
    Postgres,
}

/// A server on a fresh SQLite file in a temporary directory, or on a fresh PostgreSQL
/// database (dropped with the server).
pub struct TestServer {
    /// The server itself, for in-process calls and its outbox.
    pub houston: Houston,
    /// `http://127.0.0.1:PORT/graphql`.
    pub url: String,
    /// The temporary directory holding the SQLite file, the secret and the data key.
    pub dir: TempDir,
    http: reqwest::Client,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
    /// Declared last: dropped after the server is told to stop.
    pg: Option<PgDatabase>,
}

impl TestServer {
    /// A new server, also listening on 127.0.0.1 port 0.
    pub async fn start() -> TestServer {
        let dir = tempfile::tempdir().expect("temporary directory");
        let url = format!("sqlite://{}", dir.path().join(SQLITE_FILE).display());
        Self::with_config(Self::config(url, &dir), dir).await
    }

    /// [`TestServer::start`] with its configuration adjusted first (limits, quotas).
    pub async fn start_with(adjust: impl FnOnce(&mut ServerConfig)) -> TestServer {
        let dir = tempfile::tempdir().expect("temporary directory");
        let url = format!("sqlite://{}", dir.path().join(SQLITE_FILE).display());
        let mut config = Self::config(url, &dir);
        adjust(&mut config);
        Self::with_config(config, dir).await
    }

    /// A new server on a fresh PostgreSQL database (see [`PgDatabase`]), its secret in a
    /// temporary directory.
    pub async fn start_postgres() -> TestServer {
        let pg = PgDatabase::create().await;
        let dir = tempfile::tempdir().expect("temporary directory");
        let mut server = Self::with_config(Self::config(pg.url.clone(), &dir), dir).await;
        server.pg = Some(pg);
        server
    }

    /// `database_url`, with the signing secret and the data key in files in `dir`.
    fn config(database_url: String, dir: &TempDir) -> ServerConfig {
        ServerConfig {
            database_url,
            secret: SecretSource::File(dir.path().join(SECRET_FILE)),
            // A key file, so that a test may reopen the database; beside the database
            // only because this is a test (the apps never put it there).
            data_key: DataKeySource::File(dir.path().join("houston-data.key")),
            ..ServerConfig::in_memory()
        }
    }

    /// A new server on `backend`.
    pub async fn on(backend: Backend) -> TestServer {
        match backend {
            Backend::Sqlite => Self::start().await,
            Backend::Postgres => Self::start_postgres().await,
        }
    }

    /// A new server opened with `config` (whose files a test keeps in `dir`), also
    /// listening on 127.0.0.1 port 0.
    pub async fn with_config(config: ServerConfig, dir: TempDir) -> TestServer {
        let houston = Houston::open(config).await.expect("server opens");
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("a port-0 listener");
        let url = format!(
            "http://{}/graphql",
            listener.local_addr().expect("its address")
        );
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        let serving = houston.clone();
        tokio::spawn(async move {
            serving
                .serve(listener, async {
                    let _ = rx.await;
                })
                .await
                .expect("serves");
        });
        TestServer {
            houston,
            url,
            dir,
            http: reqwest::Client::new(),
            shutdown: Some(tx),
            pg: None,
        }
    }

    /// Runs one operation and returns the whole response as JSON.
    pub async fn gql_via(
        &self,
        via: Via,
        query: &str,
        variables: Value,
        auth: Option<&str>,
        org: Option<&str>,
    ) -> Value {
        match via {
            Via::InProcess => execute(&self.houston, query, variables, auth, org).await,
            Via::Http => gql_with(&self.http, &self.url, query, variables, auth, org).await,
        }
    }

    /// In-process, the common case.
    pub async fn gql(&self, query: &str, variables: Value, auth: Option<&str>) -> Value {
        self.gql_via(Via::InProcess, query, variables, auth, None)
            .await
    }

    /// The `data` of a response that must have no errors.
    pub async fn data(&self, query: &str, variables: Value, auth: Option<&str>) -> Value {
        let mut res = self.gql(query, variables, auth).await;
        assert!(res.get("errors").is_none(), "unexpected errors: {res}");
        res["data"].take()
    }

    /// The SQLite file of a server from [`Self::start`].
    pub fn db_path(&self) -> PathBuf {
        self.dir.path().join(SQLITE_FILE)
    }

    /// The file holding the token-signing secret (another process, such as a benchmark's
    /// peer, may check the same tokens with it).
    pub fn secret_path(&self) -> PathBuf {
        self.dir.path().join(SECRET_FILE)
    }

    /// Signs up with the password `password123`, confirms through the mail, and returns
    /// (token, user id).
    pub async fn confirmed_user(&self, email: &str) -> (String, String) {
        self.confirmed_user_with(email, "password123").await
    }

    /// [`Self::confirmed_user`] with `password`.
    pub async fn confirmed_user_with(&self, email: &str, password: &str) -> (String, String) {
        let d = self
            .data(
                "mutation($e: String!, $p: String!) { createNewUser(email: $e, password: $p, profile: {firstName: \"Test\"}) { success message token decoded { id } } }",
                json!({ "e": email, "p": password }),
                None,
            )
            .await;
        let t = &d["createNewUser"];
        assert_eq!(t["success"], true, "sign-up failed: {t}");
        let pending = t["token"].as_str().unwrap().to_string();
        let link = self.mail_token(&pending, "CONFIRM_EMAIL").await;
        let d = self
            .data(
                "mutation($t: String!) { confirmEmail(token: $t) { success token decoded { id } } }",
                json!({ "t": link }),
                None,
            )
            .await;
        assert_eq!(d["confirmEmail"]["success"], true, "{d}");
        (
            d["confirmEmail"]["token"].as_str().unwrap().to_string(),
            d["confirmEmail"]["decoded"]["id"]
                .as_str()
                .unwrap()
                .to_string(),
        )
    }

    /// The newest link token of `kind` in the signed-in user's mail.
    pub async fn mail_token(&self, token: &str, kind: &str) -> String {
        let d = self
            .data("{ myMail { kind token to body } }", json!({}), Some(token))
            .await;
        d["myMail"]
            .as_array()
            .unwrap()
            .iter()
            .find(|m| m["kind"] == kind)
            .and_then(|m| m["token"].as_str())
            .unwrap_or_else(|| panic!("no {kind} mail in {d}"))
            .to_string()
    }

    /// The newest link token of `kind` to `address`, read from the outbox.
    pub async fn outbox_token(&self, address: &str, kind: &str) -> String {
        self.houston
            .outbox()
            .await
            .unwrap()
            .into_iter()
            .find(|m| m.to_address == address && m.kind == kind)
            .and_then(|m| m.token)
            .unwrap_or_else(|| panic!("no {kind} mail to {address}"))
    }

    /// Runs a mutation that answers a StatusMessage and returns it.
    pub async fn status(&self, mutation: &str, variables: Value, auth: Option<&str>) -> Value {
        let d = self.data(mutation, variables, auth).await;
        d.as_object().unwrap().values().next().unwrap().clone()
    }

    /// Runs a mutation that must succeed and returns the id it answers.
    pub async fn ok_id(&self, mutation: &str, variables: Value, auth: Option<&str>) -> String {
        let s = self.status(mutation, variables, auth).await;
        assert_eq!(s["success"], true, "mutation failed: {s}");
        s["id"].as_str().unwrap().to_string()
    }

    /// Creates an organization owned by the holder of `token`; returns its id.
    pub async fn create_org(&self, token: &str, name: &str) -> String {
        self.ok_id(
            "mutation($n: String!) { createOrganization(name: $n) { success message id } }",
            json!({ "n": name }),
            Some(token),
        )
        .await
    }

    /// Creates a source (an `analytics.js` application) in `org`; returns its id.
    pub async fn create_app(&self, token: &str, org: &str, name: &str) -> String {
        self.ok_id(
            "mutation($n: String!, $o: String!) { createApplication(name: $n, platform: \"analytics.js\", orgId: $o) { success message id } }",
            json!({ "n": name, "o": org }),
            Some(token),
        )
        .await
    }

    /// Creates an Acquisio connection in `org` with `api_key`; returns its id.
    pub async fn create_connection(&self, token: &str, org: &str, api_key: &str) -> String {
        self.ok_id(
            "mutation($o: String!, $d: JSON!) { createConnection(integrationCode: \"acquisio\", details: $d, name: \"Acquisio\", orgId: $o, connectionPrototypeId: \"acquisio\") { success message id fieldErrors { propertyName message } } }",
            json!({ "o": org, "d": { "apiKey": api_key } }),
            Some(token),
        )
        .await
    }

    /// Creates an Acquisio integration of source `app` through connection `conn`; returns
    /// its id.
    pub async fn create_integration(&self, token: &str, app: &str, conn: &str) -> String {
        self.ok_id(
            "mutation($a: String!, $c: String) { createIntegration(appId: $a, integrationCode: \"acquisio\", configPayload: {events: [\"Order Completed\"]}, connectionId: $c, name: \"Acquisio for web\") { success message id fieldErrors { propertyName message } } }",
            json!({ "a": app, "c": conn }),
            Some(token),
        )
        .await
    }

    /// Adds an existing (confirmed) user to `org` with `role`: the Owner invites the
    /// address, and the invitation's mailed link accepts it.
    pub async fn add_member(&self, owner: &str, org: &str, email: &str, role: &str) {
        let s = self
            .status(
                &format!("mutation($o: String!, $e: String!) {{ updateOrganization(orgId: $o, addUser: {{email: $e, role: {role}}}) {{ success message code }} }}"),
                json!({ "o": org, "e": email }),
                Some(owner),
            )
            .await;
        assert_eq!(s["success"], true, "{s}");
        let link = self.outbox_token(email, "INVITATION").await;
        let s = self
            .status(
                "mutation($t: String) { acceptInvitation(token: $t) { success message code } }",
                json!({ "t": link }),
                None,
            )
            .await;
        assert_eq!(s["success"], true, "{s}");
    }
}

/// The SQLite file's name in the server's directory.
const SQLITE_FILE: &str = "houston.db";
/// The signing secret's file name in the server's directory.
const SECRET_FILE: &str = "secret";

impl Drop for TestServer {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
    }
}

/// Runs one operation in-process on `houston` (also one that no [`TestServer`] holds) and
/// returns the whole response as JSON.
pub async fn execute(
    houston: &Houston,
    query: &str,
    variables: Value,
    auth: Option<&str>,
    org: Option<&str>,
) -> Value {
    let req = async_graphql::Request::new(query)
        .variables(async_graphql::Variables::from_json(variables));
    serde_json::to_value(houston.execute(req, auth, org).await).expect("a JSON response")
}

/// The `extensions.code` of the first error, or "OK" when there is none.
pub fn error_code(res: &Value) -> String {
    match res.get("errors").and_then(|e| e.get(0)) {
        Some(e) => e["extensions"]["code"]
            .as_str()
            .unwrap_or("NO_CODE")
            .to_string(),
        None => "OK".into(),
    }
}
