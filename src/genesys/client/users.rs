//! The calls on users: create, read, update (one or, for auto-answer, many at once), search,
//! list, restore to a division, password and invitation.

use reqwest::Method;

use super::http::{encode, segment};
use super::lists::next_page;
use super::steps::too_many;
use super::{
    GenesysClient, Repeat, Reply, ResponseMeta, MAX_EMAILS_PER_SEARCH, MAX_USERS_PER_BULK_PATCH,
    SEARCH_PAGE_SIZE,
};
use crate::genesys::error::{GenesysError, Result};
use crate::genesys::models::{
    AutoAnswer, CreateUser, EntityListing, NewPassword, SearchCriterion, StateFilter, User,
    UserPatch, UserSearchRequest, UserState, UsersSearchResponse,
};
use crate::secrets::Secret;

impl GenesysClient {
    /// `POST /api/v2/users`. A lost answer gives [`GenesysError::OutcomeUnknown`]: look the
    /// e-mail up before sending it again.
    pub async fn create_user(&self, user: &CreateUser) -> Result<Reply<User>> {
        const WHAT: &str = "create user";
        let body = encode(user)?;
        let reply = self
            .call_json(
                WHAT,
                Repeat::Settle,
                Method::POST,
                "/api/v2/users",
                &[],
                Some(body),
            )
            .await?;
        usable_user(WHAT, reply, false)
    }

    /// `GET /api/v2/users/{id}` (an active or inactive user; a deleted one is not found).
    pub async fn get_user(&self, user_id: &str) -> Result<Reply<User>> {
        const WHAT: &str = "get user";
        let path = format!("/api/v2/users/{}", segment(user_id));
        let reply = self
            .call_json(WHAT, Repeat::Read, Method::GET, &path, &[], None)
            .await?;
        usable_user(WHAT, reply, true)
    }

    /// `GET /api/v2/users/{id}?state=deleted`: a soft-deleted user, with the version its
    /// restore needs.
    pub async fn get_deleted_user(&self, user_id: &str) -> Result<Reply<User>> {
        const WHAT: &str = "get deleted user";
        let path = format!("/api/v2/users/{}", segment(user_id));
        let query = [("state", UserState::Deleted.as_str().to_owned())];
        let reply = self
            .call_json(WHAT, Repeat::Read, Method::GET, &path, &query, None)
            .await?;
        usable_user(WHAT, reply, true)
    }

    /// `GET /api/v2/users/{id}?expand=…`: the user with more of its parts (`locations`, …).
    /// Genesys fills expansions on a best-effort basis, so a missing one reads as empty.
    pub async fn get_user_expanded(&self, user_id: &str, expand: &[&str]) -> Result<Reply<User>> {
        let path = format!("/api/v2/users/{}", segment(user_id));
        // A list goes comma-separated in one parameter, as Genesys's SDKs send it.
        let query = [("expand", expand.join(","))];
        let query = if expand.is_empty() {
            &[][..]
        } else {
            &query[..]
        };
        self.call_json("get user", Repeat::Read, Method::GET, &path, query, None)
            .await
    }

    /// `PATCH /api/v2/users/{id}` with the user's current `version`.
    pub async fn patch_user(&self, user_id: &str, patch: &UserPatch) -> Result<Reply<User>> {
        const WHAT: &str = "update user";
        let path = format!("/api/v2/users/{}", segment(user_id));
        let body = encode(patch)?;
        let reply = self
            .call_json(WHAT, Repeat::Safe, Method::PATCH, &path, &[], Some(body))
            .await?;
        usable_user(WHAT, reply, true)
    }

    /// Set ACD auto-answer for many users in one call (`PATCH /api/v2/users/bulk`, a list of
    /// `{id, acdAutoAnswer}` and no version): for users the run has no PATCH of its own for.
    /// At most [`MAX_USERS_PER_BULK_PATCH`]; needs `directory:user:edit` or
    /// `directory:organization:admin`. Setting it again changes nothing, so a lost answer is
    /// resent. Whether Genesys carries out part of a list with a bad id is UNCONFIRMED: the
    /// users in the answer are the ones it reports updated.
    pub async fn set_auto_answer(&self, users: &[AutoAnswer]) -> Result<Reply<Vec<User>>> {
        const WHAT: &str = "set auto-answer";
        if users.len() > MAX_USERS_PER_BULK_PATCH {
            return Err(too_many(
                WHAT,
                users.len(),
                MAX_USERS_PER_BULK_PATCH,
                "users",
            ));
        }
        let body = encode(&users)?;
        let reply: Reply<EntityListing<User>> = self
            .call_json(
                WHAT,
                Repeat::Safe,
                Method::PATCH,
                "/api/v2/users/bulk",
                &[],
                Some(body),
            )
            .await?;
        Ok(Reply {
            value: reply.value.entities,
            meta: reply.meta,
        })
    }

