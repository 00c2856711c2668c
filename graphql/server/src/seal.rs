//! Sealing values at rest: what keeps connection details and integration configurations
//! (passwords, API keys, service-account JSON) unreadable to whoever holds only the
//! database file or a dump of the PostgreSQL database.
//!
//! The cipher is XChaCha20-Poly1305 with a 256-bit data key that never enters the
//! database: the OS keyring for the desktop app's bundled server, a key file or the
//! `HOUSTON_DATA_KEY` variable for the standalone one. Its 192-bit nonce is drawn at random
//! for every write, which an AEAD with a 96-bit nonce (AES-GCM) would only allow up to
//! about 2³² writes per key; with 192 bits a collision is out of reach for any database.
//!
//! A sealed value is text, so the columns stay `TEXT` in both databases and a dump stays
//! printable: `sealed:v1:` then base64 (standard alphabet, padded) of the 24-byte nonce
//! followed by the ciphertext and its 16-byte tag. The version lets a later format (or
//! key rotation) coexist with this one. The associated data names the table, the column
//! and the row id, so a sealed value copied into another row (or another column) does
//! not open: whoever can write the database cannot move one connection's secrets under
//! an organization they control.

use anyhow::Context as _;
use base64::engine::general_purpose::{STANDARD, STANDARD_NO_PAD, URL_SAFE, URL_SAFE_NO_PAD};
use base64::Engine as _;
use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use rand::rngs::OsRng;
use rand::RngCore;
use std::path::Path;

/// The prefix of every sealed value, whatever its version.
pub const SEALED_PREFIX: &str = "sealed:";
/// The prefix of a value sealed with this module's format.
const V1_PREFIX: &str = "sealed:v1:";
const NONCE_LEN: usize = 24;
const TAG_LEN: usize = 16;

/// The 256-bit key that seals values at rest, with a description of where it came from
/// (for error messages; never the key itself).
#[derive(Clone)]
pub struct DataKey {
    cipher: XChaCha20Poly1305,
    source: String,
}

impl std::fmt::Debug for DataKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DataKey")
            .field("source", &self.source)
            .finish_non_exhaustive()
    }
}

/// Why a sealed value did not open.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SealError {
    /// The text starts like a sealed value but is not one (truncated, not base64).
    #[error("the sealed value is malformed")]
    Malformed,
    /// Sealed by a newer version of the server.
    #[error("the value is sealed in a format this server does not know")]
    UnknownVersion,
    /// The tag did not verify: another key, or a value altered or moved from another row.
    /// AEAD cannot tell these apart, and must not try to.
    #[error("the value does not open with this data key (another key, or the value was altered or moved from another row)")]
    WrongKey,
}

impl DataKey {
    /// A key from its 32 bytes; `source` says where it came from, e.g. `the key file
    /// /etc/houston/houston-data.key` or `HOUSTON_DATA_KEY`.
    pub fn new(key: &[u8; 32], source: impl Into<String>) -> DataKey {
        DataKey {
            cipher: XChaCha20Poly1305::new(key.into()),
            source: source.into(),
        }
    }

    /// A fresh random key that dies with the process: for tests and in-memory databases.
    pub fn ephemeral() -> DataKey {
        DataKey::new(
            &random_key(),
            "an ephemeral key (it does not outlive the process)",
        )
    }

    /// The key in the file at `path` (32 bytes in base64 or hex, as [`parse_key`] reads);
    /// when the file is missing, a random key is written there first, mode 0600, like the
    /// token secret. A file that exists but does not hold a key is an error, never
    /// replaced: replacing it would lose every value sealed with it.
    pub fn from_file(path: &Path) -> anyhow::Result<DataKey> {
        let source = format!("the data key file {}", path.display());
        match std::fs::read(path) {
            Ok(bytes) => {
                let text = String::from_utf8_lossy(&bytes);
                let key = parse_key(&text).with_context(|| {
                    format!("{source} does not hold a data key (32 bytes in base64 or hex)")
                })?;
                Ok(DataKey::new(&key, source))
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                if let Some(dir) = path.parent() {
                    if !dir.as_os_str().is_empty() {
                        std::fs::create_dir_all(dir)
                            .with_context(|| format!("creating {}", dir.display()))?;
                    }
                }
                let key = random_key();
                crate::auth::write_private(path, format!("{}\n", encode_key(&key)).as_bytes())
                    .with_context(|| format!("writing {source}"))?;
                Ok(DataKey::new(&key, source))
            }
            Err(e) => Err(e).with_context(|| format!("reading {source}")),
        }
    }

    /// Where the key came from, for messages.
    pub fn source(&self) -> &str {
        &self.source
    }

