//! Saved profiles and the sandbox org: where a profile's secret may go, and how the built-in
//! Sandbox profile logs in to the sandbox this launch started.

mod support;

use std::path::Path;

use rollcall_core::genesys::{ClientConfig, Credentials, Endpoint, GenesysClient};
use rollcall_core::profiles::{Profile, ProfileError, Profiles, Target, DEMO_CLIENT_ID};
use rollcall_core::secrets::{KeychainEntry, MemoryStore, Secret, SecretBinding, SecretStore};
use rollcall_sandbox::{start_for_profile, Sandbox, SandboxConfig, DEMO_CLIENT_SECRET};
use serde::{Deserialize, Serialize};
use support::Scratch;

/// The profiles file, as the tests edit it behind the app's back.
#[derive(Serialize, Deserialize)]
struct ProfilesFile {
    profiles: Vec<Profile>,
}

/// Change a saved profile in the profiles file, as any program of the user's could.
fn edit_profile(dir: &Path, name: &str, edit: impl FnOnce(&mut Profile)) {
    let path = dir.join("profiles.json");
    let mut file: ProfilesFile = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
    edit(file.profiles.iter_mut().find(|p| p.name == name).unwrap());
    std::fs::write(&path, serde_json::to_vec(&file).unwrap()).unwrap();
}

#[test]
fn a_saved_secret_is_refused_when_the_profile_now_points_elsewhere() {
    let scratch = Scratch::new("profiles");
    let dir = scratch.path();
    let secrets = MemoryStore::default();
    let profiles = Profiles::new(&dir, &secrets);
    let profile = Profile {
        name: "Prod EU".into(),
        target: Target::Region {
            key: "eu-west-1".into(),
        },
        client_id: "abc-123".into(),
        rate_per_minute: None,
    };
    profiles
        .save(&profile, &Secret::new("prod-secret"))
        .unwrap();
    let client = profiles.get("Prod EU").unwrap();
    client
        .client(&secrets, None, ClientConfig::default())
        .expect("the profile as it was saved");

    edit_profile(&dir, "Prod EU", |p| {
        p.target = Target::Custom {
            api_url: "https://genesys-proxy.example.com".into(),
        }
    });
    let moved = profiles.get("Prod EU").unwrap();
    let refused = moved
        .client(&secrets, None, ClientConfig::default())
        .expect_err("the secret is not sent to another address");
    assert_eq!(
        refused.to_string(),
        "The saved secret of the profile \"Prod EU\" belongs to client abc-123 at \
         https://api.mypurecloud.ie, but the profile now points to client abc-123 at \
         https://genesys-proxy.example.com, so Rollcall did not send it. If that is where it \
         should go, enter the secret again for client abc-123 at \
         https://genesys-proxy.example.com."
    );
    let ProfileError::SecretBoundElsewhere(mismatch) = refused else {
        panic!("{refused:?}")
    };
    assert_eq!(
        mismatch.profile, moved,
        "the profile as the file has it now"
    );

    edit_profile(&dir, "Prod EU", |p| {
        p.target = profile.target.clone();
        p.client_id = "another-client".into();
    });
    let refused = profiles
        .get("Prod EU")
        .unwrap()
        .client(&secrets, None, ClientConfig::default())
        .expect_err("nor for another client");
    assert!(
        refused
            .to_string()
            .contains("now points to client another-client at https://api.mypurecloud.ie"),
        "{refused}"
    );

    // Entering the secret again for the profile as it is now binds it there.
    profiles
        .save(
            &profiles.get("Prod EU").unwrap(),
            &Secret::new("other-secret"),
        )
        .unwrap();
    profiles
        .get("Prod EU")
        .unwrap()
        .client(&secrets, None, ClientConfig::default())
        .expect("the secret entered again");
}

