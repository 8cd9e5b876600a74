//! Secrets: values that never print themselves and are wiped from memory when dropped, and the
//! keychain that keeps each client secret together with where it may be sent.
//!
//! A [`Secret`] shows as `***` in `Debug` and `Display`, so a secret that ends up inside a struct,
//! an error or a log line is redacted by construction. The only way to read it is
//! [`Secret::expose`], which is greppable and used where the value must go on the wire. Its bytes
//! are overwritten with zeros when it is dropped (the `secrecy` crate), and so are the request
//! bodies, answers and headers that carry one ([`WipedBuffer`]) once the HTTP stack lets go of
//! them. Copies made beyond Rollcall's reach (the HTTP and TLS layers' own buffers, the OS
//! keychain's service, the window's IPC) are outside that promise.
//!
//! A profile's keychain entry holds the secret with the org address and the client id it was
//! saved for ([`KeychainEntry`]), so a profile whose file was changed to point elsewhere cannot
//! send it there (see [`crate::profiles`]).

use std::fmt;
use std::io;
use std::sync::{Arc, Mutex};

use bytes::Bytes;
use reqwest::header::{HeaderValue, InvalidHeaderValue};
use secrecy::zeroize::{Zeroize, Zeroizing};
use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Deserializer, Serialize};

/// A secret value (an OAuth client secret, an access token, a user's initial password).
///
/// Its bytes live in a [`secrecy::SecretString`] and are overwritten with zeros when it is
/// dropped, as are those of every clone.
pub struct Secret(SecretString);

impl Secret {
    pub fn new(value: impl Into<String>) -> Self {
        Secret::from(value.into())
    }

    /// The secret itself. Call this only where the value is sent to Genesys or stored in the
    /// keychain.
    pub fn expose(&self) -> &str {
        self.0.expose_secret()
    }

    pub fn is_empty(&self) -> bool {
        self.expose().is_empty()
    }
}

/// A second copy, wiped on its own drop. `secrecy` leaves `Clone` out so that no copy is made by
/// accident; Rollcall needs one only where two owners keep the value for different lengths of
/// time, and each `.clone()` of a secret says which: the import report and the plan made from
/// it (the row passwords), the sandbox org and the app that logs in to it (its launch secret), and
/// [`MemoryStore`] and whoever reads it (as the OS keychain hands out copies).
impl Clone for Secret {
    fn clone(&self) -> Self {
        Secret(self.0.clone())
    }
}

impl PartialEq for Secret {
    fn eq(&self, other: &Self) -> bool {
        self.expose() == other.expose()
    }
}

impl Eq for Secret {}

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
    fn from(mut value: String) -> Self {
        if value.len() == value.capacity() {
            return Secret(SecretString::from(value));
        }
        // `SecretString` keeps a `Box<str>`, and boxing a string with room to spare shrinks it
        // by reallocating, which frees the old buffer without wiping it. Copy it into a box of
        // the exact size instead, and wipe the original.
        let secret = Secret::from(value.as_str());
        value.zeroize();
        secret
    }
}

impl From<&str> for Secret {
    fn from(value: &str) -> Self {
        Secret(SecretString::from(value))
    }
}

/// Read from JSON (a token answer, a keychain entry): the text is copied once, straight into the
/// wiped box.
impl<'de> Deserialize<'de> for Secret {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Text;
        impl serde::de::Visitor<'_> for Text {
            type Value = Secret;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a string")
            }

            fn visit_str<E: serde::de::Error>(self, value: &str) -> Result<Secret, E> {
                Ok(Secret::from(value))
            }

            fn visit_string<E: serde::de::Error>(self, value: String) -> Result<Secret, E> {
                Ok(Secret::from(value))
            }
        }
        deserializer.deserialize_str(Text)
    }
}

/// Bytes that carry a secret (a request body with a password, a token answer, an
/// `Authorization` header, a keychain entry): every allocation the buffer outgrows is wiped
/// before it is freed, and so is the last one, when the buffer is dropped or when the last
/// holder of its [`Bytes`] lets go.
#[derive(Default)]
pub(crate) struct WipedBuffer(Vec<u8>);

impl WipedBuffer {
    pub(crate) fn with_capacity(capacity: usize) -> Self {
        WipedBuffer(Vec::with_capacity(capacity))
    }

