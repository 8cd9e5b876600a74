//! The Genesys client against the sandbox org: every call and every error class an admin can
//! meet, over real HTTP.

mod support;

use std::time::Duration;

use rollcall_core::genesys::{
    CreateUser, Credentials, Endpoint, GenesysClient, GenesysError, RetryPolicy, RetryReason,
    StateFilter, UserPatch, UserState,
};
use rollcall_sandbox::{
    Faults, Latency, RateLimitConfig, SandboxClient, SandboxConfig, Seed, DEMO_CLIENT_ID,
    DEMO_CLIENT_SECRET,
};
use support::{client_for, demo_client, fast_config, observed, raw_http, start};

fn new_user(name: &str, email: &str) -> CreateUser {
    CreateUser {
        name: name.to_owned(),
        email: email.to_owned(),
        state: Some(UserState::Active),
        ..CreateUser::default()
    }
}

#[tokio::test]
async fn every_call_works_against_the_sandbox() {
    let sandbox = start(SandboxConfig::default()).await;
    let client = demo_client(&sandbox);
    client.authenticate().await.expect("token");

    let divisions = client.list_divisions().await.unwrap().value;
    let names: Vec<_> = divisions.iter().map(|d| d.name.as_str()).collect();
    assert_eq!(names, ["Home", "Sales", "Support", "Operations", "Finance"]);
    let home = client.home_division().await.unwrap().value;
    assert_eq!(home.name, "Home");
    assert!(home.home_division);
    let sales = divisions.iter().find(|d| d.name == "Sales").unwrap();

    let mut body = new_user("Grace Hopper", "grace.hopper@example.com");
    body.division_id = Some(sales.id.clone());
    body.title = Some("Rear Admiral".into());
    body.addresses = vec![rollcall_core::genesys::Contact::work_phone("+14155550100")];
    let created = client.create_user(&body).await.expect("created");
    let user = created.value;
    assert_eq!(user.email.as_deref(), Some("grace.hopper@example.com"));
    assert_eq!(user.state, Some(UserState::Active));
    assert_eq!(user.division.as_ref().unwrap().id, sales.id);
    assert_eq!(
        user.division.as_ref().unwrap().name.as_deref(),
        Some("Sales")
    );
    assert_eq!(user.version, 1);
    assert_eq!(user.addresses[0].address.as_deref(), Some("+14155550100"));
    let meta = created.meta;
    assert_eq!(meta.status, 200);
    assert!(meta.correlation_id.is_some());

    let fetched = client.get_user(&user.id).await.unwrap().value;
    assert_eq!(fetched.name.as_deref(), Some("Grace Hopper"));

    let found = client
        .search_users_by_email("GRACE.HOPPER@example.com ", false)
        .await
        .unwrap()
        .value;
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].id, user.id);

    let boss = client
        .create_user(&new_user("Boss Person", "boss@example.com"))
        .await
        .unwrap()
        .value;
    let patched = client
        .patch_user(
            &user.id,
            &UserPatch {
                version: fetched.version,
                manager: Some(boss.id.clone()),
                ..UserPatch::default()
            },
        )
        .await
        .unwrap()
        .value;
    assert_eq!(patched.manager.unwrap().id, boss.id);
    assert_eq!(patched.version, 2);

    client.invite_user(&user.id).await.expect("invited");
    let in_org = sandbox.users();
    let grace = in_org.iter().find(|u| u.id == user.id).unwrap();
    assert_eq!(grace.invitations, 1);
    assert_eq!(grace.manager_id.as_deref(), Some(boss.id.as_str()));

    // Seeded: 2 active, 1 inactive, 1 deleted; plus the 2 created here.
    let any = client
        .list_users_page(1, 500, StateFilter::Any)
        .await
        .unwrap()
        .value;
    assert_eq!(any.total, 6);
    let active = client
        .list_users_page(1, 500, StateFilter::Active)
        .await
        .unwrap()
        .value;
    assert_eq!(active.total, 4);
    let deleted = client
        .list_users_page(1, 500, StateFilter::Deleted)
        .await
        .unwrap()
        .value;
    assert_eq!(
        deleted.entities[0].email.as_deref(),
        Some("riley.morgan@example.com")
    );
}

