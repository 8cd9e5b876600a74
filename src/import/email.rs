//! The e-mail address rule: an RFC 5322 `addr-spec` with a dot-atom local part and a DNS host
//! name, which is what Genesys Cloud accepts as a user's e-mail and username.
//!
//! Quoted local parts (`"john doe"@example.com`) and address literals (`john@[10.0.0.1]`) are
//! valid RFC 5322 but are not used for people's accounts; they are rejected with a message that
//! says so rather than letting Genesys refuse them halfway through a run.

/// Maximum length of the whole address (RFC 5321 path limit less the angle brackets).
pub(crate) const MAX_ADDRESS: usize = 254;
const MAX_LOCAL: usize = 64;
const MAX_LABEL: usize = 63;

/// Checks an address (already trimmed). `Err` says what is wrong, in a phrase that follows
/// "is not a valid e-mail address: ".
pub(crate) fn check_address(address: &str) -> Result<(), String> {
    if is_plainly_valid(address) {
        return Ok(());
    }
    explain(address)
}

/// One pass over the bytes accepting the ordinary address; anything unusual goes to
/// [`explain`], which applies the same rules one by one and says which failed. (It accepts a
/// subset of what `explain` accepts; a test holds them together.)
fn is_plainly_valid(address: &str) -> bool {
    let bytes = address.as_bytes();
    let Some(at) = bytes.iter().rposition(|&b| b == b'@') else {
        return false;
    };
    let (local, domain) = (&bytes[..at], &bytes[at + 1..]);
    if bytes.len() > MAX_ADDRESS || local.is_empty() || local.len() > MAX_LOCAL {
        return false;
    }
    let mut previous = b'.';
    for &b in local {
        let ok = if b == b'.' {
            previous != b'.'
        } else {
            is_atext(b)
        };
        if !ok {
            return false;
        }
        previous = b;
    }
    if previous == b'.' {
        return false;
    }
    let mut label_len = 0;
    let mut labels = 0;
    let mut last_label_digits = true;
    let mut previous = b'.';
    for &b in domain {
        if b == b'.' {
            if label_len == 0 || previous == b'-' {
                return false;
            }
            labels += 1;
            label_len = 0;
            last_label_digits = true;
        } else if b.is_ascii_alphanumeric() || (b == b'-' && label_len > 0) {
            label_len += 1;
            last_label_digits &= b.is_ascii_digit();
            if label_len > MAX_LABEL {
                return false;
            }
        } else {
            return false;
        }
        previous = b;
    }
    label_len > 0 && previous != b'-' && labels >= 1 && !last_label_digits
}

pub(crate) fn explain(address: &str) -> Result<(), String> {
    if address.len() > MAX_ADDRESS {
        return Err(format!(
            "it is {} characters long; the most is {MAX_ADDRESS}",
            address.chars().count()
        ));
    }
    if let Some(open) = address.find('<') {
        if address.ends_with('>') && open > 0 {
            return Err("write only the address, without the name and the < >".to_owned());
        }
    }
    if address.starts_with('"') {
        return Err("quoted names before the @ are not supported".to_owned());
    }
    if let Some(c) = address.chars().find(|c| c.is_whitespace()) {
        return Err(if c == ' ' {
            "it contains a space".to_owned()
        } else {
            "it contains a tab or line break".to_owned()
        });
    }
    let Some((local, domain)) = address.rsplit_once('@') else {
        return Err("it has no @".to_owned());
    };
    if local.contains('@') {
        return Err("it has more than one @".to_owned());
    }
    check_local(local)?;
    check_domain(domain)
}

fn is_atext(c: u8) -> bool {
    c.is_ascii_alphanumeric() || b"!#$%&'*+/=?^_`{|}~-".contains(&c)
}

fn check_local(local: &str) -> Result<(), String> {
    if local.is_empty() {
        return Err("nothing comes before the @".to_owned());
    }
    if local.len() > MAX_LOCAL {
        return Err(format!(
            "the part before the @ is {} characters long; the most is {MAX_LOCAL}",
            local.chars().count()
        ));
    }
    if local.starts_with('.') || local.ends_with('.') {
        return Err("the part before the @ starts or ends with a dot".to_owned());
    }
    if local.contains("..") {
        return Err("it has two dots in a row".to_owned());
    }
    if let Some(c) = local
        .chars()
        .find(|&c| !(c == '.' || c.is_ascii() && is_atext(c as u8)))
    {
        return Err(format!("the character '{c}' is not allowed before the @"));
    }
    Ok(())
}

