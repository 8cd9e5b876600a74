//! Which of the file's e-mails already belong to users of the org, found in the fewest calls:
//! paging through the org, searching many e-mails at a time, or both.

use std::collections::{HashMap, HashSet};

use serde::{Deserialize, Serialize};

use crate::genesys::{
    ExternalId, GenesysClient, GenesysError, StateFilter, User, UserState, MAX_EMAILS_PER_SEARCH,
    SEARCH_PAGE_SIZE,
};

/// Users per page when the plan pages through the org.
const PAGE_SIZE: u32 = 500;
/// How far `GET /api/v2/users` lists: it answers 400 once `pageNumber × pageSize` passes this.
const LISTING_CAP: u32 = 10_000;
/// Searches the plan keeps in flight at once.
pub(super) const SEARCH_CONCURRENCY: usize = 8;

/// How the plan found the e-mails that already exist.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "camelCase")]
pub enum Lookup {
    /// Paged through every user of the org once.
    Paged { pages: u32 },
    /// Searched for the e-mails, many in each search (after reading one page of the org to
    /// learn its size, when the file needs more than one search).
    Search { searches: u32 },
    /// Paged as far as Genesys lists users (10,000), then searched for the e-mails the pages
    /// did not have.
    PagedThenSearched { pages: u32, searches: u32 },
}

/// A user of the org, as far as the plan cares.
#[derive(Debug, Clone)]
pub(super) struct OrgUser {
    pub id: String,
    pub state: UserState,
    pub version: i64,
}

impl OrgUser {
    fn from_user(user: &User) -> Option<(String, OrgUser)> {
        let email = user.email.as_ref()?.trim().to_lowercase();
        Some((
            email,
            OrgUser {
                id: user.id.clone(),
                state: user.state.unwrap_or(UserState::Active),
                version: user.version,
            },
        ))
    }
}

/// Find which of `emails` belong to users of the org, in the fewest calls: paging through the
/// org (500 a page, as far as Genesys lists: 10,000 users), searching many e-mails at a time,
/// or paging then searching for what the pages did not reach. One page is read first when the
/// file needs more than one search: it tells how big the org is. Returns the users found, how,
/// and the calls made.
pub(super) async fn find_existing(
    client: &GenesysClient,
    emails: &[String],
) -> Result<(HashMap<String, OrgUser>, Lookup, u32), GenesysError> {
    let mut found = HashMap::new();
    if emails.is_empty() {
        return Ok((found, Lookup::Search { searches: 0 }, 0));
    }
    let wanted: HashSet<&str> = emails.iter().map(String::as_str).collect();
    let mut pages = 0;
    let mut unreached: Vec<String> = emails.to_vec();
    if emails.len() > MAX_EMAILS_PER_SEARCH {
        let first = client
            .list_users_page(1, PAGE_SIZE, StateFilter::Any)
            .await?
            .value;
        pages = 1;
        keep(&mut found, &wanted, &first.entities, "list users")?;
        let live = |found: &HashMap<String, OrgUser>| {
            found
                .values()
                .filter(|u| u.state != UserState::Deleted)
                .count()
        };
        let plan = lookup_plan(first.total, first.page_count, emails.len(), live(&found));
        for page in 2..=plan.last_page {
            let listing = client
                .list_users_page(page, PAGE_SIZE, StateFilter::Any)
                .await?
                .value;
            keep(&mut found, &wanted, &listing.entities, "list users")?;
            pages = page;
        }
        if !plan.search {
            return Ok((found, Lookup::Paged { pages }, pages));
        }
        // A user found live is settled; a deleted one may have a live namesake further on.
        unreached.retain(|email| {
            found
                .get(email)
                .is_none_or(|user| user.state == UserState::Deleted)
        });
    }

    let semaphore = std::sync::Arc::new(tokio::sync::Semaphore::new(SEARCH_CONCURRENCY));
    let mut searches = tokio::task::JoinSet::new();
    for batch in unreached.chunks(MAX_EMAILS_PER_SEARCH) {
        let client = client.clone();
        let batch = batch.to_vec();
        let semaphore = semaphore.clone();
        searches.spawn(async move {
            let _slot = semaphore.acquire_owned().await.expect("semaphore open");
            client.search_users_by_emails(&batch, true).await
        });
    }
    let mut search_calls = 0;
    while let Some(result) = searches.join_next().await {
        let users = result.expect("search task")?.value;
        // One call per page of results.
        search_calls += users.len().div_ceil(SEARCH_PAGE_SIZE as usize).max(1) as u32;
        keep(&mut found, &wanted, &users, "search users")?;
    }
    let lookup = if pages > 1 {
        Lookup::PagedThenSearched {
            pages,
            searches: search_calls,
        }
    } else {
        Lookup::Search {
            searches: search_calls,
        }
    };
    Ok((found, lookup, pages + search_calls))
}

