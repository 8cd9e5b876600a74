//! What a sandbox served, counted for tests, benchmarks and the `sandbox` command's summary.

use serde::Serialize;

/// Counters for tests and the `sandbox` command's summary.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SandboxStats {
    /// API requests received (token requests excluded).
    pub requests: u64,
    pub tokens_issued: u64,
    pub users_created: u64,
    pub rate_limited: u64,
    pub server_errors: u64,
    pub dropped_connections: u64,
    /// Requests to `/oauth/token`, the throttled and refused ones included.
    pub token_requests: u64,
    /// Users named in accepted `POST /api/v2/authorization/divisions/{id}/objects/USER` calls
    /// (one already in the division counts too).
    pub division_moves: u64,
    /// Passwords set by `POST /api/v2/users/{id}/password`.
    pub password_sets: u64,
    // Calls that passed authentication and the rate limit, by kind of route and whatever their
    // answer: for benchmarks that count what a run costs.
    /// `PATCH /api/v2/users/{id}`.
    pub user_patches: u64,
    /// `POST /api/v2/authorization/subjects/{id}/bulkadd`.
    pub grant_calls: u64,
    /// `PATCH /api/v2/users/{id}/routingskills/bulk`.
    pub skill_calls: u64,
    /// `POST /api/v2/routing/queues/{id}/members`.
    pub queue_member_calls: u64,
    /// Pages of the divisions, roles, queues, skills and locations listings.
    pub directory_pages: u64,
    /// Reads of a user's grants, skills or queues.
    pub user_detail_reads: u64,
    /// `PATCH /api/v2/users/{id}/routinglanguages/bulk`.
    pub language_calls: u64,
    /// `POST /api/v2/groups/{id}/members`.
    pub group_member_calls: u64,
    /// `PATCH /api/v2/users/bulk`.
    pub bulk_user_patches: u64,
    /// `POST /api/v2/users/{id}/externalid`, accepted.
    pub external_ids_set: u64,
    /// Phones made by `POST /api/v2/telephony/providers/edges/phones`.
    pub phones_created: u64,
    /// `GET /api/v2/stations`.
    pub station_reads: u64,
    /// Default stations set by `PUT /api/v2/users/{id}/station/defaultstation/{stationId}`.
    pub default_stations_set: u64,
    /// Reads of a user's languages, groups, external ids, phones or stations, and of one group
    /// or one phone.
    pub day_one_reads: u64,
    /// Pages of the languages, groups, sites and phone base settings listings, and group
    /// searches.
    pub day_one_list_pages: u64,
    /// Pages of the users listings (`GET /api/v2/users`, by page number, and
    /// `GET /api/v2/users/query`, by cursor).
    pub user_pages: u64,
    /// Pages of who holds a role (`…/roles/{id}/subjectgrants`) and who is in a queue
    /// (`GET …/queues/{id}/members`).
    pub membership_pages: u64,
}

impl SandboxStats {
    /// The calls that change the org, whatever their answer: creates, moves, passwords,
    /// every PATCH, grants, skills, languages, queue and group members, external ids, phones
    /// and default stations.
    pub fn write_calls(&self) -> u64 {
        self.users_created
            + self.division_moves
            + self.password_sets
            + self.user_patches
            + self.grant_calls
            + self.skill_calls
            + self.queue_member_calls
            + self.language_calls
            + self.group_member_calls
            + self.bulk_user_patches
            + self.external_ids_set
            + self.phones_created
            + self.default_stations_set
    }
}
