//! A fresh PostgreSQL database per test, on the server that `HOUSTON_TEST_POSTGRES` names.
//!
//! Without that variable the PostgreSQL tests fail (never skip) and say how to set it.

use sqlx::{Connection, Executor, PgConnection};

/// The variable naming the test server: a URL of a role that may create databases.
pub const PG_ENV: &str = "HOUSTON_TEST_POSTGRES";

/// The server URL from [`PG_ENV`], or a failure that says how to provide one.
pub fn admin_url() -> String {
    match std::env::var(PG_ENV) {
        Ok(url) if !url.trim().is_empty() => url.trim().to_string(),
        _ => panic!(
            "{PG_ENV} is not set, and this test runs on PostgreSQL. Start one with \
             `eval \"$(bash .ci/postgres)\"` (installs Debian's postgresql if missing, starts \
             it on 127.0.0.1 and exports the variable), or set {PG_ENV} yourself to a URL of \
             a role that may CREATE DATABASE, e.g. \
             postgres://houston:houston@127.0.0.1:5432/postgres"
        ),
    }
}

/// `url` naming database `name` instead of its own.
pub fn with_database(url: &str, name: &str) -> String {
    let (scheme, rest) = url.split_once("://").expect("a postgres:// URL");
    let (rest, query) = match rest.split_once('?') {
        Some((r, q)) => (r, format!("?{q}")),
        None => (rest, String::new()),
    };
    let authority = rest.split('/').next().unwrap_or(rest);
    format!("{scheme}://{authority}/{name}{query}")
}

/// A new, empty database, dropped (with any connection still open to it) when this is.
pub struct PgDatabase {
    /// The URL of the new database.
    pub url: String,
    /// Its name (`houston_test_` and 16 random hex digits).
    pub name: String,
    admin: String,
}

impl PgDatabase {
    /// Creates the database on the server in [`PG_ENV`]; fails the test, saying how to set
    /// the variable, when it is missing.
    pub async fn create() -> PgDatabase {
        let admin = admin_url();
        let name = format!("houston_test_{:016x}", rand::random::<u64>());
        let mut conn = PgConnection::connect(&admin)
            .await
            .unwrap_or_else(|e| panic!("connecting to the server in {PG_ENV}: {e}"));
        // template0: nobody is ever connected to it, so tests may create databases at once.
        conn.execute(format!("CREATE DATABASE {name} TEMPLATE template0").as_str())
            .await
            .unwrap_or_else(|e| panic!("creating the test database {name}: {e}"));
        // A test database need not survive a crash of the server: skip the commit flush.
        conn.execute(format!("ALTER DATABASE {name} SET synchronous_commit = off").as_str())
            .await
            .expect("setting synchronous_commit");
        let _ = conn.close().await;
        PgDatabase {
            url: with_database(&admin, &name),
            name,
            admin,
        }
    }

    /// Runs one statement on this database (test set-up and inspection).
    pub async fn execute(&self, sql: &str) {
        let mut conn = PgConnection::connect(&self.url).await.expect("connects");
        conn.execute(sql).await.expect("statement runs");
        let _ = conn.close().await;
    }
}

impl Drop for PgDatabase {
    fn drop(&mut self) {
        let (admin, name) = (self.admin.clone(), self.name.clone());
        // Drop runs inside the test's runtime, which cannot be blocked on: use another.
        let dropped = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .map_err(|e| e.to_string())?;
            runtime.block_on(async {
                let mut conn = PgConnection::connect(&admin)
                    .await
                    .map_err(|e| e.to_string())?;
                conn.execute(format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)").as_str())
                    .await
                    .map_err(|e| e.to_string())?;
                let _ = conn.close().await;
                Ok::<_, String>(())
            })
        })
        .join();
        if let Ok(Err(e)) = dropped {
            eprintln!("could not drop the test database {}: {e}", self.name);
        }
    }
}
