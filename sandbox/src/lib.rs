//! The sandbox org: a local, faithful simulation of the Genesys Cloud API.
//!
//! It speaks the same wire protocol as Genesys Cloud for every call Rollcall makes — OAuth
//! client credentials, users, search, divisions and division moves, invitations, passwords,
//! roles and grants, queues and their members, routing skills, locations, the org's limits —
//! with Genesys's error bodies, correlation ids, per-token rate limits (a sliding window, no
//! rate-limit headers, the normalized 429 and `Retry-After`), plus configurable latency and
//! faults (5xx, connections dropped after a create, revoked tokens, stale versions, a lagging
//! authorization service, refused passwords, a throttled token endpoint). The app and the CLI start
//! it so anyone can try Rollcall with no Genesys account, and the tests run against it.
//!
//! A request enters at `gateway` (host guard, latency, token, rate limit, faults), which hands
//! `/oauth/token` to `oauth` and API calls to `routes` (permissions, body); the route's answer is
//! built by the room of what it serves: `users`, `patch`, `lists` or `steps`, on the `org`
//! state, with the replies of `http`.

mod config;
mod day_one;
mod external_ids;
mod gateway;
mod groups;
mod http;
mod languages;
mod lists;
mod oauth;
mod org;
mod patch;
mod phones;
mod roster;
mod routes;
mod shared;
mod stats;
mod steps;
mod users;

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use hyper_util::rt::TokioIo;
use rand::distr::{Alphanumeric, SampleString};
use rand::SeedableRng;
use rollcall_core::profiles::SandboxAccess;
use rollcall_core::secrets::Secret;
use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio::task::JoinSet;

pub use config::{
    Faults, Latency, RateLimitConfig, SandboxClient, SandboxConfig, Seed, SeedExternalId,
    SeedPhoneBase, SeedQueue, SeedRole, SeedSite, SeedUser, Variants, DEMO_CLIENT_SECRET,
};
pub use day_one::{
    OrgDayOne, SandboxGroup, SandboxLanguage, SandboxPhone, SandboxPhoneBase, SandboxSite,
    SandboxUserLanguage, UserDayOne,
};
pub use org::{
    SandboxDivision, SandboxGrant, SandboxLocation, SandboxQueue, SandboxRole, SandboxSkill,
    SandboxUser, SandboxUserSkill,
};
pub use stats::SandboxStats;

/// The demo client's id: the core knows it too, as the built-in Sandbox profile's client.
pub use rollcall_core::profiles::DEMO_CLIENT_ID;

use org::Org;
use shared::{Knobs, Shared};

/// How often a changed org is written to its state file.
const SAVE_EVERY: Duration = Duration::from_millis(250);

/// A running sandbox org. Dropping it stops the server (and saves the org, when it has a file).
pub struct Sandbox {
    url: String,
    /// What the user should know about how it started (a damaged state file moved aside).
    notice: Option<String>,
    shared: Arc<Shared>,
    stop: watch::Sender<bool>,
    server: Option<tokio::task::JoinHandle<()>>,
}

impl std::fmt::Debug for Sandbox {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Sandbox").field("url", &self.url).finish()
    }
}

impl Sandbox {
    /// Start a sandbox on `config.bind` (a free loopback port by default). A state file that
    /// cannot be read as an org is moved aside and a fresh org seeded (see [`Sandbox::notice`]);
    /// it does not stop the sandbox, nor the app that needs it, from starting.
    pub async fn start(config: SandboxConfig) -> std::io::Result<Sandbox> {
        if !config.bind.ip().is_loopback() {
            return Err(std::io::Error::new(
                std::io::ErrorKind::InvalidInput,
                "the sandbox org only listens on a loopback address (127.0.0.1 or ::1)",
            ));
        }
        let fresh = || {
            let mut org = Org::from_seed(&config.seed);
            org.dirty = true;
            org
        };
        let mut notice = None;
        let org = match &config.state_file {
            Some(path) => match Org::load(path) {
                Ok(Some(mut org)) => {
                    org.add_day_one_from(&config.seed);
                    org
                }
                Ok(None) => fresh(),
                Err(damage) if damage.kind() == std::io::ErrorKind::InvalidData => {
                    notice = Some(set_aside(path, &damage)?);
                    fresh()
                }
                Err(e) => return Err(e),
            },
            None => Org::from_seed(&config.seed),
        };
        let listener = TcpListener::bind(config.bind).await?;
        let address = listener.local_addr()?;
        let rng = match config.rng_seed {
            Some(seed) => rand::rngs::StdRng::seed_from_u64(seed),
            None => rand::rngs::StdRng::from_os_rng(),
        };
        let shared = Arc::new(Shared {
            knobs: Mutex::new(Knobs {
                latency: config.latency,
                faults: config.faults.clone(),
            }),
            config,
            address,
            org: Mutex::new(org),
            rng: Mutex::new(rng),
        });
        let (stop, stopped) = watch::channel(false);
        let server = tokio::spawn(serve(listener, shared.clone(), stopped));
        Ok(Sandbox {
            url: format!("http://{address}"),
            notice,
            shared,
            stop,
            server: Some(server),
        })
    }

