//! External ids: giving a user the id another system (an HR system) knows it by, reading a
//! user's ids, and finding a user by one (API-day1 §4).

use reqwest::Method;
use serde::Deserialize;

use super::http::{encode, segment};
use super::{GenesysClient, Repeat, Reply};
use crate::genesys::error::{GenesysError, Result};
use crate::genesys::models::{ExternalId, User};

impl GenesysClient {
    /// Give a user an external id (`POST /api/v2/users/{id}/externalid`); needs
    /// `directory:user:edit`. Answers the user's ids as Genesys lists them. The SDK says the
    /// answer is a list; Genesys's Terraform provider decodes it as one object
    /// (`externalusers_identity` proxy): either is taken, the object as a list of one.
    ///
    /// Whether sending a mapping the user already has is harmless is UNCONFIRMED, so a lost
    /// answer is not resent blindly, and a 409 is not taken as failure at once: the user's ids
    /// are read, and the mapping found there settles it (a 409 for a mapping another user
    /// holds stays an error).
    pub async fn add_external_id(
        &self,
        user_id: &str,
        external_id: &ExternalId,
    ) -> Result<Reply<Vec<ExternalId>>> {
        let path = format!("/api/v2/users/{}/externalid", segment(user_id));
        let body = encode(external_id)?;
        let sent: Result<Reply<OneOrMany>> = self
            .call_json(
                "set external id",
                Repeat::Settle,
                Method::POST,
                &path,
                &[],
                Some(body),
            )
            .await;
        match sent {
            Ok(reply) => Ok(Reply {
                value: reply.value.into_list(),
                meta: reply.meta,
            }),
            // The answer was lost, or Genesys says the mapping is taken (by this user, when an
            // earlier attempt went through, or by another): the user's own ids tell which.
            Err(e) if e.is_outcome_unknown() || e.status() == Some(409) => {
                let held = self.user_external_ids(user_id).await?;
                if held.value.contains(external_id) {
                    Ok(held)
                } else {
                    Err(e)
                }
            }
            Err(e) => Err(e),
        }
    }

    /// The external ids a user has (`GET /api/v2/users/{id}/externalid`). The SDK lists no
    /// permission for it.
    pub async fn user_external_ids(&self, user_id: &str) -> Result<Reply<Vec<ExternalId>>> {
        let path = format!("/api/v2/users/{}/externalid", segment(user_id));
        let reply: Reply<OneOrMany> = self
            .call_json(
                "read external ids",
                Repeat::Read,
                Method::GET,
                &path,
                &[],
                None,
            )
            .await?;
        Ok(Reply {
            value: reply.value.into_list(),
            meta: reply.meta,
        })
    }

    /// The user an external id belongs to
    /// (`GET /api/v2/users/externalid/{authorityName}/{externalKey}`), or `None`: what
    /// Genesys answers for an id nobody has is UNCONFIRMED, so a 404, an empty body and an
    /// answer without a user id all mean "nobody". Both parts are case sensitive and are sent
    /// percent-encoded as path segments. The SDK lists no permission for it.
    pub async fn find_user_by_external_id(
        &self,
        external_id: &ExternalId,
    ) -> Result<Reply<Option<User>>> {
        const WHAT: &str = "find user by external id";
        let path = format!(
            "/api/v2/users/externalid/{}/{}",
            segment(&external_id.authority_name),
            segment(&external_id.external_key)
        );
        let (meta, bytes) = match self
            .call(WHAT, Repeat::Read, Method::GET, &path, &[], None)
            .await
        {
            Ok(answer) => answer,
            Err(e) if e.status() == Some(404) => {
                return Ok(Reply {
                    value: None,
                    meta: crate::genesys::ResponseMeta {
                        status: 404,
                        correlation_id: e.correlation_id().map(str::to_owned),
                    },
                })
            }
            Err(e) => return Err(e),
        };
        if bytes.iter().all(u8::is_ascii_whitespace) {
            return Ok(Reply { value: None, meta });
        }
        let user: User =
            serde_json::from_slice(&bytes).map_err(|e| GenesysError::UnexpectedResponse {
                what: WHAT.to_owned(),
                status: meta.status,
                reason: format!("the body is not the expected JSON ({e})"),
                correlation_id: meta.correlation_id.clone(),
            })?;
        let value = (!user.id.is_empty()).then_some(user);
        Ok(Reply { value, meta })
    }
}

/// An answer that is a list of external ids, or one of them.
#[derive(Deserialize)]
#[serde(untagged)]
enum OneOrMany {
    Many(Vec<ExternalId>),
    One(ExternalId),
}

impl OneOrMany {
    fn into_list(self) -> Vec<ExternalId> {
        match self {
            OneOrMany::Many(ids) => ids,
            OneOrMany::One(id) => vec![id],
        }
    }
}
