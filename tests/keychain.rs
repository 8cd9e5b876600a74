//! The OS's own credential store (Windows Credential Manager, macOS Keychain) keeps, returns and
//! forgets a secret through the same store the app and the CLI use.

use rollcall_core::secrets::{KeyringStore, Secret, SecretStore};

#[test]
#[cfg_attr(
    target_os = "linux",
    ignore = "Linux's Secret Service needs a session bus with an unlocked keyring; \
              cli/tests/cli.rs covers it with gnome-keyring under dbus-run-session"
)]
fn a_secret_round_trips_through_the_os_store_and_is_forgotten() {
    let store = KeyringStore;
    let account = format!("test:os-store-{}", std::process::id());
    let secret = Secret::new(format!("round-trip-{}", std::process::id()));
    store.set(&account, &secret).expect("the OS store keeps it");
    let read = store.get(&account).expect("the OS store answers");
    store.delete(&account).expect("the OS store forgets it");
    assert_eq!(read.as_ref().map(Secret::expose), Some(secret.expose()));
    assert_eq!(store.get(&account).expect("answers again"), None);
    store.delete(&account).expect("forgetting twice succeeds");
}
