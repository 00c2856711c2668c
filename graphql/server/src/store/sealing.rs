//! Sealing at rest: the sealed columns, how a value is sealed and opened, the check value
//! that binds a database to its data key, and the one-time pass that seals what an older
//! server left (plaintext, or values sealed for their row id only) for the row's meaning:
//! its organization, destination and source (see [`crate::seal`]). After that pass, which
//! `sealing_scheme` records, plaintext is refused.

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

    /// The associated data of the value in the row `labels` describe (see
    /// [`ConnectionRow::labels`](super::connections::ConnectionRow::labels) and
    /// [`IntegrationLabels`](super::integrations::IntegrationLabels)): it opens only there,
    /// and only while the row keeps its organization, destination and source.
    fn context(self, labels: &[&str]) -> Vec<u8> {
        seal::bound_context(self.table(), self.column(), labels)
    }

    /// The associated data of the first sealing scheme, which named the row's id only:
    /// read once, by the pass at open that re-seals such values (see `seal_at_rest`).
    fn row_only_context(self, id: &str) -> Vec<u8> {
        seal::context(self.table(), self.column(), id)
    }
}

/// The stored text of `value` for the row that `labels` describe (its id last): always
/// sealed.
pub fn seal_json(key: &DataKey, field: Sealed, labels: &[&str], value: &Value) -> String {
    key.seal(&field.context(labels), value.to_string().as_bytes())
}

/// The value of the row that `labels` describe (its id last) from its stored text. Only a
/// value sealed for this row with its present meaning opens: plaintext (planted by
/// whoever can write the database; the pass at open sealed what older servers left) and a
/// value sealed elsewhere, or before the row was re-labelled, are
/// [`StoreError::Unsealable`], naming the row and where the key came from; never a panic,
/// never a guess.
pub fn open_json(
    key: &DataKey,
    field: Sealed,
    labels: &[&str],
    stored: &str,
) -> StoreResult<Value> {
    let unsealable = |reason| StoreError::Unsealable {
        what: field.what(),
        id: labels.last().copied().unwrap_or_default().to_string(),
        key_source: key.source().to_string(),
        reason,
    };
    if !seal::is_sealed(stored) {
        return Err(unsealable(SealError::Malformed));
    }
    let plain = key
        .open(&field.context(labels), stored)
        .map_err(unsealable)?;
    serde_json::from_slice(&plain).map_err(|_| unsealable(SealError::Malformed))
}

/// The plaintext of a value found by the pass at open, as an older server left it: sealed
/// for its row id only, or plaintext from before sealing. `None` for a value that does not
/// open even so (moved from another row): it stays as it is, and fails to open later.
fn legacy_plaintext(key: &DataKey, field: Sealed, id: &str, stored: &str) -> Option<Vec<u8>> {
    if seal::is_sealed(stored) {
        key.open(&field.row_only_context(id), stored).ok()
    } else {
        Some(stored.as_bytes().to_vec())
    }
}

/// The sealing scheme of the pass at open: values bound to their row's meaning.
pub(super) const BOUND_TO_MEANING: i32 = 2;

/// The check value's plaintext and its place: a database remembers, sealed, which key seals
/// it, so that a server given another key refuses to start (before it writes anything with
/// it) instead of failing row by row, and an empty database is bound to its key too.
const KEY_CHECK: &[u8] = b"houston data key check v1";

/// The stored check value for `key`, written once per database.
fn key_check_value(key: &DataKey) -> String {
    key.seal(&seal::context("data_key_check", "sealed", "1"), KEY_CHECK)
}

/// `Ok` when `stored` (the database's check value) was sealed with `key`.
pub(super) fn verify_key_check(key: &DataKey, stored: &str) -> StoreResult<()> {
    match key.open(&seal::context("data_key_check", "sealed", "1"), stored) {
        Ok(plain) if plain == KEY_CHECK => Ok(()),
        _ => Err(StoreError::WrongDataKey {
            key_source: key.source().to_string(),
        }),
    }
}

