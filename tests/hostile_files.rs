//! Files that are not what they claim: each gets a clear error, fast, in bounded memory.

use std::io::Write;
use std::time::{Duration, Instant};

use rollcall_core::import::{import_path, ImportError, ImportOptions};

struct Scratch(std::path::PathBuf);

impl Scratch {
    fn new(name: &str) -> Scratch {
        let dir =
            std::env::temp_dir().join(format!("rollcall-hostile-{name}-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        Scratch(dir)
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn peak_rss_mb() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|kb| kb.parse::<f64>().ok())
        })
        .map(|kb| kb / 1024.0)
        .unwrap_or(0.0)
}

#[test]
fn a_2_gb_file_is_refused_before_it_is_read() {
    let scratch = Scratch::new("huge");
    let path = scratch.0.join("huge.csv");
    let file = std::fs::File::create(&path).unwrap();
    // A sparse file: 2 GB on paper, nothing on disk.
    file.set_len(2 * 1024 * 1024 * 1024).unwrap();
    let before = peak_rss_mb();
    let started = Instant::now();
    let err = import_path(&path, &ImportOptions::default()).unwrap_err();
    assert!(
        started.elapsed() < Duration::from_secs(1),
        "{:?}",
        started.elapsed()
    );
    assert!(matches!(err, ImportError::TooLarge { .. }), "{err:?}");
    let text = err.to_string();
    assert!(text.contains("2048 MB") && text.contains("50 MB"), "{text}");
    assert!(text.contains("split it"), "{text}");
    assert!(peak_rss_mb() - before < 50.0, "nothing was loaded");
}

#[test]
fn a_binary_file_is_not_mistaken_for_a_csv() {
    let scratch = Scratch::new("binary");
    let path = scratch.0.join("photo.csv");
    let mut bytes = Vec::new();
    for i in 0..200_000u32 {
        bytes.extend_from_slice(&i.wrapping_mul(2_654_435_761).to_le_bytes());
    }
    std::fs::write(&path, &bytes).unwrap();
    let started = Instant::now();
    let err = import_path(&path, &ImportOptions::default()).unwrap_err();
    assert!(started.elapsed() < Duration::from_secs(2));
    assert!(matches!(err, ImportError::NotText { .. }), "{err:?}");
    assert!(err.to_string().contains("not a CSV or Excel file"), "{err}");
}

#[test]
fn a_zip_renamed_to_csv_gets_a_clear_error() {
    let scratch = Scratch::new("zip");
    let path = scratch.0.join("archive.csv");
    // A real zip archive holding a text file, not a workbook.
    let mut zip = Vec::new();
    {
        let name = b"notes.txt";
        let data = b"hello, this is not a spreadsheet\n";
        let crc = crc32(data);
        let mut local = Vec::new();
        local.extend_from_slice(&0x0403_4b50u32.to_le_bytes());
        local.extend_from_slice(&[20, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
        local.extend_from_slice(&crc.to_le_bytes());
        local.extend_from_slice(&(data.len() as u32).to_le_bytes());
        local.extend_from_slice(&(data.len() as u32).to_le_bytes());
        local.extend_from_slice(&(name.len() as u16).to_le_bytes());
        local.extend_from_slice(&0u16.to_le_bytes());
        local.extend_from_slice(name);
        local.extend_from_slice(data);
        let mut central = Vec::new();
        central.extend_from_slice(&0x0201_4b50u32.to_le_bytes());
        central.extend_from_slice(&[20, 0, 20, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
        central.extend_from_slice(&crc.to_le_bytes());
        central.extend_from_slice(&(data.len() as u32).to_le_bytes());
        central.extend_from_slice(&(data.len() as u32).to_le_bytes());
        central.extend_from_slice(&(name.len() as u16).to_le_bytes());
        central.extend_from_slice(&[0; 12]);
        central.extend_from_slice(&0u32.to_le_bytes());
        central.extend_from_slice(name);
        let mut end = Vec::new();
        end.extend_from_slice(&0x0605_4b50u32.to_le_bytes());
        end.extend_from_slice(&[0, 0, 0, 0, 1, 0, 1, 0]);
        end.extend_from_slice(&(central.len() as u32).to_le_bytes());
        end.extend_from_slice(&(local.len() as u32).to_le_bytes());
        end.extend_from_slice(&0u16.to_le_bytes());
        zip.extend(local);
        zip.extend(central);
        zip.extend(end);
    }
    std::fs::File::create(&path)
        .unwrap()
        .write_all(&zip)
        .unwrap();
    let started = Instant::now();
    let err = import_path(&path, &ImportOptions::default()).unwrap_err();
    assert!(started.elapsed() < Duration::from_secs(2));
    let text = err.to_string();
    assert!(
        matches!(err, ImportError::Xlsx { .. } | ImportError::NotText { .. }),
        "{err:?}"
    );
    assert!(text.contains(".xlsx") || text.contains("CSV"), "{text}");
}

fn crc32(data: &[u8]) -> u32 {
    let mut crc = 0xFFFF_FFFFu32;
    for &byte in data {
        crc ^= u32::from(byte);
        for _ in 0..8 {
            crc = if crc & 1 != 0 {
                (crc >> 1) ^ 0xEDB8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}
