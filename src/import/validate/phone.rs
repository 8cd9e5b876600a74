//! Phone numbers, written any way a person writes them, turned into E.164.

use std::fmt::Write as _;

use crate::import::text::shown;

/// A number read, and what to tell the user about it.
pub(super) struct PhoneCheck {
    /// The number as `+<country code><number>`.
    pub(super) e164: String,
    /// Set when the number was kept but may be wrong, or lost an extension.
    pub(super) warning: Option<String>,
}

/// Parses a phone number into E.164. A number without `+` needs the default country.
pub(super) fn normalize_phone(
    value: &str,
    default_country: Option<phonenumber::country::Id>,
) -> Result<PhoneCheck, String> {
    let unreadable = |reason: &dyn std::fmt::Display| {
        format!(
            "{} cannot be read as a phone number ({reason}); write it as +<country code><number>, \
             for example +14155550100",
            shown(value)
        )
    };
    if value.bytes().filter(u8::is_ascii_digit).count() < 3 {
        return Err(unreadable(&"it has fewer than 3 digits"));
    }
    let international = value.starts_with('+');
    if !international && default_country.is_none() {
        return Err(format!(
            "the phone number {} has no country code; write it as +<country code><number> \
             (for example +14155550100) or set the default country for the import",
            shown(value)
        ));
    }
    let country = if international { None } else { default_country };
    let number = phonenumber::parse(country, value).map_err(|e| unreadable(&e))?;
    let mut e164 = String::with_capacity(16);
    if write!(e164, "{}", number.format().mode(phonenumber::Mode::E164)).is_err() {
        return Err(format!(
            "{} has a country code that does not exist; check the digits after the +",
            shown(value)
        ));
    }
    let mut warning = None;
    if !phonenumber::is_valid(&number) {
        warning = Some(format!(
            "{} does not look like a valid number for its country; it is kept as {e164} — \
             check the digits",
            shown(value)
        ));
    } else if let Some(extension) = number.extension() {
        warning = Some(format!(
            "the extension {extension} in {} is not part of the phone number and is dropped; \
             put it in the extension column",
            shown(value)
        ));
    }
    Ok(PhoneCheck { e164, warning })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    fn us() -> Option<phonenumber::country::Id> {
        Some(phonenumber::country::Id::from_str("US").unwrap())
    }

    #[test]
    fn international_numbers_need_no_country_and_become_e164() {
        let check = normalize_phone("+44 20 7946 0958", None).ok().unwrap();
        assert_eq!(check.e164, "+442079460958");
        assert!(check.warning.is_none());
        let check = normalize_phone("+1 (415) 555-0100", None).ok().unwrap();
        assert_eq!(check.e164, "+14155550100");
    }

    #[test]
    fn national_numbers_use_the_default_country() {
        let check = normalize_phone("(415) 555-0100", us()).ok().unwrap();
        assert_eq!(check.e164, "+14155550100");
        let gb = phonenumber::country::Id::from_str("GB").ok();
        let check = normalize_phone("020 7946 0958", gb).ok().unwrap();
        assert_eq!(check.e164, "+442079460958");
    }

    #[test]
    fn a_national_number_without_a_default_country_says_what_to_do() {
        let message = normalize_phone("415 555 0100", None).err().unwrap();
        assert!(message.contains("has no country code"), "{message}");
        assert!(message.contains("set the default country"), "{message}");
    }

    #[test]
    fn text_that_is_no_phone_number_is_an_error_naming_the_value() {
        let message = normalize_phone("call me", us()).err().unwrap();
        assert!(
            message.starts_with("\"call me\" cannot be read as a phone number"),
            "{message}"
        );
    }

    #[test]
    fn an_extension_in_the_phone_cell_is_dropped_with_a_warning() {
        let check = normalize_phone("+1 415 555 0100 ext. 12", None)
            .ok()
            .unwrap();
        assert_eq!(check.e164, "+14155550100");
        assert!(check.warning.unwrap().contains("extension 12"));
    }
}
