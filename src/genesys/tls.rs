//! The TLS set-up every HTTP client of Rollcall shares.
//!
//! reqwest is built with rustls but without a crypto provider of its own: the process's default
//! is ring, the one the desktop's updater installs too, so the app carries one TLS stack.

/// Make ring the process's rustls crypto provider, which reqwest needs before it builds a
/// client. Call it before `reqwest::Client::builder().build()`; a provider already installed
/// (by an earlier call or by the updater, also ring) is kept.
pub fn install_tls_provider() {
    if rustls::crypto::CryptoProvider::get_default().is_none() {
        // Two threads may race here; the loser's error only says one is already installed.
        let _ = rustls::crypto::ring::default_provider().install_default();
    }
}
