//! [`KeyedDb`]: a database for the tests of secrets at rest — a SQLite file in its own
//! directory or a fresh PostgreSQL database, with the server's data key and token secret as
//! files in another directory (so that whoever holds only the database lacks the key), and
//! raw access behind the server's back.

use std::path::{Path, PathBuf};

use houston_server::seal::{self, DataKey};
use houston_server::{DataKeySource, SecretSource, ServerConfig};
use sqlx::{Connection, Executor, Row};
use tempfile::TempDir;

use crate::{PgDatabase, TestServer};

/// The database a test runs on, with its key files apart from it.
pub struct KeyedDb {
    /// The database's URL (`sqlite://…` or `postgres://…`).
    pub url: String,
    sqlite_dir: Option<TempDir>,
    pg: Option<PgDatabase>,
    keys: TempDir,
}

impl KeyedDb {
    /// A SQLite file, `houston.db`, in a directory of its own.
    pub fn sqlite() -> KeyedDb {
        let dir = tempfile::tempdir().expect("a temporary directory");
        KeyedDb {
            url: format!("sqlite://{}", dir.path().join("houston.db").display()),
            sqlite_dir: Some(dir),
            pg: None,
            keys: tempfile::tempdir().expect("a temporary directory"),
        }
    }

    /// A fresh database on the test PostgreSQL ([`PgDatabase`]).
    pub async fn postgres() -> KeyedDb {
        let pg = PgDatabase::create().await;
        KeyedDb {
            url: pg.url.clone(),
            sqlite_dir: None,
            pg: Some(pg),
            keys: tempfile::tempdir().expect("a temporary directory"),
        }
    }

    /// Whether the database is on PostgreSQL.
    pub fn is_postgres(&self) -> bool {
        self.pg.is_some()
    }

    /// The SQLite file's directory (`None` on PostgreSQL).
    pub fn sqlite_dir(&self) -> Option<&Path> {
        self.sqlite_dir.as_ref().map(TempDir::path)
    }

    /// Where the data key's file is (written by the server at its first start).
    pub fn key_path(&self) -> PathBuf {
        self.keys.path().join("houston-data.key")
    }

    /// The key the server is given by default: the file at [`KeyedDb::key_path`].
    pub fn key(&self) -> DataKeySource {
        DataKeySource::File(self.key_path())
    }

    /// The data key, read from its file as the server wrote it.
    pub fn data_key(&self) -> DataKey {
        let text = std::fs::read_to_string(self.key_path()).expect("the data key's file");
        DataKey::new(
            &seal::parse_key(&text).expect("a key the server wrote"),
            "the test",
        )
    }

    /// A server's configuration on this database with the given data key.
    pub fn config_with(&self, data_key: DataKeySource) -> ServerConfig {
        ServerConfig {
            database_url: self.url.clone(),
            secret: SecretSource::File(self.keys.path().join("token-secret")),
            data_key,
            ..ServerConfig::in_memory()
        }
    }

    /// A server's configuration on this database with its own data key.
    pub fn config(&self) -> ServerConfig {
        self.config_with(self.key())
    }

    /// A test server on this database with its own data key.
    pub async fn serve(&self) -> TestServer {
        TestServer::with_config(
            self.config(),
            tempfile::tempdir().expect("a temporary directory"),
        )
        .await
    }

    /// Runs statements on the database behind the server's back.
    pub async fn raw_exec(&self, sql: &str) {
        if self.is_postgres() {
            let mut c = sqlx::PgConnection::connect(&self.url)
                .await
                .expect("connects");
            c.execute(sql).await.expect("the statements run");
            let _ = c.close().await;
        } else {
            let mut c = sqlx::SqliteConnection::connect(&self.url)
                .await
                .expect("connects");
            c.execute(sql).await.expect("the statements run");
            let _ = c.close().await;
        }
    }

    /// The first column of every row `sql` returns, as text, read behind the server's back.
    pub async fn raw_texts(&self, sql: &str) -> Vec<String> {
        if self.is_postgres() {
            let mut c = sqlx::PgConnection::connect(&self.url)
                .await
                .expect("connects");
            let rows = sqlx::query(sql)
                .fetch_all(&mut c)
                .await
                .expect("the query runs");
            let _ = c.close().await;
            rows.iter().map(|r| r.get::<String, _>(0)).collect()
        } else {
            let mut c = sqlx::SqliteConnection::connect(&self.url)
                .await
                .expect("connects");
            let rows = sqlx::query(sql)
                .fetch_all(&mut c)
                .await
                .expect("the query runs");
            let _ = c.close().await;
            rows.iter().map(|r| r.get::<String, _>(0)).collect()
        }
    }
}
