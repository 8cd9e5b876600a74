//! What an `.xlsx` archive holds, checked before the workbook reader opens it: a small file may
//! unpack to gigabytes (a "zip bomb"); a shared-string table may declare more strings than it
//! holds, which the reader would reserve memory for up front, or hold millions of them, which
//! it keeps in memory; and one text or tag of hundreds of megabytes would be buffered whole.

use std::io::{BufReader, Cursor, Read};

use super::error::ImportError;

/// The most a workbook may unpack to, all its parts together (and so any one of them). A sheet
/// of 200,000 users with a dozen columns unpacks to well under half of this.
pub const MAX_UNPACKED_BYTES: u64 = 200 * 1024 * 1024;

/// The most different texts a shared-string table may hold. The workbook reader keeps each in
/// memory (24 bytes plus the text); a list of 200,000 users with a handful of distinct texts
/// each holds about a million.
pub const MAX_SHARED_STRINGS: u64 = 2_000_000;

/// The longest stretch of an XML part without a `<`: the most the XML reader buffers for one
/// text or tag. An Excel cell holds at most 32,767 characters (under 200 KB as escaped UTF-8).
const MAX_XML_RUN: u64 = 1024 * 1024;

/// The fewest bytes one entry of a shared-string table can take: `<si/>`.
const MIN_SHARED_STRING_BYTES: u64 = 5;

/// How far into the shared-string part its `<sst>` tag may start. Excel and every other writer
/// put it on the first or second line; a table that hides it further is refused rather than
/// searched.
const SST_TAG_WITHIN: u64 = 64 * 1024;

/// Checks the archive's central directory first, then the XML parts themselves: the
/// shared-string table's declared and actual size, and the longest text or tag of each part.
/// Nothing is unpacked before the directory says the whole archive is within the limit, and
/// nothing unpacked is kept: each part is read through a small buffer.
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
    let mut xml_parts = Vec::new();
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
        // Every part the XML reader could be pointed at (relationships may name any path),
        // compared ignoring case as the workbook reader does.
        let lower = name.to_ascii_lowercase();
        if lower.ends_with(".xml") || lower.ends_with(".rels") {
            let shared = lower.ends_with("sharedstrings.xml");
            xml_parts.push((index, name, size, shared));
        }
    }
    if total > MAX_UNPACKED_BYTES {
        return Err(ImportError::WorkbookTooLarge {
            part: None,
            size: total,
            limit: MAX_UNPACKED_BYTES,
        });
    }
    let unreadable = |e: &dyn std::fmt::Display| ImportError::Xlsx {
        reason: e.to_string(),
    };
    for (index, name, size, shared) in xml_parts {
        if shared {
            let part = archive.by_index(index).map_err(|e| unreadable(&e))?;
            check_shared_strings(part.take(SST_TAG_WITHIN), &name, size)?;
        }
        let part = archive.by_index(index).map_err(|e| unreadable(&e))?;
        let scan = scan_part(part).map_err(|e| unreadable(&e))?;
        if scan.longest_run > MAX_XML_RUN {
            return Err(ImportError::Xlsx {
                reason: format!(
                    "its part {name} holds a text or tag of more than {} MB, longer than any \
                     Excel cell",
                    MAX_XML_RUN / (1024 * 1024)
                ),
            });
        }
        if shared && scan.string_items > MAX_SHARED_STRINGS {
            return Err(ImportError::TooManySharedStrings {
                limit: MAX_SHARED_STRINGS,
            });
        }
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

/// What one pass over an XML part found.
#[derive(Debug, Default, PartialEq)]
struct PartScan {
    /// The longest stretch without a `<` (a text, or a tag with its attributes).
    longest_run: u64,
    /// How many `<si>` (shared-string item) tags it opens, with any namespace prefix. Counted
    /// up to one past [`MAX_SHARED_STRINGS`], where the pass stops.
    string_items: u64,
}

/// Reads a part once through a 64 KB buffer, stopping as soon as it is over a limit.
fn scan_part(mut part: impl Read) -> std::io::Result<PartScan> {
    let mut scan = PartScan::default();
    let mut buffer = vec![0u8; 64 * 1024];
    let mut run: u64 = 0;
    // While a tag's name is read (it may span two reads): the bytes after its last `:`, as far
    // as they could still spell `si`.
    let mut local: Option<([u8; 2], usize)> = None;
    loop {
        let read = part.read(&mut buffer)?;
        if read == 0 {
            return Ok(scan);
        }
        for &byte in &buffer[..read] {
            if byte == b'<' {
                scan.longest_run = scan.longest_run.max(run);
                run = 0;
                local = Some(([0; 2], 0));
                continue;
            }
            run += 1;
            let Some((kept, len)) = &mut local else {
                continue;
            };
            match byte {
                b' ' | b'\t' | b'\r' | b'\n' | b'/' | b'>' => {
                    if *len == 2 && *kept == *b"si" {
                        scan.string_items += 1;
                    }
                    local = None;
                }
                b':' => *len = 0,
                _ if *len < 2 => {
                    kept[*len] = byte;
                    *len += 1;
                }
                // Longer than `si`: no item, whatever follows.
                _ => *len = 3,
            }
        }
        scan.longest_run = scan.longest_run.max(run);
        if scan.longest_run > MAX_XML_RUN || scan.string_items > MAX_SHARED_STRINGS {
            return Ok(scan);
        }
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
    fn a_scan_counts_string_items_with_any_prefix_and_measures_the_longest_run() {
        let xml = "<sst uniqueCount=\"3\"><si><t>ab</t></si><x:si/><si \n/><sig/><s/>\
                   <a-very-long-namespace-prefix:si/><ab:cdsi/></sst>";
        let scan = scan_part(xml.as_bytes()).unwrap();
        assert_eq!(
            scan.string_items, 4,
            "<sig>, <s>, <ab:cdsi> and </si> are no items"
        );
        assert_eq!(
            scan.longest_run,
            "a-very-long-namespace-prefix:si/>".len() as u64
        );

        // A run across reads is measured whole.
        let long = format!("<t>{}</t>", "a".repeat(200_000));
        let scan = scan_part(long.as_bytes()).unwrap();
        assert_eq!(scan.longest_run, 200_002);
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
