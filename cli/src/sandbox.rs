//! `rollcall sandbox`: serve the sandbox org until Ctrl-C.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use clap::builder::TypedValueParser;
use clap::Args;
use rollcall_core::sandbox::{
    Faults, Latency, RateLimitConfig, Sandbox, SandboxConfig, Seed, SeedUser, DEMO_CLIENT_ID,
    DEMO_CLIENT_SECRET,
};

#[derive(Args, Debug)]
pub struct SandboxArgs {
    /// Port on 127.0.0.1 (0 picks a free one).
    #[arg(long, default_value_t = 0)]
    port: u16,
    /// Print one JSON line {"url", "client_id", "client_secret"} instead of text.
    #[arg(long)]
    json: bool,
    /// Added latency per request, in milliseconds.
    #[arg(long, default_value_t = 0, value_name = "MS")]
    latency_ms: u64,
    /// Latency jitter (±), in milliseconds.
    #[arg(long, default_value_t = 0, value_name = "MS")]
    jitter_ms: u64,
    /// Requests allowed per token per window (Genesys: 300).
    #[arg(long, default_value_t = 300)]
    rate_limit: u32,
    /// Length of the rate-limit window in seconds (Genesys: 60).
    #[arg(long, default_value_t = 60, value_name = "SECONDS")]
    rate_window: u64,
    /// Lifetime of issued tokens in seconds (Genesys: 300 to 172800; default 86399).
    #[arg(long, default_value_t = 86_399, value_name = "SECONDS")]
    token_lifetime: u64,
    /// Share of API requests answered 503 (0.0 to 1.0).
    #[arg(long, default_value_t = 0.0)]
    fail_503: f64,
    /// Share of API requests answered 502 (0.0 to 1.0).
    #[arg(long, default_value_t = 0.0)]
    fail_502: f64,
    /// Share of API requests answered 504 (0.0 to 1.0).
    #[arg(long, default_value_t = 0.0)]
    fail_504: f64,
    /// Share of API requests answered 429 whatever the token's count (limits the headers do
    /// not announce), with a Retry-After of --retry-after seconds.
    #[arg(long, default_value_t = 0.0)]
    fail_429: f64,
    /// Retry-After, in seconds, of the injected 429s.
    #[arg(long, default_value_t = 3, value_name = "SECONDS")]
    retry_after: u64,
    /// Share of successful creates whose connection is dropped after the user was created.
    #[arg(long, default_value_t = 0.0)]
    drop_after_create: f64,
    /// Revoke all tokens once this many API requests were served.
    #[arg(long, value_name = "N")]
    revoke_tokens_after: Option<u64>,
    /// Answer a duplicate e-mail with this status (409 or 400).
    #[arg(long, default_value_t = 409, value_parser = clap::builder::PossibleValuesParser::new(["409", "400"]).map(|s| s.parse::<u16>().unwrap()))]
    duplicate_status: u16,
    /// Answer invalid_client with this status (400 or 401).
    #[arg(long, default_value_t = 400, value_parser = clap::builder::PossibleValuesParser::new(["400", "401"]).map(|s| s.parse::<u16>().unwrap()))]
    invalid_client_status: u16,
    /// Delay before a new user shows up in search, in milliseconds.
    #[arg(long, default_value_t = 0, value_name = "MS")]
    search_lag_ms: u64,
    /// Start with an org holding only a home division (no demo users).
    #[arg(long)]
    empty: bool,
    /// Add this many active users (seed0@example.com, seed1@…), to try Rollcall on a large org.
    #[arg(long, default_value_t = 0, value_name = "N")]
    seed_users: usize,
    /// Keep the org in this JSON file, so it survives a restart.
    #[arg(long, value_name = "FILE")]
    state_file: Option<PathBuf>,
    /// Seed for latency jitter and faults, for repeatable runs.
    #[arg(long)]
    seed: Option<u64>,
}

