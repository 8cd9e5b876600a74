//! Which lines share an e-mail address, kept up to date as rows change, so an edit re-checks
//! the repeats of the addresses it touched and nothing else.

use rustc_hash::FxHashMap;

/// The lines of every valid address, by its key (lowercased).
#[derive(Default)]
pub(super) struct Repeats {
    /// Every key in use and its lines, in line order.
    lines_of: FxHashMap<String, Vec<usize>>,
    key_of: FxHashMap<usize, String>,
}

impl Repeats {
    /// The index of `rows`: each row's line and key, in line order.
    pub(super) fn new(rows: impl Iterator<Item = (usize, Option<String>)>) -> Self {
        let mut repeats = Repeats::default();
        for (line, key) in rows {
            if let Some(key) = key {
                repeats.lines_of.entry(key.clone()).or_default().push(line);
                repeats.key_of.insert(line, key);
            }
        }
        repeats
    }

    /// The keys on more than one line.
    pub(super) fn repeated(&self) -> Vec<String> {
        self.lines_of
            .iter()
            .filter(|(_, lines)| lines.len() > 1)
            .map(|(key, _)| key.clone())
            .collect()
    }

    /// Every line with `key`, in line order.
    pub(super) fn lines(&self, key: &str) -> &[usize] {
        self.lines_of.get(key).map_or(&[], Vec::as_slice)
    }

    /// Gives `line` the key `key` (or none); returns the keys whose lines changed.
    pub(super) fn set(&mut self, line: usize, key: Option<String>) -> Vec<String> {
        if self.key_of.get(&line) == key.as_ref() {
            return key.into_iter().collect();
        }
        let mut changed: Vec<String> = self.remove(line).into_iter().collect();
        if let Some(key) = key {
            let lines = self.lines_of.entry(key.clone()).or_default();
            let at = lines.partition_point(|&other| other < line);
            lines.insert(at, line);
            self.key_of.insert(line, key.clone());
            changed.push(key);
        }
        changed
    }

    /// Takes `line` out; returns the key it had.
    pub(super) fn remove(&mut self, line: usize) -> Option<String> {
        let key = self.key_of.remove(&line)?;
        if let Some(lines) = self.lines_of.get_mut(&key) {
            lines.retain(|&other| other != line);
            if lines.is_empty() {
                self.lines_of.remove(&key);
            }
        }
        Some(key)
    }
}
