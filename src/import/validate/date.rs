//! Hire dates as admins write them: ISO (`2026-03-14`), the numeric forms spreadsheets show
//! (`3/14/2026`, `14.03.2026`) and English month names (`14-Mar-2026`, `March 14, 2026`),
//! turned into the `yyyy-MM-dd` Genesys takes.

use crate::import::draft::DateOrder;

const MONTHS: [&str; 12] = [
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
];

/// The date in `yyyy-MM-dd`, or a message that says what to write instead. `order` decides
/// `3/4/2026`; without one, such a date is refused unless its day is over 12 or it reads the
/// same both ways.
pub(super) fn parse_date(value: &str, order: Option<DateOrder>) -> Result<String, String> {
    // A spreadsheet's date-time (`2026-03-14 00:00:00`, `2026-03-14T09:00`) keeps its date.
    let date = value
        .split(['T', ' '])
        .next()
        .filter(|d| d.len() == 10 && d.as_bytes()[4] == b'-')
        .unwrap_or(value);
    let parts: Vec<&str> = date
        .split(['-', '/', '.', ' ', ','])
        .filter(|p| !p.is_empty())
        .collect();
    let [first, second, third] = parts[..] else {
        return Err(unreadable());
    };
    let (year, month, day) = if first.len() == 4 && is_number(first) {
        (first, number(second)?, number(third)?)
    } else if let Some(month) = month_named(first) {
        (third, month, number(second)?)
    } else if let Some(month) = month_named(second) {
        (third, month, number(first)?)
    } else {
        let (a, b) = (number(first)?, number(second)?);
        let order = order.or_else(|| {
            if date.contains('.') || a > 12 {
                Some(DateOrder::Dmy)
            } else if b > 12 || a == b {
                Some(DateOrder::Mdy)
            } else {
                None
            }
        });
        match order {
            Some(DateOrder::Mdy) => (third, a, b),
            Some(DateOrder::Dmy) => (third, b, a),
            None => {
                return Err(format!(
                    "could be {} or {}; choose the date order (month first or day first) on the \
                     import step, or --date-order mdy|dmy, or write it as yyyy-mm-dd",
                    month_day(a, b),
                    month_day(b, a)
                ))
            }
        }
    };
    if year.len() != 4 || !is_number(year) {
        return Err(format!(
            "has the year {year:?}; write the year in full (2026), or as yyyy-mm-dd"
        ));
    }
    let year: u32 = year.parse().map_err(|_| unreadable())?;
    if !(1900..=2100).contains(&year) || !(1..=12).contains(&month) {
        return Err(unreadable());
    }
    if day == 0 || day > days_in(year, month) {
        return Err(format!(
            "is not a day of the calendar ({} has {} days)",
            MONTHS[month as usize - 1],
            days_in(year, month)
        ));
    }
    Ok(format!("{year:04}-{month:02}-{day:02}"))
}

fn unreadable() -> String {
    "is not a date; write it as yyyy-mm-dd (2026-03-14), 3/14/2026 or 14-Mar-2026".to_owned()
}

fn is_number(part: &str) -> bool {
    !part.is_empty() && part.bytes().all(|b| b.is_ascii_digit())
}

fn number(part: &str) -> Result<u32, String> {
    if part.len() > 2 || !is_number(part) {
        return Err(unreadable());
    }
    part.parse().map_err(|_| unreadable())
}

/// `Mar`, `march`, `Sept` → 3, 3, 9.
fn month_named(part: &str) -> Option<u32> {
    let lower = part.to_ascii_lowercase();
    if lower.len() < 3 {
        return None;
    }
    MONTHS
        .iter()
        .position(|m| m.starts_with(&lower))
        .map(|i| i as u32 + 1)
}

fn month_day(month: u32, day: u32) -> String {
    match MONTHS.get(month.wrapping_sub(1) as usize) {
        Some(name) => format!("{day} {name}"),
        None => format!("day {day} of month {month}"),
    }
}

fn days_in(year: u32, month: u32) -> u32 {
    match month {
        2 if year.is_multiple_of(4) && (!year.is_multiple_of(100) || year.is_multiple_of(400)) => {
            29
        }
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn iso_spreadsheet_and_month_name_forms_become_genesys_dates() {
        for (written, order, expected) in [
            ("2026-03-14", None, "2026-03-14"),
            ("2026/3/14", None, "2026-03-14"),
            ("2026-03-14 00:00:00", None, "2026-03-14"),
            ("2026-03-14T09:30:00", None, "2026-03-14"),
            ("3/14/2026", None, "2026-03-14"),
            ("14/3/2026", None, "2026-03-14"),
            ("14.03.2026", None, "2026-03-14"),
            ("3/4/2026", Some(DateOrder::Mdy), "2026-03-04"),
            ("3/4/2026", Some(DateOrder::Dmy), "2026-04-03"),
            ("4/4/2026", None, "2026-04-04"),
            ("14-Mar-2026", None, "2026-03-14"),
            ("14 March 2026", None, "2026-03-14"),
            ("March 14, 2026", None, "2026-03-14"),
            ("Sept 1 2026", None, "2026-09-01"),
            ("2028-02-29", None, "2028-02-29"),
        ] {
            assert_eq!(
                parse_date(written, order).as_deref(),
                Ok(expected),
                "{written} with {order:?}"
            );
        }
    }

    #[test]
    fn an_ambiguous_date_without_an_order_asks_for_one() {
        let message = parse_date("3/4/2026", None).unwrap_err();
        assert!(message.contains("could be 4 march or 3 april"), "{message}");
        assert!(message.contains("--date-order mdy|dmy"), "{message}");
    }

    #[test]
    fn impossible_short_and_garbled_dates_are_refused() {
        assert!(parse_date("2026-02-29", None)
            .unwrap_err()
            .contains("february has 28 days"));
        assert!(parse_date("3/14/26", None)
            .unwrap_err()
            .contains("write the year in full"));
        assert!(parse_date("3/14/2026", Some(DateOrder::Dmy)).is_err());
        for garbled in ["soon", "2026-13-01", "46095", "1/2/3/2026", "Smarch 3 2026"] {
            assert!(parse_date(garbled, None).is_err(), "{garbled} is no date");
        }
    }
}