    /// The API base URL (`http://127.0.0.1:PORT`); the login host is the same.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// What the user should be told about how the sandbox started: its state file was damaged
    /// and moved aside (where to, and why), and a fresh org was seeded.
    pub fn notice(&self) -> Option<&str> {
        self.notice.as_deref()
    }

    /// The address it listens on.
    pub fn address(&self) -> SocketAddr {
        self.url
            .trim_start_matches("http://")
            .parse()
            .expect("own address")
    }

    /// Every user of the org, deleted ones included, in creation order.
    pub fn users(&self) -> Vec<SandboxUser> {
        self.shared.org.lock().expect("org").users.clone()
    }

    /// The org's divisions; the home division is marked.
    pub fn divisions(&self) -> Vec<SandboxDivision> {
        self.shared.org.lock().expect("org").divisions.clone()
    }

    /// The org's roles.
    pub fn roles(&self) -> Vec<SandboxRole> {
        self.shared.org.lock().expect("org").roles.clone()
    }

    /// The org's queues, with their members.
    pub fn queues(&self) -> Vec<SandboxQueue> {
        self.shared.org.lock().expect("org").queues.clone()
    }

    /// The org's routing skills.
    pub fn skills(&self) -> Vec<SandboxSkill> {
        self.shared.org.lock().expect("org").skills.clone()
    }

    /// The org's locations.
    pub fn locations(&self) -> Vec<SandboxLocation> {
        self.shared.org.lock().expect("org").locations.clone()
    }

    /// The org's routing languages, groups (with their members), sites, phone base settings
    /// and phones.
    pub fn day_one(&self) -> OrgDayOne {
        self.shared.org.lock().expect("org").day_one.clone()
    }

    /// Counters of what the sandbox served.
    pub fn stats(&self) -> SandboxStats {
        self.shared.org.lock().expect("org").stats
    }

    /// Revoke every token issued so far (as an admin deleting the OAuth client's tokens would).
    pub fn revoke_tokens(&self) {
        for info in self.shared.org.lock().expect("org").tokens.values_mut() {
            info.revoked = true;
        }
    }

    /// Change the injected faults while running.
    pub fn set_faults(&self, faults: Faults) {
        self.shared.knobs.lock().expect("knobs").faults = faults;
    }

    /// Move the sandbox's clock forward, as if this much time had passed: rate windows, token
    /// lifetimes and search lag all see it, so a test of them waits for nothing.
    pub fn advance_clock(&self, by: Duration) {
        self.shared.org.lock().expect("org").clock_offset += by;
    }

    /// Change the latency while running.
    pub fn set_latency(&self, latency: Latency) {
        self.shared.knobs.lock().expect("knobs").latency = latency;
    }

    /// Empty the org back to its seed (the app's "Reset sandbox").
    pub fn reset(&self) -> std::io::Result<()> {
        let mut org = self.shared.org.lock().expect("org");
        let fresh = Org::from_seed(&self.shared.config.seed);
        org.divisions = fresh.divisions;
        org.roles = fresh.roles;
        org.queues = fresh.queues;
        org.skills = fresh.skills;
        org.locations = fresh.locations;
        org.day_one = fresh.day_one;
        org.users = fresh.users;
        org.by_id = fresh.by_id;
        org.by_email = fresh.by_email;
        org.dirty = true;
        drop(org);
        self.save()
    }