    pub(crate) fn len(&self) -> usize {
        self.0.len()
    }

    pub(crate) fn extend_from_slice(&mut self, bytes: &[u8]) {
        let needed = self.0.len() + bytes.len();
        if needed > self.0.capacity() {
            // Grow by hand: `Vec` would reallocate and free the old block as it is.
            let mut grown = Vec::with_capacity(needed.max(self.0.capacity() * 2));
            grown.extend_from_slice(&self.0);
            std::mem::replace(&mut self.0, grown).zeroize();
        }
        self.0.extend_from_slice(bytes);
    }

    /// The bytes, shared without a copy; wiped when the last clone of them is dropped.
    pub(crate) fn into_bytes(mut self) -> Bytes {
        Bytes::from_owner(Zeroizing::new(std::mem::take(&mut self.0)))
    }

    /// An `Authorization` (or other) header value made of these bytes: marked sensitive, so
    /// HTTP/2 never indexes it and `Debug` hides it, and wiped when the request is done with it.
    pub(crate) fn into_header(self) -> Result<HeaderValue, InvalidHeaderValue> {
        let mut header = HeaderValue::from_maybe_shared(self.into_bytes())?;
        header.set_sensitive(true);
        Ok(header)
    }

    /// The bytes, which are text, as a secret.
    fn into_secret(mut self) -> Secret {
        let text = String::from_utf8(std::mem::take(&mut self.0)).expect("text");
        Secret::from(text)
    }
}

impl io::Write for WipedBuffer {
    fn write(&mut self, bytes: &[u8]) -> io::Result<usize> {
        self.extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

impl Drop for WipedBuffer {
    fn drop(&mut self) {
        self.0.zeroize();
    }
}

/// `value` as a JSON request body in wiped memory, for bodies that may carry a secret.
pub(crate) fn json_body<T: Serialize + ?Sized>(value: &T) -> serde_json::Result<Bytes> {
    let mut buffer = WipedBuffer::default();
    serde_json::to_writer(&mut buffer, value)?;
    Ok(buffer.into_bytes())
}

/// Where a saved client secret may be sent: the API address of the org and the OAuth client it
/// belongs to, as the profile named them when the secret was saved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SecretBinding {
    /// The org's API base URL (`https://api.mypurecloud.ie`); the login address follows from it.
    pub endpoint: String,
    pub client_id: String,
}

impl fmt::Display for SecretBinding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "client {} at {}", self.client_id, self.endpoint)
    }
}

/// What a profile's keychain entry holds: the secret and, since entries are bound, where it may
/// be sent. Stored as `{"v":1,"endpoint":…,"clientId":…,"secret":…}`.
#[derive(Debug)]
pub struct KeychainEntry {
    pub secret: Secret,
    /// `None` for a bare secret, saved before entries were bound.
    pub binding: Option<SecretBinding>,
}

/// The format of the entry's document ([`KeychainEntry`]).
const ENTRY_VERSION: u32 = 1;

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct EntryOut<'a> {
    v: u32,
    endpoint: &'a str,
    client_id: &'a str,
    secret: &'a str,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct EntryIn {
    endpoint: String,
    client_id: String,
    secret: Secret,
}

#[derive(Deserialize)]
struct EntryVersion {
    v: u32,
}

impl KeychainEntry {
    /// The text to keep in the keychain for `secret`, bound to `binding`.
    pub fn encode(secret: &Secret, binding: &SecretBinding) -> Secret {
        let document = EntryOut {
            v: ENTRY_VERSION,
            endpoint: &binding.endpoint,
            client_id: &binding.client_id,
            secret: secret.expose(),
        };
        let mut buffer = WipedBuffer::with_capacity(
            64 + binding.endpoint.len() + binding.client_id.len() + 2 * secret.expose().len(),
        );
        serde_json::to_writer(&mut buffer, &document).expect("a keychain entry serialises");
        buffer.into_secret()
    }

