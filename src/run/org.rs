//! Which org a run belongs to, and whether a resume may write there.
//!
//! A run is journaled with the org it started in: the endpoint (a region, an API base URL, or
//! Rollcall's built-in sandbox org) and the OAuth client. A resume sends the rows left to the
//! org its settings point at now — a profile, `GENESYS_*`, `--api-url`, `--region` — so before
//! anything is sent, [`resume_org`] compares the two: the rest of a file never lands in another
//! org because a profile was edited or a variable points elsewhere.

use super::RunRecord;
use crate::genesys::{Endpoint, GenesysClient, Region, REGIONS};
use crate::profiles::{DEMO_CLIENT_ID, SANDBOX_PROFILE};

/// How the journal names Rollcall's built-in sandbox org. Its address and secret change at
/// every launch, so a run on it is recorded by this mark, and resumes on the sandbox wherever
/// it listens now.
pub const BUILT_IN_SANDBOX: &str = "rollcall:built-in-sandbox";

/// The org a run writes to: where, with which OAuth client, and from which profile.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RunOrg {
    /// A region as [`Endpoint::describe`] names it, an API base URL, or [`BUILT_IN_SANDBOX`].
    pub endpoint: String,
    pub client_id: String,
    pub profile: Option<String>,
}

impl RunOrg {
    /// The org `client` writes to, made from `profile` (none for the `GENESYS_*` settings).
    /// The built-in Sandbox profile's org is [`BUILT_IN_SANDBOX`], not its address of the day.
    pub fn of(client: &GenesysClient, profile: Option<&str>) -> RunOrg {
        let endpoint = if profile == Some(SANDBOX_PROFILE) {
            BUILT_IN_SANDBOX.to_owned()
        } else {
            client.endpoint().describe()
        };
        RunOrg {
            endpoint,
            client_id: client.client_id().to_owned(),
            profile: profile.map(str::to_owned),
        }
    }

    /// The org a run was started in, as its journal has it.
    pub fn of_run(record: &RunRecord) -> RunOrg {
        RunOrg {
            endpoint: record.endpoint.clone(),
            client_id: record.client_id.clone(),
            profile: record.profile.clone(),
        }
    }

    /// Whether the journal says where the run writes (runs journaled without it do not).
    fn is_recorded(&self) -> bool {
        !self.endpoint.trim().is_empty() && !self.client_id.trim().is_empty()
    }

    /// Whether this is the built-in sandbox org: so marked, or — a run journaled before the
    /// mark — the Sandbox profile's client at a loopback address (only loopback may use http).
    fn is_built_in_sandbox(&self) -> bool {
        self.endpoint == BUILT_IN_SANDBOX
            || (self.profile.as_deref() == Some(SANDBOX_PROFILE)
                && self.client_id == DEMO_CLIENT_ID
                && api_base(&self.endpoint).is_some_and(|base| base.starts_with("http://")))
    }

    /// Whether `other` is the same org, reached the same way.
    fn is(&self, other: &RunOrg) -> bool {
        let same_client = self
            .client_id
            .trim()
            .eq_ignore_ascii_case(other.client_id.trim());
        let same_place = if self.is_built_in_sandbox() || other.is_built_in_sandbox() {
            self.is_built_in_sandbox() && other.is_built_in_sandbox()
        } else {
            // A region and its API URL are one place.
            self.endpoint.trim() == other.endpoint.trim()
                || api_base(&self.endpoint).is_some_and(|a| Some(a) == api_base(&other.endpoint))
        };
        same_client && same_place
    }

    /// How a message names it: `EMEA (Dublin) (eu-west-1) with the OAuth client 7c1c… (profile
    /// "Prod EU")`.
    pub fn describe(&self) -> String {
        let place = if self.is_built_in_sandbox() {
            "Rollcall's built-in sandbox org".to_owned()
        } else {
            self.endpoint.clone()
        };
        let profile = self
            .profile
            .as_deref()
            .map(|p| format!(" (profile \"{p}\")"))
            .unwrap_or_default();
        format!("{place} with the OAuth client {}{profile}", self.client_id)
    }
}

/// The API base an endpoint as journaled stands for: a region's, or the URL's.
fn api_base(endpoint: &str) -> Option<String> {
    let endpoint = endpoint.trim();
    REGIONS
        .iter()
        .map(Region::endpoint)
        .find(|e| e.describe() == endpoint)
        .or_else(|| Endpoint::custom(endpoint).ok())
        .map(|e| e.api_base())
}

/// A resume that would write to another org than the run's own. Nothing was sent.
#[derive(Debug, thiserror::Error)]
#[error(
    "Run {run_id} belongs to another org: it was started in {}, and this resume would write to \
     {}. Nothing was sent. Resume it with settings that point at the run's own org and OAuth \
     client.",
    .run.describe(),
    .now.describe()
)]
pub struct OtherOrg {
    pub run_id: String,
    /// Where the run was started.
    pub run: RunOrg,
    /// Where the resume's settings point.
    pub now: RunOrg,
}

/// Whether a resume may go on in the org its settings point at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ResumeOrg {
    /// The run's own org.
    Same,
    /// The journal does not say which org the run started in. Ask the user `question` once; if
    /// they agree, the session's `Resumable::record_org` records `now` as the run's org, so the
    /// next resume is checked against it.
    Unrecorded { question: String },
}

