//! Copying one Houston database into another (`houston-server migrate --from … --to …`):
//! how an evaluation on the bundled SQLite file grows into a team's PostgreSQL server
//! without anyone re-entering anything.
//!
//! Everything is copied as stored: ids, password hashes, token versions (so tokens signed
//! with the same secret file stay valid), hashed API keys and links (used ones stay used),
//! the mail outbox and the sign-in attempt counters. The target is written in one
//! transaction and must be empty.
//!
//! Connection details and integration configurations are opened with the data key and
//! sealed again for the target with the same key (each value's associated data names its
//! row, and the rows keep their ids): serve the copy with that key. One key for both sides
//! keeps the command simple and the outcome obvious; a source sealed with another key is
//! refused before anything is written.

use crate::seal::DataKey;
use crate::store::{self, Dump, Store, StoreError};
use std::path::Path;
use std::sync::Arc;

/// What a copy did.
#[derive(Clone, Debug)]
pub struct Migration {
    /// Rows copied, per table, in the order they were written.
    pub counts: [(&'static str, usize); 14],
}

impl Migration {
    /// Every row copied.
    pub fn total(&self) -> usize {
        self.counts.iter().map(|(_, n)| n).sum()
    }
}

/// Why a copy failed. URLs in messages have their password hidden.
#[derive(Debug, thiserror::Error)]
pub enum MigrateError {
    /// A SQLite source that does not exist (opening it would make an empty one).
    #[error("there is no database at {0}")]
    NoSource(String),
    #[error("reading {url}: {source}")]
    Source { url: String, source: StoreError },
    /// The private copy of a SQLite source (which is never opened itself) failed.
    #[error("copying {url} before reading it: {source}")]
    Copy { url: String, source: std::io::Error },
    #[error("writing {url}: {source}")]
    Target { url: String, source: StoreError },
}

/// Copies every row of the database at `from` into the empty database at `to` (either
/// URL SQLite or PostgreSQL). The target is migrated to the current schema first; the
/// source is never written: a SQLite source is read through a private copy (migrated and
/// sealed with `key` there), a PostgreSQL source through READ ONLY sessions, and must be at
/// the current schema already.
pub async fn migrate(from: &str, to: &str, key: &DataKey) -> Result<Migration, MigrateError> {
    if let Some(path) = sqlite_path(from) {
        if !path.exists() {
            return Err(MigrateError::NoSource(redact(from)));
        }
    }
    let source_error = |source| MigrateError::Source {
        url: redact(from),
        source,
    };
    let target_error = |source| MigrateError::Target {
        url: redact(to),
        source,
    };
    // Opening a database may bring it to the current schema and seal what an older server
    // left: a SQLite source is copied first and the copy opened, so the original is never
    // written; a PostgreSQL source is opened read-only, and must be current already.
    let copy = match sqlite_path(from) {
        Some(path) => Some(PrivateCopy::of(path).map_err(|source| MigrateError::Copy {
            url: redact(from),
            source,
        })?),
        None => None,
    };
    let source_url = copy.as_ref().map_or(from.to_string(), PrivateCopy::url);
    let source: Arc<dyn Store> = if copy.is_none() && store::is_postgres_url(from) {
        read_only_postgres(from, key).await.map_err(source_error)?
    } else {
        store::open(&source_url, key.clone())
            .await
            .map_err(source_error)?
    };
    let dump: Dump = source.export().await.map_err(source_error)?;
    drop(source);
    drop(copy);
    let target = store::open(to, key.clone()).await.map_err(target_error)?;
    target.import(&dump).await.map_err(target_error)?;
    Ok(Migration {
        counts: dump.counts(),
    })
}

/// A PostgreSQL source, opened through READ ONLY sessions.
#[cfg(feature = "postgres")]
async fn read_only_postgres(url: &str, key: &DataKey) -> Result<Arc<dyn Store>, StoreError> {
    Ok(Arc::new(
        store::PgStore::open_read_only(url, key.clone()).await?,
    ))
}

/// Without PostgreSQL support, [`store::open`]'s refusal.
#[cfg(not(feature = "postgres"))]
async fn read_only_postgres(url: &str, key: &DataKey) -> Result<Arc<dyn Store>, StoreError> {
    store::open(url, key.clone()).await
}

/// A copy of a SQLite database's files (the database and its write-ahead log) in a new
/// directory only this user can read, removed when dropped.
struct PrivateCopy {
    dir: std::path::PathBuf,
}

impl PrivateCopy {
    fn of(path: &Path) -> std::io::Result<PrivateCopy> {
        let dir = std::env::temp_dir().join(format!("houston-migrate-{}", crate::ids::new_id()));
        private_dir(&dir)?;
        let copy = PrivateCopy { dir };
        std::fs::copy(path, copy.dir.join("source.db"))?;
        let wal = path.with_file_name(format!(
            "{}-wal",
            path.file_name().map_or("".into(), |n| n.to_string_lossy())
        ));
        if wal.exists() {
            std::fs::copy(&wal, copy.dir.join("source.db-wal"))?;
        }
        Ok(copy)
    }

    fn url(&self) -> String {
        format!("sqlite://{}", self.dir.join("source.db").display())
    }
}

impl Drop for PrivateCopy {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

#[cfg(unix)]
fn private_dir(dir: &Path) -> std::io::Result<()> {
    use std::os::unix::fs::DirBuilderExt;
    std::fs::DirBuilder::new().mode(0o700).create(dir)
}

#[cfg(not(unix))]
fn private_dir(dir: &Path) -> std::io::Result<()> {
    std::fs::create_dir(dir)
}

/// The file a SQLite URL names (`None` for PostgreSQL and in-memory databases).
fn sqlite_path(url: &str) -> Option<&Path> {
    if store::is_postgres_url(url) {
        return None;
    }
    let rest = url
        .strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))
        .unwrap_or(url);
    let path = rest.split('?').next().unwrap_or(rest);
    (!path.is_empty() && !path.contains(":memory:")).then(|| Path::new(path))
}

/// `url` with the password of its user part, and any `password=` query parameter,
/// replaced by `***`, for messages and logs.
pub fn redact(url: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((base, query)) => (base, Some(query)),
        None => (url, None),
    };
    let mut shown = redact_user(base);
    if let Some(query) = query {
        let params: Vec<String> = query
            .split('&')
            .map(|p| match p.split_once('=') {
                Some((k, _)) if k.eq_ignore_ascii_case("password") => format!("{k}=***"),
                _ => p.to_string(),
            })
            .collect();
        shown = format!("{shown}?{}", params.join("&"));
    }
    shown
}

/// `url` (without its query) with the password of its user part replaced by `***`.
fn redact_user(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_string();
    };
    let authority_end = rest.find('/').unwrap_or(rest.len());
    match rest[..authority_end].rfind('@') {
        Some(at) => match rest[..at].split_once(':') {
            Some((user, _password)) => format!("{scheme}://{user}:***{}", &rest[at..]),
            None => url.to_string(),
        },
        None => url.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_are_hidden() {
        assert_eq!(
            redact("postgres://houston:s3cret@db:5432/houston"),
            "postgres://houston:***@db:5432/houston"
        );
        assert_eq!(
            redact("postgres://db/houston"),
            "postgres://db/houston",
            "nothing to hide"
        );
        assert_eq!(redact("sqlite:///tmp/h.db"), "sqlite:///tmp/h.db");
    }

    #[test]
    fn sqlite_paths() {
        assert_eq!(
            sqlite_path("sqlite:///tmp/h.db?mode=rwc"),
            Some(Path::new("/tmp/h.db"))
        );
        assert_eq!(sqlite_path("h.db"), Some(Path::new("h.db")));
        assert_eq!(sqlite_path("sqlite::memory:"), None);
        assert_eq!(sqlite_path("postgresql://db/h"), None);
    }
}
