//! Ownership edge files: who owns or controls whom, for parties on any list, written by hand or
//! exported from a corporate registry. The file holds edges only; the parties are screened from
//! their own lists, and an owned party that no list holds becomes an unlisted context entity
//! of the file's dataset when the snapshot is built (`exposure::add_owned_parties`).
//!
//! JSON lines, one edge per line (blank lines skipped):
//!
//! ```text
//! {"owner": "us_ofac_sdn:12345", "owned": "Acme Shipping Ltd", "percent": 51,
//!  "start": "2020-01-01", "end": null, "source": "registry extract", "relation": "owner"}
//! ```
//!
//! or CSV with a header naming the columns `owner,owned,percent,start,end,source,relation` in
//! any order. A file whose first non-blank character is `{` is JSON lines, any other is CSV.
//! Only `owner` and `owned` (entity ids or names, kept as given) are required. `percent` is
//! 0–100; `start` and `end` are ISO dates (`2020`, `2020-05`, `2020-05-17`), `end` not before
//! `start`; `relation` is `owner` (the default), `control` or `linked`; `source` defaults to
//! `edges <file name>:<line>`.
//!
//! As with the native list format, a mistake here silently changes decisions (a misspelt
//! `percnet` column would drop every percentage), so unknown fields and columns, bad numbers
//! and bad dates are errors naming the file, the line and the field.

use std::collections::HashMap;
use std::path::Path;

use serde_json::Value;

use super::{text, ListError};
use crate::engine::model::{published_date, LoadedList, Ownership, Relation};

/// The fields of a JSON line, and the columns of the CSV form.
const FIELDS: [&str; 7] = [
    "owner", "owned", "percent", "start", "end", "source", "relation",
];

/// Loads an edge file: JSON lines when its first non-blank character is `{`, CSV otherwise.
pub fn load(path: &Path, dataset: &str) -> Result<LoadedList, ListError> {
    let content = text::read_utf8(path)?;
    let file_name = path.file_name().map_or_else(
        || path.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    );
    let mut reader = Reader {
        path,
        file_name,
        ownership: Vec::new(),
    };
    if content.trim_start().starts_with('{') {
        reader.read_jsonl(&content)?;
    } else {
        reader.read_csv(&content)?;
    }
    Ok(LoadedList {
        dataset: dataset.to_string(),
        ownership: reader.ownership,
        ..LoadedList::default()
    })
}

/// One edge as read from either form, before validation.
#[derive(Debug, Default)]
struct Draft {
    owner: Option<String>,
    owned: Option<String>,
    percent: Option<f64>,
    start: Option<String>,
    end: Option<String>,
    source: Option<String>,
    relation: Option<String>,
}

struct Reader<'a> {
    path: &'a Path,
    file_name: String,
    ownership: Vec<Ownership>,
}

