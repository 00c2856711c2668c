//! Credentials: password hashing, JWTs, API keys and one-use link tokens.

use argon2::password_hash::{self, Output, ParamsString, PasswordHash, SaltString};
use argon2::{Algorithm, Argon2, Block, Params, Version, ARGON2ID_IDENT};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use jsonwebtoken::{Algorithm as JwtAlgorithm, DecodingKey, EncodingKey, Header, Validation};
use rand::rngs::OsRng;
use rand::RngCore;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use tokio::sync::Semaphore;

/// The `iss` of every token this server makes, and the only one it accepts.
pub const ISSUER: &str = "houston";
/// The `aud` of every token this server makes, and the only one it accepts.
pub const AUDIENCE: &str = "houston-api";
/// Clock skew tolerated on `exp` (seconds).
pub const LEEWAY_SECS: u64 = 30;
/// A token lives this long unless `createToken(duration:)` asks for more days.
pub const TOKEN_LIFETIME_SECS: i64 = 24 * 60 * 60;
/// The prefix that marks an API key in the `authorization` header.
pub const API_KEY_PREFIX: &str = "service:";

/// A random secret of 32 bytes, URL-safe base64.
pub fn random_token() -> String {
    let mut bytes = [0u8; 32];
    OsRng.fill_bytes(&mut bytes);
    URL_SAFE_NO_PAD.encode(bytes)
}

/// A new signing secret: 64 random bytes.
pub fn random_secret() -> [u8; 64] {
    let mut secret = [0u8; 64];
    OsRng.fill_bytes(&mut secret);
    secret
}

/// A signing secret as secret files and the desktop's keyring entry hold it: URL-safe
/// base64 without padding.
pub fn encode_secret(secret: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(secret)
}

/// The signing secret a secret file or keyring entry holds: its URL-safe base64, or the
/// bytes themselves when they are not that (a secret file written by hand).
pub fn parse_secret(stored: &[u8]) -> Vec<u8> {
    let text = String::from_utf8_lossy(stored);
    URL_SAFE_NO_PAD
        .decode(text.trim())
        .unwrap_or_else(|_| stored.to_vec())
}

