//! How to open a server: where its database, signing secret and data key come from.

use crate::seal;
use crate::store::Retention;
use crate::throttle::Limits;
use std::path::PathBuf;

/// Where the signing secret comes from.
#[derive(Clone)]
pub enum SecretSource {
    /// A file, created with a random secret (mode 0600) when missing.
    File(PathBuf),
    /// A secret the embedder holds (the desktop app keeps its own in the OS keyring).
    /// `from` names where it came from, for error messages; the secret is never printed.
    Key { secret: Vec<u8>, from: String },
    /// A fresh random secret: tokens die with the process (tests).
    Ephemeral,
}

impl std::fmt::Debug for SecretSource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            SecretSource::File(path) => f.debug_tuple("File").field(path).finish(),
            SecretSource::Key { from, .. } => f
                .debug_struct("Key")
                .field("from", from)
                .finish_non_exhaustive(),
            SecretSource::Ephemeral => f.write_str("Ephemeral"),
        }
    }
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
    /// `Host` header values accepted besides loopback names (see
    /// [`http::HostAllowList`](crate::http::HostAllowList)).
    pub allowed_hosts: Vec<String>,
    /// How many events each source keeps (see [`parse_event_retention`]).
    pub event_retention: Retention,
    /// What each client may ask for, and how long the listener waits for slow ones.
    pub limits: Limits,
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
            event_retention: Retention::default(),
            limits: Limits::default(),
        }
    }

    /// A server on a SQLite file in `dir` (the desktop app). The token secret and the data
    /// key are the caller's to give, and deliberately not files in `dir`: beside the
    /// database they would let anyone who copies the directory sign tokens and read the
    /// connection details (the desktop app passes those it keeps in the OS keyring).
    pub fn in_dir(dir: &std::path::Path, secret: SecretSource, data_key: DataKeySource) -> Self {
        ServerConfig {
            database_url: format!("sqlite://{}", dir.join("houston.db").display()),
            secret,
            data_key,
            ..ServerConfig::in_memory()
        }
    }
}

/// Why an `--event-retention` value was refused.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error(
    "{0:?} is not an event retention: give a number of events (10000), an age (30d, 12h, \
     90m) or both separated by a comma (10000,30d)"
)]
pub struct RetentionError(String);

/// The `--event-retention` setting: a number of events (`10000`), an age in days, hours or
/// minutes (`30d`, `12h`, `90m`), or both separated by a comma (`50000,7d`). What is given
/// replaces that limit; the other keeps its default (API.md's 10,000 events and 30 days).
/// Each source keeps whichever is less. Zero and values past a century are refused.
pub fn parse_event_retention(text: &str) -> Result<Retention, RetentionError> {
    let refused = || RetentionError(text.to_string());
    let mut retention = Retention::default();
    let (mut count, mut age) = (false, false);
    for part in text.split(',').map(str::trim) {
        let (digits, unit) = match part.char_indices().find(|(_, c)| !c.is_ascii_digit()) {
            Some((i, _)) => part.split_at(i),
            None => (part, ""),
        };
        let n: i64 = digits.parse().map_err(|_| refused())?;
        if n <= 0 {
            return Err(refused());
        }
        let minutes = match unit {
            "" if !count => {
                count = true;
                retention.max_events = n;
                continue;
            }
            "d" => n.checked_mul(24 * 60),
            "h" => n.checked_mul(60),
            "m" => Some(n),
            _ => None,
        };
        match minutes {
            Some(m) if !age && m <= 100 * 366 * 24 * 60 => {
                age = true;
                retention.max_age = time::Duration::minutes(m);
            }
            _ => return Err(refused()),
        }
    }
    Ok(retention)
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::Duration;

    #[test]
    fn event_retention_forms() {
        let days = |d| Retention {
            max_events: 10_000,
            max_age: Duration::days(d),
        };
        assert_eq!(parse_event_retention("10000,30d"), Ok(Retention::default()));
        assert_eq!(
            parse_event_retention("50000"),
            Ok(Retention {
                max_events: 50_000,
                ..Retention::default()
            })
        );
        assert_eq!(parse_event_retention("7d"), Ok(days(7)));
        assert_eq!(
            parse_event_retention(" 12h , 20 "),
            Ok(Retention {
                max_events: 20,
                max_age: Duration::hours(12)
            })
        );
        assert_eq!(
            parse_event_retention("90m").map(|r| r.max_age),
            Ok(Duration::minutes(90))
        );
        for bad in [
            "",
            "0",
            "-5",
            "30x",
            "d",
            "10,20",
            "7d,8d",
            "1.5d",
            "99999999999999999999",
            "40000d",
            "10000;30d",
        ] {
            assert!(parse_event_retention(bad).is_err(), "{bad:?} is refused");
        }
    }
}
