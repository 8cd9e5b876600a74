//! The sandbox org answers only programs on this computer that call it by its own address, and
//! a state file it cannot read does not stop it from starting.

#[path = "../../tests/support/mod.rs"]
mod support;

use std::net::SocketAddr;

use rollcall_sandbox::{Sandbox, SandboxConfig, DEMO_CLIENT_ID, DEMO_CLIENT_SECRET};
use serde_json::Value;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// A token request written by hand, with exactly the headers given: what a browser, a page
/// whose domain was made to resolve to 127.0.0.1, or an HTTP/1.0 client would send.
async fn token_request(address: SocketAddr, headers: &[&str]) -> (u16, Value) {
    let body = "grant_type=client_credentials";
    let basic = base64::Engine::encode(
        &base64::engine::general_purpose::STANDARD,
        format!("{DEMO_CLIENT_ID}:{DEMO_CLIENT_SECRET}"),
    );
    let mut request = String::from("POST /oauth/token HTTP/1.1\r\n");
    for header in headers {
        request.push_str(header);
        request.push_str("\r\n");
    }
    request.push_str(&format!(
        "authorization: Basic {basic}\r\ncontent-type: application/x-www-form-urlencoded\r\n\
         content-length: {}\r\nconnection: close\r\n\r\n{body}",
        body.len()
    ));
    let mut stream = TcpStream::connect(address).await.expect("connects");
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut answer = Vec::new();
    stream.read_to_end(&mut answer).await.unwrap();
    let answer = String::from_utf8_lossy(&answer).into_owned();
    let status = answer
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("an HTTP answer: {answer}"));
    let body = answer.split("\r\n\r\n").nth(1).unwrap_or("");
    (status, serde_json::from_str(body).unwrap_or(Value::Null))
}

fn assert_refused(answer: &(u16, Value), status: u16, code: &str, says: &str) {
    let (got, body) = answer;
    assert_eq!(*got, status, "{body}");
    assert_eq!(body["status"], status, "{body}");
    assert_eq!(body["code"], code, "{body}");
    assert!(
        body["contextId"].as_str().is_some_and(|id| !id.is_empty()),
        "{body}"
    );
    let message = body["message"].as_str().unwrap_or_default();
    assert!(message.contains(says), "{message}");
}

#[tokio::test]
async fn web_pages_and_requests_for_another_host_are_refused_and_get_no_token() {
    let sandbox = support::demo().await;
    let address = sandbox.address();
    let port = address.port();

    // A page on another site (browsers add Origin to every cross-site POST and fetch).
    let from_page = token_request(
        address,
        &[
            &format!("host: 127.0.0.1:{port}"),
            "origin: https://evil.example",
        ],
    )
    .await;
    assert_refused(&from_page, 403, "not.authorized", "web pages");
    // DNS rebinding: the page's own domain, now resolving to 127.0.0.1, in the Host.
    let rebound = token_request(address, &[&format!("host: rebound.example:{port}")]).await;
    assert_refused(&rebound, 400, "bad.request", "\"rebound.example:");
    // Another port of this computer is another host too; and a request naming none.
    let other_port = token_request(
        address,
        &[&format!("host: 127.0.0.1:{}", port.wrapping_add(1))],
    )
    .await;
    assert_refused(&other_port, 400, "bad.request", "addressed to it");
    let nameless = token_request(address, &[]).await;
    assert_refused(&nameless, 400, "bad.request", "no host");
    assert_eq!(sandbox.stats().tokens_issued, 0, "no token for any of them");

    // Its own address, by number or by name, in any case.
    for host in [format!("127.0.0.1:{port}"), format!("LocalHost:{port}")] {
        let (status, body) = token_request(address, &[&format!("host: {host}")]).await;
        assert_eq!(status, 200, "{host}: {body}");
        assert!(body["access_token"].is_string(), "{body}");
    }
    // And a real client, which sends its Host and no Origin, works as ever.
    support::demo_client(&sandbox)
        .authenticate()
        .await
        .expect("reqwest reaches the sandbox");
}

#[tokio::test]
async fn a_sandbox_on_the_ipv6_loopback_answers_to_its_own_address() {
    let sandbox = support::start(SandboxConfig {
        bind: "[::1]:0".parse().unwrap(),
        ..SandboxConfig::default()
    })
    .await;
    let address = sandbox.address();
    let port = address.port();
    for host in [format!("[::1]:{port}"), format!("localhost:{port}")] {
        let (status, body) = token_request(address, &[&format!("host: {host}")]).await;
        assert_eq!(status, 200, "{host}: {body}");
    }
    let by_ipv4 = token_request(address, &[&format!("host: 127.0.0.1:{port}")]).await;
    assert_refused(&by_ipv4, 400, "bad.request", "[::1]");
}

#[tokio::test]
async fn a_damaged_state_file_is_moved_aside_and_a_fresh_org_is_seeded() {
    let scratch = support::Scratch::new("damaged-org");
    for (name, damaged) in [
        (
            "truncated.json",
            "{\"divisions\": [{\"id\": \"d1\", \"na".as_bytes(),
        ),
        ("not-json.json", b"\x00\x01 binary noise".as_slice()),
        (
            "no-division.json",
            b"{\"divisions\": [], \"users\": []}".as_slice(),
        ),
    ] {
        let file = scratch.path().join(name);
        std::fs::write(&file, damaged).unwrap();

        let sandbox = Sandbox::start(SandboxConfig {
            state_file: Some(file.clone()),
            ..SandboxConfig::default()
        })
        .await
        .unwrap_or_else(|e| panic!("{name}: the sandbox did not start: {e}"));

        let notice = sandbox.notice().expect("the user is told").to_owned();
        let aside: Vec<_> = std::fs::read_dir(scratch.path())
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| {
                let stem = name.trim_end_matches(".json");
                p.file_name()
                    .unwrap()
                    .to_string_lossy()
                    .starts_with(&format!("{stem}.damaged-"))
            })
            .collect();
        assert_eq!(aside.len(), 1, "{name}: {aside:?}");
        assert_eq!(
            std::fs::read(&aside[0]).unwrap(),
            damaged,
            "{name}: kept as it was"
        );
        assert!(
            notice.contains(&file.display().to_string())
                && notice.contains(&aside[0].display().to_string())
                && notice.contains("a fresh demo org"),
            "{notice}"
        );
        assert_eq!(sandbox.users().len(), 4, "{name}: the demo org");
        sandbox.save().unwrap();
        let saved: Value = serde_json::from_slice(&std::fs::read(&file).unwrap()).unwrap();
        assert_eq!(saved["users"].as_array().map(Vec::len), Some(4));
    }

    // A good file is read as it is, with nothing to say.
    let good = scratch.path().join("truncated.json");
    let again = Sandbox::start(SandboxConfig {
        state_file: Some(good),
        ..SandboxConfig::default()
    })
    .await
    .unwrap();
    assert_eq!(again.notice(), None);
}