/// SHA-256, hex: how link tokens and API keys are stored (they are random, so no salt is
/// needed and a lookup by hash stays an index seek).
pub fn sha256_hex(s: &str) -> String {
    Sha256::digest(s.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Passwords: Argon2id at OWASP's minimum (19 MiB, 2 passes, 1 lane).
///
/// Each hash needs 19 MiB of working memory. Left to `hash_password`, every sign-in
/// allocates and frees its own, and glibc's malloc keeps such freed blocks in its arenas
/// (its mmap threshold rises after the first free): the benchmarks saw the server's RSS grow
/// to 4.4 GB under 32 concurrent sign-ins and stay there, and `createToken` with an unknown
/// username hashes too, so anyone could have done that. Instead, at most one hash per core
/// runs at a time (more would only queue on the CPU anyway) and each runs in one of a small
/// pool of memories that are kept and reused: the working memory is bounded by
/// cores x 19 MiB whatever the load.
#[derive(Clone)]
pub struct Passwords {
    argon: Argon2<'static>,
    params: Params,
    /// One permit per hash allowed to run at once.
    permits: Arc<Semaphore>,
    /// Working memories no hash is using right now (at most one per permit).
    memories: Arc<Mutex<Vec<Vec<Block>>>>,
    /// Argon2 runs so far (hashes and verifications), for tests and load accounting.
    runs: Arc<AtomicU64>,
}

impl Default for Passwords {
    fn default() -> Self {
        let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
        Passwords::with_concurrency(cores)
    }
}

impl Passwords {
    /// At most `concurrent` hashes at once (at least one).
    pub fn with_concurrency(concurrent: usize) -> Self {
        let params = Params::new(19 * 1024, 2, 1, None).expect("constant Argon2 parameters");
        Passwords {
            argon: Argon2::new(Algorithm::Argon2id, Version::V0x13, params.clone()),
            params,
            permits: Arc::new(Semaphore::new(concurrent.max(1))),
            memories: Arc::default(),
            runs: Arc::default(),
        }
    }

    /// How many working memories exist now (for tests: never more than the permits).
    pub fn memories_kept(&self) -> usize {
        self.memories.lock().map_or(0, |m| m.len())
    }

    /// How many Argon2 runs (hashes and verifications) were made so far.
    pub fn runs(&self) -> u64 {
        self.runs.load(Ordering::Relaxed)
    }

    /// Runs `work` on a blocking thread (20-50 ms of CPU must not stall the async workers)
    /// once a permit is free, lending it a working memory of at least `blocks` blocks.
    async fn with_memory<R: Send + 'static>(
        &self,
        blocks: usize,
        work: impl FnOnce(&mut [Block]) -> R + Send + 'static,
    ) -> anyhow::Result<R> {
        let permit = self.permits.clone().acquire_owned().await?;
        self.runs.fetch_add(1, Ordering::Relaxed);
        let memories = self.memories.clone();
        let ours = self.params.block_count();
        let result = tokio::task::spawn_blocking(move || {
            let pooled = blocks <= ours;
            let mut memory = pooled
                .then(|| memories.lock().ok().and_then(|mut m| m.pop()))
                .flatten()
                .unwrap_or_else(|| vec![Block::default(); blocks.max(ours)]);
            let result = work(&mut memory);
            // A hash made with other (stored, older) parameters gets a memory of its own,
            // dropped after use; ours go back to the pool.
            if pooled {
                if let Ok(mut m) = memories.lock() {
                    m.push(memory);
                }
            }
            drop(permit);
            result
        })
        .await?;
        Ok(result)
    }

    /// A PHC string (`$argon2id$v=19$m=19456,t=2,p=1$salt$hash`) of `password`.
    pub async fn hash(&self, password: String) -> anyhow::Result<String> {
        let argon = self.argon.clone();
        let params = self.params.clone();
        self.with_memory(params.block_count(), move |memory| {
            let salt = SaltString::generate(&mut OsRng);
            let mut salt_bytes = [0u8; 64];
            let salt_bytes = salt.decode_b64(&mut salt_bytes)?;
            let output = Output::init_with(Params::DEFAULT_OUTPUT_LEN, |out| {
                argon
                    .hash_password_into_with_memory(
                        password.as_bytes(),
                        salt_bytes,
                        out,
                        &mut *memory,
                    )
                    .map_err(password_hash::Error::from)
            })?;
            Ok(PasswordHash {
                algorithm: ARGON2ID_IDENT,
                version: Some(Version::V0x13.into()),
                params: ParamsString::try_from(&params)?,
                salt: Some(salt.as_salt()),
                hash: Some(output),
            }
            .to_string())
        })
        .await?
        .map_err(|e: password_hash::Error| anyhow::anyhow!("hashing failed: {e}"))
    }

    /// Whether `password` matches the PHC string `hash`, with the parameters the string
    /// names. With no stored hash it still does the work of a verification, so a missing
    /// account takes as long as a wrong password.
    pub async fn verify(&self, password: String, hash: Option<String>) -> bool {
        let Some(hash) = hash else {
            let _ = self.hash(password).await;
            return false;
        };
        // Parse first: a malformed stored value costs no hashing and no permit.
        let Some((argon, blocks, salt, expected)) = parse_phc(&hash) else {
            return false;
        };
        if blocks > MAX_VERIFY_BLOCKS
            || argon.params().t_cost() > MAX_VERIFY_PASSES
            || argon.params().p_cost() > MAX_VERIFY_LANES
        {
            tracing::warn!("a stored password hash asks for more work than allowed: refused");
            return false;
        }
        self.with_memory(blocks, move |memory| {
            Output::init_with(expected.len(), |out| {
                argon
                    .hash_password_into_with_memory(password.as_bytes(), &salt, out, &mut *memory)
                    .map_err(password_hash::Error::from)
            })
            // `Output`'s equality is constant-time.
            .is_ok_and(|computed| computed == expected)
        })
        .await
        .unwrap_or(false)
    }
}

/// The most working memory a stored hash may ask for (256 MiB): a hash from a tampered
/// database cannot make one verification take gigabytes.
const MAX_VERIFY_BLOCKS: usize = 256 * 1024;
/// The most passes a stored hash may ask for (ours use 2; OWASP's alternatives up to 5).
const MAX_VERIFY_PASSES: u32 = 10;
/// The most lanes a stored hash may ask for (ours use 1): each lane is a thread's worth of
/// work that one verification would otherwise spend.
const MAX_VERIFY_LANES: u32 = 4;

/// The Argon2 context, the memory blocks it needs, the raw salt and the expected output of
/// a PHC string.
fn parse_phc(phc: &str) -> Option<(Argon2<'static>, usize, Vec<u8>, Output)> {
    let parsed = PasswordHash::new(phc).ok()?;
    let algorithm = Algorithm::try_from(parsed.algorithm).ok()?;
    let version = parsed
        .version
        .map(Version::try_from)
        .transpose()
        .ok()?
        .unwrap_or_default();
    let params = Params::try_from(&parsed).ok()?;
    let mut salt = [0u8; 64];
    let salt = parsed.salt?.decode_b64(&mut salt).ok()?.to_vec();
    let expected = parsed.hash?;
    let blocks = params.block_count();
    Some((
        Argon2::new(algorithm, version, params),
        blocks,
        salt,
        expected,
    ))
}

/// What a token carries. Roles are deliberately absent: they are read fresh per request.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Claims {
    /// The user id.
    pub sub: String,
    pub iat: i64,
    pub exp: i64,
    pub iss: String,
    pub aud: String,
    /// The user's token version when the token was made; a higher stored version revokes it.
    pub ver: i64,
    /// Whether the user is a system administrator (always false here; kept for the wire).
    #[serde(rename = "sU", default)]
    pub su: bool,
}

