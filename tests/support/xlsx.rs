//! `.xlsx` workbooks built at run time, honest or hostile: a minimal workbook around a sheet's
//! XML, and "zip bombs" whose sheet is a few megabytes packed and hundreds of megabytes
//! unpacked. The archive is written by hand (the zip format's local headers, central directory
//! and end record) so a test can pack a part any way it likes, and declare any size for it.

#![allow(dead_code)]

/// One file inside the archive.
pub struct Part {
    pub name: String,
    /// The bytes stored in the archive.
    pub packed: Vec<u8>,
    /// 0 for stored as is, 8 for deflate.
    pub method: u16,
    pub crc: u32,
    /// The unpacked size the archive declares.
    pub declared_size: u64,
}

impl Part {
    /// A part stored as is.
    pub fn stored(name: &str, data: &[u8]) -> Part {
        Part {
            name: name.to_owned(),
            packed: data.to_vec(),
            method: 0,
            crc: Crc::new().update(data).value(),
            declared_size: data.len() as u64,
        }
    }

    /// A part that unpacks to `prefix`, then `count` spaces, then `suffix`: a deflate stream of
    /// 13 bits per 258 spaces, so a gigabyte packs into about 6 MB.
    pub fn spaces(name: &str, prefix: &[u8], count: u64, suffix: &[u8]) -> Part {
        Part::repeated(name, prefix, b" ", count, suffix)
    }

    /// A part that unpacks to `prefix`, then `unit` `count` times, then `suffix`. The unit
    /// (1 to 8 bytes) is written once; each 258 bytes after it are one "copy what is `unit`
    /// bytes back" of 13 or 14 bits.
    pub fn repeated(name: &str, prefix: &[u8], unit: &[u8], count: u64, suffix: &[u8]) -> Part {
        assert!((1..=8).contains(&unit.len()), "a unit of 1 to 8 bytes");
        let mut bits = Bits::default();
        bits.push(1, 1); // the last block
        bits.push(1, 2); // fixed Huffman codes
        for &byte in prefix {
            bits.literal(byte);
        }
        let total = unit.len() as u64 * count;
        let mut written = 0;
        if count > 0 {
            for &byte in unit {
                bits.literal(byte);
            }
            written = unit.len() as u64;
        }
        while total - written >= 258 {
            // Length 258 (symbol 285, code 11000101), then the distance back to the unit.
            bits.code(0b1100_0101, 8);
            bits.distance(unit.len());
            written += 258;
        }
        while written < total {
            bits.literal(unit[(written % unit.len() as u64) as usize]);
            written += 1;
        }
        for &byte in suffix {
            bits.literal(byte);
        }
        bits.code(0, 7); // end of block
        let crc = Crc::new()
            .update(prefix)
            .update_repeated(unit, count)
            .update(suffix)
            .value();
        Part {
            name: name.to_owned(),
            packed: bits.finish(),
            method: 8,
            crc,
            declared_size: prefix.len() as u64 + total + suffix.len() as u64,
        }
    }
}

/// The parts every workbook needs around its sheet and, when given, its shared strings (a part
/// named `xl/sharedStrings.xml`).
pub fn workbook_parts(sheet: Part, shared_strings: Option<Part>) -> Vec<Part> {
    let shared_type = if shared_strings.is_some() {
        r#"<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>"#
    } else {
        ""
    };
    let shared_rel = if shared_strings.is_some() {
        r#"<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/>"#
    } else {
        ""
    };
    let mut parts = vec![
        Part::stored(
            "[Content_Types].xml",
            format!(
                r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>{shared_type}</Types>"#
            )
            .as_bytes(),
        ),
        Part::stored(
            "_rels/.rels",
            br#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>"#,
        ),
        Part::stored(
            "xl/workbook.xml",
            br#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="Users" sheetId="1" r:id="rId1"/></sheets></workbook>"#,
        ),
        Part::stored(
            "xl/_rels/workbook.xml.rels",
            format!(
                r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>{shared_rel}</Relationships>"#
            )
            .as_bytes(),
        ),
        sheet,
    ];
    parts.extend(shared_strings);
    parts
}

/// The start and end of a sheet's XML, around its rows.
pub const SHEET_START: &[u8] = br#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>"#;
pub const SHEET_END: &[u8] = b"</sheetData></worksheet>";

