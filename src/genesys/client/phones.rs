//! A WebRTC phone for a new agent: the sites and phone base settings it is made from, the
//! phone itself (looked up before it is made, so a resumed run never makes two), its station,
//! and the user's default station (API-day1 §6).

use std::time::Duration;

use reqwest::Method;

use super::http::{encode, segment};
use super::{GenesysClient, Repeat, Reply};
use crate::genesys::error::{GenesysError, Result};
use crate::genesys::models::{
    EntityListing, NewPhone, Phone, PhoneBaseSettings, Site, Station, UserStations,
};

const PHONES: &str = "/api/v2/telephony/providers/edges/phones";
/// How many times setting the default station is tried on 400, 408 or 409: Genesys's
/// Terraform provider's `RetryWhen(IsStatus400, 409)` around it (`assignUserToWebRtcPhone`),
/// since a user's new roles reach the telephony service a little after they are granted.
const DEFAULT_STATION_ATTEMPTS: u32 = 10;

/// How long to wait for a new phone's station: Genesys creates it shortly after the phone,
/// and Genesys's Terraform provider polls `GET /api/v2/stations?webRtcUserId=` for up to 60 s
/// (`station` proxy, `assignUserToWebRtcPhone`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StationWait {
    /// Reads made at most, the first one at once.
    pub reads: u32,
    /// The pause between two reads.
    pub interval: Duration,
}

impl Default for StationWait {
    /// 30 reads 2 s apart: Terraform's 60 s.
    fn default() -> Self {
        StationWait {
            reads: 30,
            interval: Duration::from_secs(2),
        }
    }
}

impl GenesysClient {
    /// Every telephony site (`GET /api/v2/telephony/providers/edges/sites`, all pages),
    /// managed ones first: Genesys's Terraform provider lists `managed=true`, then
    /// `managed=false` (`telephony_providers_edges_site` proxy), and so does this, keeping
    /// each site once. The SDK lists no permission for it.
    pub async fn list_sites(&self) -> Result<Reply<Vec<Site>>> {
        const PATH: &str = "/api/v2/telephony/providers/edges/sites";
        let managed = self
            .every_page_of::<Site>("list sites", PATH, &[("managed", "true".to_owned())])
            .await?;
        let unmanaged = self
            .every_page_of::<Site>("list sites", PATH, &[("managed", "false".to_owned())])
            .await?;
        let mut sites = managed.value;
        for site in unmanaged.value {
            if !sites.iter().any(|known| known.id == site.id) {
                sites.push(site);
            }
        }
        Ok(Reply {
            value: sites,
            meta: unmanaged.meta,
        })
    }

    /// Every phone base settings of the org with their lines
    /// (`GET /api/v2/telephony/providers/edges/phonebasesettings?expand=lines`, all pages).
    /// Needs `telephony:plugin:all`.
    pub async fn list_phone_base_settings(&self) -> Result<Reply<Vec<PhoneBaseSettings>>> {
        self.every_page_of(
            "list phone base settings",
            "/api/v2/telephony/providers/edges/phonebasesettings",
            &[("expand", "lines".to_owned())],
        )
        .await
    }

    /// `GET /api/v2/telephony/providers/edges/phonebasesettings/{id}`: one phone base
    /// settings with its meta base and line base settings. Needs `telephony:plugin:all`.
    pub async fn get_phone_base_settings(&self, id: &str) -> Result<Reply<PhoneBaseSettings>> {
        let path = format!(
            "/api/v2/telephony/providers/edges/phonebasesettings/{}",
            segment(id)
        );
        self.call_json(
            "get phone base settings",
            Repeat::Read,
            Method::GET,
            &path,
            &[],
            None,
        )
        .await
    }

    /// Create a phone (`POST /api/v2/telephony/providers/edges/phones`); needs
    /// `telephony:plugin:all`. A lost answer gives [`GenesysError::OutcomeUnknown`]: look the
    /// user's phone up ([`GenesysClient::webrtc_phones`]) before sending it again.
    pub async fn create_phone(&self, phone: &NewPhone) -> Result<Reply<Phone>> {
        let body = encode(phone)?;
        self.call_json(
            "create phone",
            Repeat::Settle,
            Method::POST,
            PHONES,
            &[],
            Some(body),
        )
        .await
    }