/// Keep the users whose e-mail the plan wants; a live user wins over a deleted one with the
/// same e-mail. A wanted user without an id cannot be acted on: that is an error, named.
fn keep(
    found: &mut HashMap<String, OrgUser>,
    wanted: &HashSet<&str>,
    users: &[User],
    what: &str,
) -> Result<(), GenesysError> {
    for (email, user) in users.iter().filter_map(OrgUser::from_user) {
        if !wanted.contains(email.as_str()) {
            continue;
        }
        if user.id.is_empty() {
            return Err(GenesysError::UnexpectedResponse {
                what: what.to_owned(),
                status: 200,
                reason: format!("the user with the e-mail {email} in Genesys's answer has no id"),
                correlation_id: None,
            });
        }
        let replace = found
            .get(&email)
            .is_none_or(|old: &OrgUser| old.state == UserState::Deleted);
        if replace {
            found.insert(email, user);
        }
    }
    Ok(())
}

/// What to read after the first page of the org's users.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct LookupPlan {
    /// Read pages up to this one (1: no more pages).
    last_page: u32,
    /// Then search for the e-mails not found live.
    search: bool,
}

/// Page or search, whichever takes fewer calls, knowing the org's size (`total`, `pages` of
/// 500) and how many of the `wanted` e-mails the first page had (`found_first`). Genesys lists
/// no further than 10,000 users, so in a larger org paging can only reach some of them and the
/// rest must be searched: how many the pages would find is estimated from the first one.
/// Paging wins ties, since search lags a fresh create and a listing does not.
fn lookup_plan(total: u64, pages: u32, wanted: usize, found_first: usize) -> LookupPlan {
    let reachable = pages.clamp(1, LISTING_CAP / PAGE_SIZE);
    let searches = |emails: usize| emails.div_ceil(MAX_EMAILS_PER_SEARCH) as u32;
    let search_only = searches(wanted - found_first.min(wanted));
    let beyond_reach = total > u64::from(reachable) * u64::from(PAGE_SIZE);
    let paged_finds = found_first.saturating_mul(reachable as usize).min(wanted);
    let paging = (reachable - 1)
        + if beyond_reach {
            searches(wanted - paged_finds)
        } else {
            0
        };
    if paging <= search_only {
        LookupPlan {
            last_page: reachable,
            search: beyond_reach,
        }
    } else {
        LookupPlan {
            last_page: 1,
            search: true,
        }
    }
}

/// For each row to create that has an external id, the user that id already belongs to
/// (`GET /api/v2/users/externalid/{authority}/{key}`; a 404 or an empty answer is nobody),
/// looked up side by side: `(row position, the user's e-mail)`. Returns them and the calls made.
pub(super) async fn owners_of_external_ids(
    client: &GenesysClient,
    wanted: Vec<(usize, ExternalId)>,
) -> Result<(Vec<(usize, String)>, u32), GenesysError> {
    let calls = wanted.len() as u32;
    let semaphore = std::sync::Arc::new(tokio::sync::Semaphore::new(SEARCH_CONCURRENCY));
    let mut lookups = tokio::task::JoinSet::new();
    for (position, external_id) in wanted {
        let client = client.clone();
        let semaphore = semaphore.clone();
        lookups.spawn(async move {
            let _slot = semaphore.acquire_owned().await.expect("semaphore open");
            let owner = client.find_user_by_external_id(&external_id).await?.value;
            Ok::<_, GenesysError>(owner.map(|user| (position, user.email.unwrap_or(user.id))))
        });
    }
    let mut owners = Vec::new();
    while let Some(found) = lookups.join_next().await {
        owners.extend(found.expect("lookup task")?);
    }
    Ok((owners, calls))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_lookup_pages_only_within_genesys_listing_cap() {
        // A small org and a big file: four pages beat sixty searches.
        assert_eq!(
            lookup_plan(1_800, 4, 3_000, 0),
            LookupPlan {
                last_page: 4,
                search: false
            }
        );
        // A small org and a small file: one search beats three more pages.
        assert_eq!(
            lookup_plan(2_000, 4, 60, 0),
            LookupPlan {
                last_page: 1,
                search: true
            }
        );
        // 12,000 users, 60 e-mails none of which is on the first page: search, never page past
        // 10,000.
        assert_eq!(
            lookup_plan(12_000, 24, 60, 0),
            LookupPlan {
                last_page: 1,
                search: true
            }
        );
        // 12,000 users, a re-run of 3,000 users who are mostly on the first pages: page as far
        // as Genesys lists (20 pages), then search for the rest.
        assert_eq!(
            lookup_plan(12_000, 24, 3_000, 400),
            LookupPlan {
                last_page: 20,
                search: true
            }
        );
    }
}
