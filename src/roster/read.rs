//! Reading the org for an export, with calls that each answer for many users: the users
//! listing (expanded with skills, languages, locations, employer info and groups), one listing
//! per role of who holds it where, one per queue of who is in it, and the divisions and
//! locations to name what those give by id. Only external ids have no such call (one read per
//! user), so they are read only when asked for.

use std::collections::HashMap;

use tokio::sync::mpsc::UnboundedSender;

use super::{RosterError, RosterEvent, RosterOptions};
use crate::genesys::{
    Division, ExternalId, GenesysClient, GenesysError, Location, Queue, Role, StateFilter, User,
    MAX_LISTED_USERS, MAX_PAGES,
};

/// Users per page of the listing: the page size Genesys's Terraform provider reads users with
/// when it asks for the same expansions (`GetAllUserFn`, pageSize 100).
pub const USERS_PAGE_SIZE: u32 = 100;

/// What the listing is asked to fill in for each user (the Terraform provider's export asks
/// for `skills`, `languages`, `locations` and `employerInfo` the same way; `groups` is the
/// expansion the plan reads a user's groups by, so an export and a plan agree on them).
const EXPANSIONS: [&str; 5] = ["skills", "languages", "locations", "employerInfo", "groups"];

/// Page size of the role, queue, division and location listings (`every_page`).
const LIST_PAGE_SIZE: usize = 100;

/// The org as an export needs it.
#[derive(Debug, Clone, Default)]
pub struct OrgRoster {
    /// Active users, then inactive ones, each with the expansions Genesys filled in.
    pub users: Vec<User>,
    pub divisions: Vec<Division>,
    pub locations: Vec<Location>,
    pub roles: Vec<Role>,
    pub queues: Vec<Queue>,
    /// Each user's grants as (role id, division id), by user id; `*` is every division.
    pub grants: HashMap<String, Vec<(String, String)>>,
    /// Each user's queues (ids), by user id.
    pub queue_ids: HashMap<String, Vec<String>>,
    /// Each user's external ids, by user id (read only when asked for).
    pub external_ids: HashMap<String, Vec<ExternalId>>,
    /// API calls made.
    pub calls: u32,
}

impl OrgRoster {
    /// Read every active and inactive user of the org, and what the export writes of them.
    pub async fn read(
        client: &GenesysClient,
        options: &RosterOptions,
        events: Option<&UnboundedSender<RosterEvent>>,
    ) -> Result<OrgRoster, RosterError> {
        let send = |event: RosterEvent| {
            if let Some(events) = events {
                // An export whose watcher went away carries on.
                let _ = events.send(event);
            }
        };
        send(RosterEvent::Started);
        let mut org = OrgRoster::default();
        let pages = |n: usize| n.div_ceil(LIST_PAGE_SIZE).max(1) as u32;

        let mut listed = Listed::default();
        for state in [StateFilter::Active, StateFilter::Inactive] {
            org.calls += list_state(client, state, &mut listed, &mut org.users, &send).await?;
        }

        org.divisions = client.list_divisions().await?.value;
        org.calls += pages(org.divisions.len());
        if org.users.iter().any(|u| !u.locations.is_empty()) {
            org.locations = client.list_locations().await?.value;
            org.calls += pages(org.locations.len());
        }
        org.roles = client.list_roles().await?.value;
        org.calls += pages(org.roles.len());
        org.queues = client.list_queues().await?.value;
        org.calls += pages(org.queues.len());

        let total = org.roles.len() + org.queues.len();
        let mut done = 0;
        for role in &org.roles {
            let holders = client.role_subject_grants(&role.id).await?.value;
            org.calls += pages(holders.len());
            for holder in holders.iter().filter(|h| h.is_user()) {
                let grants = org.grants.entry(holder.id.clone()).or_default();
                for division in &holder.divisions {
                    grants.push((role.id.clone(), division.id.clone()));
                }
            }
            done += 1;
            send(RosterEvent::Memberships { done, total });
        }
        for queue in &org.queues {
            let members = client.queue_members(&queue.id).await?.value;
            org.calls += pages(members.len());
            for member in &members {
                org.queue_ids
                    .entry(member.user_id().to_owned())
                    .or_default()
                    .push(queue.id.clone());
            }
            done += 1;
            send(RosterEvent::Memberships { done, total });
        }

        if options.external_ids {
            for (read, user) in org.users.iter().enumerate() {
                let ids = client.user_external_ids(&user.id).await?.value;
                org.calls += 1;
                org.external_ids.insert(user.id.clone(), ids);
                send(RosterEvent::ExternalIds {
                    done: read + 1,
                    total: org.users.len(),
                });
            }
        }
        Ok(org)
    }
}