    /// Seals `plaintext` for the place `context` names (see [`context`]), with a fresh
    /// random nonce.
    pub fn seal(&self, context: &[u8], plaintext: &[u8]) -> String {
        let mut nonce = [0u8; NONCE_LEN];
        OsRng.fill_bytes(&mut nonce);
        let sealed = self
            .cipher
            .encrypt(
                XNonce::from_slice(&nonce),
                Payload {
                    msg: plaintext,
                    aad: context,
                },
            )
            // Only fails for a plaintext beyond 256 GiB, which no column holds.
            .unwrap_or_default();
        let mut bytes = Vec::with_capacity(NONCE_LEN + sealed.len());
        bytes.extend_from_slice(&nonce);
        bytes.extend_from_slice(&sealed);
        format!("{V1_PREFIX}{}", STANDARD.encode(bytes))
    }

    /// Opens a value [`seal`](Self::seal) made for the same `context`.
    pub fn open(&self, context: &[u8], stored: &str) -> Result<Vec<u8>, SealError> {
        let Some(body) = stored.strip_prefix(V1_PREFIX) else {
            return Err(if stored.starts_with(SEALED_PREFIX) {
                SealError::UnknownVersion
            } else {
                SealError::Malformed
            });
        };
        let bytes = STANDARD
            .decode(body.trim())
            .map_err(|_| SealError::Malformed)?;
        if bytes.len() < NONCE_LEN + TAG_LEN {
            return Err(SealError::Malformed);
        }
        let (nonce, sealed) = bytes.split_at(NONCE_LEN);
        self.cipher
            .decrypt(
                XNonce::from_slice(nonce),
                Payload {
                    msg: sealed,
                    aad: context,
                },
            )
            .map_err(|_| SealError::WrongKey)
    }
}

/// True when `stored` is a sealed value (of any version) rather than legacy plaintext.
pub fn is_sealed(stored: &str) -> bool {
    stored.starts_with(SEALED_PREFIX)
}

/// The associated data of the value in `table`.`column` of row `id`. The id is last, so
/// the fixed names before it keep the encoding unambiguous.
pub fn context(table: &str, column: &str, id: &str) -> Vec<u8> {
    format!("houston/sealed/v1\0{table}\0{column}\0{id}").into_bytes()
}

/// The associated data of the value in `table`.`column` of the row that `labels` describe
/// (the row's id last, after what the row means: its organization, its destination, its
/// source): it opens only in that row while the row keeps that meaning. Each label is
/// length-prefixed, so no two lists encode alike whatever they hold.
pub fn bound_context(table: &str, column: &str, labels: &[&str]) -> Vec<u8> {
    let mut context = format!("houston/sealed/v2\0{table}\0{column}").into_bytes();
    for label in labels {
        context.extend_from_slice(&(label.len() as u64).to_be_bytes());
        context.extend_from_slice(label.as_bytes());
    }
    context
}

/// 32 random bytes from the OS.
pub fn random_key() -> [u8; 32] {
    let mut key = [0u8; 32];
    OsRng.fill_bytes(&mut key);
    key
}

/// A key as written to key files and the keyring: standard base64, padded.
pub fn encode_key(key: &[u8; 32]) -> String {
    STANDARD.encode(key)
}

