//! Reads audit log files back, line by line, without loading a whole file.
//!
//! A line that is not complete JSON is *torn*: the writer's last write was cut short (a
//! crash, a full disk). The writer starts a new line after one, so a torn line may sit in
//! the middle of a file as well as at its end; readers skip it with a warning naming the
//! file and line. A line that is complete JSON but not a record of this format is an error:
//! the file is not what it claims to be.

use std::fmt;
use std::io::BufRead;
use std::path::{Path, PathBuf};

use super::{AuditError, Record};

/// Where a line is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Location {
    pub path: PathBuf,
    /// From 1.
    pub line: usize,
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.path.display(), self.line)
    }
}

/// One line's worth of reading.
#[derive(Debug)]
pub enum Event {
    Record(Location, Box<Record>),
    /// A line cut short; skipped. The text says why it counts as torn.
    Torn(Location, String),
    /// Complete JSON that is not an audit record of this format.
    Invalid(Location, String),
}

/// Reads one log file, calling `each` per non-empty line in order. Fails only when the file
/// cannot be opened or read.
pub fn read_file(path: &Path, mut each: impl FnMut(Event)) -> Result<(), AuditError> {
    let io = |action: &'static str| {
        move |source| AuditError::Io {
            path: path.to_path_buf(),
            action,
            source,
        }
    };
    let file = std::fs::File::open(path).map_err(io("cannot open"))?;
    let mut reader = std::io::BufReader::with_capacity(1 << 16, file);
    let mut buf = Vec::new();
    let mut number = 0;
    loop {
        buf.clear();
        let n = reader
            .read_until(b'\n', &mut buf)
            .map_err(io("cannot read"))?;
        if n == 0 {
            return Ok(());
        }
        number += 1;
        let ended = buf.last() == Some(&b'\n');
        let line = if ended {
            &buf[..buf.len() - 1]
        } else {
            &buf[..]
        };
        if line.is_empty() {
            continue;
        }
        let at = Location {
            path: path.to_path_buf(),
            line: number,
        };
        each(classify(at, line, ended));
    }
}

fn classify(at: Location, line: &[u8], ended: bool) -> Event {
    match serde_json::from_slice::<Record>(line) {
        Ok(record) => match record.check() {
            Ok(()) => Event::Record(at, Box::new(record)),
            Err(message) => Event::Invalid(at, message),
        },
        Err(_) if !ended => Event::Torn(
            at,
            "the last line is incomplete (no newline at the end of the file)".into(),
        ),
        Err(e) if e.is_syntax() || e.is_eof() => Event::Torn(
            at,
            format!("not complete JSON ({e}): a write cut short, e.g. by a crash"),
        ),
        Err(e) => Event::Invalid(at, e.to_string()),
    }
}

/// Reads one file into its records, warnings for torn lines and errors for invalid ones:
/// for tools and tests that want the whole file at once.
pub fn read_all(path: &Path) -> Result<Contents, AuditError> {
    let mut contents = Contents::default();
    read_file(path, |event| match event {
        Event::Record(_, r) => contents.records.push(*r),
        Event::Torn(at, why) => contents
            .torn
            .push(format!("{at}: torn line skipped: {why}")),
        Event::Invalid(at, why) => contents.invalid.push(format!("{at}: {why}")),
    })?;
    Ok(contents)
}

/// A whole file, read.
#[derive(Debug, Default)]
pub struct Contents {
    pub records: Vec<Record>,
    pub torn: Vec<String>,
    pub invalid: Vec<String>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::service::audit::{Caller, Context, RequestRecord};

    fn line(id: &str) -> Vec<u8> {
        let ctx = Context {
            request_id: id.into(),
            method: "Screen",
            caller: Caller::default(),
        };
        let mut r = Record::rejected(
            &ctx,
            &Default::default(),
            tonic::Code::InvalidArgument,
            "party: required".into(),
        );
        r.request = RequestRecord::default();
        r.to_line().unwrap()
    }

    #[test]
    fn torn_lines_are_skipped_with_file_and_line_and_invalid_ones_reported() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("audit.jsonl");
        let mut text = Vec::new();
        text.extend(line("a"));
        let b = line("b");
        text.extend(&b[..b.len() / 2]); // a crash cut this one...
        text.push(b'\n'); // ...and the writer started a new line after it
        text.extend(line("c"));
        text.extend(b"{\"v\":1,\"other\":true}\n");
        text.extend(&line("d")[..10]); // torn at the end
        std::fs::write(&path, &text).unwrap();
        let c = read_all(&path).unwrap();
        let ids: Vec<&str> = c.records.iter().map(|r| r.request_id.as_str()).collect();
        assert_eq!(ids, ["a", "c"]);
        assert_eq!(c.torn.len(), 2, "{:?}", c.torn);
        assert!(
            c.torn[0].starts_with(&format!("{}:2: torn", path.display())),
            "{:?}",
            c.torn
        );
        assert!(c.torn[1].contains(":5: torn"), "{:?}", c.torn);
        assert!(c.torn[1].contains("no newline"), "{:?}", c.torn);
        assert_eq!(c.invalid.len(), 1);
        assert!(
            c.invalid[0].contains(":4: missing field"),
            "{:?}",
            c.invalid
        );
    }

    #[test]
    fn a_missing_file_is_an_error_naming_it() {
        let e = read_all(Path::new("/nonexistent/audit.jsonl"))
            .unwrap_err()
            .to_string();
        assert!(e.contains("/nonexistent/audit.jsonl"), "{e}");
    }
}