for_each_backend! {
    use crate::store::StoreOn;

    impl Backend {
        /// The store on `pool` (opened and migrated) once the database is bound to `key`
        /// and sealed at rest (see `seal_at_rest`).
        pub(in crate::store) async fn sealed(
            pool: sqlx::Pool<Db>,
            writer: sqlx::Pool<Db>,
            checkpoints: crate::store::backend::Checkpoints,
            key: DataKey,
        ) -> StoreResult<Self> {
            let store = StoreOn::on(pool, writer, checkpoints, key);
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
            // One server at a time decides whether the values still need binding.
            sqlx::query(
                "INSERT INTO sealing_scheme (id, version) VALUES (1, 0) \
                 ON CONFLICT (id) DO NOTHING",
            )
            .execute(&mut *tx)
            .await?;
            let scheme: i32 = sqlx::query_scalar(&format!(
                "SELECT version FROM sealing_scheme WHERE id = 1{}",
                Backend::FOR_UPDATE
            ))
            .fetch_one(&mut *tx)
            .await?;
            let mut sealed = 0u64;
            if scheme < BOUND_TO_MEANING {
                sealed = Self::bind_to_meaning(key, &mut tx).await?;
                sqlx::query("UPDATE sealing_scheme SET version = $1 WHERE id = 1")
                    .bind(BOUND_TO_MEANING)
                    .execute(&mut *tx)
                    .await?;
            }
            tx.commit().await?;
            if sealed > 0 {
                tracing::info!(
                    values = sealed,
                    "re-sealed the values an older server left, bound to their rows' meaning"
                );
                self.rewrite_after_sealing().await;
            }
            Ok(())
        }

        /// The one-time re-sealing inside the pass at open: every value an older server
        /// left (plaintext, or sealed for its row id only) sealed again for its row's
        /// organization, destination and source. An update only replaces the exact text it
        /// read. Returns how many values it re-sealed.
        async fn bind_to_meaning(
            key: &DataKey,
            tx: &mut sqlx::Transaction<'static, Db>,
        ) -> StoreResult<u64> {
            let mut rows: Vec<(Sealed, Vec<String>, String)> = Vec::new();
            let connections: Vec<(String, String, String, String, String)> = sqlx::query_as(
                "SELECT org_id, integration_code, connection_prototype_id, id, details \
                 FROM connections",
            )
            .fetch_all(&mut **tx)
            .await?;
            for (org, code, prototype, id, text) in connections {
                rows.push((Sealed::ConnectionDetails, vec![org, code, prototype, id], text));
            }
            let integrations: Vec<(String, String, String, String, String)> = sqlx::query_as(
                "SELECT a.org_id, i.code, i.app_id, i.id, i.config \
                 FROM integrations i JOIN applications a ON a.id = i.app_id",
            )
            .fetch_all(&mut **tx)
            .await?;
            for (org, code, app, id, text) in integrations {
                rows.push((Sealed::IntegrationConfig, vec![org, code, app, id], text));
            }
            let mut resealed = 0u64;
            for (field, labels, text) in rows {
                let id = labels.last().map(String::as_str).unwrap_or_default();
                let Some(plain) = legacy_plaintext(key, field, id, &text) else {
                    tracing::warn!(
                        row = id,
                        "{} {id} does not open with the data key; left as it is",
                        field.what()
                    );
                    continue;
                };
                let labels: Vec<&str> = labels.iter().map(String::as_str).collect();
                let (table, column) = (field.table(), field.column());
                resealed += sqlx::query(&format!(
                    "UPDATE {table} SET {column} = $1 WHERE id = $2 AND {column} = $3"
                ))
                .bind(key.seal(&field.context(&labels), &plain))
                .bind(id)
                .bind(&text)
                .execute(&mut **tx)
                .await?
                .rows_affected();
            }
            Ok(resealed)
        }
    }
}
