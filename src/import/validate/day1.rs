//! The cells that make an agent ready for their first shift beyond what the admin UI imports:
//! routing languages and groups, employer info, ACD auto-answer, the phone and its site, the
//! external id, and the model agent (`like`).

use super::date::parse_date;
use super::row::RowChecker;
use crate::import::draft::{EmployerInfo, ExternalId, IssueKind, PhoneBase, PhoneRequest};
use crate::import::email;
use crate::import::mapping::Field;
use crate::import::text::shown;

/// The employee types Genesys's own tools accept, as Genesys writes them.
const EMPLOYEE_TYPES: [&str; 3] = ["Full-time", "Part-time", "Contractor"];

impl RowChecker {
    pub(super) fn groups(&mut self, cells: &[String]) -> Vec<String> {
        let value = self.cell(cells, Field::Groups);
        let mut groups: Vec<String> = Vec::new();
        for item in value.split(',').map(str::trim).filter(|s| !s.is_empty()) {
            if !self.length_ok(Field::Groups, item) {
                continue;
            }
            if groups.iter().any(|g| g.eq_ignore_ascii_case(item)) {
                self.warning(
                    Some(Field::Groups),
                    IssueKind::InvalidGroups,
                    format!("the group {} is listed twice", shown(item)),
                );
                continue;
            }
            groups.push(item.to_owned());
        }
        groups
    }

    pub(super) fn employer(&mut self, cells: &[String]) -> EmployerInfo {
        EmployerInfo {
            employee_id: self.text(cells, Field::EmployeeId),
            employee_type: self.employee_type(cells),
            hire_date: self.hire_date(cells),
            official_name: self.text(cells, Field::OfficialName),
        }
    }

    fn employee_type(&mut self, cells: &[String]) -> Option<String> {
        let value = self.cell(cells, Field::EmployeeType);
        if value.is_empty() {
            return None;
        }
        // `full time`, `FULLTIME` and `Full-time` are one type.
        let folded: String = value
            .chars()
            .filter(char::is_ascii_alphanumeric)
            .collect::<String>()
            .to_ascii_lowercase();
        let known = EMPLOYEE_TYPES.iter().find(|t| {
            t.chars()
                .filter(char::is_ascii_alphanumeric)
                .collect::<String>()
                .eq_ignore_ascii_case(&folded)
        });
        if known.is_none() {
            self.error(
                Some(Field::EmployeeType),
                IssueKind::InvalidEmployeeType,
                format!(
                    "{} is not an employee type; write Full-time, Part-time or Contractor, or \
                     leave it empty",
                    shown(value)
                ),
            );
        }
        known.map(|t| (*t).to_owned())
    }

    fn hire_date(&mut self, cells: &[String]) -> Option<String> {
        let value = self.cell(cells, Field::HireDate);
        if value.is_empty() {
            return None;
        }
        match parse_date(value, self.date_order) {
            Ok(date) => Some(date),
            Err(reason) => {
                self.error(
                    Some(Field::HireDate),
                    IssueKind::InvalidDate,
                    format!("the hire date {} {reason}", shown(value)),
                );
                None
            }
        }
    }

    pub(super) fn acd_auto_answer(&mut self, cells: &[String]) -> Option<bool> {
        let value = self.cell(cells, Field::AcdAutoAnswer);
        if value.is_empty() {
            return None;
        }
        match value.to_ascii_lowercase().as_str() {
            "yes" | "y" | "true" | "1" | "on" => Some(true),
            "no" | "n" | "false" | "0" | "off" => Some(false),
            _ => {
                self.error(
                    Some(Field::AcdAutoAnswer),
                    IssueKind::InvalidAutoAnswer,
                    format!(
                        "{} is not yes or no; write yes to answer ACD calls automatically, no \
                         not to, or leave it empty to keep what the user has",
                        shown(value)
                    ),
                );
                None
            }
        }
    }

    pub(super) fn phone_request(&mut self, cells: &[String]) -> Option<PhoneRequest> {
        let value = self.cell(cells, Field::Phone);
        let site = self.cell(cells, Field::Site);
        if value.is_empty() {
            if !site.is_empty() {
                self.warning(
                    Some(Field::Site),
                    IssueKind::InvalidPhoneDevice,
                    format!(
                        "the site {} is only used to create a phone, and this row has none; \
                         write webrtc in the phone column, or, if this column is the work \
                         location, map it to location_work",
                        shown(site)
                    ),
                );
            }
            return None;
        }
        // A number here is a work phone in the wrong column, not the name of a phone's settings.
        let digits = value.bytes().filter(u8::is_ascii_digit).count();
        if digits >= 5
            && value
                .bytes()
                .all(|b| b.is_ascii_digit() || b" +-().".contains(&b))
        {
            self.error(
                Some(Field::Phone),
                IssueKind::InvalidPhoneDevice,
                format!(
                    "{} is a phone number, but the phone column names the phone to create \
                     (webrtc, or phone base settings); map this column to phone_work",
                    shown(value)
                ),
            );
            return None;
        }
        if site.is_empty() {
            self.error(
                Some(Field::Phone),
                IssueKind::InvalidPhoneDevice,
                "a phone needs a site: add a site column with the site's name".to_owned(),
            );
            return None;
        }
        if !self.length_ok(Field::Phone, value) || !self.length_ok(Field::Site, site) {
            return None;
        }
        let base = if value.eq_ignore_ascii_case("webrtc") {
            PhoneBase::WebRtc
        } else {
            PhoneBase::Named(value.to_owned())
        };
        Some(PhoneRequest {
            base,
            site: site.to_owned(),
        })
    }

    pub(super) fn external_id(&mut self, cells: &[String]) -> Option<ExternalId> {
        let value = self.cell(cells, Field::ExternalId);
        if value.is_empty() {
            return None;
        }
        let parts = value
            .split_once(':')
            .map(|(authority, key)| (authority.trim(), key.trim()))
            .filter(|(authority, key)| !authority.is_empty() && !key.is_empty());
        let Some((authority, key)) = parts else {
            self.error(
                Some(Field::ExternalId),
                IssueKind::InvalidExternalId,
                format!(
                    "{} is not an external id; write authority:key, such as Workday:E12345",
                    shown(value)
                ),
            );
            return None;
        };
        if !self.length_ok(Field::ExternalId, authority) || !self.length_ok(Field::ExternalId, key)
        {
            return None;
        }
        Some(ExternalId {
            authority: authority.to_owned(),
            key: key.to_owned(),
        })
    }

    pub(super) fn model_user(&mut self, cells: &[String], own_key: Option<&str>) -> Option<String> {
        let value = self.cell(cells, Field::Like);
        if value.is_empty() {
            return None;
        }
        if let Err(reason) = email::check_address(value) {
            self.error(
                Some(Field::Like),
                IssueKind::InvalidModelUser,
                format!(
                    "the model agent {} is not an e-mail address: {reason}; write the e-mail of \
                     the user whose roles, queues, skills, languages and groups to copy",
                    shown(value)
                ),
            );
            return None;
        }
        let key = value.to_ascii_lowercase();
        if own_key == Some(key.as_str()) {
            self.warning(
                Some(Field::Like),
                IssueKind::InvalidModelUser,
                "the user is named as their own model agent; nothing is copied".to_owned(),
            );
            return None;
        }
        Some(key)
    }
}