/// Reads a key given as 64 hex digits or as base64 (standard or URL-safe alphabet, with or
/// without padding) of exactly 32 bytes; surrounding whitespace is ignored. `None` for
/// anything else (the caller names the source; the value is never echoed).
pub fn parse_key(text: &str) -> Option<[u8; 32]> {
    let text = text.trim();
    if text.len() == 64 && text.bytes().all(|b| b.is_ascii_hexdigit()) {
        let mut key = [0u8; 32];
        for (i, pair) in text.as_bytes().chunks(2).enumerate() {
            let pair = std::str::from_utf8(pair).ok()?;
            key[i] = u8::from_str_radix(pair, 16).ok()?;
        }
        return Some(key);
    }
    [STANDARD, STANDARD_NO_PAD, URL_SAFE, URL_SAFE_NO_PAD]
        .iter()
        .find_map(|engine| engine.decode(text).ok())
        .and_then(|bytes| <[u8; 32]>::try_from(bytes.as_slice()).ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sealed_value_opens_in_its_place_only() {
        let key = DataKey::new(&[7u8; 32], "test");
        let here = context("connections", "details", "conn-a");
        let sealed = key.seal(&here, br#"{"password":"hunter2"}"#);
        assert!(sealed.starts_with("sealed:v1:"));
        assert!(is_sealed(&sealed));
        assert!(!sealed.contains("hunter2"));
        assert_eq!(
            key.open(&here, &sealed).unwrap(),
            br#"{"password":"hunter2"}"#.to_vec()
        );
        for elsewhere in [
            context("connections", "details", "conn-b"),
            context("integrations", "config", "conn-a"),
        ] {
            assert_eq!(key.open(&elsewhere, &sealed), Err(SealError::WrongKey));
        }
    }

    #[test]
    fn bound_contexts_differ_with_any_label_and_cannot_be_shifted() {
        let base = bound_context("connections", "details", &["org", "code", "proto", "id"]);
        for other in [
            bound_context("connections", "details", &["org2", "code", "proto", "id"]),
            bound_context("connections", "details", &["org", "cod", "eproto", "id"]),
            bound_context("connections", "details", &["org", "code", "proto"]),
            bound_context("integrations", "config", &["org", "code", "proto", "id"]),
            context("connections", "details", "id"),
        ] {
            assert_ne!(base, other);
        }
    }

    #[test]
    fn every_write_draws_a_new_nonce() {
        let key = DataKey::new(&[1u8; 32], "test");
        let here = context("t", "c", "1");
        let a = key.seal(&here, b"same");
        let b = key.seal(&here, b"same");
        assert_ne!(a, b, "the same plaintext twice must not give the same text");
        assert_eq!(key.open(&here, &a).unwrap(), b"same");
        assert_eq!(key.open(&here, &b).unwrap(), b"same");
    }

    #[test]
    fn another_key_or_a_changed_byte_does_not_open() {
        let key = DataKey::new(&[1u8; 32], "test");
        let other = DataKey::new(&[2u8; 32], "other");
        let here = context("t", "c", "1");
        let sealed = key.seal(&here, b"secret");
        assert_eq!(other.open(&here, &sealed), Err(SealError::WrongKey));

        let mut bytes = STANDARD
            .decode(sealed.strip_prefix(V1_PREFIX).unwrap())
            .unwrap();
        let last = bytes.len() - 1;
        bytes[last] ^= 1;
        let altered = format!("{V1_PREFIX}{}", STANDARD.encode(&bytes));
        assert_eq!(key.open(&here, &altered), Err(SealError::WrongKey));
    }

    #[test]
    fn bad_input_is_an_error_never_a_panic() {
        let key = DataKey::new(&[1u8; 32], "test");
        let here = context("t", "c", "1");
        for bad in [
            "",
            "{}",
            "sealed:",
            "sealed:v1:",
            "sealed:v1:!!!",
            "sealed:v1:AAAA",
            "sealed:v1:\u{1F600}",
        ] {
            assert!(key.open(&here, bad).is_err(), "{bad:?}");
        }
        assert_eq!(
            key.open(&here, "sealed:v9:AAAA"),
            Err(SealError::UnknownVersion)
        );
        // 40 bytes: a nonce and a tag around an empty message that was never sealed.
        let forged = format!("{V1_PREFIX}{}", STANDARD.encode([0u8; 40]));
        assert_eq!(key.open(&here, &forged), Err(SealError::WrongKey));
    }

    #[test]
    fn keys_parse_from_hex_and_base64_only_at_32_bytes() {
        let key: [u8; 32] = std::array::from_fn(|i| i as u8 * 7);
        let hex: String = key.iter().map(|b| format!("{b:02x}")).collect();
        assert_eq!(parse_key(&hex), Some(key));
        assert_eq!(parse_key(&hex.to_uppercase()), Some(key));
        assert_eq!(parse_key(&encode_key(&key)), Some(key));
        assert_eq!(parse_key(&format!(" {}\n", encode_key(&key))), Some(key));
        assert_eq!(parse_key(&URL_SAFE_NO_PAD.encode(key)), Some(key));
        assert_eq!(parse_key(&STANDARD.encode([0u8; 31])), None);
        assert_eq!(parse_key(&STANDARD.encode([0u8; 33])), None);
        assert_eq!(parse_key("not a key"), None);
        assert_eq!(parse_key(""), None);
    }

    #[test]
    fn a_key_file_is_created_private_then_read_back() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sub").join("houston-data.key");
        let first = DataKey::from_file(&path).unwrap();
        let here = context("t", "c", "1");
        let sealed = first.seal(&here, b"kept");
        let again = DataKey::from_file(&path).unwrap();
        assert_eq!(again.open(&here, &sealed).unwrap(), b"kept");
        assert!(again.source().contains("houston-data.key"));
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        std::fs::write(&path, "garbage").unwrap();
        let err = DataKey::from_file(&path).unwrap_err().to_string();
        assert!(err.contains("does not hold a data key"), "{err}");
        assert!(
            !format!("{first:?}").contains('['),
            "Debug never shows the key"
        );
    }
}
