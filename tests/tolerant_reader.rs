//! Genesys's answers in shapes Rollcall did not expect: a field it can do without never stops
//! a plan; a field the run depends on is named when it is missing. Served by a scripted
//! loopback server, since the sandbox org always answers in the shapes it was built with.

mod support;

use rollcall_core::genesys::GenesysClient;
use rollcall_core::plan::{plan, PlanError, PlanOptions, RowAction};
use serde_json::{json, Value};
use support::Loopback;

/// An org of one division whose users' listing and search answer `users`.
async fn org_answering(users: Value) -> Loopback {
    Loopback::serve(move |method, path| match (method, path) {
        ("POST", "/oauth/token") => (
            200,
            json!({ "access_token": "token", "token_type": "bearer", "expires_in": 86399 }),
        ),
        ("GET", "/api/v2/authorization/divisions") => (
            200,
            json!({
                "entities": [{ "id": "d-home", "name": "Home", "homeDivision": true }],
                "pageSize": 100, "pageNumber": 1, "total": 1, "pageCount": 1
            }),
        ),
        ("GET", "/api/v2/authorization/divisions/home") => {
            (200, json!({ "id": "d-home", "name": "Home", "homeDivision": true }))
        }
        ("GET", "/api/v2/users") => (
            200,
            json!({ "entities": users, "pageSize": 500, "pageNumber": 1, "total": 1, "pageCount": 1 }),
        ),
        ("POST", "/api/v2/users/search") => (
            200,
            json!({ "total": 1, "pageCount": 1, "pageSize": 100, "pageNumber": 1, "results": users }),
        ),
        _ => (
            404,
            json!({ "message": "Not scripted", "code": "not.found", "status": 404 }),
        ),
    })
    .await
}

fn client(server: &Loopback) -> GenesysClient {
    support::client_at(server.url(), "client", "secret", support::fast_config())
}

#[tokio::test]
async fn a_manager_given_as_a_bare_id_in_the_user_listing_does_not_stop_the_plan() {
    let server = org_answering(json!([{
        "id": "u-ada",
        "name": "Ada Lovelace",
        "email": "ada@example.com",
        "manager": "u-boss",
        "state": "active",
        "version": 4,
        "aFieldFromNextYear": { "nested": [1, 2, 3] }
    }]))
    .await;
    let report =
        support::import("name,email\nAda Lovelace,ada@example.com\nNew Person,new@example.com\n");
    let plan = plan(&client(&server), &report, &PlanOptions::default())
        .await
        .expect("the plan reads past the fields it does not need");
    assert_eq!(plan.rows[0].action, RowAction::Exists);
    assert_eq!(plan.rows[0].existing_user_id.as_deref(), Some("u-ada"));
    assert_eq!(plan.rows[1].action, RowAction::Create);
}

#[tokio::test]
async fn a_user_without_an_id_is_an_error_that_names_the_id() {
    let server = org_answering(json!([{ "email": "ada@example.com", "state": "active" }])).await;
    let report = support::import("name,email\nAda Lovelace,ada@example.com\n");
    let error = plan(&client(&server), &report, &PlanOptions::default())
        .await
        .expect_err("a user the plan needs has no id");
    let PlanError::Genesys(error) = error else {
        panic!("a Genesys error, not {error}");
    };
    let text = error.to_string();
    assert!(
        text.contains("ada@example.com") && text.contains("has no id"),
        "{text}"
    );
}