/// Why a token was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenError {
    /// Valid signature, but past `exp` (plus the leeway).
    Expired,
    /// Anything else: bad signature, wrong algorithm, issuer or audience, garbage.
    Invalid,
}

/// Signs and checks HS256 tokens with one secret.
#[derive(Clone)]
pub struct Tokens {
    encoding: EncodingKey,
    decoding: DecodingKey,
}

impl std::fmt::Debug for Tokens {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Tokens(<secret>)")
    }
}

/// The minimum length of the signing secret (256 bits).
pub const MIN_SECRET_BYTES: usize = 32;

impl Tokens {
    /// From a secret of at least 32 bytes.
    pub fn new(secret: &[u8]) -> anyhow::Result<Self> {
        anyhow::ensure!(
            secret.len() >= MIN_SECRET_BYTES,
            "the token secret must be at least {MIN_SECRET_BYTES} bytes"
        );
        Ok(Tokens {
            encoding: EncodingKey::from_secret(secret),
            decoding: DecodingKey::from_secret(secret),
        })
    }

    /// Reads the secret from `path`, or creates it there (64 random bytes, mode 0600) when
    /// the file does not exist, so tokens survive restarts.
    pub fn from_file(path: &Path) -> anyhow::Result<Self> {
        use anyhow::Context;
        match std::fs::read(path) {
            Ok(bytes) => Tokens::new(&parse_secret(&bytes))
                .with_context(|| format!("secret file {} is too short", path.display())),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                if let Some(dir) = path.parent() {
                    std::fs::create_dir_all(dir)
                        .with_context(|| format!("creating {}", dir.display()))?;
                }
                let secret = random_secret();
                write_private(path, encode_secret(&secret).as_bytes())
                    .with_context(|| format!("writing secret file {}", path.display()))?;
                Tokens::new(&secret)
            }
            Err(e) => Err(e).with_context(|| format!("reading secret file {}", path.display())),
        }
    }

    /// A fresh random secret, for tests and throwaway servers.
    pub fn random() -> Self {
        Tokens::new(&random_secret()).expect("64 bytes is long enough")
    }

    /// Makes a token for `user_id` at token version `ver`, valid for `lifetime_secs`.
    pub fn issue(
        &self,
        user_id: &str,
        ver: i64,
        lifetime_secs: i64,
    ) -> anyhow::Result<(String, Claims)> {
        let iat = crate::clock::now().unix_timestamp();
        let claims = Claims {
            sub: user_id.to_string(),
            iat,
            exp: iat + lifetime_secs,
            iss: ISSUER.to_string(),
            aud: AUDIENCE.to_string(),
            ver,
            su: false,
        };
        let token =
            jsonwebtoken::encode(&Header::new(JwtAlgorithm::HS256), &claims, &self.encoding)?;
        Ok((token, claims))
    }

    /// Checks signature (HS256 only), `exp` (with leeway), `iss` and `aud`.
    pub fn decode(&self, token: &str) -> Result<Claims, TokenError> {
        let mut v = Validation::new(JwtAlgorithm::HS256);
        v.leeway = LEEWAY_SECS;
        v.set_issuer(&[ISSUER]);
        v.set_audience(&[AUDIENCE]);
        v.set_required_spec_claims(&["exp", "iss", "aud", "sub"]);
        match jsonwebtoken::decode::<Claims>(token, &self.decoding, &v) {
            Ok(data) => Ok(data.claims),
            Err(e) if matches!(e.kind(), jsonwebtoken::errors::ErrorKind::ExpiredSignature) => {
                Err(TokenError::Expired)
            }
            Err(_) => Err(TokenError::Invalid),
        }
    }
}