    /// Read what the keychain returned: a bound entry, or a bare secret saved before entries
    /// were bound.
    pub fn decode(stored: Secret) -> Result<KeychainEntry, KeychainError> {
        // Reading the version skips the other fields without copying them.
        let Ok(EntryVersion { v }) = serde_json::from_str(stored.expose()) else {
            return Ok(KeychainEntry {
                secret: stored,
                binding: None,
            });
        };
        if v != ENTRY_VERSION {
            return Err(KeychainError::Unreadable(format!(
                "it was saved by a newer version of Rollcall (format {v})"
            )));
        }
        // serde's message could quote a value of the entry, so it is not repeated.
        let entry: EntryIn = serde_json::from_str(stored.expose()).map_err(|_| {
            KeychainError::Unreadable("it is not what Rollcall writes there".to_owned())
        })?;
        Ok(KeychainEntry {
            secret: entry.secret,
            binding: Some(SecretBinding {
                endpoint: entry.endpoint,
                client_id: entry.client_id,
            }),
        })
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
    /// The profile's entry is there but cannot be used; saving the secret again replaces it.
    #[error("The keychain entry of this profile cannot be read: {0}. Enter the secret again.")]
    Unreadable(String),
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

/// Secrets in memory: for tests, and for a session that must not touch the keychain. Clones
/// share one set of entries, as every handle on the OS keychain does.
#[derive(Debug, Default, Clone)]
pub struct MemoryStore {
    secrets: Arc<Mutex<std::collections::HashMap<String, Secret>>>,
}

impl SecretStore for MemoryStore {
    fn get(&self, account: &str) -> Result<Option<Secret>, KeychainError> {
        // The caller gets its own copy, as from the OS keychain.
        Ok(self.secrets.lock().expect("secrets").get(account).cloned())
    }

    fn set(&self, account: &str, secret: &Secret) -> Result<(), KeychainError> {
        // The store keeps its own copy, as the OS keychain does.
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

/// The test build's allocator: while a check runs, every block freed is searched for a needle (a
/// secret's text), so a test can count the copies of a secret left behind in memory Rollcall
/// let go of. Outside a check it only forwards to the system allocator.
#[cfg(test)]
pub(crate) mod wipe_check {
    use std::alloc::{GlobalAlloc, Layout, System};
    use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
    use std::sync::{Mutex, RwLock};

    struct Watching;

    #[global_allocator]
    static ALLOCATOR: Watching = Watching;

    static ARMED: AtomicBool = AtomicBool::new(false);
    static NEEDLE: RwLock<&[u8]> = RwLock::new(b"");
    static FOUND: AtomicUsize = AtomicUsize::new(0);
    /// One check at a time: the needle and the count are the whole test binary's.
    static ONE_AT_A_TIME: Mutex<()> = Mutex::new(());

    unsafe impl GlobalAlloc for Watching {
        unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
            System.alloc(layout)
        }

        unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
            System.alloc_zeroed(layout)
        }

        unsafe fn dealloc(&self, block: *mut u8, layout: Layout) {
            if ARMED.load(Ordering::Acquire) && holds_needle(block, layout.size()) {
                FOUND.fetch_add(1, Ordering::Relaxed);
            }
            System.dealloc(block, layout)
        }

        unsafe fn realloc(&self, block: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
            if !ARMED.load(Ordering::Acquire) {
                return System.realloc(block, layout, new_size);
            }
            // During a check a reallocation always moves, so the block it leaves is searched
            // whole as it is freed (a shrink in place would hide its tail).
            let moved = self.alloc(Layout::from_size_align_unchecked(new_size, layout.align()));
            if !moved.is_null() {
                std::ptr::copy_nonoverlapping(block, moved, layout.size().min(new_size));
                self.dealloc(block, layout);
            }
            moved
        }
    }

    /// Whether the `len` bytes at `block` contain the needle. The reads are volatile: the
    /// block is being freed, and parts of it may never have been written.
    unsafe fn holds_needle(block: *const u8, len: usize) -> bool {
        let needle = NEEDLE.read().unwrap_or_else(|e| e.into_inner());
        if needle.is_empty() || len < needle.len() {
            return false;
        }
        (0..=len - needle.len()).any(|start| {
            needle
                .iter()
                .enumerate()
                .all(|(i, byte)| std::ptr::read_volatile(block.add(start + i)) == *byte)
        })
    }

    /// How many blocks freed while `scenario` ran still held `needle`.
    pub(crate) fn copies_left_behind(needle: &'static str, scenario: impl FnOnce()) -> usize {
        let _one = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
        *NEEDLE.write().unwrap_or_else(|e| e.into_inner()) = needle.as_bytes();
        FOUND.store(0, Ordering::Relaxed);
        ARMED.store(true, Ordering::Release);
        scenario();
        ARMED.store(false, Ordering::Release);
        FOUND.load(Ordering::Relaxed)
    }
}

#[cfg(test)]
mod tests {
    use super::wipe_check::copies_left_behind;
    use super::*;

    #[test]
    fn secret_is_redacted_in_debug_and_display() {
        let secret = Secret::new("hunter2-very-secret");
        assert_eq!(format!("{secret:?}"), "Secret(***)");
        assert_eq!(format!("{secret}"), "***");
        assert_eq!(secret.expose(), "hunter2-very-secret");
    }

    #[test]
    fn a_dropped_secret_leaves_no_copy_in_memory() {
        const TEXT: &str = "a-client-secret-8c1f2e";
        const QUOTED: &str = "\"a-client-secret-8c1f2e\"";
        assert_eq!(
            copies_left_behind(TEXT, || drop(String::from(TEXT))),
            1,
            "the check sees a plain string freed with the secret in it"
        );
        let left = copies_left_behind(TEXT, || {
            let mut typed = String::with_capacity(64);
            typed.push_str(TEXT);
            let from_string = Secret::from(typed);
            let from_str = Secret::from(TEXT);
            let copy = from_str.clone();
            let read: Secret = serde_json::from_str(QUOTED).expect("a JSON string");
            assert_eq!(
                [from_string.expose(), copy.expose(), read.expose()],
                [TEXT; 3]
            );
        });
        assert_eq!(
            left, 0,
            "every copy of the secret was wiped before it was freed"
        );
    }

    #[test]
    fn a_request_body_with_a_password_is_wiped_once_sent() {
        const PASSWORD: &str = "Initial-Pa55word-3e9d";
        let left = copies_left_behind(PASSWORD, || {
            let user = crate::genesys::CreateUser {
                name: "Ada Lovelace".to_owned(),
                email: "ada@example.com".to_owned(),
                // A body long enough to outgrow the buffer a few times.
                department: Some("Analytical Engines ".repeat(40)),
                password: Some(Secret::from(PASSWORD)),
                ..Default::default()
            };
            let body = json_body(&user).unwrap();
            let sent = body.clone();
            drop(user);
            drop(body);
            assert!(String::from_utf8_lossy(&sent).contains(PASSWORD));
        });
        assert_eq!(
            left, 0,
            "the body's memory was wiped when its last holder let go"
        );
    }

    #[test]
    fn a_keychain_entry_keeps_the_secret_with_the_org_and_client_it_belongs_to() {
        const SECRET: &str = "keychain-secret-51a7";
        let binding = SecretBinding {
            endpoint: "https://api.mypurecloud.ie".to_owned(),
            client_id: "abc-123".to_owned(),
        };
        let left = copies_left_behind(SECRET, || {
            let stored = KeychainEntry::encode(&Secret::from(SECRET), &binding);
            assert_eq!(
                stored.expose(),
                r#"{"v":1,"endpoint":"https://api.mypurecloud.ie","clientId":"abc-123","secret":"keychain-secret-51a7"}"#
            );
            let entry = KeychainEntry::decode(stored).unwrap();
            assert_eq!(entry.secret.expose(), SECRET);
            assert_eq!(entry.binding.as_ref(), Some(&binding));
        });
        assert_eq!(
            left, 0,
            "encoding and reading the entry left no copy behind"
        );

        let bare = KeychainEntry::decode(Secret::from("{not json, a secret from before")).unwrap();
        assert_eq!(
            bare.binding, None,
            "a bare secret saved before entries were bound"
        );
        assert_eq!(bare.secret.expose(), "{not json, a secret from before");
        let newer = KeychainEntry::decode(Secret::from(r#"{"v":2,"secret":"s"}"#)).unwrap_err();
        assert!(newer.to_string().contains("newer version"), "{newer}");
        let damaged = KeychainEntry::decode(Secret::from(r#"{"v":1,"secret":"s"}"#)).unwrap_err();
        assert!(
            damaged.to_string().contains("Enter the secret again")
                && !damaged.to_string().contains("\"s\""),
            "{damaged}"
        );
    }
}