    /// `POST /api/v2/users/search` for one e-mail (exact match). With `include_deleted`, the
    /// search also covers soft-deleted users, whose e-mails stay reserved.
    pub async fn search_users_by_email(
        &self,
        email: &str,
        include_deleted: bool,
    ) -> Result<Reply<Vec<User>>> {
        self.search_users_by_emails(&[email.to_owned()], include_deleted)
            .await
    }

    /// `POST /api/v2/users/search` for many e-mails: [`MAX_EMAILS_PER_SEARCH`] in one EXACT
    /// criterion (`values`), every page of results. With `include_deleted`, soft-deleted users
    /// are found too (their e-mails stay reserved). The users whose e-mail matches, in any
    /// order; an e-mail nobody has is simply absent.
    pub async fn search_users_by_emails(
        &self,
        emails: &[String],
        include_deleted: bool,
    ) -> Result<Reply<Vec<User>>> {
        let mut users = Vec::new();
        let mut meta = ResponseMeta::default();
        for batch in emails.chunks(MAX_EMAILS_PER_SEARCH) {
            let mut query = vec![SearchCriterion {
                kind: "EXACT".to_owned(),
                fields: vec!["email".to_owned()],
                value: None,
                values: batch.iter().map(|e| e.trim().to_owned()).collect(),
            }];
            if include_deleted {
                query.push(SearchCriterion {
                    kind: "EXACT".to_owned(),
                    fields: vec!["state".to_owned()],
                    value: None,
                    values: ["active", "inactive", "deleted"]
                        .map(str::to_owned)
                        .to_vec(),
                });
            }
            let mut page_number = 1;
            loop {
                let request = UserSearchRequest {
                    query: query.clone(),
                    page_size: Some(SEARCH_PAGE_SIZE),
                    page_number: Some(page_number),
                };
                let body = encode(&request)?;
                let reply: Reply<UsersSearchResponse> = self
                    .call_json(
                        "search users",
                        Repeat::Read,
                        Method::POST,
                        "/api/v2/users/search",
                        &[],
                        Some(body),
                    )
                    .await?;
                let got = reply.value.results.len();
                let page_count = reply.value.page_count;
                users.extend(reply.value.results);
                meta = reply.meta;
                if got == 0 || page_number >= page_count {
                    break;
                }
                page_number = next_page("search users", page_number, &meta)?;
            }
        }
        Ok(Reply { value: users, meta })
    }

    /// One page of `GET /api/v2/users` (`pageNumber` from 1, `pageSize` up to 500).
    pub async fn list_users_page(
        &self,
        page_number: u32,
        page_size: u32,
        state: StateFilter,
    ) -> Result<Reply<EntityListing<User>>> {
        self.list_users_expanded(state, page_number, page_size, &[])
            .await
    }

    /// Move users into a division (`POST /api/v2/authorization/divisions/{id}/objects/USER`,
    /// body `["userId", …]`): how a restored user leaves Home, where Genesys keeps deleted
    /// users. Moving a user already there changes nothing, so a lost answer is simply resent.
    pub async fn move_users_to_division(
        &self,
        division_id: &str,
        user_ids: &[String],
    ) -> Result<Reply<()>> {
        let path = format!(
            "/api/v2/authorization/divisions/{}/objects/USER",
            segment(division_id)
        );
        let body = encode(&user_ids)?;
        self.call_unit(
            "move to division",
            Repeat::Safe,
            Method::POST,
            &path,
            &[],
            Some(body),
        )
        .await
    }

    /// Set a user's password (`POST /api/v2/users/{id}/password`, `{"newPassword"}`). Genesys
    /// checks it against the org's password policy and answers 400 with the rule it breaks. A
    /// lost answer is not resent (Genesys may refuse a password it has just set as reused).
    pub async fn set_password(&self, user_id: &str, password: &Secret) -> Result<Reply<()>> {
        let path = format!("/api/v2/users/{}/password", segment(user_id));
        let body = encode(&NewPassword {
            new_password: password,
        })?;
        self.call_unit(
            "set password",
            Repeat::Settle,
            Method::POST,
            &path,
            &[],
            Some(body),
        )
        .await
    }

    /// `POST /api/v2/users/{id}/invite`: Genesys e-mails the user an invitation.
    pub async fn invite_user(&self, user_id: &str) -> Result<Reply<()>> {
        let path = format!("/api/v2/users/{}/invite", segment(user_id));
        self.call_unit(
            "invite user",
            Repeat::Settle,
            Method::POST,
            &path,
            &[],
            None,
        )
        .await
    }
}

/// A user answer the run can act on: its id (and, before a write, its version) present.
/// Everything else in it is read leniently.
fn usable_user(what: &str, reply: Reply<User>, needs_version: bool) -> Result<Reply<User>> {
    let missing = if reply.value.id.is_empty() {
        Some("id")
    } else if needs_version && reply.value.version == 0 {
        Some("version")
    } else {
        None
    };
    match missing {
        None => Ok(reply),
        Some(field) => Err(GenesysError::UnexpectedResponse {
            what: what.to_owned(),
            status: reply.meta.status,
            reason: format!("the user in Genesys's answer has no {field}"),
            correlation_id: reply.meta.correlation_id,
        }),
    }
}