    /// Write the org to its state file now (it is also saved shortly after every change).
    pub fn save(&self) -> std::io::Result<()> {
        save(&self.shared)
    }

    /// The state file, when the org has one.
    pub fn state_file(&self) -> Option<PathBuf> {
        self.shared.config.state_file.clone()
    }

    /// Stop serving and save the org.
    pub async fn shutdown(mut self) {
        let _ = self.stop.send(true);
        if let Some(server) = self.server.take() {
            let _ = server.await;
        }
        let _ = save(&self.shared);
    }
}

impl Drop for Sandbox {
    fn drop(&mut self) {
        let _ = self.stop.send(true);
        if let Some(server) = self.server.take() {
            server.abort();
        }
        let _ = save(&self.shared);
    }
}

/// Start the sandbox org behind the built-in Sandbox profile: `config` with its clients replaced
/// by one with every permission and a random secret made for this launch, and the
/// [`SandboxAccess`] the profile logs in with.
pub async fn start_for_profile(config: SandboxConfig) -> std::io::Result<(Sandbox, SandboxAccess)> {
    let client = SandboxClient {
        client_secret: Secret::new(Alphanumeric.sample_string(&mut rand::rng(), 40)),
        ..SandboxClient::demo()
    };
    let sandbox = Sandbox::start(SandboxConfig {
        // The sandbox org checks logins against its copy; the access sends its own.
        clients: vec![client.clone()],
        ..config
    })
    .await?;
    let access = SandboxAccess {
        url: sandbox.url().to_owned(),
        client_id: client.client_id,
        client_secret: client.client_secret,
    };
    Ok((sandbox, access))
}

async fn serve(listener: TcpListener, shared: Arc<Shared>, mut stopped: watch::Receiver<bool>) {
    let mut connections = JoinSet::new();
    let mut save_tick = tokio::time::interval(SAVE_EVERY);
    loop {
        tokio::select! {
            _ = stopped.changed() => break,
            _ = save_tick.tick() => {
                let _ = save(&shared);
            }
            accepted = listener.accept() => {
                let Ok((stream, _)) = accepted else { continue };
                let _ = stream.set_nodelay(true);
                let shared = shared.clone();
                connections.spawn(async move {
                    let service = hyper::service::service_fn(move |request| {
                        gateway::handle(shared.clone(), request)
                    });
                    let _ = hyper::server::conn::http1::Builder::new()
                        .keep_alive(true)
                        .serve_connection(TokioIo::new(stream), service)
                        .await;
                });
            }
            Some(_) = connections.join_next(), if !connections.is_empty() => {}
        }
    }
    connections.abort_all();
}

/// Move a damaged state file out of the way, beside it under a name of its own (kept for a
/// look, never overwritten), and say so.
fn set_aside(path: &Path, damage: &std::io::Error) -> std::io::Result<String> {
    let stem = path
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "sandbox-org".to_owned());
    let suffix = uuid::Uuid::new_v4().simple().to_string();
    let aside = path.with_file_name(format!(
        "{stem}.damaged-{}-{}.json",
        rollcall_core::run::journal::unix_now(),
        &suffix[..6]
    ));
    std::fs::rename(path, &aside)?;
    tracing::warn!(file = %path.display(), aside = %aside.display(), "sandbox org file damaged: {damage}");
    Ok(format!(
        "The sandbox org's file {} was damaged ({damage}). It was moved to {}, and a fresh demo \
         org was started in its place.",
        path.display(),
        aside.display()
    ))
}

/// Write the org to its file when it changed (atomically, through a uniquely named temporary
/// file: the app and the CLI may each run a sandbox on the same file).
fn save(shared: &Shared) -> std::io::Result<()> {
    let Some(path) = &shared.config.state_file else {
        return Ok(());
    };
    let bytes = {
        let mut org = shared.org.lock().expect("org");
        if !org.dirty {
            return Ok(());
        }
        org.dirty = false;
        org.snapshot()
    };
    rollcall_core::paths::write_private(path, &bytes)
}