#[tokio::test]
async fn listings_are_paged() {
    let mut seed = Seed::empty();
    seed.divisions = (0..230).map(|i| format!("Division {i:03}")).collect();
    let sandbox = start(SandboxConfig {
        seed,
        ..SandboxConfig::default()
    })
    .await;
    let client = demo_client(&sandbox);
    let divisions = client.list_divisions().await.unwrap().value;
    assert_eq!(
        divisions.len(),
        230,
        "all three pages of divisions are read"
    );
    assert_eq!(divisions[229].name, "Division 229");

    for i in 0..7 {
        client
            .create_user(&new_user(
                &format!("User {i}"),
                &format!("user{i}@example.com"),
            ))
            .await
            .unwrap();
    }
    let page = client
        .list_users_page(2, 3, StateFilter::Any)
        .await
        .unwrap()
        .value;
    assert_eq!((page.total, page.page_count, page.page_number), (7, 3, 2));
    let names: Vec<_> = page
        .entities
        .iter()
        .map(|u| u.name.clone().unwrap())
        .collect();
    assert_eq!(names, ["User 3", "User 4", "User 5"]);
}

#[tokio::test]
async fn validation_errors_keep_genesys_code_message_and_correlation_id() {
    let sandbox = start(SandboxConfig::default()).await;
    let client = demo_client(&sandbox);

    let err = client
        .create_user(&new_user("Bad Mail", "not-an-email"))
        .await
        .unwrap_err();
    let api = err.api().expect("an API error");
    assert_eq!(api.status, 400);
    assert_eq!(api.code.as_deref(), Some("invalid.value"));
    assert!(api.message.contains("not-an-email"), "{}", api.message);
    assert_eq!(api.details[0].field_name.as_deref(), Some("email"));
    let correlation = api.correlation_id.clone().expect("correlation id");
    assert!(err.to_string().contains(&correlation), "{err}");

    let mut body = new_user("No Division", "nodiv@example.com");
    body.division_id = Some("3b1c7a56-0000-4000-8000-000000000000".into());
    let err = client.create_user(&body).await.unwrap_err();
    assert_eq!(err.status(), Some(400));
    assert!(err.to_string().contains("does not exist"), "{err}");

    let err = client
        .create_user(&new_user("", "noname@example.com"))
        .await
        .unwrap_err();
    assert_eq!(err.status(), Some(400));
    assert!(sandbox
        .users()
        .iter()
        .all(|u| u.email != "nodiv@example.com"));
}

#[tokio::test]
async fn duplicate_email_is_a_conflict_with_either_status() {
    for status in [409u16, 400] {
        let mut config = SandboxConfig::default();
        config.variants.duplicate_email_status = status;
        let sandbox = start(config).await;
        let client = demo_client(&sandbox);
        let err = client
            .create_user(&new_user("Jordan Again", "Jordan.Lee@example.com"))
            .await
            .unwrap_err();
        assert!(err.is_conflict(), "{err:?}");
        assert_eq!(err.status(), Some(status));
        assert!(!err.is_outcome_unknown());
    }
}