#[tokio::test]
async fn a_secret_saved_before_entries_were_bound_is_bound_where_it_first_buys_a_token() {
    let org = Sandbox::start(SandboxConfig::default()).await.unwrap();
    let elsewhere = Sandbox::start(SandboxConfig::default()).await.unwrap();
    let scratch = Scratch::new("profiles");
    let dir = scratch.path();
    std::fs::write(
        dir.join("profiles.json"),
        serde_json::to_vec(&serde_json::json!({"profiles": [
            {"name": "Old", "target": {"kind": "custom", "api_url": org.url()},
             "clientId": DEMO_CLIENT_ID},
            {"name": "Mistyped", "target": {"kind": "custom", "api_url": org.url()},
             "clientId": DEMO_CLIENT_ID},
        ]}))
        .unwrap(),
    )
    .unwrap();
    let secrets = MemoryStore::default();
    let bare = |account: &str| {
        KeychainEntry::decode(secrets.get(account).unwrap().unwrap())
            .unwrap()
            .binding
    };
    secrets
        .set("profile:Old", &Secret::new(DEMO_CLIENT_SECRET))
        .unwrap();
    secrets
        .set("profile:Mistyped", &Secret::new("not-the-secret"))
        .unwrap();
    let profiles = Profiles::new(&dir, &secrets);

    let client = profiles
        .get("Old")
        .unwrap()
        .client(&secrets, None, ClientConfig::default())
        .expect("a bare secret is used as before");
    assert_eq!(bare("profile:Old"), None, "not bound before it has worked");
    client.authenticate().await.expect("the org takes it");
    let bound = KeychainEntry::decode(secrets.get("profile:Old").unwrap().unwrap()).unwrap();
    assert_eq!(bound.secret.expose(), DEMO_CLIENT_SECRET);
    assert_eq!(
        bound.binding,
        Some(SecretBinding {
            endpoint: org.url().to_owned(),
            client_id: DEMO_CLIENT_ID.to_owned(),
        }),
        "bound to the org that gave it a token"
    );

    let mistyped = profiles
        .get("Mistyped")
        .unwrap()
        .client(&secrets, None, ClientConfig::default())
        .unwrap();
    mistyped
        .authenticate()
        .await
        .expect_err("the org refuses it");
    assert_eq!(
        bare("profile:Mistyped"),
        None,
        "a secret that bought no token is not bound"
    );

    edit_profile(&dir, "Old", |p| {
        p.target = Target::Custom {
            api_url: elsewhere.url().to_owned(),
        }
    });
    let refused = profiles
        .get("Old")
        .unwrap()
        .client(&secrets, None, ClientConfig::default())
        .expect_err("once bound, it goes nowhere else");
    assert!(
        matches!(refused, ProfileError::SecretBoundElsewhere(_)),
        "{refused}"
    );
    assert_eq!(elsewhere.stats().tokens_issued, 0, "nothing was sent there");
}

#[tokio::test]
async fn the_sandbox_profile_logs_in_with_this_launchs_secret_and_the_public_one_is_refused() {
    let (sandbox, access) = start_for_profile(SandboxConfig::default()).await.unwrap();
    let (_next, next_launch) = start_for_profile(SandboxConfig::default()).await.unwrap();
    assert_ne!(
        access.client_secret.expose(),
        next_launch.client_secret.expose(),
        "every launch makes its own secret"
    );
    assert_eq!(access.url, sandbox.url());

    let client = Profile::sandbox()
        .client(
            &MemoryStore::default(),
            Some(&access),
            ClientConfig::default(),
        )
        .unwrap();
    client
        .authenticate()
        .await
        .expect("the Sandbox profile logs in to the sandbox it started");
    assert!(
        client.endpoint().describe().contains(sandbox.url()),
        "{}",
        client.endpoint().describe()
    );

    let public = GenesysClient::new(
        Endpoint::custom(sandbox.url()).unwrap(),
        Credentials::new(DEMO_CLIENT_ID, DEMO_CLIENT_SECRET),
        ClientConfig::default(),
    )
    .unwrap();
    let refused = public.authenticate().await.unwrap_err();
    assert!(
        refused.to_string().contains("wrong client id/secret"),
        "the published demo secret does not open the app's sandbox org: {refused}"
    );
}