impl Reader<'_> {
    fn field_error(&self, line: u64, field: &str, message: impl Into<String>) -> ListError {
        ListError::Field {
            path: self.path.to_path_buf(),
            line,
            field: field.to_string(),
            message: message.into(),
        }
    }

    fn malformed(&self, line: u64, message: String) -> ListError {
        ListError::Malformed {
            path: self.path.to_path_buf(),
            line,
            message,
        }
    }

    /// Validates a draft and keeps the edge.
    fn add(&mut self, line: u64, draft: Draft) -> Result<(), ListError> {
        let required = |value: Option<String>, field: &str| {
            let value = value.map(|v| v.trim().to_string()).unwrap_or_default();
            if value.is_empty() {
                Err(self.field_error(line, field, "missing or empty; every edge needs it"))
            } else {
                Ok(value)
            }
        };
        let owner = required(draft.owner, "owner")?;
        let owned = required(draft.owned, "owned")?;
        if let Some(p) = draft.percent {
            if !(0.0..=100.0).contains(&p) {
                return Err(self.field_error(line, "percent", format!("{p} is outside 0 to 100")));
            }
        }
        let date = |value: Option<String>, field: &str| {
            let value = value
                .map(|v| v.trim().to_string())
                .filter(|v| !v.is_empty());
            match value {
                Some(v) if !is_iso_date(&v) => Err(self.field_error(
                    line,
                    field,
                    format!("`{v}` is not an ISO date (YYYY-MM-DD, YYYY-MM or YYYY)"),
                )),
                v => Ok(v),
            }
        };
        let start = date(draft.start, "start")?;
        let end = date(draft.end, "end")?;
        if let (Some(s), Some(e)) = (&start, &end) {
            // Compare at the shorter precision: an end of `2020` does not precede `2020-05-01`.
            let n = s.len().min(e.len());
            if e[..n] < s[..n] {
                return Err(self.field_error(line, "end", format!("{e} is before start {s}")));
            }
        }
        let relation = match draft.relation.as_deref().map(str::trim) {
            None | Some("") => Relation::Owner,
            Some(word) => match word.to_ascii_lowercase().as_str() {
                "owner" => Relation::Owner,
                "control" => Relation::Control,
                "linked" => Relation::Linked,
                _ => {
                    return Err(self.field_error(
                        line,
                        "relation",
                        format!("unknown relation `{word}`; expected owner, control or linked"),
                    ))
                }
            },
        };
        let source = draft
            .source
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty())
            .unwrap_or_else(|| format!("edges {}:{line}", self.file_name));
        self.ownership.push(Ownership {
            owner,
            owned,
            percent: draft.percent.map(|p| p as f32),
            relation,
            start,
            end,
            source,
        });
        Ok(())
    }

    fn read_jsonl(&mut self, content: &str) -> Result<(), ListError> {
        for (index, raw) in content.lines().enumerate() {
            let line = index as u64 + 1;
            if raw.trim().is_empty() {
                continue;
            }
            let value: Value = serde_json::from_str(raw).map_err(|e| {
                // Each line is parsed on its own, so serde's "at line 1" would mislead.
                let text = e.to_string();
                let reason = text
                    .rsplit_once(" at line ")
                    .map_or(text.as_str(), |(r, _)| r);
                self.malformed(
                    line,
                    format!("not valid JSON at column {}: {reason}", e.column()),
                )
            })?;
            let Value::Object(map) = value else {
                return Err(self.malformed(line, "expected one JSON object per line".into()));
            };
            if let Some(key) = map.keys().find(|k| !FIELDS.contains(&k.as_str())) {
                return Err(self.field_error(
                    line,
                    key,
                    format!("unknown field; expected one of {}", FIELDS.join(", ")),
                ));
            }
            let string = |name: &str| match map.get(name) {
                None | Some(Value::Null) => Ok(None),
                Some(Value::String(s)) => Ok(Some(s.clone())),
                Some(_) => Err(self.field_error(line, name, "expected a string")),
            };
            let percent = match map.get("percent") {
                None | Some(Value::Null) => None,
                Some(Value::Number(n)) => n.as_f64(),
                Some(_) => return Err(self.field_error(line, "percent", "expected a number")),
            };
            let draft = Draft {
                owner: string("owner")?,
                owned: string("owned")?,
                percent,
                start: string("start")?,
                end: string("end")?,
                source: string("source")?,
                relation: string("relation")?,
            };
            self.add(line, draft)?;
        }
        Ok(())
    }

    fn read_csv(&mut self, content: &str) -> Result<(), ListError> {
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(false)
            .from_reader(content.as_bytes());
        let mut lines = Lines {
            bytes: content.as_bytes(),
            counted: 0,
            line: 1,
        };
        let mut record = csv::StringRecord::new();
        // Column index of each field, once the header is read.
        let mut columns: Option<HashMap<&str, usize>> = None;
        loop {
            match reader.read_record(&mut record) {
                Ok(true) => {}
                Ok(false) => break,
                Err(e) => return Err(self.csv_error(content, &e)),
            }
            let line = lines.at(record.position().map_or(0, |p| p.byte()));
            if record.iter().all(|cell| cell.trim().is_empty()) {
                continue;
            }
            let Some(columns) = &columns else {
                columns = Some(self.header(&record, line)?);
                continue;
            };
            let cell = |name: &str| {
                columns
                    .get(name)
                    .and_then(|&i| record.get(i))
                    .map(str::trim)
                    .filter(|v| !v.is_empty())
            };
            let percent = match cell("percent") {
                None => None,
                Some(v) => Some(
                    v.strip_suffix('%')
                        .unwrap_or(v)
                        .trim()
                        .parse::<f64>()
                        .ok()
                        .filter(|p| p.is_finite())
                        .ok_or_else(|| {
                            self.field_error(line, "percent", format!("`{v}` is not a number"))
                        })?,
                ),
            };
            let owned_cell = |name: &str| cell(name).map(str::to_string);
            let draft = Draft {
                owner: owned_cell("owner"),
                owned: owned_cell("owned"),
                percent,
                start: owned_cell("start"),
                end: owned_cell("end"),
                source: owned_cell("source"),
                relation: owned_cell("relation"),
            };
            self.add(line, draft)?;
        }
        Ok(())
    }

    /// Reads the header: every column known, none twice, `owner` and `owned` present.
    fn header(
        &self,
        record: &csv::StringRecord,
        line: u64,
    ) -> Result<HashMap<&'static str, usize>, ListError> {
        let mut columns = HashMap::new();
        for (i, name) in record.iter().enumerate() {
            let name = name.trim().to_ascii_lowercase();
            let Some(&known) = FIELDS.iter().find(|f| **f == name) else {
                return Err(self.field_error(
                    line,
                    &name,
                    format!("unknown column; expected {}", FIELDS.join(", ")),
                ));
            };
            if columns.insert(known, i).is_some() {
                return Err(self.field_error(line, known, "column appears twice in the header"));
            }
        }
        for required in ["owner", "owned"] {
            if !columns.contains_key(required) {
                return Err(self.field_error(
                    line,
                    required,
                    "missing column; the header needs owner and owned",
                ));
            }
        }
        Ok(columns)
    }

    fn csv_error(&self, content: &str, e: &csv::Error) -> ListError {
        let line = e.position().map_or(1, |p| {
            text::line_of(
                content.as_bytes(),
                past_blank_lines(content.as_bytes(), p.byte()),
            )
        });
        let message = match e.kind() {
            csv::ErrorKind::UnequalLengths {
                expected_len, len, ..
            } => format!("the row has {len} columns, the header has {expected_len}"),
            _ => e.to_string(),
        };
        self.malformed(line, message)
    }
}