/// A sheet holding these rows of inline strings (the first is the header).
pub fn sheet_of(rows: &[&[&str]]) -> Part {
    let mut xml = SHEET_START.to_vec();
    for (r, row) in rows.iter().enumerate() {
        xml.extend_from_slice(format!("<row r=\"{}\">", r + 1).as_bytes());
        for (c, cell) in row.iter().enumerate() {
            let reference = format!("{}{}", (b'A' + c as u8) as char, r + 1);
            xml.extend_from_slice(
                format!("<c r=\"{reference}\" t=\"inlineStr\"><is><t>{cell}</t></is></c>")
                    .as_bytes(),
            );
        }
        xml.extend_from_slice(b"</row>");
    }
    xml.extend_from_slice(SHEET_END);
    Part::stored("xl/worksheets/sheet1.xml", &xml)
}

/// The start of a shared-string table without a declared count, before its `<si>` items.
pub const STRINGS_START: &[u8] = br#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">"#;
pub const STRINGS_END: &[u8] = b"</sst>";

/// A shared-string table of these XML items, stored as is.
pub fn strings_of(items: &str) -> Part {
    let mut xml = STRINGS_START.to_vec();
    xml.extend_from_slice(items.as_bytes());
    xml.extend_from_slice(STRINGS_END);
    Part::stored("xl/sharedStrings.xml", &xml)
}

/// A workbook whose only sheet is `unpacked` bytes of XML (spaces between a valid start and
/// end) packed into a few megabytes.
pub fn bomb(unpacked: u64) -> Vec<u8> {
    let padding = unpacked - (SHEET_START.len() + SHEET_END.len()) as u64;
    let sheet = Part::spaces("xl/worksheets/sheet1.xml", SHEET_START, padding, SHEET_END);
    archive(&workbook_parts(sheet, None))
}

/// The zip archive of these parts.
pub fn archive(parts: &[Part]) -> Vec<u8> {
    let mut out = Vec::new();
    let mut central = Vec::new();
    for part in parts {
        let offset = out.len() as u32;
        let name = part.name.as_bytes();
        let size = u32::try_from(part.declared_size).expect("parts under 4 GB");
        let header = |signature: u32, central: bool| {
            let mut h = Vec::new();
            h.extend_from_slice(&signature.to_le_bytes());
            if central {
                h.extend_from_slice(&20u16.to_le_bytes()); // made by
            }
            h.extend_from_slice(&20u16.to_le_bytes()); // needed to extract
            h.extend_from_slice(&0u16.to_le_bytes()); // flags
            h.extend_from_slice(&part.method.to_le_bytes());
            h.extend_from_slice(&[0, 0, 0x21, 0]); // time, date: 1980-01-01
            h.extend_from_slice(&part.crc.to_le_bytes());
            h.extend_from_slice(&(part.packed.len() as u32).to_le_bytes());
            h.extend_from_slice(&size.to_le_bytes());
            h.extend_from_slice(&(name.len() as u16).to_le_bytes());
            h.extend_from_slice(&0u16.to_le_bytes()); // extra field
            if central {
                h.extend_from_slice(&[0; 6]); // comment, disk, internal attributes
                h.extend_from_slice(&0u32.to_le_bytes()); // external attributes
                h.extend_from_slice(&offset.to_le_bytes());
            }
            h.extend_from_slice(name);
            h
        };
        out.extend(header(0x0403_4b50, false));
        out.extend_from_slice(&part.packed);
        central.extend(header(0x0201_4b50, true));
    }
    let central_offset = out.len() as u32;
    out.extend_from_slice(&central);
    out.extend_from_slice(&0x0605_4b50u32.to_le_bytes());
    out.extend_from_slice(&[0, 0, 0, 0]); // this disk, the disk with the directory
    out.extend_from_slice(&(parts.len() as u16).to_le_bytes());
    out.extend_from_slice(&(parts.len() as u16).to_le_bytes());
    out.extend_from_slice(&(central.len() as u32).to_le_bytes());
    out.extend_from_slice(&central_offset.to_le_bytes());
    out.extend_from_slice(&0u16.to_le_bytes()); // comment
    out
}

/// Bits written the way deflate reads them: from the lowest bit of each byte up.
#[derive(Default)]
struct Bits {
    bytes: Vec<u8>,
    current: u32,
    filled: u32,
}