impl SandboxArgs {
    fn seed_org(&self) -> Seed {
        let mut seed = if self.empty {
            Seed::empty()
        } else {
            Seed::demo()
        };
        seed.users.extend((0..self.seed_users).map(|i| SeedUser {
            name: format!("Seed User {i}"),
            email: format!("seed{i}@example.com"),
            state: rollcall_core::genesys::UserState::Active,
            division: None,
        }));
        seed
    }

    fn config(&self) -> Result<SandboxConfig, String> {
        for (name, share) in [
            ("--fail-503", self.fail_503),
            ("--fail-502", self.fail_502),
            ("--fail-504", self.fail_504),
            ("--fail-429", self.fail_429),
            ("--drop-after-create", self.drop_after_create),
        ] {
            if !(0.0..=1.0).contains(&share) {
                return Err(format!("{name} takes a share from 0.0 to 1.0, not {share}"));
            }
        }
        if self.rate_limit == 0 || self.rate_window == 0 {
            return Err("--rate-limit and --rate-window must be at least 1".to_owned());
        }
        let mut config = SandboxConfig {
            bind: SocketAddr::from(([127, 0, 0, 1], self.port)),
            token_lifetime: Duration::from_secs(self.token_lifetime.max(1)),
            rate_limit: RateLimitConfig {
                requests: self.rate_limit,
                window: Duration::from_secs(self.rate_window),
            },
            latency: Latency {
                base: Duration::from_millis(self.latency_ms),
                jitter: Duration::from_millis(self.jitter_ms),
            },
            faults: Faults {
                bad_gateway: self.fail_502,
                service_unavailable: self.fail_503,
                gateway_timeout: self.fail_504,
                too_many_requests: self.fail_429,
                retry_after_secs: self.retry_after,
                gateway_passes_through: 0.5,
                drop_after_create: self.drop_after_create,
                revoke_tokens_after: self.revoke_tokens_after,
                ..Faults::default()
            },
            seed: self.seed_org(),
            state_file: self.state_file.clone(),
            rng_seed: self.seed,
            ..SandboxConfig::default()
        };
        config.variants.duplicate_email_status = self.duplicate_status;
        config.variants.invalid_client_status = self.invalid_client_status;
        config.variants.search_lag = Duration::from_millis(self.search_lag_ms);
        Ok(config)
    }
}

pub async fn run(args: SandboxArgs) -> ExitCode {
    let config = match args.config() {
        Ok(config) => config,
        Err(message) => {
            eprintln!("rollcall sandbox: {message}");
            return ExitCode::from(crate::exit::USAGE);
        }
    };
    let sandbox = match Sandbox::start(config).await {
        Ok(sandbox) => sandbox,
        Err(e) => {
            eprintln!("rollcall sandbox: cannot start: {e}");
            return ExitCode::from(crate::exit::USAGE);
        }
    };
    if args.json {
        println!(
            "{}",
            serde_json::json!({
                "url": sandbox.url(),
                "client_id": DEMO_CLIENT_ID,
                "client_secret": DEMO_CLIENT_SECRET,
            })
        );
    } else {
        println!("Rollcall sandbox org — a local simulation of Genesys Cloud, no account needed.");
        println!();
        println!("  API URL        {}", sandbox.url());
        println!("  Login URL      {}/oauth/token", sandbox.url());
        println!("  Client id      {DEMO_CLIENT_ID}");
        println!("  Client secret  {DEMO_CLIENT_SECRET}   (public demo credentials)");
        println!(
            "  Rate limit     {} requests per token per {} s",
            args.rate_limit, args.rate_window
        );
        if let Some(file) = sandbox.state_file() {
            println!("  Org kept in    {}", file.display());
        }
        println!();
        println!("Divisions: {}", names(&sandbox));
        println!("Press Ctrl-C to stop.");
    }
    let _ = tokio::signal::ctrl_c().await;
    let stats = sandbox.stats();
    sandbox.shutdown().await;
    if !args.json {
        eprintln!(
            "Stopped. Served {} API requests, created {} users, answered {} with 429.",
            stats.requests, stats.users_created, stats.rate_limited
        );
    }
    ExitCode::SUCCESS
}

fn names(sandbox: &Sandbox) -> String {
    sandbox
        .divisions()
        .iter()
        .map(|d| d.name.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}
