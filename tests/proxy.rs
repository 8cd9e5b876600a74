//! The sandbox org on this computer is reached directly even when the environment names a
//! proxy: a proxy could not reach it, and must not see its traffic. Its own test binary, since
//! it sets the proxy variables of the whole process.

mod support;

#[tokio::test]
async fn a_proxy_in_the_environment_is_not_used_for_the_sandbox_org() {
    // Port 9 (discard) of this computer: nothing listens there, so a request sent through the
    // proxy fails to connect.
    for name in [
        "HTTP_PROXY",
        "HTTPS_PROXY",
        "ALL_PROXY",
        "http_proxy",
        "all_proxy",
    ] {
        std::env::set_var(name, "http://127.0.0.1:9");
    }
    std::env::remove_var("NO_PROXY");
    std::env::remove_var("no_proxy");
    let sandbox = support::demo().await;
    let divisions = support::demo_client(&sandbox)
        .list_divisions()
        .await
        .expect("the sandbox answers directly");
    assert!(divisions.value.iter().any(|d| d.name == "Home"));
}