#[tokio::test]
async fn soft_deleted_email_is_refused_and_found_only_when_deleted_users_are_searched() {
    let sandbox = start(SandboxConfig::default()).await;
    let client = demo_client(&sandbox);
    let err = client
        .create_user(&new_user("Riley Again", "riley.morgan@example.com"))
        .await
        .unwrap_err();
    assert!(err.is_conflict());
    assert_eq!(err.status(), Some(400));
    assert!(err.to_string().contains("deleted user"), "{err}");

    let plain = client
        .search_users_by_email("riley.morgan@example.com", false)
        .await
        .unwrap()
        .value;
    assert!(
        plain.is_empty(),
        "a deleted user is not found by a plain search"
    );
    let with_deleted = client
        .search_users_by_email("riley.morgan@example.com", true)
        .await
        .unwrap()
        .value;
    assert_eq!(with_deleted.len(), 1);
    assert_eq!(with_deleted[0].state, Some(UserState::Deleted));

    // Restoring is a PATCH with the version, as Genesys's Terraform provider does it.
    let restored = client
        .patch_user(
            &with_deleted[0].id,
            &UserPatch {
                version: with_deleted[0].version,
                state: Some(UserState::Active),
                ..UserPatch::default()
            },
        )
        .await
        .unwrap()
        .value;
    assert_eq!(restored.state, Some(UserState::Active));
}

#[tokio::test]
async fn stale_version_on_patch_is_a_conflict() {
    let sandbox = start(SandboxConfig::default()).await;
    let client = demo_client(&sandbox);
    let user = client
        .create_user(&new_user("V", "v@example.com"))
        .await
        .unwrap()
        .value;
    let patch = UserPatch {
        version: user.version + 5,
        title: Some("Late".into()),
        ..UserPatch::default()
    };
    let err = client.patch_user(&user.id, &patch).await.unwrap_err();
    assert_eq!(err.status(), Some(409));
    assert!(err.to_string().contains("version"), "{err}");
}

#[tokio::test]
async fn revoked_token_is_renewed_once_and_the_request_retried() {
    let sandbox = start(SandboxConfig::default()).await;
    let client = demo_client(&sandbox);
    client.list_divisions().await.unwrap();
    assert_eq!(sandbox.stats().tokens_issued, 1);
    sandbox.revoke_tokens();
    let user = client
        .create_user(&new_user("After Revoke", "after.revoke@example.com"))
        .await
        .expect("renewed token and retried");
    assert_eq!(user.value.name.as_deref(), Some("After Revoke"));
    assert_eq!(sandbox.stats().tokens_issued, 2);
    assert_eq!(
        sandbox
            .users()
            .iter()
            .filter(|u| u.email == "after.revoke@example.com")
            .count(),
        1
    );
}

#[tokio::test]
async fn token_is_renewed_before_it_expires() {
    let config = SandboxConfig {
        token_lifetime: Duration::from_secs(1),
        ..SandboxConfig::default()
    };
    let sandbox = start(config).await;
    let client = demo_client(&sandbox);
    client.home_division().await.unwrap();
    // The client reads token lifetimes on tokio's clock: move it past the renewal point (800 ms
    // into a 1 s token) and let it run on. The sandbox's clock stays put, so the old token is
    // still good there: a second token can only come from the client renewing early.
    tokio::time::pause();
    tokio::time::advance(Duration::from_millis(800)).await;
    tokio::time::resume();
    client
        .home_division()
        .await
        .expect("a fresh token was fetched");
    assert_eq!(sandbox.stats().tokens_issued, 2);
}

#[tokio::test]
async fn expired_token_from_elsewhere_gets_credentials_expired() {
    let config = SandboxConfig {
        token_lifetime: Duration::from_secs(1),
        ..SandboxConfig::default()
    };
    let sandbox = start(config).await;
    let http = raw_http();
    let token: serde_json::Value = http
        .post(format!("{}/oauth/token", sandbox.url()))
        .basic_auth(DEMO_CLIENT_ID, Some(DEMO_CLIENT_SECRET))
        .header("content-type", "application/x-www-form-urlencoded")
        .body("grant_type=client_credentials")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(token["expires_in"], 1);
    sandbox.advance_clock(Duration::from_secs(1));
    let response = http
        .get(format!("{}/api/v2/users", sandbox.url()))
        .bearer_auth(token["access_token"].as_str().unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 401);
    let body: serde_json::Value = response.json().await.unwrap();
    assert_eq!(body["code"], "credentials.expired");
}

