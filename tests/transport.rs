//! Transport rules: https to Genesys, http only to loopback, certificates always checked, no
//! redirect followed, no answer or listing read past its bound.

mod support;

use std::sync::Arc;
use std::time::Duration;

use rollcall_core::genesys::{
    ClientConfig, Credentials, Endpoint, GenesysClient, GenesysError, RetryPolicy,
    MAX_ANSWER_BYTES, MAX_PAGES, REGIONS,
};
use support::{loopback_client, Canned, Loopback};
use tokio::net::TcpListener;
use tokio_rustls::rustls;

#[test]
fn every_region_is_reached_over_https_only() {
    for region in REGIONS {
        let endpoint = region.endpoint();
        assert!(
            endpoint.api_url("/api/v2/users").starts_with("https://"),
            "{}",
            region.key
        );
        assert!(
            endpoint.token_url().starts_with("https://"),
            "{}",
            region.key
        );
    }
    for plain in [
        "http://api.mypurecloud.com",
        "http://login.mypurecloud.ie",
        "http://10.1.2.3",
    ] {
        assert!(
            matches!(
                Endpoint::custom(plain),
                Err(GenesysError::InvalidEndpoint(_))
            ),
            "{plain}"
        );
    }
}

/// An https server on loopback with a self-signed certificate: a client that checked nothing
/// would talk to it; Rollcall must refuse.
#[tokio::test]
async fn a_certificate_nobody_vouches_for_is_refused() {
    let certified =
        rcgen::generate_simple_self_signed(vec!["localhost".to_owned(), "127.0.0.1".to_owned()])
            .expect("self-signed certificate");
    let cert = certified.cert.der().clone();
    let key = rustls::pki_types::PrivateKeyDer::Pkcs8(rustls::pki_types::PrivatePkcs8KeyDer::from(
        certified.signing_key.serialize_der(),
    ));
    let config = rustls::ServerConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .unwrap()
    .with_no_client_auth()
    .with_single_cert(vec![cert], key)
    .unwrap();
    let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(config));
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let handshakes = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let counted = handshakes.clone();
    let server = tokio::spawn(async move {
        loop {
            let Ok((stream, _)) = listener.accept().await else {
                return;
            };
            let acceptor = acceptor.clone();
            let counted = counted.clone();
            tokio::spawn(async move {
                if acceptor.accept(stream).await.is_ok() {
                    counted.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                }
            });
        }
    });

    let config = ClientConfig {
        connect_timeout: Duration::from_secs(2),
        request_timeout: Duration::from_secs(5),
        retry: RetryPolicy {
            max_attempts: 2,
            ..RetryPolicy::fast()
        },
        ..ClientConfig::default()
    };
    let client = GenesysClient::new(
        Endpoint::custom(&format!("https://localhost:{port}")).unwrap(),
        Credentials::new("id", "secret-never-sent"),
        config,
    )
    .unwrap();
    let err = client.authenticate().await.unwrap_err();
    let text = err.to_string();
    assert!(
        text.contains("certificate") || text.contains("Certificate"),
        "{text}"
    );
    assert_eq!(
        handshakes.load(std::sync::atomic::Ordering::Relaxed),
        0,
        "no TLS session was ever established, so nothing was sent"
    );
    server.abort();
}

/// A user as Genesys answers it, for the scripted server.
fn a_user() -> serde_json::Value {
    serde_json::json!({"id": "u1", "name": "Ada", "email": "ada@example.com", "version": 1})
}

#[tokio::test]
async fn a_redirect_is_refused_and_never_followed() {
    let server = Loopback::queued(
        vec![Canned::json(302, serde_json::json!({}))
            .with_header("location", "/api/v2/users/elsewhere")],
        Canned::json(200, a_user()),
    )
    .await;
    let err = loopback_client(&server).get_user("u1").await.unwrap_err();
    let text = err.to_string();
    assert!(
        text.contains("redirected to /api/v2/users/elsewhere") && text.contains("does not follow"),
        "{text}"
    );
    assert_eq!(server.api_requests(), 1, "the redirect was not followed");
}

#[tokio::test]
async fn an_answer_past_32_mb_is_refused_without_being_kept() {
    let huge = "a".repeat(MAX_ANSWER_BYTES);
    let server = Loopback::queued(
        vec![Canned::json(
            200,
            serde_json::json!({"id": "u1", "name": huge, "version": 1}),
        )],
        Canned::json(200, a_user()),
    )
    .await;
    let err = loopback_client(&server).get_user("u1").await.unwrap_err();
    assert!(
        matches!(err, GenesysError::UnexpectedResponse { .. }),
        "{err:?}"
    );
    assert!(err.to_string().contains("larger than 32 MB"), "{err}");
    assert_eq!(server.api_requests(), 1, "not asked again");
}

#[tokio::test]
async fn a_listing_that_never_ends_is_read_no_further_than_1000_pages() {
    let endless = serde_json::json!({
        "entities": [{"id": "r1", "name": "Agent"}],
        "pageSize": 100,
        "pageNumber": 1,
        "pageCount": 1_000_000,
    });
    let server = Loopback::queued(vec![], Canned::json(200, endless)).await;
    let config = ClientConfig {
        rate_per_minute: 100_000_000,
        ..support::fast_config()
    };
    let client = support::client_at(server.url(), "id", "secret", config);
    let err = client.list_roles().await.unwrap_err();
    assert!(err.to_string().contains("pages past 1000"), "{err}");
    assert_eq!(server.api_requests(), MAX_PAGES as usize);
}
