//! `rollcall sandbox`: serve the sandbox org until Ctrl-C.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use clap::builder::TypedValueParser;
use clap::Args;
use rollcall_core::genesys::WEBRTC_META_BASE;
use rollcall_sandbox::{
    Faults, Latency, RateLimitConfig, Sandbox, SandboxConfig, Seed, DEMO_CLIENT_ID,
    DEMO_CLIENT_SECRET,
};

use crate::error::CliError;

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
    /// Share of API requests answered 429 whatever the token's count (org-wide limits, other
    /// integrations), with a Retry-After of --retry-after seconds.
    #[arg(long, default_value_t = 0.0)]
    fail_429: f64,
    /// Retry-After, in seconds, of the injected 429s.
    #[arg(long, default_value_t = 3, value_name = "SECONDS")]
    retry_after: u64,
    /// Share of successful creates whose connection is dropped after the user was created.
    #[arg(long, default_value_t = 0.0)]
    drop_after_create: f64,
    /// Share of successful phone creates whose connection is dropped after the phone was made.
    #[arg(long, default_value_t = 0.0)]
    drop_after_phone_create: f64,
    /// The first N default-station assignments of each user answer 400, as while new roles
    /// reach Genesys's telephony service.
    #[arg(long, default_value_t = 0, value_name = "N")]
    default_station_refused_first: u32,
    /// The read of a user's stations on which a new WebRTC phone's station first shows.
    #[arg(long, default_value_t = 2, value_name = "K", value_parser = clap::value_parser!(u32).range(1..))]
    station_visible_on_read: u32,
    /// Take POST /api/v2/groups/{id}/members without the group's version (by default: 400).
    #[arg(long)]
    group_version_optional: bool,
    /// Take adding a group's member again quietly (by default: 400).
    #[arg(long)]
    group_readd_harmless: bool,
    /// Answer POST /api/v2/users/{id}/externalid with the one new id, not the list.
    #[arg(long)]
    external_id_answer_object: bool,
    /// Answer a look-up by an external id nobody has with this status: 404, 200 `{}` or 204.
    #[arg(long, default_value_t = 404, value_parser = clap::builder::PossibleValuesParser::new(["404", "200", "204"]).map(|s| s.parse::<u16>().unwrap()))]
    external_id_miss_status: u16,
    /// Send a user's employerInfo without expand=employerInfo.
    #[arg(long)]
    employer_info_without_expand: bool,
    /// Keep the employer info fields a PATCH leaves out (by default the object replaces them).
    #[arg(long)]
    employer_info_merges: bool,
    /// Let PATCH /api/v2/users/bulk update the known users of a list naming an unknown one
    /// (by default the whole call is refused).
    #[arg(long)]
    bulk_patch_partial: bool,
    /// How many WebRTC phone base settings the org has: 0, 1 (the demo's) or 2, to try the
    /// plan's "none" and "several" errors.
    #[arg(long, default_value_t = 1, value_name = "N", value_parser = clap::value_parser!(u8).range(0..=2))]
    webrtc_phone_settings: u8,
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
    /// Answer a PATCH with a stale version with this status: 409, or 400 "does not match the
    /// current version".
    #[arg(long, default_value_t = 409, value_parser = clap::builder::PossibleValuesParser::new(["409", "400"]).map(|s| s.parse::<u16>().unwrap()))]
    stale_version_status: u16,
    /// The first N PATCHes of each user (profile, and routing skills, each counted) meet a
    /// stale version, as if another admin had just edited the user.
    #[arg(long, default_value_t = 0, value_name = "N")]
    stale_version_first: u32,
    /// The first N role grants (bulkadd) for each user answer 404, as for a user Genesys's
    /// authorization service has not seen yet.
    #[arg(long, default_value_t = 0, value_name = "N")]
    bulkadd_not_found_first: u32,
    /// Refuse every password set with POST /api/v2/users/{id}/password.
    #[arg(long)]
    refuse_passwords: bool,
    /// The first N token requests answer 400 invalid_request "rate limit exceeded".
    #[arg(long, default_value_t = 0, value_name = "N")]
    token_throttled_first: u32,
    /// Let clients read the org's limits (GET /api/v2/organizations/limits/namespaces/
    /// platform.api answers --rate-limit per minute); by default it answers 403.
    #[arg(long)]
    org_limits_readable: bool,
    /// Start with an org holding only a home division (no demo users).
    #[arg(long)]
    empty: bool,
    /// Add this many active users (Person 0, person0@example.com, …) to try Rollcall on a large
    /// org; past 10,000, listing users stops and Rollcall must search.
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
        let seed = if self.empty {
            Seed::empty()
        } else {
            Seed::demo()
        };
        let seed = match self.webrtc_phone_settings {
            0 => {
                let mut seed = seed;
                seed.phone_base_settings
                    .retain(|settings| settings.meta_base != WEBRTC_META_BASE);
                seed
            }
            2 => seed.with_phone_base_settings("WebRTC Phones (backup)", WEBRTC_META_BASE),
            _ => seed,
        };
        seed.with_numbered_users(self.seed_users, "example.com")
    }

    fn config(&self) -> Result<SandboxConfig, String> {
        for (name, share) in [
            ("--fail-503", self.fail_503),
            ("--fail-502", self.fail_502),
            ("--fail-504", self.fail_504),
            ("--fail-429", self.fail_429),
            ("--drop-after-create", self.drop_after_create),
            ("--drop-after-phone-create", self.drop_after_phone_create),
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
                drop_after_phone_create: self.drop_after_phone_create,
                default_station_refused_first: self.default_station_refused_first,
                revoke_tokens_after: self.revoke_tokens_after,
                bulkadd_not_found_first: self.bulkadd_not_found_first,
                stale_version_first: self.stale_version_first,
                refuse_passwords: self.refuse_passwords,
                token_throttled_first: self.token_throttled_first,
            },
            seed: self.seed_org(),
            state_file: self.state_file.clone(),
            rng_seed: self.seed,
            ..SandboxConfig::default()
        };
        config.variants.duplicate_email_status = self.duplicate_status;
        config.variants.invalid_client_status = self.invalid_client_status;
        config.variants.search_lag = Duration::from_millis(self.search_lag_ms);
        config.variants.stale_version_status = self.stale_version_status;
        config.variants.org_limits_readable = self.org_limits_readable;
        config.variants.station_visible_on_read = self.station_visible_on_read;
        config.variants.group_version_optional = self.group_version_optional;
        config.variants.group_readd_harmless = self.group_readd_harmless;
        config.variants.external_id_answer_object = self.external_id_answer_object;
        config.variants.external_id_miss_status = self.external_id_miss_status;
        config.variants.employer_info_without_expand = self.employer_info_without_expand;
        config.variants.employer_info_merges = self.employer_info_merges;
        config.variants.bulk_patch_partial = self.bulk_patch_partial;
        Ok(config)
    }
}

