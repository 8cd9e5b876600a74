//! Genesys's rate limits as the client meets them: no rate-limit headers (old ones ignored),
//! the org's own figure, the login service's throttling, 408s and 500s, and the rate a plan
//! decides on. Pacing itself is tested on tokio's paused clock in `genesys::pacing`.

mod support;

use std::time::Duration;

use rollcall_core::genesys::pacing::pace_for;
use rollcall_core::genesys::{CreateUser, RetryPolicy, RetryReason, UserPatch, UserState};
use rollcall_core::plan::{plan, PlanOptions, RateSource};
use rollcall_sandbox::{Faults, RateLimitConfig, SandboxConfig};
use serde_json::json;
use support::{
    demo_client, import, loopback_client, numbered_users, observed, start, Canned, Loopback,
    TEST_RATE,
};

fn home() -> Canned {
    Canned::json(
        200,
        json!({"id": "home-id", "name": "Home", "homeDivision": true}),
    )
}

fn new_user(email: &str) -> CreateUser {
    CreateUser {
        name: "Someone".into(),
        email: email.into(),
        state: Some(UserState::Active),
        ..CreateUser::default()
    }
}

/// A server of before 2021 says the token's allowance is spent for a minute; the client does
/// not believe it and keeps its pace.
#[tokio::test]
async fn old_rate_limit_headers_are_ignored() {
    let spent = home()
        .with_header("inin-ratelimit-allowed", "1")
        .with_header("inin-ratelimit-count", "1")
        .with_header("inin-ratelimit-reset", "60");
    let server = Loopback::queued(vec![], spent).await;
    let client = loopback_client(&server);
    client.home_division().await.expect("answered");
    assert_eq!(
        client.paced_until(),
        None,
        "the headers put nothing on hold"
    );
    assert_eq!(client.current_rate_per_minute(), pace_for(TEST_RATE));
    for _ in 0..4 {
        client.home_division().await.expect("answered");
    }
    assert_eq!(server.api_requests(), 5);
}

#[tokio::test]
async fn a_408_is_sent_again_except_for_a_create_whose_outcome_it_leaves_unknown() {
    let timeout = || Canned::error(408, "request.timeout", "The request timed out.");
    let user = Canned::json(200, json!({"id": "u1", "name": "Someone", "version": 2}));
    let server = Loopback::queued(vec![timeout(), home(), timeout(), user], home()).await;
    let (client, seen) = observed(loopback_client(&server));

    let division = client
        .home_division()
        .await
        .expect("sent again after the 408");
    assert_eq!(division.value.name, "Home");
    let patched = client
        .patch_user(
            "u1",
            &UserPatch {
                version: 1,
                title: Some("Engineer".into()),
                ..UserPatch::default()
            },
        )
        .await
        .expect("a versioned PATCH is sent again too");
    assert_eq!(patched.value.version, 2);
    assert_eq!(server.api_requests(), 4);
    assert_eq!(
        seen.lock()
            .unwrap()
            .iter()
            .filter(|n| n.reason == RetryReason::Timeout)
            .count(),
        2
    );

    let server = Loopback::queued(vec![timeout()], home()).await;
    let err = loopback_client(&server)
        .create_user(&new_user("someone@example.com"))
        .await
        .unwrap_err();
    assert!(err.is_outcome_unknown(), "{err:?}");
    assert!(err.to_string().contains("408"), "{err}");
    assert_eq!(server.api_requests(), 1, "a create is never sent twice");
}

#[tokio::test]
async fn a_500_is_sent_again_on_reads_but_not_on_writes() {
    let failed = || Canned::error(500, "internal.server.error", "Something went wrong.");
    let found = Canned::json(
        200,
        json!({"total": 1, "pageCount": 1, "pageSize": 25, "pageNumber": 1,
               "results": [{"id": "u1", "email": "someone@example.com", "version": 1}]}),
    );
    let server = Loopback::queued(vec![failed(), home(), failed(), found], home()).await;
    let client = loopback_client(&server);
    client.home_division().await.expect("a GET is read again");
    let found = client
        .search_users_by_email("someone@example.com", false)
        .await
        .expect("the search POST is a read too");
    assert_eq!(found.value.len(), 1);
    assert_eq!(server.api_requests(), 4);

    let server = Loopback::queued(vec![failed(), failed()], home()).await;
    let client = loopback_client(&server);
    let err = client
        .create_user(&new_user("someone@example.com"))
        .await
        .unwrap_err();
    assert!(err.is_outcome_unknown(), "{err:?}");
    let err = client
        .patch_user(
            "u1",
            &UserPatch {
                version: 1,
                title: Some("Engineer".into()),
                ..UserPatch::default()
            },
        )
        .await
        .unwrap_err();
    assert_eq!(err.status(), Some(500));
    assert_eq!(server.api_requests(), 2, "neither write was sent twice");
}