fn check_domain(domain: &str) -> Result<(), String> {
    if domain.is_empty() {
        return Err("nothing comes after the @".to_owned());
    }
    if domain.starts_with('[') {
        return Err("IP-address domains are not supported; use a host name".to_owned());
    }
    if let Some(c) = domain
        .chars()
        .find(|&c| !(c.is_ascii_alphanumeric() || c == '-' || c == '.'))
    {
        return Err(format!("the character '{c}' is not allowed after the @"));
    }
    if !domain.contains('.') {
        return Err(format!(
            "the domain \"{domain}\" has no dot (expected something like example.com)"
        ));
    }
    for label in domain.split('.') {
        if label.is_empty() {
            return Err(
                "the domain has an empty part (a dot at the start or end, or two dots in \
                        a row)"
                    .to_owned(),
            );
        }
        if label.len() > MAX_LABEL {
            return Err(format!(
                "a part of the domain is longer than {MAX_LABEL} characters"
            ));
        }
        if label.starts_with('-') || label.ends_with('-') {
            return Err(format!(
                "the domain part \"{label}\" starts or ends with a hyphen"
            ));
        }
    }
    let top = domain.rsplit('.').next().unwrap_or_default();
    if top.bytes().all(|b| b.is_ascii_digit()) {
        return Err("the domain ends in a number; use a host name, not an IP address".to_owned());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ordinary_addresses_are_accepted() {
        for address in [
            "ada@example.com",
            "Ada.Lovelace@Example.COM",
            "first.o'neil+tag@mail.example.co.uk",
            "x@a-b.io",
            "!#$%&'*+/=?^_`{|}~-@example.org",
            "user@xn--bcher-kva.example",
        ] {
            assert_eq!(check_address(address), Ok(()), "{address} should be valid");
        }
    }

    #[test]
    fn broken_addresses_are_rejected_with_a_reason() {
        for (address, reason) in [
            ("ada.example.com", "no @"),
            ("ada@@example.com", "more than one @"),
            ("a@b@example.com", "more than one @"),
            ("@example.com", "nothing comes before"),
            ("ada@", "nothing comes after"),
            ("ada@example", "has no dot"),
            (".ada@example.com", "starts or ends with a dot"),
            ("ada.@example.com", "starts or ends with a dot"),
            ("ada..l@example.com", "two dots"),
            ("ada l@example.com", "space"),
            ("ada@exa mple.com", "space"),
            ("adé@example.com", "'é' is not allowed before"),
            ("ada@exämple.com", "'ä' is not allowed after"),
            ("ada@example..com", "empty part"),
            ("ada@example.com.", "empty part"),
            ("ada@-example.com", "hyphen"),
            ("ada@example-.com", "hyphen"),
            ("ada@example_co.com", "'_' is not allowed after"),
            ("\"ada l\"@example.com", "quoted"),
            ("ada@[192.168.0.1]", "IP-address"),
            ("ada@192.168.0.1", "ends in a number"),
            ("Ada Lovelace <ada@example.com>", "without the name"),
            ("ada,bob@example.com", "',' is not allowed"),
        ] {
            let err = check_address(address).expect_err(address);
            assert!(
                err.contains(reason),
                "{address}: {err:?} should mention {reason:?}"
            );
        }
    }

    #[test]
    fn the_fast_check_never_accepts_what_the_detailed_rules_reject() {
        let samples = [
            "ada@example.com",
            "a@b.c",
            "a@b.1",
            "a@1.b",
            "a@-b.c",
            "a@b-.c",
            "a@b..c",
            ".a@b.c",
            "a.@b.c",
            "a..b@c.d",
            "a@b.c.",
            "a@.b.c",
            "a@b",
            "@b.c",
            "a@",
            "a b@c.d",
            "a@b_c.d",
            "é@b.c",
            "a@b@c.d",
            "\"a\"@b.c",
            "a@[1.2.3.4]",
            "a-@b-c.d-e",
            "a@b.c-",
            "A+B@X.Y",
        ];
        for address in samples {
            if is_plainly_valid(address) {
                assert_eq!(explain(address), Ok(()), "{address}");
            }
        }
        assert!(is_plainly_valid("first.last+tag@mail.example.co.uk"));
    }

    #[test]
    fn length_limits_follow_the_rfc() {
        let local64 = "a".repeat(64);
        assert_eq!(check_address(&format!("{local64}@example.com")), Ok(()));
        let local65 = "a".repeat(65);
        assert!(check_address(&format!("{local65}@example.com"))
            .unwrap_err()
            .contains("64"));
        let label63 = "b".repeat(63);
        assert_eq!(check_address(&format!("a@{label63}.com")), Ok(()));
        let label64 = "b".repeat(64);
        assert!(check_address(&format!("a@{label64}.com"))
            .unwrap_err()
            .contains("63"));
        let long_domain = vec!["c".repeat(60); 5].join(".");
        assert!(check_address(&format!("a@{long_domain}"))
            .unwrap_err()
            .contains("254"));
    }
}
