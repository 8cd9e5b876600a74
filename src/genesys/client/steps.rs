//! What a run does to a user after creating it: grant roles in divisions, give routing skills,
//! add to queues, and the reads that check each was done.

use reqwest::Method;

use super::http::{encode, segment};
use super::{GenesysClient, Repeat, Reply, MAX_QUEUE_MEMBERS_PER_CALL, MAX_SKILLS_PER_CALL};
use crate::genesys::error::{GenesysError, Result};
use crate::genesys::models::{
    EntityListing, MemberRef, RoleGrant, RoleGrants, SubjectGrants, UserQueue, UserRoutingSkill,
    UserSkill,
};

impl GenesysClient {
    /// Grant roles in divisions (`POST /api/v2/authorization/subjects/{id}/bulkadd`). Granting
    /// a role the user already holds changes nothing, so a lost answer is simply resent.
    pub async fn grant_roles(&self, user_id: &str, grants: &[RoleGrant]) -> Result<Reply<()>> {
        let path = format!(
            "/api/v2/authorization/subjects/{}/bulkadd",
            segment(user_id)
        );
        let body = encode(&RoleGrants { grants })?;
        self.call_unit(
            "grant roles",
            Repeat::Safe,
            Method::POST,
            &path,
            &[],
            Some(body),
        )
        .await
    }

    /// Give a user routing skills (`PATCH /api/v2/users/{id}/routingskills/bulk`): skills the
    /// user has get the new proficiency, others are kept. At most [`MAX_SKILLS_PER_CALL`]; the
    /// caller splits longer lists. Answers the user's skills.
    pub async fn add_user_skills(
        &self,
        user_id: &str,
        skills: &[UserSkill],
    ) -> Result<Reply<Vec<UserRoutingSkill>>> {
        const WHAT: &str = "add routing skills";
        if skills.len() > MAX_SKILLS_PER_CALL {
            return Err(too_many(WHAT, skills.len(), MAX_SKILLS_PER_CALL, "skills"));
        }
        let path = format!("/api/v2/users/{}/routingskills/bulk", segment(user_id));
        let body = encode(&skills)?;
        let reply: Reply<EntityListing<UserRoutingSkill>> = self
            .call_json(WHAT, Repeat::Safe, Method::PATCH, &path, &[], Some(body))
            .await?;
        Ok(Reply {
            value: reply.value.entities,
            meta: reply.meta,
        })
    }

    /// Add users to a queue (`POST /api/v2/routing/queues/{id}/members`). At most
    /// [`MAX_QUEUE_MEMBERS_PER_CALL`]; the caller splits longer lists. Adding a member again
    /// changes nothing.
    pub async fn add_queue_members(
        &self,
        queue_id: &str,
        user_ids: &[String],
    ) -> Result<Reply<()>> {
        const WHAT: &str = "add queue members";
        if user_ids.len() > MAX_QUEUE_MEMBERS_PER_CALL {
            return Err(too_many(
                WHAT,
                user_ids.len(),
                MAX_QUEUE_MEMBERS_PER_CALL,
                "members",
            ));
        }
        let path = format!("/api/v2/routing/queues/{}/members", segment(queue_id));
        let members: Vec<MemberRef> = user_ids.iter().map(|id| MemberRef { id }).collect();
        let body = encode(&members)?;
        self.call_unit(WHAT, Repeat::Safe, Method::POST, &path, &[], Some(body))
            .await
    }

    /// The roles a user holds, and in which divisions
    /// (`GET /api/v2/authorization/subjects/{subjectId}`).
    pub async fn user_grants(&self, user_id: &str) -> Result<Reply<SubjectGrants>> {
        let path = format!("/api/v2/authorization/subjects/{}", segment(user_id));
        self.call_json("read grants", Repeat::Read, Method::GET, &path, &[], None)
            .await
    }

    /// The routing skills a user has (`GET /api/v2/users/{id}/routingskills`, all pages).
    pub async fn user_skills(&self, user_id: &str) -> Result<Reply<Vec<UserRoutingSkill>>> {
        let path = format!("/api/v2/users/{}/routingskills", segment(user_id));
        self.every_page("read routing skills", &path).await
    }

    /// The queues a user is a member of (`GET /api/v2/users/{id}/queues`, all pages).
    pub async fn user_queues(&self, user_id: &str) -> Result<Reply<Vec<UserQueue>>> {
        let path = format!("/api/v2/users/{}/queues", segment(user_id));
        self.every_page("read queues", &path).await
    }
}

pub(super) fn too_many(what: &str, given: usize, limit: usize, items: &str) -> GenesysError {
    GenesysError::InvalidInput {
        what: what.to_owned(),
        reason: format!("{given} {items} given, Genesys takes at most {limit} per call"),
    }
}