#[cfg(unix)]
pub(crate) fn write_private(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)?;
    f.write_all(bytes)?;
    f.sync_all()
}

#[cfg(not(unix))]
pub(crate) fn write_private(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    std::fs::write(path, bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_round_trip_and_reject_other_keys() {
        let tokens = Tokens::random();
        let (jwt, claims) = tokens.issue("u1", 3, 60).unwrap();
        let back = tokens.decode(&jwt).unwrap();
        assert_eq!(back.sub, "u1");
        assert_eq!(back.ver, 3);
        assert_eq!(back.exp, claims.iat + 60);
        assert_eq!(
            Tokens::random().decode(&jwt).unwrap_err(),
            TokenError::Invalid
        );
        assert_eq!(
            tokens
                .issue("u1", 0, -3600)
                .map(|(t, _)| tokens.decode(&t))
                .unwrap()
                .unwrap_err(),
            TokenError::Expired
        );
    }

    #[test]
    fn secret_file_is_created_private_and_reused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sub/secret");
        let a = Tokens::from_file(&path).unwrap();
        let (jwt, _) = a.issue("u", 0, 60).unwrap();
        let b = Tokens::from_file(&path).unwrap();
        assert!(b.decode(&jwt).is_ok(), "a restart must keep tokens valid");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
            assert_eq!(mode, 0o600, "the secret must be readable by its owner only");
        }
        std::fs::write(dir.path().join("short"), "abc").unwrap();
        assert!(Tokens::from_file(&dir.path().join("short")).is_err());
    }

    #[tokio::test]
    async fn passwords_verify_only_the_right_one() {
        let p = Passwords::default();
        let h = p.hash("correct horse".into()).await.unwrap();
        assert!(h.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{h}");
        assert!(p.verify("correct horse".into(), Some(h.clone())).await);
        assert!(!p.verify("wrong".into(), Some(h)).await);
        assert!(!p.verify("x".into(), None).await);
        assert!(
            !p.verify("x".into(), Some("$argon2id$v=19$garbage".into()))
                .await
        );
    }

    #[tokio::test]
    async fn hashes_interoperate_with_the_argon2_crates_own() {
        use argon2::password_hash::{PasswordHasher, PasswordVerifier};
        let p = Passwords::default();
        let reference = Argon2::new(
            Algorithm::Argon2id,
            Version::V0x13,
            Params::new(19 * 1024, 2, 1, None).unwrap(),
        );
        // A hash written before the pooled memories (or by another tool) still verifies...
        let salt = SaltString::generate(&mut OsRng);
        let theirs = reference
            .hash_password(b"old password", &salt)
            .unwrap()
            .to_string();
        assert!(p.verify("old password".into(), Some(theirs.clone())).await);
        assert!(!p.verify("old passwore".into(), Some(theirs)).await);
        // ... and ours verify with the crate's own verifier, parameters and all.
        let ours = p.hash("new password".into()).await.unwrap();
        let parsed = PasswordHash::new(&ours).unwrap();
        assert!(reference.verify_password(b"new password", &parsed).is_ok());
        assert!(reference.verify_password(b"new passworc", &parsed).is_err());
        // Other parameters (cheaper here) are honoured, with a memory of their own.
        let cheap = Argon2::new(
            Algorithm::Argon2id,
            Version::V0x13,
            Params::new(1024, 1, 1, None).unwrap(),
        );
        let small = cheap.hash_password(b"cheap", &salt).unwrap().to_string();
        assert!(p.verify("cheap".into(), Some(small)).await);
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn concurrent_hashing_keeps_one_memory_per_permit() {
        let p = Passwords::with_concurrency(2);
        let work: Vec<_> = (0..12)
            .map(|i| {
                let p = p.clone();
                tokio::spawn(async move {
                    let h = p.hash(format!("pw {i}")).await.unwrap();
                    assert!(p.verify(format!("pw {i}"), Some(h)).await);
                })
            })
            .collect();
        for w in work {
            w.await.unwrap();
        }
        // 24 hashes, and only as many 19 MiB memories as hashes may run at once.
        assert!(
            p.memories_kept() >= 1 && p.memories_kept() <= 2,
            "{}",
            p.memories_kept()
        );
    }
}