#[tokio::test]
async fn wrong_secret_or_unknown_client_says_what_to_check_with_either_status() {
    for status in [400u16, 401] {
        let mut config = SandboxConfig::default();
        config.variants.invalid_client_status = status;
        let sandbox = start(config).await;
        let err = client_for(&sandbox, DEMO_CLIENT_ID, "wrong-secret")
            .authenticate()
            .await
            .unwrap_err();
        assert!(matches!(err, GenesysError::Auth(_)), "{err:?}");
        assert_eq!(err.status(), Some(status));
        assert_eq!(err.code(), Some("invalid_client"));
        let text = err.to_string();
        assert!(text.contains("wrong client id/secret"), "{text}");
        assert!(text.contains("home region"), "{text}");

        let err = client_for(&sandbox, "no-such-client", "x")
            .authenticate()
            .await
            .unwrap_err();
        assert!(err.to_string().contains("client not found"), "{err}");
    }
}

#[tokio::test]
async fn client_without_grant_type_is_told_to_use_client_credentials() {
    let mut client = SandboxClient::with_permissions("code-only", "s", &["*"]);
    client.client_credentials_grant = false;
    let sandbox = start(SandboxConfig {
        clients: vec![client],
        ..SandboxConfig::default()
    })
    .await;
    let err = client_for(&sandbox, "code-only", "s")
        .authenticate()
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some("unauthorized_client"));
    assert!(err.to_string().contains("Client Credentials"), "{err}");
}

#[tokio::test]
async fn missing_permission_is_named() {
    let sandbox = start(SandboxConfig {
        clients: vec![SandboxClient::with_permissions(
            "viewer",
            "viewer-secret",
            &["directory:user:view"],
        )],
        ..SandboxConfig::default()
    })
    .await;
    let client = client_for(&sandbox, "viewer", "viewer-secret");
    client
        .list_divisions()
        .await
        .expect("listing needs no permission");
    let err = client
        .create_user(&new_user("No Perm", "noperm@example.com"))
        .await
        .unwrap_err();
    let api = err.api().unwrap();
    assert_eq!(api.status, 403);
    assert_eq!(api.code.as_deref(), Some("missing.permissions"));
    assert_eq!(api.missing_permissions(), ["directory:user:add"]);
    assert!(
        err.to_string()
            .contains("missing the permission directory:user:add"),
        "{err}"
    );
    assert!(err.is_auth_or_permission());
    assert!(sandbox
        .users()
        .iter()
        .all(|u| u.email != "noperm@example.com"));
}

#[tokio::test]
async fn unknown_user_is_not_found() {
    let sandbox = start(SandboxConfig::default()).await;
    let err = demo_client(&sandbox)
        .get_user("00000000-0000-4000-8000-000000000000")
        .await
        .unwrap_err();
    assert_eq!(err.status(), Some(404));
    assert_eq!(err.code(), Some("not.found"));
}

/// A limit lower than the client believes: the first 429 holds the token for its
/// `Retry-After` and lowers its rate, so it does not keep hitting the limit, and every call
/// still succeeds. Nothing but the 429 told the client.
#[tokio::test]
async fn a_lower_limit_than_believed_holds_and_slows_the_token_after_one_429() {
    let config = SandboxConfig {
        rate_limit: RateLimitConfig {
            requests: 5,
            window: Duration::from_secs(2),
        },
        ..SandboxConfig::default()
    };
    let sandbox = start(config).await;
    let client = demo_client(&sandbox);
    let believed = client.current_rate_per_minute();
    for _ in 0..8 {
        client.home_division().await.expect("held, then answered");
    }
    let refused = sandbox.stats().rate_limited;
    assert!(
        (1..=2).contains(&refused),
        "the token met the limit and then waited: {refused} 429s"
    );
    assert!(
        client.current_rate_per_minute() < believed,
        "the token slowed down from {believed:.0}/min"
    );
}

