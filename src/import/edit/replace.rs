//! Find and replace by whole values: the cell of a single-value column, or one item of a list,
//! never part of a name. `Super` never touches `Supervisor:Sales`, and renaming the division
//! `Sales` there leaves the role alone.

use crate::import::mapping::Field;

/// `cell` with `find` replaced by `with` as the shared rule says, or `None` when nothing matches
/// (or every match already reads `with`).
///
/// Whole values only, trimmed and ignoring case: a single-value column's whole cell; in queues
/// and groups each item between `,`; in skills and languages the name before `:N` (the level is
/// kept); in roles with divisions (`Role:Div A,Div B|Role2`) a role name before `:` or a whole
/// division name after it. The rest of the cell is kept byte for byte (spacing, other items).
pub fn replace_in_cell(cell: &str, field: Option<Field>, find: &str, with: &str) -> Option<String> {
    let find = find.trim();
    if find.is_empty() {
        return None;
    }
    let mut out = Replacing {
        find,
        with: with.trim(),
        text: String::with_capacity(cell.len() + with.len()),
        matched: false,
    };
    match field {
        Some(Field::Queues | Field::Groups) => out.items(cell, ',', Replacing::value),
        Some(Field::Skills | Field::Languages) => out.items(cell, ',', Replacing::leveled),
        Some(Field::RolesDivisions) => out.items(cell, '|', Replacing::role),
        _ => out.value(cell),
    }
    (out.matched && out.text != cell).then_some(out.text)
}

/// The cell as it is rewritten, part by part.
struct Replacing<'a> {
    find: &'a str,
    with: &'a str,
    text: String,
    matched: bool,
}

impl Replacing<'_> {
    /// Each part between `separator`s, the separators kept.
    fn items(&mut self, list: &str, separator: char, item: fn(&mut Self, &str)) {
        for (index, part) in list.split(separator).enumerate() {
            if index > 0 {
                self.text.push(separator);
            }
            item(self, part);
        }
    }

    /// A whole value, its surrounding spaces kept.
    fn value(&mut self, part: &str) {
        let value = part.trim();
        if !same_name(value, self.find) {
            self.text.push_str(part);
            return;
        }
        self.matched = true;
        let leading = part.len() - part.trim_start().len();
        let trailing = part.trim_end().len();
        self.text.push_str(&part[..leading]);
        self.text.push_str(self.with);
        self.text.push_str(&part[trailing..]);
    }

    /// `Name:N`: the name; the level stays as written.
    fn leveled(&mut self, part: &str) {
        match part.rsplit_once(':') {
            Some((name, level)) => {
                self.value(name);
                self.text.push(':');
                self.text.push_str(level);
            }
            None => self.value(part),
        }
    }

    /// `Role:Division A,Division B`: the role, or one whole division.
    fn role(&mut self, part: &str) {
        match part.split_once(':') {
            Some((role, divisions)) => {
                self.value(role);
                self.text.push(':');
                self.items(divisions, ',', Replacing::value);
            }
            None => self.value(part),
        }
    }
}

/// The same name ignoring case (accented letters too).
fn same_name(value: &str, find: &str) -> bool {
    value.eq_ignore_ascii_case(find)
        || (!(value.is_ascii() && find.is_ascii()) && value.to_lowercase() == find.to_lowercase())
}
