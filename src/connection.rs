//! "Test connection" (the window's Connect step and `rollcall profiles test`): whether the
//! OAuth client logs in, and may read each list a run reads — each tried with a one-item read,
//! a refusal named with the permission it lacks. Writes cannot be tried without writing, so
//! their permissions are listed as checked on first use (a run stops at the first refusal and
//! names the permission).

use serde::Serialize;

use crate::genesys::{GenesysClient, GenesysError, Listing, StateFilter};

/// What "Test connection" found.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ConnectionReport {
    /// Where it connected.
    pub endpoint: String,
    /// The org's divisions, the home division first.
    pub divisions: Vec<String>,
    /// Each list a run reads, and whether this client may read it.
    pub reads: Vec<ReadCheck>,
    /// The writes a run makes, checked on first use.
    pub writes: &'static [WritePermission],
}

impl ConnectionReport {
    /// The reads Genesys refused for a missing permission.
    pub fn missing(&self) -> impl Iterator<Item = &ReadCheck> {
        self.reads
            .iter()
            .filter(|r| matches!(r.outcome, ReadOutcome::Missing))
    }
}

/// One read a run makes, tried with one item.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ReadCheck {
    /// What the run reads it for, in an admin's words (`roles`, `existing users (search)`).
    pub what: &'static str,
    /// The permission Genesys asks for it (what it named, when it refused).
    pub permission: String,
    pub outcome: ReadOutcome,
    /// Genesys's explanation, when the read did not go through.
    pub message: Option<String>,
}

/// How a one-item read went.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum ReadOutcome {
    Allowed,
    /// 403: the client lacks the permission.
    Missing,
    /// Another failure (the message says which); the permission is unknown.
    Failed,
    /// Nothing to try it on (an org without users has no grants to read).
    NotChecked,
}

/// A permission a run's writes need, checked on first use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct WritePermission {
    pub what: &'static str,
    /// `None` where Genesys's API documentation names none.
    pub permission: Option<&'static str>,
}

/// The writes a run makes and the permissions Genesys's API documentation gives for them
/// (as README.md lists them).
pub const WRITES: &[WritePermission] = &[
    WritePermission {
        what: "create users",
        permission: Some("directory:user:add"),
    },
    WritePermission {
        what: "update users (manager, restore, profile, location, extension)",
        permission: Some("directory:user:edit"),
    },
    WritePermission {
        what: "set passwords and send invitations",
        permission: Some("directory:user:setPassword"),
    },
    WritePermission {
        what: "grant roles",
        permission: Some("authorization:grant:add"),
    },
    WritePermission {
        what: "give routing skills",
        permission: Some("routing:skill:assign"),
    },
    WritePermission {
        what: "add queue members",
        permission: Some("routing:queue:edit or routing:queueMember:manage"),
    },
    WritePermission {
        what: "move restored users to their division",
        permission: None,
    },
];

/// An e-mail no user has, for a search that must find nobody.
const NOBODY: &str = "rollcall-connection-test@invalid.example";

/// Log in, read the divisions, and try a one-item read of every other list a run reads.
/// Fails only when the client cannot log in or read the divisions (nothing works then); a
/// refused read is in the report.
pub async fn test_connection(client: &GenesysClient) -> Result<ConnectionReport, GenesysError> {
    client.authenticate().await?;
    let mut divisions = client.list_divisions().await?.value;
    divisions.sort_by_key(|d| !d.home_division);

    let mut reads = Vec::new();
    for (what, permission, listing) in [
        ("roles", "authorization:role:view", Listing::Roles),
        ("queues", "routing:queue:view", Listing::Queues),
        ("routing skills", "routing:skill:view", Listing::Skills),
        ("locations", "locations:location:view", Listing::Locations),
    ] {
        let result = client.read_first(listing).await.map(|_| ());
        reads.push(check(what, permission, result));
    }
    let search = client
        .search_users_by_emails(&[NOBODY.to_owned()], false)
        .await
        .map(|_| ());
    reads.push(check(
        "existing users (search)",
        "directory:user:view",
        search,
    ));
    // Grants are read per user: any user of the org will do.
    let grants_what = "a user's roles (updating existing users)";
    let grants_permission = "authorization:grant:view";
    let someone = client
        .list_users_page(1, 1, StateFilter::Active)
        .await
        .map(|r| r.value.entities.into_iter().next());
    reads.push(match someone {
        Ok(Some(user)) => check(
            grants_what,
            grants_permission,
            client.user_grants(&user.id).await.map(|_| ()),
        ),
        Ok(None) => ReadCheck {
            what: grants_what,
            permission: grants_permission.to_owned(),
            outcome: ReadOutcome::NotChecked,
            message: Some("The org has no active user to read the roles of.".to_owned()),
        },
        Err(e) => check(grants_what, grants_permission, Err(e)),
    });
    Ok(ConnectionReport {
        endpoint: client.endpoint().describe(),
        divisions: divisions.into_iter().map(|d| d.name).collect(),
        reads,
        writes: WRITES,
    })
}

fn check(what: &'static str, permission: &str, result: Result<(), GenesysError>) -> ReadCheck {
    match result {
        Ok(()) => ReadCheck {
            what,
            permission: permission.to_owned(),
            outcome: ReadOutcome::Allowed,
            message: None,
        },
        Err(e) => {
            let named = e.api().map(|a| a.missing_permissions()).unwrap_or_default();
            let outcome = if e.status() == Some(403) {
                ReadOutcome::Missing
            } else {
                ReadOutcome::Failed
            };
            ReadCheck {
                what,
                permission: if named.is_empty() {
                    permission.to_owned()
                } else {
                    named.join(", ")
                },
                outcome,
                message: Some(e.to_string()),
            }
        }
    }
}
