//! The steps that make a user ready for a first shift, for each user: routing languages, the
//! external id and the WebRTC phone (after the roles, as a default station needs
//! Conversation > Call > Add). Groups and auto-answer are batched across users (`batches`).

use super::{attempt_record, Engine};
use crate::genesys::{GenesysClient, GenesysError, UserLanguage, MAX_LANGUAGES_PER_CALL};
use crate::plan::{PlannedPhone, RowSteps};
use crate::run::journal::{JournalRow, StepKind, StepStatus};

/// How often a phone is looked up and, when none is there, created: a lost answer to the
/// create is settled by the next look-up, so a user never gets two phones.
const PHONE_ATTEMPTS: u32 = 3;

impl Engine {
    /// A row's routing languages, external id and phone, each a journaled step.
    pub(super) async fn apply_day1(
        &self,
        client: &GenesysClient,
        row: &JournalRow,
        plan: &RowSteps,
        user_id: &str,
    ) {
        let index = row.index;
        let pending = |kind: StepKind| {
            row.steps
                .iter()
                .any(|s| s.kind == kind && s.status == StepStatus::Pending)
        };

        if pending(StepKind::Languages) && !self.should_stop() {
            let call = async {
                for chunk in plan.day1.languages.chunks(MAX_LANGUAGES_PER_CALL) {
                    let languages: Vec<UserLanguage> = chunk
                        .iter()
                        .map(|l| UserLanguage {
                            id: l.skill.id.clone(),
                            proficiency: l.proficiency,
                        })
                        .collect();
                    self.count_request();
                    let result = client.add_user_languages(user_id, &languages).await;
                    let _ = self
                        .record(vec![attempt_record(index, "languages", &result)])
                        .await;
                    result?;
                }
                Ok(())
            };
            self.step(index, StepKind::Languages, call).await;
        }

        if let Some(external_id) = plan.day1.external_id.as_ref() {
            if pending(StepKind::ExternalId) && !self.should_stop() {
                let call = async {
                    self.count_request();
                    let result = client.add_external_id(user_id, external_id).await;
                    let _ = self
                        .record(vec![attempt_record(index, "externalId", &result)])
                        .await;
                    result.map(|_| ())
                };
                self.step(index, StepKind::ExternalId, call).await;
            }
        }

        if let Some(phone) = plan.day1.phone.as_ref() {
            if pending(StepKind::Phone) && !self.should_stop() {
                let name = row.name.clone().unwrap_or_else(|| user_id.to_owned());
                let call = self.phone(client, index, user_id, &name, phone);
                self.step(index, StepKind::Phone, call).await;
            }
        }
    }

    /// The user's WebRTC phone, made its default station. The phone is looked up before it
    /// is created, every time: after a crash or a lost answer the one already made is used.
    async fn phone(
        &self,
        client: &GenesysClient,
        index: usize,
        user_id: &str,
        user_name: &str,
        phone: &PlannedPhone,
    ) -> Result<(), GenesysError> {
        let mut attempts = 0;
        loop {
            attempts += 1;
            self.count_request();
            let existing = client.webrtc_phones(user_id).await?.value;
            if !existing.is_empty() {
                break;
            }
            let body = phone.base.webrtc_phone(&phone.site.id, user_id, user_name);
            self.count_request();
            let result = client.create_phone(&body).await;
            let _ = self
                .record(vec![attempt_record(index, "phone", &result)])
                .await;
            match result {
                Ok(_) => break,
                Err(GenesysError::OutcomeUnknown { .. }) if attempts < PHONE_ATTEMPTS => continue,
                Err(e) => return Err(e),
            }
        }
        let station = client
            .wait_for_webrtc_station(user_id, self.settle.station)
            .await?;
        self.count_request();
        let result = client.set_default_station(user_id, &station.value.id).await;
        let _ = self
            .record(vec![attempt_record(index, "defaultStation", &result)])
            .await;
        result.map(|_| ())
    }
}