    /// The WebRTC phones of a user (`GET /api/v2/telephony/providers/edges/phones?webRtcUser.id=`,
    /// all pages): what a run looks for before it creates one. Needs `telephony:plugin:all`.
    pub async fn webrtc_phones(&self, user_id: &str) -> Result<Reply<Vec<Phone>>> {
        self.every_page_of(
            "find the user's phone",
            PHONES,
            &[("webRtcUser.id", user_id.to_owned())],
        )
        .await
    }

    /// `GET /api/v2/telephony/providers/edges/phones/{id}`. Needs `telephony:plugin:all`.
    pub async fn get_phone(&self, phone_id: &str) -> Result<Reply<Phone>> {
        let path = format!("{PHONES}/{}", segment(phone_id));
        self.call_json("get phone", Repeat::Read, Method::GET, &path, &[], None)
            .await
    }

    /// The stations of a user's WebRTC phone
    /// (`GET /api/v2/stations?webRtcUserId=…&pageSize=100&pageNumber=1`); empty until Genesys
    /// has made the new phone's station. The SDK lists no permission for it.
    pub async fn webrtc_stations(&self, user_id: &str) -> Result<Reply<Vec<Station>>> {
        let query = [
            ("webRtcUserId", user_id.to_owned()),
            ("pageSize", "100".to_owned()),
            ("pageNumber", "1".to_owned()),
        ];
        let reply: Reply<EntityListing<Station>> = self
            .call_json(
                "find the phone's station",
                Repeat::Read,
                Method::GET,
                "/api/v2/stations",
                &query,
                None,
            )
            .await?;
        Ok(Reply {
            value: reply.value.entities,
            meta: reply.meta,
        })
    }

    /// The station of a user's WebRTC phone, read again until it appears (at most
    /// `wait.reads` reads, `wait.interval` apart), as Genesys's own tools wait for it.
    pub async fn wait_for_webrtc_station(
        &self,
        user_id: &str,
        wait: StationWait,
    ) -> Result<Reply<Station>> {
        let mut read = 0;
        loop {
            read += 1;
            let reply = self.webrtc_stations(user_id).await?;
            if let Some(station) = reply.value.into_iter().next() {
                return Ok(Reply {
                    value: station,
                    meta: reply.meta,
                });
            }
            if read >= wait.reads {
                return Err(GenesysError::UnexpectedResponse {
                    what: "find the phone's station".to_owned(),
                    status: reply.meta.status,
                    reason: format!(
                        "Genesys had made no station for the user's WebRTC phone after {read} \
                         reads over {} s; run again later to set the default station",
                        (wait.interval * (read - 1)).as_secs()
                    ),
                    correlation_id: reply.meta.correlation_id,
                });
            }
            tokio::time::sleep(wait.interval).await;
        }
    }

    /// Make a station the user's default
    /// (`PUT /api/v2/users/{id}/station/defaultstation/{stationId}`, no body). Needs
    /// `telephony:plugin:all` or `telephony:phone:assign`, and the user must hold
    /// Conversation > Call > Add. Tried again on 400, 408 and 409 (see
    /// [`DEFAULT_STATION_ATTEMPTS`]); doing it twice changes nothing.
    pub async fn set_default_station(&self, user_id: &str, station_id: &str) -> Result<Reply<()>> {
        let path = format!(
            "/api/v2/users/{}/station/defaultstation/{}",
            segment(user_id),
            segment(station_id)
        );
        let mut attempt = 0;
        loop {
            attempt += 1;
            match self
                .call_unit(
                    "set the default station",
                    Repeat::Safe,
                    Method::PUT,
                    &path,
                    &[],
                    None,
                )
                .await
            {
                Err(e)
                    if matches!(e.status(), Some(400 | 408 | 409))
                        && attempt < DEFAULT_STATION_ATTEMPTS =>
                {
                    tokio::time::sleep(self.terraform_wait(&e, attempt)).await;
                }
                result => return result,
            }
        }
    }

    /// A user's stations (`GET /api/v2/users/{id}/station`): its default station among them.
    /// Needs `telephony:otherStationAssociation:view`.
    pub async fn user_stations(&self, user_id: &str) -> Result<Reply<UserStations>> {
        let path = format!("/api/v2/users/{}/station", segment(user_id));
        self.call_json(
            "read the user's stations",
            Repeat::Read,
            Method::GET,
            &path,
            &[],
            None,
        )
        .await
    }
}
