//! Where the JWT lives between runs: the OS keyring (Secret Service on Linux), one entry
//! per Houston the app talks to. It is never written to the settings file or the webview.
//! The bundled server's data key (which seals connection details in its database) lives
//! there too, in its own entry, so that the data directory alone does not reveal them.

/// A place for secrets, by account name.
pub trait TokenVault: Send + Sync {
    /// The secret saved for `account`: `None` when there is none, an error when the store
    /// cannot be read. For a secret that must never be silently replaced (the data key: a
    /// new one would leave everything sealed with the old one unreadable).
    fn get_checked(&self, account: &str) -> Result<Option<String>, String>;
    /// The token saved for `account`, if any; a store that cannot be read counts as none
    /// (logged): the person signs in again.
    fn get(&self, account: &str) -> Option<String> {
        self.get_checked(account).unwrap_or_else(|e| {
            tracing::warn!("{e}");
            None
        })
    }
    /// Saves `token` for `account`, replacing any older one.
    fn set(&self, account: &str, token: &str) -> Result<(), String>;
    /// Forgets the token of `account` (absent already is fine).
    fn delete(&self, account: &str);
}

/// The OS keyring, through the `keyring` crate with its real stores enabled (without
/// features, keyring 3 silently falls back to a mock that forgets everything).
pub struct KeyringVault {
    service: String,
}

impl KeyringVault {
    /// Entries under the service name `service` (`houston-desktop` in the app).
    pub fn new(service: &str) -> Self {
        KeyringVault {
            service: service.to_string(),
        }
    }

    fn entry(&self, account: &str) -> Result<keyring::Entry, String> {
        keyring::Entry::new(&self.service, account).map_err(|e| e.to_string())
    }
}

impl TokenVault for KeyringVault {
    fn get_checked(&self, account: &str) -> Result<Option<String>, String> {
        match self.entry(account)?.get_password() {
            Ok(secret) => Ok(Some(secret)),
            Err(keyring::Error::NoEntry) => Ok(None),
            Err(e) => Err(format!("the keyring could not be read: {e}")),
        }
    }

    fn get(&self, account: &str) -> Option<String> {
        match self.entry(account).ok()?.get_password() {
            Ok(token) => Some(token),
            Err(keyring::Error::NoEntry) => None,
            Err(e) => {
                tracing::warn!(error = %e, "the keyring could not be read");
                None
            }
        }
    }

    fn set(&self, account: &str, token: &str) -> Result<(), String> {
        self.entry(account)?
            .set_password(token)
            .map_err(|e| format!("the keyring refused the session: {e}"))
    }

    fn delete(&self, account: &str) {
        if let Ok(entry) = self.entry(account) {
            match entry.delete_credential() {
                Ok(()) | Err(keyring::Error::NoEntry) => {}
                Err(e) => tracing::warn!(error = %e, "the keyring entry could not be removed"),
            }
        }
    }
}
