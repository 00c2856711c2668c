//! Sealing at rest: the sealed columns, how a value is sealed and opened, the check value
//! that binds a database to its data key, and the one-time pass that seals what an older
//! server left in plaintext (see [`crate::seal`]).

use super::{StoreError, StoreResult};
use crate::seal::{self, DataKey, SealError};
use serde_json::Value;

/// A column whose values are sealed at rest: the secrets a user types into a destination's
/// form (a connection's `details`) or its `configPayload` (an integration's `config`, which
/// may hold secret fields too).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Sealed {
    ConnectionDetails,
    IntegrationConfig,
}

impl Sealed {
    /// Every sealed column.
    pub const ALL: [Sealed; 2] = [Sealed::ConnectionDetails, Sealed::IntegrationConfig];

    pub fn table(self) -> &'static str {
        match self {
            Sealed::ConnectionDetails => "connections",
            Sealed::IntegrationConfig => "integrations",
        }
    }

    pub fn column(self) -> &'static str {
        match self {
            Sealed::ConnectionDetails => "details",
            Sealed::IntegrationConfig => "config",
        }
    }

    fn what(self) -> &'static str {
        match self {
            Sealed::ConnectionDetails => "the details of connection",
            Sealed::IntegrationConfig => "the configuration of integration",
        }
    }

    /// The associated data of the value in row `id`: it only opens there.
    fn context(self, id: &str) -> Vec<u8> {
        seal::context(self.table(), self.column(), id)
    }
}

/// The stored text of `value` for row `id` of `field`'s column: always sealed.
pub fn seal_json(key: &DataKey, field: Sealed, id: &str, value: &Value) -> String {
    key.seal(&field.context(id), value.to_string().as_bytes())
}

/// The stored text of a plaintext value found in the database (written by a server from
/// before sealing), sealed byte for byte as it was.
fn seal_legacy(key: &DataKey, field: Sealed, id: &str, plaintext: &str) -> String {
    key.seal(&field.context(id), plaintext.as_bytes())
}

/// The value of row `id` of `field`'s column from its stored text: opened when sealed,
/// parsed as it is when plaintext (a database written before sealing, until the pass at
/// open seals it). A value that does not open is [`StoreError::Unsealable`], naming the row
/// and where the key came from; never a panic, never a guess.
pub fn open_json(key: &DataKey, field: Sealed, id: &str, stored: &str) -> StoreResult<Value> {
    let unsealable = |reason| StoreError::Unsealable {
        what: field.what(),
        id: id.to_string(),
        key_source: key.source().to_string(),
        reason,
    };
    if !seal::is_sealed(stored) {
        return serde_json::from_str(stored).map_err(|_| unsealable(SealError::Malformed));
    }
    let plain = key.open(&field.context(id), stored).map_err(unsealable)?;
    serde_json::from_slice(&plain).map_err(|_| unsealable(SealError::Malformed))
}

/// The check value's plaintext and its place: a database remembers, sealed, which key seals
/// it, so that a server given another key refuses to start (before it writes anything with
/// it) instead of failing row by row, and an empty database is bound to its key too.
const KEY_CHECK: &[u8] = b"houston data key check v1";

/// The stored check value for `key`, written once per database.
fn key_check_value(key: &DataKey) -> String {
    key.seal(&seal::context("data_key_check", "sealed", "1"), KEY_CHECK)
}

/// `Ok` when `stored` (the database's check value) was sealed with `key`.
fn verify_key_check(key: &DataKey, stored: &str) -> StoreResult<()> {
    match key.open(&seal::context("data_key_check", "sealed", "1"), stored) {
        Ok(plain) if plain == KEY_CHECK => Ok(()),
        _ => Err(StoreError::WrongDataKey {
            key_source: key.source().to_string(),
        }),
    }
}

for_each_backend! {
    use crate::store::StoreOn;
    use std::sync::Arc;

    impl Backend {
        /// The store on `pool` (opened and migrated) once the database is bound to `key`
        /// and sealed at rest (see `seal_at_rest`).
        pub(in crate::store) async fn sealed(
            pool: sqlx::Pool<Db>,
            key: DataKey,
        ) -> StoreResult<Self> {
            let store = StoreOn {
                pool,
                key: Arc::new(key),
            };
            store.seal_at_rest().await?;
            Ok(store)
        }

        /// The one-time pass at open, in one write transaction: binds an unbound database
        /// to the key (or refuses another key), then seals every plaintext value. An update
        /// only replaces the exact text it read, so it can never undo a newer write.
        async fn seal_at_rest(&self) -> StoreResult<()> {
            let key = &*self.key;
            let mut tx = self.write().await?;
            // Servers starting together on a new database: the first insert wins, the
            // others wait for it and then check their key against it.
            sqlx::query(
                "INSERT INTO data_key_check (id, sealed) VALUES (1, $1) \
                 ON CONFLICT (id) DO NOTHING",
            )
            .bind(key_check_value(key))
            .execute(&mut *tx)
            .await?;
            let stored: String =
                sqlx::query_scalar("SELECT sealed FROM data_key_check WHERE id = 1")
                    .fetch_one(&mut *tx)
                    .await?;
            verify_key_check(key, &stored)?;
            let mut sealed = 0u64;
            for field in Sealed::ALL {
                let (table, column) = (field.table(), field.column());
                let plaintext: Vec<(String, String)> = sqlx::query_as(&format!(
                    "SELECT id, {column} FROM {table} WHERE substr({column}, 1, 7) <> 'sealed:'"
                ))
                .fetch_all(&mut *tx)
                .await?;
                for (id, text) in plaintext {
                    sealed += sqlx::query(&format!(
                        "UPDATE {table} SET {column} = $1 WHERE id = $2 AND {column} = $3"
                    ))
                    .bind(seal_legacy(key, field, &id, &text))
                    .bind(&id)
                    .bind(&text)
                    .execute(&mut *tx)
                    .await?
                    .rows_affected();
                }
            }
            tx.commit().await?;
            if sealed > 0 {
                tracing::info!(
                    values = sealed,
                    "sealed plaintext values left by an older server"
                );
                self.rewrite_after_sealing().await;
            }
            Ok(())
        }
    }
}