#[tokio::test]
async fn a_429_is_retried_after_retry_after_and_reported() {
    let config = SandboxConfig {
        faults: Faults {
            too_many_requests: 0.5,
            retry_after_secs: 1,
            ..Faults::default()
        },
        rng_seed: Some(3),
        ..SandboxConfig::default()
    };
    let sandbox = start(config).await;
    let (client, seen) = observed(demo_client(&sandbox));
    for _ in 0..4 {
        client
            .home_division()
            .await
            .expect("waits out the 429 and succeeds");
    }
    assert!(sandbox.stats().rate_limited >= 1);
    let notices = seen.lock().unwrap();
    let waits: Vec<_> = notices
        .iter()
        .filter(|n| n.reason == RetryReason::RateLimited)
        .map(|n| n.wait)
        .collect();
    assert!(!waits.is_empty(), "the 429 was reported: {notices:?}");
    assert!(
        waits.iter().all(|w| *w >= Duration::from_secs(1)),
        "Retry-After (1 s) is honoured, not the 50 ms default: {waits:?}"
    );
}

#[tokio::test]
async fn server_errors_on_reads_are_retried() {
    let config = SandboxConfig {
        faults: Faults {
            service_unavailable: 0.3,
            bad_gateway: 0.15,
            ..Faults::default()
        },
        rng_seed: Some(7),
        ..SandboxConfig::default()
    };
    let sandbox = start(config).await;
    let (client, seen) = observed(demo_client(&sandbox));
    for _ in 0..10 {
        client
            .home_division()
            .await
            .expect("retried until it worked");
    }
    let notices = seen.lock().unwrap();
    assert!(notices
        .iter()
        .any(|n| n.reason == RetryReason::ServerError { status: 503 }));
    assert!(notices
        .iter()
        .any(|n| n.reason == RetryReason::ServerError { status: 502 }));
}

#[tokio::test]
async fn a_create_that_met_503_is_retried_but_a_gateway_error_is_left_to_settle() {
    let sandbox = start(SandboxConfig {
        faults: Faults {
            service_unavailable: 1.0,
            ..Faults::default()
        },
        ..SandboxConfig::default()
    })
    .await;
    let client = demo_client(&sandbox);
    let err = client
        .create_user(&new_user("Never", "never@example.com"))
        .await
        .unwrap_err();
    match &err {
        GenesysError::GaveUp { attempts, last, .. } => {
            assert_eq!(*attempts, RetryPolicy::fast().max_attempts);
            assert_eq!(last.status(), Some(503));
        }
        other => panic!("expected GaveUp, got {other:?}"),
    }
    assert!(sandbox
        .users()
        .iter()
        .all(|u| u.email != "never@example.com"));

    sandbox.set_faults(Faults {
        gateway_timeout: 1.0,
        gateway_passes_through: 1.0,
        ..Faults::default()
    });
    let err = client
        .create_user(&new_user("Maybe", "maybe@example.com"))
        .await
        .unwrap_err();
    assert!(err.is_outcome_unknown(), "{err:?}");
    assert!(err.correlation_id().is_some());
    assert_eq!(
        sandbox
            .users()
            .iter()
            .filter(|u| u.email == "maybe@example.com")
            .count(),
        1,
        "the gateway passed the create on, and the client did not send it twice"
    );
}

#[tokio::test]
async fn dropped_connection_after_create_is_an_unknown_outcome_settled_by_search() {
    let sandbox = start(SandboxConfig {
        faults: Faults {
            drop_after_create: 1.0,
            ..Faults::default()
        },
        ..SandboxConfig::default()
    })
    .await;
    let client = demo_client(&sandbox);
    let err = client
        .create_user(&new_user("Dropped", "dropped@example.com"))
        .await
        .unwrap_err();
    assert!(err.is_outcome_unknown(), "{err:?}");
    assert!(err.to_string().contains("may or may not"), "{err}");
    assert_eq!(sandbox.stats().dropped_connections, 1);
    let found = client
        .search_users_by_email("dropped@example.com", false)
        .await
        .unwrap()
        .value;
    assert_eq!(found.len(), 1, "the user exists exactly once");
    assert_eq!(
        sandbox
            .users()
            .iter()
            .filter(|u| u.email == "dropped@example.com")
            .count(),
        1
    );
}

