//! Characters that do not belong in a user's cell: line breaks (folded into a space), control
//! characters and bidi overrides (refused), and the escaping that keeps any of them from acting
//! on a terminal or hiding in a message; and how a message names a cell's value or a column.

use std::borrow::Cow;
use std::fmt::Write as _;

/// What a cell holds that a plain line of text should not.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Stray {
    /// Only line breaks (CR, LF): Excel's Alt+Enter.
    LineBreaks,
    /// A control character or a bidi override: the first one and its place (1-based, in
    /// characters).
    Control { found: char, position: usize },
}

/// Looks for line breaks, control characters and bidi overrides. A control character wins over
/// line breaks: the cell is then an error, whatever else it holds.
pub(crate) fn find_stray(cell: &str) -> Option<Stray> {
    // Every character looked for is below 0x20, is DEL, or starts with byte 0xC2 (C1 controls)
    // or 0xE2 (the bidi overrides and isolates); most cells have none of those bytes.
    if !cell
        .bytes()
        .any(|b| b < 0x20 || b == 0x7F || b == 0xC2 || b == 0xE2)
    {
        return None;
    }
    let mut line_breaks = false;
    for (index, c) in cell.chars().enumerate() {
        if is_line_break(c) {
            line_breaks = true;
        } else if is_forbidden(c) {
            return Some(Stray::Control {
                found: c,
                position: index + 1,
            });
        }
    }
    line_breaks.then_some(Stray::LineBreaks)
}

/// Replaces every run of line breaks (CRLF, LF, CR, or several in a row) with one space.
pub(crate) fn fold_line_breaks(cell: &str) -> String {
    let mut folded = String::with_capacity(cell.len());
    let mut in_break = false;
    for c in cell.chars() {
        if is_line_break(c) {
            if !in_break {
                folded.push(' ');
            }
            in_break = true;
        } else {
            folded.push(c);
            in_break = false;
        }
    }
    folded
}

/// A character's code point and, for the ones a user may have heard of, its name:
/// `U+202E (right-to-left override)`.
pub(crate) fn describe(c: char) -> String {
    let name = match c {
        '\0' => Some("null"),
        '\t' => Some("tab"),
        '\u{1b}' => Some("escape"),
        '\u{7f}' => Some("delete"),
        '\u{202a}' => Some("left-to-right embedding"),
        '\u{202b}' => Some("right-to-left embedding"),
        '\u{202c}' => Some("pop directional formatting"),
        '\u{202d}' => Some("left-to-right override"),
        '\u{202e}' => Some("right-to-left override"),
        '\u{2066}' => Some("left-to-right isolate"),
        '\u{2067}' => Some("right-to-left isolate"),
        '\u{2068}' => Some("first strong isolate"),
        '\u{2069}' => Some("pop directional isolate"),
        _ => None,
    };
    match name {
        Some(name) => format!("U+{:04X} ({name})", u32::from(c)),
        None => format!("U+{:04X}", u32::from(c)),
    }
}

/// Text from a file made safe to print on a terminal: line breaks, tabs and other control
/// characters (which could move the cursor, clear the screen or set the window title) and bidi
/// overrides (which could make text read backwards) are written as escapes: `\n`, `\t`,
/// `\u{1b}`, `\u{202e}`. Text without them is returned as it is.
pub fn terminal_safe(text: &str) -> Cow<'_, str> {
    if !text.chars().any(needs_escape) {
        return Cow::Borrowed(text);
    }
    let mut safe = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        match c {
            '\n' => safe.push_str("\\n"),
            '\r' => safe.push_str("\\r"),
            '\t' => safe.push_str("\\t"),
            c if needs_escape(c) => {
                let _ = write!(safe, "\\u{{{:x}}}", u32::from(c));
            }
            c => safe.push(c),
        }
    }
    Cow::Owned(safe)
}

/// A cell's value quoted for a message, cut short when long; control characters and bidi
/// overrides are escaped, so a message never carries them to a window or a terminal.
pub(crate) fn shown(value: &str) -> String {
    const MAX: usize = 60;
    if value.chars().count() <= MAX {
        format!("\"{}\"", terminal_safe(value))
    } else {
        let cut: String = value.chars().take(MAX).collect();
        format!("\"{}…\"", terminal_safe(&cut))
    }
}

/// The spreadsheet letter of a 0-based column index (A, B, … Z, AA…).
pub(crate) fn column_letter(mut index: usize) -> String {
    let mut letters = Vec::new();
    loop {
        letters.push(b'A' + (index % 26) as u8);
        if index < 26 {
            break;
        }
        index = index / 26 - 1;
    }
    letters.reverse();
    String::from_utf8(letters).unwrap_or_default()
}

fn is_line_break(c: char) -> bool {
    matches!(c, '\r' | '\n')
}

/// C0 and C1 controls and DEL (other than line breaks), and the bidi embeddings, overrides and
/// isolates (U+202A–U+202E, U+2066–U+2069), which can make a name display as something else.
fn is_forbidden(c: char) -> bool {
    (c.is_control() && !is_line_break(c)) || is_bidi_override(c)
}

fn is_bidi_override(c: char) -> bool {
    matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

fn needs_escape(c: char) -> bool {
    c.is_control() || is_bidi_override(c)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_text_and_accents_have_nothing_stray() {
        for cell in [
            "Ada Lovelace",
            "Zoë Ångström",
            "José María",
            "李小龍",
            "a—b",
        ] {
            assert_eq!(find_stray(cell), None, "{cell:?}");
        }
    }

    #[test]
    fn line_breaks_alone_are_folded_and_a_control_character_wins() {
        assert_eq!(find_stray("Support\r\nLead"), Some(Stray::LineBreaks));
        assert_eq!(
            find_stray("Ada\nLove\u{1b}[2J"),
            Some(Stray::Control {
                found: '\u{1b}',
                position: 9
            })
        );
        assert_eq!(
            find_stray("evil\u{202e}gpj.exe"),
            Some(Stray::Control {
                found: '\u{202e}',
                position: 5
            })
        );
        assert_eq!(
            find_stray("c1\u{85}"),
            Some(Stray::Control {
                found: '\u{85}',
                position: 3
            })
        );
        assert_eq!(fold_line_breaks("Support\r\nLead"), "Support Lead");
        assert_eq!(fold_line_breaks("a\n\n\rb\rc"), "a b c");
    }

    #[test]
    fn characters_are_described_by_code_point_and_name() {
        assert_eq!(describe('\u{202e}'), "U+202E (right-to-left override)");
        assert_eq!(describe('\u{1b}'), "U+001B (escape)");
        assert_eq!(describe('\u{85}'), "U+0085");
    }

    #[test]
    fn terminal_text_escapes_controls_and_bidi_overrides_only() {
        assert!(matches!(terminal_safe("Zoë Ångström"), Cow::Borrowed(_)));
        assert_eq!(
            terminal_safe("a\u{1b}]0;pwned\u{7}b\n\u{202e}c\t"),
            "a\\u{1b}]0;pwned\\u{7}b\\n\\u{202e}c\\t"
        );
    }

    #[test]
    fn column_letters_follow_spreadsheets() {
        assert_eq!(column_letter(0), "A");
        assert_eq!(column_letter(25), "Z");
        assert_eq!(column_letter(26), "AA");
        assert_eq!(column_letter(27), "AB");
        assert_eq!(column_letter(701), "ZZ");
        assert_eq!(column_letter(702), "AAA");
    }
}