impl Bits {
    /// `count` bits of `value`, lowest first (deflate's header fields).
    fn push(&mut self, value: u32, count: u32) {
        for i in 0..count {
            self.current |= ((value >> i) & 1) << self.filled;
            self.filled += 1;
            if self.filled == 8 {
                self.bytes.push(self.current as u8);
                self.current = 0;
                self.filled = 0;
            }
        }
    }

    /// A Huffman code of `length` bits, highest first (how deflate packs codes).
    fn code(&mut self, code: u32, length: u32) {
        for i in (0..length).rev() {
            self.push((code >> i) & 1, 1);
        }
    }

    /// A distance of 1 to 8 bytes: its 5-bit code, then the extra bit distances 5 to 8 have.
    fn distance(&mut self, distance: usize) {
        let (code, extra) = match distance {
            1..=4 => (distance - 1, None),
            5 | 6 => (4, Some(distance - 5)),
            7 | 8 => (5, Some(distance - 7)),
            _ => panic!("distance {distance} is not written here"),
        };
        self.code(code as u32, 5);
        if let Some(bit) = extra {
            self.push(bit as u32, 1);
        }
    }

    /// A literal byte in the fixed Huffman code.
    fn literal(&mut self, byte: u8) {
        if byte < 144 {
            self.code(0x30 + u32::from(byte), 8);
        } else {
            self.code(0x190 + u32::from(byte - 144), 9);
        }
    }

    fn finish(mut self) -> Vec<u8> {
        if self.filled > 0 {
            self.bytes.push(self.current as u8);
        }
        self.bytes
    }
}

/// CRC-32 (the zip one), with a way to add a few bytes repeated a billion times in a few
/// microseconds: adding one byte is an affine map of the 32-bit state, so is adding a run of
/// them, and a map applied `n` times is found by squaring.
struct Crc(u32);

impl Crc {
    fn new() -> Crc {
        Crc(0xFFFF_FFFF)
    }

    fn update(mut self, data: &[u8]) -> Crc {
        for &byte in data {
            self.0 = step(self.0, byte);
        }
        self
    }

    fn update_repeated(self, unit: &[u8], mut count: u64) -> Crc {
        let mut power = unit.iter().fold(Affine::identity(), |map, &byte| {
            Affine::of_byte(byte).then(&map)
        });
        let mut result = Affine::identity();
        while count > 0 {
            if count & 1 == 1 {
                result = power.then(&result);
            }
            power = power.then(&power);
            count >>= 1;
        }
        Crc(result.apply(self.0))
    }

    fn value(&self) -> u32 {
        !self.0
    }
}

fn step(state: u32, byte: u8) -> u32 {
    let mut crc = state ^ u32::from(byte);
    for _ in 0..8 {
        crc = if crc & 1 != 0 {
            (crc >> 1) ^ 0xEDB8_8320
        } else {
            crc >> 1
        };
    }
    crc
}

/// `state ↦ linear(state) ^ constant` over GF(2): `linear` by the images of the 32 bits.
struct Affine {
    columns: [u32; 32],
    constant: u32,
}

impl Affine {
    fn identity() -> Affine {
        let mut columns = [0; 32];
        for (i, column) in columns.iter_mut().enumerate() {
            *column = 1 << i;
        }
        Affine {
            columns,
            constant: 0,
        }
    }

    fn of_byte(byte: u8) -> Affine {
        let constant = step(0, byte);
        let mut columns = [0; 32];
        for (i, column) in columns.iter_mut().enumerate() {
            *column = step(1 << i, byte) ^ constant;
        }
        Affine { columns, constant }
    }

    fn linear(&self, state: u32) -> u32 {
        (0..32)
            .filter(|i| state >> i & 1 == 1)
            .fold(0, |acc, i| acc ^ self.columns[i])
    }

    fn apply(&self, state: u32) -> u32 {
        self.linear(state) ^ self.constant
    }

    /// `first`, then `self`.
    fn then(&self, first: &Affine) -> Affine {
        let mut columns = [0; 32];
        for (i, column) in columns.iter_mut().enumerate() {
            *column = self.linear(first.columns[i]);
        }
        Affine {
            columns,
            constant: self.apply(first.constant),
        }
    }
}