/// The users listing's progress across both states.
#[derive(Default)]
struct Listed {
    pages: u32,
    total: u64,
}

/// Every user in `state`, appended to `users`: by page number while the listing reaches them
/// all, else by cursor. Returns the calls made.
async fn list_state(
    client: &GenesysClient,
    state: StateFilter,
    listed: &mut Listed,
    users: &mut Vec<User>,
    send: &impl Fn(RosterEvent),
) -> Result<u32, RosterError> {
    let first = client
        .list_users_expanded(state, 1, USERS_PAGE_SIZE, &EXPANSIONS)
        .await?
        .value;
    listed.total += first.total;
    if first.total > MAX_LISTED_USERS {
        // Past 10,000 the listing answers 400; the cursor listing has no such ceiling.
        return list_by_cursor(client, state, first.total, listed, users, send)
            .await
            .map(|calls| calls + 1);
    }
    let page_count = first.page_count;
    let mut calls = 1;
    let mut page = first;
    let mut page_number = 1;
    loop {
        let got = page.entities.len();
        users.extend(page.entities);
        listed.pages += 1;
        send(RosterEvent::Users {
            pages: listed.pages,
            users: users.len(),
            total: listed.total,
        });
        if got == 0 || page_number >= page_count {
            return Ok(calls);
        }
        page_number += 1;
        page = client
            .list_users_expanded(state, page_number, USERS_PAGE_SIZE, &EXPANSIONS)
            .await?
            .value;
        calls += 1;
    }
}

/// Every user in `state` through `GET /api/v2/users/query`, for a state with more users than
/// the listing reaches. An org that does not offer that listing (it is a preview: a 400, 403 or
/// 404) is refused with the reason, rather than exported in part.
async fn list_by_cursor(
    client: &GenesysClient,
    state: StateFilter,
    total: u64,
    listed: &mut Listed,
    users: &mut Vec<User>,
    send: &impl Fn(RosterEvent),
) -> Result<u32, RosterError> {
    let refused = |e: GenesysError| match e.status() {
        Some(400 | 403 | 404) => RosterError::TooManyUsers {
            state: state.as_str(),
            total,
            reason: e.to_string(),
        },
        _ => RosterError::Genesys(e),
    };
    let mut cursor: Option<String> = None;
    let mut calls = 0;
    loop {
        let page = client
            .users_query_page(state, cursor.as_deref(), USERS_PAGE_SIZE, &EXPANSIONS)
            .await
            .map_err(refused)?
            .value;
        calls += 1;
        let got = page.entities.len();
        users.extend(page.entities);
        listed.pages += 1;
        send(RosterEvent::Users {
            pages: listed.pages,
            users: users.len(),
            total: listed.total,
        });
        cursor = page.cursor.filter(|c| !c.is_empty());
        if got == 0 || cursor.is_none() {
            return Ok(calls);
        }
        if calls >= MAX_PAGES {
            return Err(RosterError::TooManyUsers {
                state: state.as_str(),
                total,
                reason: format!(
                    "the cursor listing kept offering pages past {MAX_PAGES}, which no org of \
                     this size needs; Rollcall stopped rather than write part of the org"
                ),
            });
        }
    }
}
