//! Matching what a file names (a division, a role, a queue…) against what the org has, and the
//! "did you mean" that follows when nothing matches. The plan resolves divisions with it and the
//! row's steps resolve everything else, so both speak of a missing name the same way.

use crate::genesys::Division;

/// How many close names a "did you mean" offers at most.
const MAX_SUGGESTIONS: usize = 3;

/// The item named `wanted`: the exact name first, then the same name ignoring case and
/// surrounding spaces.
pub fn find_by_name<'a, T>(
    items: &'a [T],
    wanted: &str,
    name: impl Fn(&T) -> &str,
) -> Option<&'a T> {
    let wanted = wanted.trim();
    items.iter().find(|item| name(item) == wanted).or_else(|| {
        items
            .iter()
            .find(|item| name(item).trim().eq_ignore_ascii_case(wanted))
    })
}

/// A division by id or by name (ignoring case and surrounding spaces).
pub fn find_division<'a>(divisions: &'a [Division], wanted: &str) -> Option<&'a Division> {
    let wanted = wanted.trim();
    divisions
        .iter()
        .find(|d| d.id.eq_ignore_ascii_case(wanted))
        .or_else(|| {
            divisions
                .iter()
                .find(|d| d.name.trim().eq_ignore_ascii_case(wanted))
        })
}

/// Names close to `wanted` (a few edits away, or one containing the other), best first.
pub fn similar_names<'a>(wanted: &str, names: impl Iterator<Item = &'a str>) -> Vec<String> {
    let wanted = wanted.trim().to_lowercase();
    let mut scored: Vec<(usize, &str)> = names
        .filter_map(|name| {
            let lower = name.to_lowercase();
            let distance = strsim::levenshtein(&wanted, &lower);
            // A third of the longer name, and never less than two: a short name's typo is still
            // a typo, but "Sales" is not "Tax".
            let limit = (wanted.chars().count().max(lower.chars().count()) / 3).max(2);
            let contains =
                wanted.len() >= 3 && (lower.contains(&wanted) || wanted.contains(&lower));
            (distance <= limit || contains).then_some((distance, name))
        })
        .collect();
    scored.sort();
    scored
        .into_iter()
        .take(MAX_SUGGESTIONS)
        .map(|(_, name)| name.to_owned())
        .collect()
}

/// ` Did you mean "Sales"?`, to follow a message about a name that is not there; empty when
/// there is nothing to suggest.
pub fn did_you_mean(suggestions: &[String]) -> String {
    let quoted: Vec<String> = suggestions.iter().map(|s| format!("\"{s}\"")).collect();
    match quoted.as_slice() {
        [] => String::new(),
        [only] => format!(" Did you mean {only}?"),
        [first @ .., last] => format!(" Did you mean {} or {last}?", first.join(", ")),
    }
}

/// The problem with a name the org has, whose entity came without an id in Genesys's answer (every field of a
/// listing is read leniently; the id is the one the run cannot do without).
pub fn came_without_id(what: &str, name: &str) -> String {
    format!(
        "The {what} \"{name}\" came without an id in Genesys's answer, so nothing can be \
         added with it. Try again later; if it persists, ask Genesys support."
    )
}

/// The problem with a name the org does not have: the closest names it has (`suggestions`, from
/// [`similar_names`]), or how to fix it when none is close.
pub fn not_in_org(what: &str, name: &str, suggestions: &[String]) -> String {
    let hint = if suggestions.is_empty() {
        format!(
            " Create it in Genesys Cloud first, or correct the name; Rollcall never creates a \
             {what}."
        )
    } else {
        did_you_mean(suggestions)
    };
    format!("The {what} \"{}\" is not in this org.{hint}", name.trim())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggestions_find_typos_and_partial_names() {
        let names = ["Sales", "Support", "Operations", "Finance"];
        assert_eq!(similar_names("Slaes", names.iter().copied()), ["Sales"]);
        assert_eq!(
            similar_names("operation", names.iter().copied()),
            ["Operations"]
        );
        assert!(similar_names("Marketing", names.iter().copied()).is_empty());
    }

    #[test]
    fn suggestions_are_the_closest_three_closest_first() {
        let names = ["Sales 4", "Sales", "Sales 12", "Sales 3", "Sale"];
        assert_eq!(
            similar_names("sales", names.iter().copied()),
            ["Sales", "Sale", "Sales 3"]
        );
    }

    #[test]
    fn did_you_mean_lists_every_suggestion_once() {
        assert_eq!(did_you_mean(&[]), "");
        assert_eq!(did_you_mean(&["Sales".into()]), " Did you mean \"Sales\"?");
        assert_eq!(
            did_you_mean(&["Sales".into(), "Sale".into(), "Sales 3".into()]),
            " Did you mean \"Sales\", \"Sale\" or \"Sales 3\"?"
        );
    }

    #[test]
    fn an_exact_name_wins_over_one_that_differs_only_in_case() {
        let names = ["support", "Support"];
        assert_eq!(find_by_name(&names, " Support ", |n| n), Some(&"Support"));
        assert_eq!(find_by_name(&names, "SUPPORT", |n| n), Some(&"support"));
        assert_eq!(find_by_name(&names, "Sales", |n| n), None);
    }
}
