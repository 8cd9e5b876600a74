//! The division cell: a division id (a UUID, in either of its usual forms) or a name.

use super::row::RowChecker;
use crate::import::draft::{DivisionRef, IssueKind};
use crate::import::mapping::Field;
use crate::import::text::shown;

impl RowChecker {
    pub(super) fn division(&mut self, cells: &[String]) -> Option<DivisionRef> {
        let value = self.cell(cells, Field::Division);
        if value.is_empty() {
            return None;
        }
        if let Some(id) = canonical_uuid(value) {
            return Some(DivisionRef::Id(id));
        }
        if looks_like_uuid(value) {
            self.warning(
                Some(Field::Division),
                IssueKind::InvalidDivision,
                format!(
                    "{} looks like a division id but is not a valid one; it will be looked up as \
                     a division name — check it was copied whole",
                    shown(value)
                ),
            );
        }
        self.length_ok(Field::Division, value)
            .then(|| DivisionRef::Name(value.to_owned()))
    }
}

/// A UUID in its dashed form (or as 32 hex digits), lowercased and dashed. The braced and
/// `urn:uuid:` forms the parser also knows are left to be read as names, as they always were.
fn canonical_uuid(value: &str) -> Option<String> {
    if !matches!(value.len(), 32 | 36) {
        return None;
    }
    let id = uuid::Uuid::try_parse(value).ok()?;
    Some(id.hyphenated().to_string())
}

/// Dashes where a UUID has them: someone meant an id.
fn looks_like_uuid(value: &str) -> bool {
    let bytes = value.as_bytes();
    bytes.len() == 36 && [8, 13, 18, 23].iter().all(|&i| bytes[i] == b'-')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uuids_are_recognised_in_both_forms() {
        assert_eq!(
            canonical_uuid("3F2504E0-4F89-11D3-9A0C-0305E82C3301").as_deref(),
            Some("3f2504e0-4f89-11d3-9a0c-0305e82c3301")
        );
        assert_eq!(
            canonical_uuid("3f2504e04f8911d39a0c0305e82c3301").as_deref(),
            Some("3f2504e0-4f89-11d3-9a0c-0305e82c3301")
        );
        assert_eq!(canonical_uuid("Sales"), None);
        assert_eq!(canonical_uuid("3f2504e0-4f89-11d3-9a0c-0305e82c330g"), None);
    }

    #[test]
    fn braced_and_urn_uuids_are_read_as_names_and_misplaced_dashes_are_no_id() {
        assert_eq!(
            canonical_uuid("{3f2504e0-4f89-11d3-9a0c-0305e82c3301}"),
            None
        );
        assert_eq!(
            canonical_uuid("urn:uuid:3f2504e0-4f89-11d3-9a0c-0305e82c3301"),
            None
        );
        assert_eq!(canonical_uuid("3f2504e04-f89-11d3-9a0c-0305e82c3301"), None);
        assert!(looks_like_uuid("3f2504e0-4f89-11d3-9a0c-0305e82c330g"));
        assert!(!looks_like_uuid("3f2504e04-f89-11d3-9a0c-0305e82c3301"));
    }
}
