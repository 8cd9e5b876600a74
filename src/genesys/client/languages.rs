//! Routing languages: the org's list, giving a user languages in bulk, and reading them back
//! (API-day1 §1).

use reqwest::Method;

use super::http::{encode, segment};
use super::steps::too_many;
use super::{GenesysClient, Repeat, Reply, MAX_LANGUAGES_PER_CALL};
use crate::genesys::error::Result;
use crate::genesys::models::{EntityListing, Language, UserLanguage, UserRoutingLanguage};

impl GenesysClient {
    /// Every routing language of the org (`GET /api/v2/routing/languages`, all pages). The
    /// SDK lists no permission for it.
    pub async fn list_languages(&self) -> Result<Reply<Vec<Language>>> {
        self.every_page("list languages", "/api/v2/routing/languages")
            .await
    }

    /// Give a user routing languages (`PATCH /api/v2/users/{id}/routinglanguages/bulk`):
    /// languages the user has get the new proficiency, others are kept (there is no replacing
    /// PUT). At most [`MAX_LANGUAGES_PER_CALL`]; the caller splits longer lists. Needs
    /// `routing:skill:assign` or `routing:language:assign`. Answers the user's languages.
    pub async fn add_user_languages(
        &self,
        user_id: &str,
        languages: &[UserLanguage],
    ) -> Result<Reply<Vec<UserRoutingLanguage>>> {
        const WHAT: &str = "add routing languages";
        if languages.len() > MAX_LANGUAGES_PER_CALL {
            return Err(too_many(
                WHAT,
                languages.len(),
                MAX_LANGUAGES_PER_CALL,
                "languages",
            ));
        }
        let path = format!("/api/v2/users/{}/routinglanguages/bulk", segment(user_id));
        let body = encode(&languages)?;
        // Setting a proficiency again changes nothing, so a lost answer is simply resent.
        let reply: Reply<EntityListing<UserRoutingLanguage>> = self
            .call_json(WHAT, Repeat::Safe, Method::PATCH, &path, &[], Some(body))
            .await?;
        Ok(Reply {
            value: reply.value.entities,
            meta: reply.meta,
        })
    }

    /// The routing languages a user has (`GET /api/v2/users/{id}/routinglanguages`, all
    /// pages; Genesys's Terraform provider reads them the same way rather than through the
    /// best-effort `expand=languages`).
    pub async fn user_languages(&self, user_id: &str) -> Result<Reply<Vec<UserRoutingLanguage>>> {
        let path = format!("/api/v2/users/{}/routinglanguages", segment(user_id));
        self.every_page("read routing languages", &path).await
    }
}