pub async fn run(args: SandboxArgs) -> Result<(), CliError> {
    let config = args.config().map_err(CliError::usage)?;
    let sandbox = Sandbox::start(config)
        .await
        .map_err(|e| CliError::usage(format!("cannot start the sandbox org: {e}")))?;
    if let Some(notice) = sandbox.notice() {
        eprintln!("rollcall sandbox: {notice}");
    }
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
    Ok(())
}

fn names(sandbox: &Sandbox) -> String {
    sandbox
        .divisions()
        .iter()
        .map(|d| d.name.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    #[derive(Parser)]
    struct Command {
        #[command(flatten)]
        sandbox: SandboxArgs,
    }

    fn config(args: &[&str]) -> SandboxConfig {
        let command =
            Command::try_parse_from(std::iter::once("sandbox").chain(args.iter().copied()))
                .expect("flags parse");
        command.sandbox.config().expect("a valid configuration")
    }

    #[test]
    fn the_variant_and_fault_flags_reach_the_sandbox() {
        let config = config(&[
            "--rate-limit",
            "200",
            "--stale-version-status",
            "400",
            "--stale-version-first",
            "2",
            "--bulkadd-not-found-first",
            "3",
            "--refuse-passwords",
            "--token-throttled-first",
            "4",
            "--org-limits-readable",
            "--seed-users",
            "12000",
        ]);
        assert_eq!(config.rate_limit.requests, 200);
        assert_eq!(config.variants.stale_version_status, 400);
        assert!(config.variants.org_limits_readable);
        assert_eq!(config.faults.stale_version_first, 2);
        assert_eq!(config.faults.bulkadd_not_found_first, 3);
        assert!(config.faults.refuse_passwords);
        assert_eq!(config.faults.token_throttled_first, 4);
        assert_eq!(config.seed.users.len(), Seed::demo().users.len() + 12_000);
    }

    #[test]
    fn the_day_one_flags_reach_the_sandbox() {
        let config = config(&[
            "--drop-after-phone-create",
            "1",
            "--station-visible-on-read",
            "4",
            "--group-version-optional",
            "--group-readd-harmless",
            "--external-id-answer-object",
            "--external-id-miss-status",
            "204",
            "--employer-info-without-expand",
            "--employer-info-merges",
            "--bulk-patch-partial",
            "--webrtc-phone-settings",
            "2",
            "--default-station-refused-first",
            "3",
        ]);
        assert_eq!(config.faults.default_station_refused_first, 3);
        assert_eq!(config.faults.drop_after_phone_create, 1.0);
        let variants = config.variants;
        assert_eq!(variants.station_visible_on_read, 4);
        assert!(variants.group_version_optional && variants.group_readd_harmless);
        assert!(variants.external_id_answer_object);
        assert_eq!(variants.external_id_miss_status, 204);
        assert!(variants.employer_info_without_expand && variants.employer_info_merges);
        assert!(variants.bulk_patch_partial);
        let webrtc = |config: &SandboxConfig| {
            (config.seed.phone_base_settings.iter())
                .filter(|s| s.meta_base == WEBRTC_META_BASE)
                .count()
        };
        assert_eq!(webrtc(&config), 2);
        assert_eq!(webrtc(&self::config(&["--webrtc-phone-settings", "0"])), 0);
        let stations_at_once =
            Command::try_parse_from(["sandbox", "--station-visible-on-read", "0"]);
        assert!(stations_at_once.is_err(), "the first read is read 1");
    }

    #[test]
    fn by_default_the_sandbox_plays_genesys_as_it_is() {
        let config = config(&[]);
        assert_eq!(config.variants.stale_version_status, 409);
        assert!(!config.variants.org_limits_readable);
        assert_eq!(config.faults.stale_version_first, 0);
        assert_eq!(config.faults.bulkadd_not_found_first, 0);
        assert!(!config.faults.refuse_passwords);
        assert_eq!(config.faults.token_throttled_first, 0);
        assert_eq!(config.faults.drop_after_phone_create, 0.0);
        assert_eq!(config.variants, rollcall_sandbox::Variants::default());
        assert_eq!(
            config.seed.phone_base_settings,
            Seed::demo().phone_base_settings
        );
    }

    #[test]
    fn a_stale_version_status_other_than_409_or_400_is_refused() {
        let parsed = Command::try_parse_from(["sandbox", "--stale-version-status", "412"]);
        assert!(parsed.is_err());
    }
}