/// Decide whether run `record` may be resumed in `now` (see [`RunOrg::of`]): the same org and
/// client go on, a journal that does not say asks once, anything else is [`OtherOrg`]. The app
/// and the CLI both ask this before a resume sends anything.
pub fn resume_org(record: &RunRecord, now: &RunOrg) -> Result<ResumeOrg, Box<OtherOrg>> {
    let run = RunOrg::of_run(record);
    if !run.is_recorded() {
        return Ok(ResumeOrg::Unrecorded {
            question: format!(
                "The journal does not say which org run {} was started in. Go on writing its \
                 remaining rows to {}?",
                record.id,
                now.describe()
            ),
        });
    }
    if run.is(now) {
        return Ok(ResumeOrg::Same);
    }
    Err(Box::new(OtherOrg {
        run_id: record.id.clone(),
        run,
        now: now.clone(),
    }))
}

impl From<RunOrg> for super::RunOrigin {
    /// Where a new run is journaled as writing to; the caller adds its source file.
    fn from(org: RunOrg) -> Self {
        super::RunOrigin {
            endpoint: org.endpoint,
            client_id: org.client_id,
            profile: org.profile,
            ..super::RunOrigin::default()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::genesys::{ClientConfig, Credentials};
    use crate::plan::PlanOptions;
    use crate::run::RunStatus;

    fn client(url_or_region: &str, client_id: &str) -> GenesysClient {
        let endpoint = match Region::by_key(url_or_region) {
            Some(region) => region.endpoint(),
            None => Endpoint::custom(url_or_region).unwrap(),
        };
        let credentials = Credentials::new(client_id, "secret");
        GenesysClient::new(endpoint, credentials, ClientConfig::default()).unwrap()
    }

    /// A run journaled as started in `org`.
    fn run_in(org: RunOrg) -> RunRecord {
        RunRecord {
            id: "20261201-090000-abcdef".to_owned(),
            created_at: 0,
            updated_at: 0,
            source_name: "users.csv".to_owned(),
            source_path: None,
            source_digest: None,
            edited: false,
            endpoint: org.endpoint,
            client_id: org.client_id,
            profile: org.profile,
            options: PlanOptions::default(),
            headers: Vec::new(),
            status: RunStatus::Interrupted,
            message: None,
            total: 0,
        }
    }

    #[test]
    fn a_run_resumes_in_its_own_org_whether_named_by_region_or_by_its_url() {
        let run = run_in(RunOrg::of(&client("eu-west-1", "7c1c"), Some("Prod EU")));
        assert_eq!(run.endpoint, "EMEA (Dublin) (eu-west-1)");
        let same = RunOrg::of(&client("eu-west-1", "7c1c"), Some("Prod EU"));
        assert_eq!(resume_org(&run, &same).unwrap(), ResumeOrg::Same);
        // The same org and client from GENESYS_API_URL, without a profile.
        let by_url = RunOrg::of(&client("https://api.mypurecloud.ie/", "7c1c"), None);
        assert_eq!(resume_org(&run, &by_url).unwrap(), ResumeOrg::Same);
    }

    #[test]
    fn another_region_or_another_client_is_refused_naming_the_runs_org() {
        let run = run_in(RunOrg::of(&client("eu-west-1", "7c1c"), Some("Prod EU")));
        for (now, place) in [
            (
                client("us-east-1", "7c1c"),
                "Americas (US East) (us-east-1)",
            ),
            (client("eu-west-1", "9f00"), "EMEA (Dublin) (eu-west-1)"),
            (
                client("https://proxy.example.com", "7c1c"),
                "https://proxy.example.com",
            ),
        ] {
            let now = RunOrg::of(&now, Some("Prod EU"));
            let refused = resume_org(&run, &now).expect_err("another org");
            let message = refused.to_string();
            assert!(
                message.contains(
                    "started in EMEA (Dublin) (eu-west-1) with the OAuth client 7c1c (profile \
                     \"Prod EU\")"
                ) && message.contains(place)
                    && message.contains("Nothing was sent"),
                "{message}"
            );
        }
    }

    #[test]
    fn a_run_on_the_built_in_sandbox_resumes_on_it_wherever_it_listens_now() {
        let first_launch = client("http://127.0.0.1:40001", DEMO_CLIENT_ID);
        let run = run_in(RunOrg::of(&first_launch, Some(SANDBOX_PROFILE)));
        assert_eq!(run.endpoint, BUILT_IN_SANDBOX, "not the address of the day");
        let next_launch = client("http://127.0.0.1:52002", DEMO_CLIENT_ID);
        let now = RunOrg::of(&next_launch, Some(SANDBOX_PROFILE));
        assert_eq!(resume_org(&run, &now).unwrap(), ResumeOrg::Same);

        // A run journaled before the mark: its address then, with the Sandbox profile.
        let older = RunRecord {
            endpoint: "http://127.0.0.1:40001".to_owned(),
            ..run.clone()
        };
        assert_eq!(resume_org(&older, &now).unwrap(), ResumeOrg::Same);

        // `rollcall sandbox` at that address is another org; so is a region.
        let served = RunOrg::of(&next_launch, None);
        assert!(resume_org(&run, &served)
            .unwrap_err()
            .to_string()
            .contains("Rollcall's built-in sandbox org"));
        let region = run_in(RunOrg::of(&client("eu-west-1", "7c1c"), Some("Prod EU")));
        assert!(resume_org(&region, &now).is_err());
    }

    #[test]
    fn a_journal_that_does_not_say_which_org_asks_naming_where_the_rows_would_go() {
        let run = run_in(RunOrg::default());
        let now = RunOrg::of(&client("eu-west-1", "7c1c"), Some("Prod EU"));
        let ResumeOrg::Unrecorded { question } = resume_org(&run, &now).unwrap() else {
            panic!("asked");
        };
        assert!(
            question.contains("does not say which org run 20261201-090000-abcdef")
                && question.contains("EMEA (Dublin) (eu-west-1) with the OAuth client 7c1c"),
            "{question}"
        );
    }
}