/// Line numbers of CSV records, counted incrementally so a long file is scanned once. The csv
/// crate's own line numbers leave out blank lines, and its byte offset for a record points at
/// the blank lines before it.
struct Lines<'a> {
    bytes: &'a [u8],
    /// Bytes before this offset are counted into `line`.
    counted: usize,
    line: u64,
}

impl Lines<'_> {
    /// The 1-based line of the record starting at (or after blank lines from) `offset`.
    fn at(&mut self, offset: u64) -> u64 {
        let at = past_blank_lines(self.bytes, offset);
        if at > self.counted {
            let newlines = self.bytes[self.counted..at]
                .iter()
                .filter(|&&b| b == b'\n')
                .count();
            self.line += newlines as u64;
            self.counted = at;
        }
        self.line
    }
}

/// The offset of the first byte at or after `offset` that is not a line break.
fn past_blank_lines(bytes: &[u8], offset: u64) -> usize {
    let mut at = usize::try_from(offset)
        .unwrap_or(usize::MAX)
        .min(bytes.len());
    while matches!(bytes.get(at), Some(b'\n' | b'\r')) {
        at += 1;
    }
    at
}

/// `YYYY`, `YYYY-MM` or `YYYY-MM-DD`, naming a real month and day.
fn is_iso_date(value: &str) -> bool {
    published_date(value, true).is_some()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::PathBuf;

    fn write(name: &str, content: &str) -> (tempfile::TempDir, PathBuf) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(name);
        std::fs::write(&path, content).unwrap();
        (dir, path)
    }

    fn load_str(name: &str, content: &str) -> Result<LoadedList, ListError> {
        let (_dir, path) = write(name, content);
        load(&path, "own_edges")
    }

    /// Asserts that loading `content` fails with a field error on `line` about `field`, and
    /// that the message names the file.
    fn assert_field(name: &str, content: &str, want_line: u64, want_field: &str) {
        let err = load_str(name, content).unwrap_err();
        let message = err.to_string();
        assert!(message.contains(name), "{message}");
        crate::engine::lists::assert_field_error(&err, want_line, want_field);
    }

    #[test]
    fn jsonl_edges() {
        let content = r#"
{"owner": "us_ofac_sdn:12345", "owned": "Acme Shipping Ltd", "percent": 51, "start": "2020-01-01", "end": null, "source": "registry extract", "relation": "owner"}

{"owner": " Ivan Petrov ", "owned": "us_ofac_sdn:777", "relation": "Control", "start": "2019", "end": "2019-06"}
{"owner": "a", "owned": "b", "percent": 12.5, "relation": "linked"}
"#;
        let list = load_str("edges.jsonl", content).unwrap();
        assert_eq!(list.dataset, "own_edges");
        assert!(list.entities.is_empty());
        assert!(list.warnings.is_empty());
        assert_eq!(
            list.ownership,
            [
                Ownership {
                    owner: "us_ofac_sdn:12345".into(),
                    owned: "Acme Shipping Ltd".into(),
                    percent: Some(51.0),
                    relation: Relation::Owner,
                    start: Some("2020-01-01".into()),
                    end: None,
                    source: "registry extract".into(),
                },
                Ownership {
                    owner: "Ivan Petrov".into(),
                    owned: "us_ofac_sdn:777".into(),
                    percent: None,
                    relation: Relation::Control,
                    start: Some("2019".into()),
                    end: Some("2019-06".into()),
                    source: "edges edges.jsonl:4".into(),
                },
                Ownership {
                    percent: Some(12.5),
                    ..Ownership::remark("a", "b", Relation::Linked, "edges edges.jsonl:5")
                },
            ]
        );
    }

    #[test]
    fn csv_edges() {
        // Columns in any order, a blank line, a quoted value over two lines, empty cells.
        let content = "\
Owned, OWNER ,percent,end,start,source,relation
Acme Shipping Ltd,us_ofac_sdn:12345,51,,2020-01-01,\"registry
extract\",

b,a,12.5%,2024-12-31,2024,,control
d,c,,,,,
";
        let list = load_str("edges.csv", content).unwrap();
        assert_eq!(
            list.ownership,
            [
                Ownership {
                    owner: "us_ofac_sdn:12345".into(),
                    owned: "Acme Shipping Ltd".into(),
                    percent: Some(51.0),
                    relation: Relation::Owner,
                    start: Some("2020-01-01".into()),
                    end: None,
                    source: "registry\nextract".into(),
                },
                Ownership {
                    owner: "a".into(),
                    owned: "b".into(),
                    percent: Some(12.5),
                    relation: Relation::Control,
                    start: Some("2024".into()),
                    end: Some("2024-12-31".into()),
                    source: "edges edges.csv:5".into(),
                },
                Ownership::remark("c", "d", Relation::Owner, "edges edges.csv:6"),
            ]
        );
        // Only owner and owned are required.
        let list = load_str("min.csv", "owner,owned\nx,y\n").unwrap();
        assert_eq!(
            list.ownership,
            [Ownership::remark(
                "x",
                "y",
                Relation::Owner,
                "edges min.csv:2"
            )]
        );
    }

    #[test]
    fn jsonl_errors_name_line_and_field() {
        let ok = r#"{"owner": "a", "owned": "b"}"#;
        let cases: [(String, u64, &str); 14] = [
            (format!("{ok}\n{{\"owned\": \"b\"}}\n"), 2, "owner"),
            (
                format!("{ok}\n{{\"owner\": \" \", \"owned\": \"b\"}}\n"),
                2,
                "owner",
            ),
            (r#"{"owner": "a"}"#.into(), 1, "owned"),
            (
                r#"{"owner": "a", "owned": "b", "percent": 150}"#.into(),
                1,
                "percent",
            ),
            (
                r#"{"owner": "a", "owned": "b", "percent": -1}"#.into(),
                1,
                "percent",
            ),
            (
                r#"{"owner": "a", "owned": "b", "percent": "51"}"#.into(),
                1,
                "percent",
            ),
            (
                format!(
                    "{ok}\n\n{{\"owner\": \"a\", \"owned\": \"b\", \"start\": \"2020-13-01\"}}"
                ),
                3,
                "start",
            ),
            (
                r#"{"owner": "a", "owned": "b", "start": "2021-02-30"}"#.into(),
                1,
                "start",
            ),
            (
                r#"{"owner": "a", "owned": "b", "end": "01/02/2020"}"#.into(),
                1,
                "end",
            ),
            (
                r#"{"owner": "a", "owned": "b", "start": "2020-05-01", "end": "2020-04"}"#.into(),
                1,
                "end",
            ),
            (
                r#"{"owner": "a", "owned": "b", "start": "2020-05-01", "end": "2019"}"#.into(),
                1,
                "end",
            ),
            (
                r#"{"owner": "a", "owned": "b", "relation": "friend"}"#.into(),
                1,
                "relation",
            ),
            (
                r#"{"owner": "a", "owned": "b", "percnet": 5}"#.into(),
                1,
                "percnet",
            ),
            (r#"{"owner": ["a"], "owned": "b"}"#.into(), 1, "owner"),
        ];
        for (content, line, field) in cases {
            assert_field("edges.jsonl", &content, line, field);
        }
        // An end in the start's year or month is not before it.
        load_str(
            "edges.jsonl",
            r#"{"owner": "a", "owned": "b", "start": "2020-05-01", "end": "2020"}"#,
        )
        .unwrap();
        for (content, want_line) in [
            (format!("{ok}\n{{\"owner\": \"a\""), 2),
            (format!("{ok}\n[1]\n"), 2),
        ] {
            let err = load_str("edges.jsonl", &content).unwrap_err();
            assert!(
                matches!(err, ListError::Malformed { line, .. } if line == want_line),
                "{err}"
            );
            assert!(err.to_string().contains("edges.jsonl"), "{err}");
        }
    }

    #[test]
    fn csv_errors_name_line_and_field() {
        let cases = [
            ("owner,owned,percentage\na,b,5\n", 1, "percentage"),
            ("\n\nowner,owned,share\na,b,5\n", 3, "share"),
            ("owner,percent\na,5\n", 1, "owned"),
            ("owner,owned,owner\na,b,c\n", 1, "owner"),
            ("owner,owned,percent\na,b,5\nc,d,101\n", 3, "percent"),
            ("owner,owned,percent\na,b,half\n", 2, "percent"),
            ("owner,owned,start\na,b,2020-1-5\n", 2, "start"),
            (
                "owner,owned,start,end\na,b,2020-05-01,2020-04-30\n",
                2,
                "end",
            ),
            ("owner,owned\na,b\n\n,d\n", 4, "owner"),
            ("owner,owned,relation\na,b,parent\n", 2, "relation"),
        ];
        for (content, line, field) in cases {
            assert_field("edges.csv", content, line, field);
        }
        let err = load_str("edges.csv", "owner,owned\na,b\n\nc,d,e\n").unwrap_err();
        assert!(matches!(err, ListError::Malformed { line: 4, .. }), "{err}");
        assert!(
            err.to_string().contains("3 columns, the header has 2"),
            "{err}"
        );
    }

    #[test]
    fn empty_file() {
        for content in ["", "\n \n"] {
            let err = load_str("edges.csv", content).unwrap_err();
            assert!(matches!(err, ListError::Empty { .. }), "{err}");
            assert!(err.to_string().contains("edges.csv"), "{err}");
        }
    }

    #[test]
    fn iso_dates() {
        for ok in ["2020", "2020-02", "2020-02-29", "1999-12-31"] {
            assert!(is_iso_date(ok), "{ok}");
        }
        for bad in [
            "20",
            "2020-00",
            "2020-13",
            "2021-02-29",
            "2020-1-01",
            "2020-01-01T00:00",
            "x",
        ] {
            assert!(!is_iso_date(bad), "{bad}");
        }
    }

    proptest::proptest! {
        /// Arbitrary content in either form loads or fails: it never panics.
        #[test]
        fn arbitrary_content_never_panics(content in "(\\PC|\n|\r){0,80}", prefix in 0usize..3) {
            let content = match prefix {
                0 => content,
                1 => format!("{{\"owner\": \"a\", \"owned\": {content}"),
                _ => format!("owner,owned,percent,start,end\n{content}"),
            };
            let _ = load_str("x", &content);
        }
    }
}