#[tokio::test]
async fn timeouts_are_retried_for_reads_and_unknown_for_creates() {
    let sandbox = start(SandboxConfig {
        latency: Latency {
            base: Duration::from_millis(600),
            jitter: Duration::ZERO,
        },
        ..SandboxConfig::default()
    })
    .await;
    let endpoint = Endpoint::custom(sandbox.url()).unwrap();
    let mut config = fast_config();
    config.request_timeout = Duration::from_millis(1500);
    let client = GenesysClient::new(
        endpoint,
        Credentials::new(DEMO_CLIENT_ID, DEMO_CLIENT_SECRET),
        config,
    )
    .unwrap();
    client.authenticate().await.unwrap();
    sandbox.set_latency(Latency {
        base: Duration::from_secs(3),
        jitter: Duration::ZERO,
    });
    let err = client
        .create_user(&new_user("Slow", "slow@example.com"))
        .await
        .unwrap_err();
    assert!(err.is_outcome_unknown(), "{err:?}");
    let mut quick = fast_config();
    quick.request_timeout = Duration::from_millis(200);
    quick.retry.max_attempts = 2;
    let reader = GenesysClient::new(
        Endpoint::custom(sandbox.url()).unwrap(),
        Credentials::new(DEMO_CLIENT_ID, DEMO_CLIENT_SECRET),
        quick,
    )
    .unwrap();
    let err = reader.authenticate().await.unwrap_err();
    assert!(
        matches!(&err, GenesysError::GaveUp { last, .. } if matches!(**last, GenesysError::Timeout { .. })),
        "{err:?}"
    );
}

#[tokio::test]
async fn unreachable_host_is_reported_as_such() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    drop(listener);
    let mut config = fast_config();
    config.retry.max_attempts = 2;
    let client = GenesysClient::new(
        Endpoint::custom(&url).unwrap(),
        Credentials::new("id", "secret"),
        config,
    )
    .unwrap();
    let err = client.authenticate().await.unwrap_err();
    let text = err.to_string();
    assert!(text.contains("Could not connect to 127.0.0.1"), "{text}");
    assert!(text.contains("Check the region"), "{text}");
}

#[tokio::test]
async fn search_lag_hides_a_fresh_user_for_a_while() {
    let mut config = SandboxConfig::default();
    config.variants.search_lag = Duration::from_secs(60);
    let sandbox = start(config).await;
    let client = demo_client(&sandbox);
    client
        .create_user(&new_user("Fresh", "fresh@example.com"))
        .await
        .unwrap();
    let now = client
        .search_users_by_email("fresh@example.com", false)
        .await
        .unwrap();
    assert!(now.value.is_empty(), "search lags the create");
    sandbox.advance_clock(Duration::from_secs(60));
    let later = client
        .search_users_by_email("fresh@example.com", false)
        .await
        .unwrap();
    assert_eq!(later.value.len(), 1);
}

#[tokio::test]
async fn secrets_never_show_in_errors_or_debug_output() {
    let secret = "Zx9-very-secret-client-secret-Qw7";
    let sandbox = start(SandboxConfig {
        clients: vec![SandboxClient::with_permissions(
            "cid",
            secret,
            &["directory:user:view"],
        )],
        ..SandboxConfig::default()
    })
    .await;
    let good = client_for(&sandbox, "cid", secret);
    let mut texts = vec![format!("{good:?}")];
    let err = good
        .create_user(&new_user("X", "x@example.com"))
        .await
        .unwrap_err();
    texts.push(err.to_string());
    texts.push(format!("{err:?}"));
    let wrong = client_for(&sandbox, "cid", &format!("{secret}-wrong"));
    let err = wrong.authenticate().await.unwrap_err();
    texts.push(err.to_string());
    texts.push(format!("{err:?}"));
    texts.push(format!("{:?}", Credentials::new("cid", secret)));
    let mut body = new_user("Y", "y@example.com");
    body.password = Some(secret.into());
    texts.push(format!("{body:?}"));
    for text in &texts {
        assert!(!text.contains(secret), "secret leaked into: {text}");
        assert!(
            !text.contains("Zx9-very"),
            "part of the secret leaked into: {text}"
        );
    }
}