#[tokio::test]
async fn a_throttled_login_service_is_given_3_9_then_27_times_more_time() {
    let sandbox = start(SandboxConfig {
        faults: Faults {
            token_throttled_first: 3,
            ..Faults::default()
        },
        ..SandboxConfig::default()
    })
    .await;
    let (client, seen) = observed(demo_client(&sandbox));
    client
        .authenticate()
        .await
        .expect("a token once the login service lets one through");
    let waits: Vec<Duration> = seen
        .lock()
        .unwrap()
        .iter()
        .filter(|n| n.reason == RetryReason::LoginThrottled)
        .map(|n| n.wait)
        .collect();
    let base = RetryPolicy::fast().login_backoff;
    assert_eq!(waits, [base, base * 3, base * 9]);
    assert_eq!(sandbox.stats().token_requests, 4);
}

#[tokio::test]
async fn the_pool_mints_its_tokens_one_at_a_time() {
    let server = Loopback::queued(vec![], home()).await;
    let first = loopback_client(&server);
    let mut pool = tokio::task::JoinSet::new();
    for _ in 0..5 {
        let client = first.with_own_token();
        pool.spawn(async move { client.authenticate().await });
    }
    while let Some(minted) = pool.join_next().await {
        minted.unwrap().expect("a token");
    }
    assert_eq!(server.most_tokens_minted_at_once(), 1);
}

#[tokio::test]
async fn the_orgs_rate_limit_is_read_when_the_org_allows_it() {
    let mut config = SandboxConfig {
        rate_limit: RateLimitConfig {
            requests: 1_200,
            window: Duration::from_secs(60),
        },
        ..SandboxConfig::default()
    };
    config.variants.org_limits_readable = true;
    let sandbox = start(config.clone()).await;
    assert_eq!(
        demo_client(&sandbox).org_rate_limit().await.unwrap(),
        Some(1_200)
    );

    config.variants.org_limits_readable = false;
    let sandbox = start(config).await;
    assert_eq!(
        demo_client(&sandbox).org_rate_limit().await.unwrap(),
        None,
        "a 403 is no error: the figure is just not known"
    );
}

/// The plan paces at the profile's or the command line's figure, else the org's, else 300 —
/// and says which; its estimate follows.
#[tokio::test]
async fn the_plan_paces_at_the_setting_else_the_orgs_figure_else_genesyss_default() {
    let report = import(&numbered_users(1_000));
    let two_tokens = PlanOptions {
        pool_size: Some(2),
        ..PlanOptions::default()
    };
    let readable = |readable: bool| {
        let mut config = SandboxConfig {
            rate_limit: RateLimitConfig {
                requests: 600,
                window: Duration::from_secs(60),
            },
            ..SandboxConfig::default()
        };
        config.variants.org_limits_readable = readable;
        config
    };

    let sandbox = start(readable(false)).await;
    let default = plan(&demo_client(&sandbox), &report, &two_tokens)
        .await
        .unwrap();
    assert_eq!(
        (default.allowance_per_minute, default.rate_source),
        (300, RateSource::Default)
    );
    // 1,000 creates on two tokens paced just under 300 a minute.
    assert_eq!(default.estimated_seconds, 102);

    let sandbox = start(readable(true)).await;
    let org = plan(&demo_client(&sandbox), &report, &two_tokens)
        .await
        .unwrap();
    assert_eq!(
        (org.allowance_per_minute, org.rate_source),
        (600, RateSource::Org)
    );
    assert_eq!(org.estimated_seconds, 51);

    let setting = PlanOptions {
        rate_per_minute: Some(1_200),
        ..two_tokens.clone()
    };
    let set = plan(&demo_client(&sandbox), &report, &setting)
        .await
        .unwrap();
    assert_eq!(
        (set.allowance_per_minute, set.rate_source),
        (1_200, RateSource::Setting)
    );
    assert_eq!(set.estimated_seconds, 26);

    // Left to itself, the plan sizes the pool to the rate it paces at.
    let auto = plan(&demo_client(&sandbox), &report, &PlanOptions::default())
        .await
        .unwrap();
    assert_eq!(
        auto.pool_size, 2,
        "1,000 calls at 600 a minute need two tokens"
    );
}
