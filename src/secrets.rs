//! Secrets: a string that never prints itself, and the keychain that keeps client secrets.
//!
//! A [`Secret`] shows as `***` in `Debug` and `Display`, so a secret that ends up inside a struct,
//! an error or a log line is redacted by construction. The only way to read it is
//! [`Secret::expose`], which is greppable and used where the value must go on the wire.

use std::fmt;

/// A secret value (an OAuth client secret, an access token, a user's initial password).
#[derive(Clone, Default, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Self {
        Secret(value.into())
    }

    /// The secret itself. Call this only where the value is sent to Genesys or stored in the
    /// keychain.
    pub fn expose(&self) -> &str {
        &self.0
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(***)")
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("***")
    }
}

impl From<String> for Secret {
    fn from(value: String) -> Self {
        Secret(value)
    }
}

impl From<&str> for Secret {
    fn from(value: &str) -> Self {
        Secret(value.to_owned())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secret_is_redacted_in_debug_and_display() {
        let secret = Secret::new("hunter2-very-secret");
        assert_eq!(format!("{secret:?}"), "Secret(***)");
        assert_eq!(format!("{secret}"), "***");
        assert_eq!(secret.expose(), "hunter2-very-secret");
    }
}

/// Why the keychain could not be used — always said in words an admin can act on, and never
/// answered by writing the secret somewhere else.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KeychainError {
    /// Said to the desktop app's user as it is; the CLI adds how a script can pass the secret
    /// for one session instead.
    #[error(
        "No keychain is available on this computer ({0}). Rollcall keeps client secrets only in \
         the OS keychain, so nothing was saved. On Linux, install and start a Secret Service \
         (GNOME Keyring or KWallet), then try again."
    )]
    Unavailable(String),
    #[error("The keychain is locked or refused access ({0}). Unlock it and try again.")]
    Locked(String),
    #[error("The keychain failed: {0}")]
    Failed(String),
}

/// Where client secrets are kept: the OS keychain in the app and the CLI, memory in tests.
pub trait SecretStore: Send + Sync {
    /// The secret saved under `account`, or `None` when there is none.
    fn get(&self, account: &str) -> Result<Option<Secret>, KeychainError>;
    fn set(&self, account: &str, secret: &Secret) -> Result<(), KeychainError>;
    /// Remove the secret; removing one that is not there succeeds.
    fn delete(&self, account: &str) -> Result<(), KeychainError>;
}

/// The OS keychain (macOS Keychain, Windows Credential Manager, the Secret Service on Linux),
/// under the service [`KEYCHAIN_SERVICE`](crate::paths::KEYCHAIN_SERVICE).
#[derive(Debug, Clone, Default)]
pub struct KeyringStore;

impl KeyringStore {
    fn entry(account: &str) -> Result<keyring::Entry, KeychainError> {
        keyring::Entry::new(crate::paths::KEYCHAIN_SERVICE, account).map_err(keychain_error)
    }
}

fn keychain_error(error: keyring::Error) -> KeychainError {
    match error {
        keyring::Error::NoDefaultStore => {
            let detail = match keyring::Entry::store_status() {
                Err(e) => e.to_string(),
                Ok(()) => "no credential store".to_owned(),
            };
            KeychainError::Unavailable(detail)
        }
        keyring::Error::NoStorageAccess(e) => KeychainError::Locked(e.to_string()),
        keyring::Error::PlatformFailure(e) => KeychainError::Unavailable(e.to_string()),
        other => KeychainError::Failed(other.to_string()),
    }
}

impl SecretStore for KeyringStore {
    fn get(&self, account: &str) -> Result<Option<Secret>, KeychainError> {
        match Self::entry(account)?.get_password() {
            Ok(secret) => Ok(Some(Secret::new(secret))),
            Err(keyring::Error::NoEntry) => Ok(None),
            Err(e) => Err(keychain_error(e)),
        }
    }

    fn set(&self, account: &str, secret: &Secret) -> Result<(), KeychainError> {
        Self::entry(account)?
            .set_password(secret.expose())
            .map_err(keychain_error)
    }

    fn delete(&self, account: &str) -> Result<(), KeychainError> {
        match Self::entry(account)?.delete_credential() {
            Ok(()) | Err(keyring::Error::NoEntry) => Ok(()),
            Err(e) => Err(keychain_error(e)),
        }
    }
}

/// Secrets in memory: for tests, and for a session that must not touch the keychain.
#[derive(Debug, Default)]
pub struct MemoryStore {
    secrets: std::sync::Mutex<std::collections::HashMap<String, Secret>>,
}

impl SecretStore for MemoryStore {
    fn get(&self, account: &str) -> Result<Option<Secret>, KeychainError> {
        Ok(self.secrets.lock().expect("secrets").get(account).cloned())
    }

    fn set(&self, account: &str, secret: &Secret) -> Result<(), KeychainError> {
        self.secrets
            .lock()
            .expect("secrets")
            .insert(account.to_owned(), secret.clone());
        Ok(())
    }

    fn delete(&self, account: &str) -> Result<(), KeychainError> {
        self.secrets.lock().expect("secrets").remove(account);
        Ok(())
    }
}
