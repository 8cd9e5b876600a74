//! What an `.xlsx` archive says about itself, checked before the workbook reader opens it: a
//! small file may unpack to gigabytes (a "zip bomb"), and a shared-string table may declare
//! more strings than it holds, which the reader would reserve memory for up front.

use std::io::{BufReader, Cursor, Read};

use super::error::ImportError;

/// The most a workbook may unpack to, all its parts together (and so any one of them). A sheet
/// of 200,000 users with a dozen columns unpacks to well under half of this.
pub const MAX_UNPACKED_BYTES: u64 = 200 * 1024 * 1024;

/// The fewest bytes one entry of a shared-string table can take: `<si/>`.
const MIN_SHARED_STRING_BYTES: u64 = 5;

/// How far into the shared-string part its `<sst>` tag may start. Excel and every other writer
/// put it on the first or second line; a table that hides it further is refused rather than
/// searched.
const SST_TAG_WITHIN: u64 = 64 * 1024;

/// Checks the archive's central directory and its shared-string table's declaration. Reads
/// nothing but the directory and, for the shared strings, the start of that one part.
///
/// The sizes checked are the ones the central directory declares. The `zip` crate (the workbook
/// reader's own) stops any entry that unpacks to more than its declared size with an error
/// ("File is larger than its declared uncompressed size", `Crc32Reader::with_size_limit` in
/// zip 9's `src/crc32.rs`), so a lying entry cannot unpack past what is checked here.
pub(crate) fn check_archive(bytes: &[u8]) -> Result<(), ImportError> {
    let mut archive = zip::ZipArchive::new(Cursor::new(bytes)).map_err(|e| ImportError::Xlsx {
        reason: format!("it is not a valid zip archive: {e}"),
    })?;
    let mut total: u64 = 0;
    let mut shared_strings = Vec::new();
    for index in 0..archive.len() {
        let entry = archive
            .by_index_data(index)
            .map_err(|e| ImportError::Xlsx {
                reason: e.to_string(),
            })?;
        let name = entry.name().map_or_else(
            |_| String::from_utf8_lossy(entry.name_raw()).into_owned(),
            |n| n.into_owned(),
        );
        let size = entry.size();
        if size > MAX_UNPACKED_BYTES {
            return Err(ImportError::WorkbookTooLarge {
                part: Some(name),
                size,
                limit: MAX_UNPACKED_BYTES,
            });
        }
        total = total.saturating_add(size);
        // The workbook reader finds its parts ignoring case, so this does too.
        if name.to_ascii_lowercase().ends_with("sharedstrings.xml") {
            shared_strings.push((index, name, size));
        }
    }
    if total > MAX_UNPACKED_BYTES {
        return Err(ImportError::WorkbookTooLarge {
            part: None,
            size: total,
            limit: MAX_UNPACKED_BYTES,
        });
    }
    for (index, name, size) in shared_strings {
        let part = archive.by_index(index).map_err(|e| ImportError::Xlsx {
            reason: e.to_string(),
        })?;
        check_shared_strings(part.take(SST_TAG_WITHIN), &name, size)?;
    }
    Ok(())
}

/// Refuses a shared-string table whose `uniqueCount` (which the workbook reader reserves room
/// for before reading a string) is more than a part of `size` bytes could hold.
fn check_shared_strings(part: impl Read, name: &str, size: u64) -> Result<(), ImportError> {
    use quick_xml::events::Event;

    let damaged = |what: String| ImportError::Xlsx {
        reason: format!("its shared-string table {name} {what}"),
    };
    let mut reader = quick_xml::Reader::from_reader(BufReader::new(part));
    let mut buf = Vec::new();
    let declared = loop {
        buf.clear();
        match reader.read_event_into(&mut buf) {
            Ok(Event::Start(tag) | Event::Empty(tag)) if tag.local_name().as_ref() == "sst" => {
                let count = tag
                    .try_get_attribute("uniqueCount")
                    .map_err(|e| damaged(format!("cannot be read ({e})")))?;
                break count.and_then(|attribute| attribute.value.trim().parse::<u64>().ok());
            }
            Ok(Event::Start(_) | Event::Empty(_)) => {
                return Err(damaged("does not start with its <sst> tag".to_owned()));
            }
            Ok(Event::Eof) => {
                return Err(damaged(
                    "has no <sst> tag at its start (or it is cut short)".to_owned(),
                ));
            }
            Ok(_) => {}
            Err(e) => return Err(damaged(format!("cannot be read ({e})"))),
        }
    };
    let room = size / MIN_SHARED_STRING_BYTES;
    match declared {
        Some(count) if count > room => Err(damaged(format!(
            "declares {count} strings, but its {size} bytes can hold at most {room}"
        ))),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(xml: &str, size: u64) -> Result<(), ImportError> {
        check_shared_strings(xml.as_bytes(), "xl/sharedStrings.xml", size)
    }

    #[test]
    fn a_count_the_part_can_hold_passes_and_one_it_cannot_is_refused() {
        let xml = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="4" uniqueCount="2"><si><t>a</t></si><si><t>b</t></si></sst>"#;
        check(xml, xml.len() as u64).unwrap();
        let lie = xml.replace("uniqueCount=\"2\"", "uniqueCount=\"100000000\"");
        let err = check(&lie, lie.len() as u64).unwrap_err().to_string();
        assert!(
            err.contains("declares 100000000 strings, but its 201 bytes can hold at most 40"),
            "{err}"
        );
    }

    #[test]
    fn a_table_without_a_count_or_with_a_prefix_is_read_like_the_workbook_reader_does() {
        check("<x:sst xmlns:x=\"urn:x\"><x:si/></x:sst>", 40).unwrap();
        let err = check("<x:sst uniqueCount = '9'/>", 26)
            .unwrap_err()
            .to_string();
        assert!(err.contains("declares 9 strings"), "{err}");
    }

    #[test]
    fn a_table_that_hides_its_tag_is_refused() {
        let err = check("<?xml version=\"1.0\"?><other/>", 100)
            .unwrap_err()
            .to_string();
        assert!(err.contains("does not start with its <sst> tag"), "{err}");
        let err = check("<!-- nothing here -->", 100).unwrap_err().to_string();
        assert!(err.contains("has no <sst> tag"), "{err}");
    }
}