#[tokio::test]
async fn wrong_paths_methods_and_bodies_get_genesys_error_bodies() {
    let sandbox = start(SandboxConfig::default()).await;
    let http = raw_http();
    let token: serde_json::Value = http
        .post(format!("{}/oauth/token", sandbox.url()))
        .basic_auth(DEMO_CLIENT_ID, Some(DEMO_CLIENT_SECRET))
        .header("content-type", "application/x-www-form-urlencoded")
        .body("grant_type=client_credentials")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let bearer = token["access_token"].as_str().unwrap().to_owned();
    let cases: Vec<(reqwest::RequestBuilder, u16, &str)> = vec![
        (
            http.get(format!("{}/api/v2/nothing/here", sandbox.url())),
            404,
            "not.found",
        ),
        (
            http.delete(format!("{}/api/v2/users", sandbox.url())),
            404,
            "not.found",
        ),
        (
            http.post(format!("{}/api/v2/users", sandbox.url()))
                .header("content-type", "text/plain")
                .body("name=x"),
            415,
            "unsupported.media.type",
        ),
        (
            http.post(format!("{}/api/v2/users", sandbox.url()))
                .header("content-type", "application/json")
                .body("{not json"),
            400,
            "bad.request",
        ),
        (
            http.post(format!("{}/api/v2/users", sandbox.url()))
                .header("content-type", "application/json")
                .body("[1,2]"),
            400,
            "bad.request",
        ),
        (
            http.get(format!("{}/api/v2/users?pageSize=501", sandbox.url())),
            400,
            "invalid.value",
        ),
        (
            http.post(format!("{}/api/v2/users/search", sandbox.url()))
                .header("content-type", "application/json")
                .body(r#"{"query":[]}"#),
            400,
            "bad.request",
        ),
    ];
    for (request, status, code) in cases {
        let response = request.bearer_auth(&bearer).send().await.unwrap();
        assert_eq!(response.status().as_u16(), status);
        assert!(response.headers().contains_key("inin-correlation-id"));
        assert!(!response.headers().contains_key("inin-ratelimit-count"));
        let body: serde_json::Value = response.json().await.unwrap();
        assert_eq!(body["code"], code, "{body}");
        assert_eq!(body["status"], status);
        assert!(body["contextId"].is_string());
    }
    let unauthenticated = http
        .get(format!("{}/api/v2/users", sandbox.url()))
        .send()
        .await
        .unwrap();
    assert_eq!(unauthenticated.status(), 401);
    let body: serde_json::Value = unauthenticated.json().await.unwrap();
    assert_eq!(body["code"], "authentication.required");
}

#[tokio::test]
async fn org_survives_a_restart_when_kept_in_a_file() {
    let dir = std::env::temp_dir().join(format!("rollcall-sandbox-{}", uuid_like()));
    let file = dir.join("org.json");
    let config = SandboxConfig {
        state_file: Some(file.clone()),
        ..SandboxConfig::default()
    };
    let sandbox = start(config.clone()).await;
    demo_client(&sandbox)
        .create_user(&new_user("Kept", "kept@example.com"))
        .await
        .unwrap();
    sandbox.shutdown().await;
    let again = start(config).await;
    let users = again.users();
    assert!(users.iter().any(|u| u.email == "kept@example.com"));
    assert_eq!(users.len(), 5, "the seed was not applied a second time");
    again.reset().unwrap();
    assert_eq!(again.users().len(), 4, "reset returns to the seed");
    drop(again);
    let _ = std::fs::remove_dir_all(dir);
}

fn uuid_like() -> String {
    format!(
        "{}-{}",
        std::process::id(),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_nanos()
    )
}
