//! Batch screening of a CSV file of parties into JSON lines (the contract format of
//! DESIGN.md).
//!
//! Input: a CSV with a header; `id,name` required, `country,type,identifier,parent,
//! nationality,dob,ref` optional, other columns ignored. `country` and `nationality` are ISO
//! codes or English country names, several separated by `;`; `dob` is a date of birth as
//! `YYYY-MM-DD`, `YYYY-MM` or `YYYY`; `type` is person|org|organization|vessel|aircraft; `ref`
//! is the caller's stable reference for the party, which batch screening ignores and a
//! monitoring import keys its book on (defaulting to `id`). A name may be at most
//! [`MAX_NAME_CHARS`] characters, as over gRPC. The whole input is validated before any
//! screening starts, so a bad row at the end does not leave half an output file
//! behind. Screening runs on all cores; output keeps input order.

use std::io::Write;
use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::engine::countries;
use crate::engine::matching::facts::BirthDate;
use crate::engine::model::{EntityKind, Identifier};
use crate::engine::policy::Decision;
use crate::engine::screen::{Party, ScreenOptions, Snapshot, MAX_NAME_CHARS};

#[derive(Debug, thiserror::Error)]
pub enum BatchError {
    #[error("{path}: cannot read: {source}")]
    Read {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{path}: cannot write: {source}")]
    Write {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{path}:{line}: {message}")]
    Row {
        path: PathBuf,
        line: u64,
        message: String,
    },
    #[error("{path}: missing required column `{column}` in the header")]
    MissingColumn { path: PathBuf, column: &'static str },
}

/// One output line.
#[derive(Debug, Serialize)]
pub struct OutputLine<'a> {
    pub id: &'a str,
    pub decision: Decision,
    pub hits: Vec<OutputHit<'a>>,
    pub snapshot_version: &'a str,
}

#[derive(Debug, Serialize)]
pub struct OutputHit<'a> {
    pub entity_id: &'a str,
    pub dataset: &'a str,
    pub name: &'a str,
    pub matched_name: &'a str,
    pub score: f32,
}

/// A validated input row.
#[derive(Debug, Clone)]
pub struct InputRow {
    pub id: String,
    /// The `ref` cell, trimmed; `None` when the column is absent or the cell empty.
    pub reference: Option<String>,
    /// The row's line in the file (the header is line 1), for errors found after reading.
    pub line: u64,
    pub party: Party,
}

/// Reads and validates the whole input file.
pub fn read_input(path: &Path) -> Result<Vec<InputRow>, BatchError> {
    let file = std::fs::File::open(path).map_err(|source| BatchError::Read {
        path: path.to_path_buf(),
        source,
    })?;
    let mut reader = csv::Reader::from_reader(file);
    let headers = reader
        .headers()
        .map_err(|e| BatchError::Row {
            path: path.to_path_buf(),
            line: 1,
            message: e.to_string(),
        })?
        .clone();
    let col = |name: &str| {
        headers
            .iter()
            .position(|h| h.trim().eq_ignore_ascii_case(name))
    };
    let id_col = col("id").ok_or(BatchError::MissingColumn {
        path: path.to_path_buf(),
        column: "id",
    })?;
    let name_col = col("name").ok_or(BatchError::MissingColumn {
        path: path.to_path_buf(),
        column: "name",
    })?;
    let (country_col, type_col, ident_col, parent_col) = (
        col("country"),
        col("type"),
        col("identifier"),
        col("parent"),
    );
    let (nationality_col, dob_col, ref_col) = (col("nationality"), col("dob"), col("ref"));

    let mut rows = Vec::new();
    for rec in reader.records() {
        let rec = rec.map_err(|e| BatchError::Row {
            path: path.to_path_buf(),
            line: e.position().map_or(0, |p| p.line()),
            message: e.to_string(),
        })?;
        let line = rec.position().map_or(0, |p| p.line());
        let err = |message: String| BatchError::Row {
            path: path.to_path_buf(),
            line,
            message,
        };
        let get = |c: Option<usize>| c.and_then(|c| rec.get(c)).map(str::trim).unwrap_or("");
        let id = get(Some(id_col)).to_string();
        let name = get(Some(name_col));
        if id.is_empty() {
            return Err(err("field `id` is empty".into()));
        }
        if name.is_empty() {
            return Err(err("field `name` is empty".into()));
        }
        check_name(name).map_err(|m| err(format!("field `name`: {m}")))?;
        let name = name.to_string();
        let countries =
            country_list(get(country_col)).map_err(|m| err(format!("field `country`: {m}")))?;
        let nationalities = country_list(get(nationality_col))
            .map_err(|m| err(format!("field `nationality`: {m}")))?;
        let birth_date = birth_date(get(dob_col)).map_err(|m| err(format!("field `dob`: {m}")))?;
        let kind_word = get(type_col);
        let kind = match EntityKind::parse(kind_word) {
            Some(EntityKind::Unknown) => None,
            Some(k) => Some(k),
            None => {
                return Err(err(format!(
                "field `type`: {kind_word:?} is not person, org, organization, vessel or aircraft"
            )))
            }
        };
        let identifiers = parse_identifier(get(ident_col)).into_iter().collect();
        // Several parents are separated by `;`.
        let mut parents = Vec::new();
        for p in get(parent_col)
            .split(';')
            .map(str::trim)
            .filter(|p| !p.is_empty())
        {
            check_name(p).map_err(|m| err(format!("field `parent`: {m}")))?;
            parents.push(p.to_string());
        }
        let reference = Some(get(ref_col))
            .filter(|r| !r.is_empty())
            .map(str::to_string);
        rows.push(InputRow {
            id,
            reference,
            line,
            party: Party {
                name,
                kind,
                countries,
                identifiers,
                addresses: Vec::new(),
                parents,
                birth_date,
                nationalities,
            },
        });
    }
    Ok(rows)
}

/// A name the screener accepts: at most [`MAX_NAME_CHARS`] characters. The message leaves the
/// name out, which may be anything up to the file's size.
pub(crate) fn check_name(name: &str) -> Result<(), String> {
    // Counting stops past the limit: a long name costs no more than the limit to check.
    if name.chars().nth(MAX_NAME_CHARS).is_some() {
        return Err(format!(
            "longer than {MAX_NAME_CHARS} characters ({} bytes)",
            name.len()
        ));
    }
    Ok(())
}

/// `;`-separated ISO codes or English country names, as ISO codes without repeats; the error
/// names the first that does not resolve.
pub(crate) fn country_list(cell: &str) -> Result<Vec<String>, String> {
    let mut out: Vec<String> = Vec::new();
    for c in cell.split(';').map(str::trim).filter(|c| !c.is_empty()) {
        let iso = countries::to_iso2(c).ok_or_else(|| format!("unknown country {c:?}"))?;
        if !out.iter().any(|o| o == iso) {
            out.push(iso.to_string());
        }
    }
    Ok(out)
}

/// An empty cell or a date of birth (`YYYY-MM-DD`, `YYYY-MM`, `YYYY`).
pub(crate) fn birth_date(cell: &str) -> Result<Option<BirthDate>, String> {
    match cell.trim() {
        "" => Ok(None),
        d => BirthDate::parse(d).map(Some).map_err(|e| e.to_string()),
    }
}

/// `scheme:value` or a bare value (any scheme).
fn parse_identifier(s: &str) -> Option<Identifier> {
    if s.is_empty() {
        return None;
    }
    let (scheme, value) = match s.split_once(':') {
        Some((a, b)) if !a.contains(' ') => (a.trim().to_ascii_lowercase(), b.trim()),
        _ => (String::new(), s),
    };
    Some(Identifier {
        scheme,
        value: value.to_string(),
        country: None,
    })
}

/// Screens `rows` on all cores and writes one JSON line per row, in input order. `progress`
/// is called with the number of rows done so far.
pub fn run(
    snapshot: &Snapshot,
    rows: &[InputRow],
    out: &mut dyn Write,
    out_path: &Path,
    progress: &(dyn Fn(usize) + Sync),
) -> Result<(), BatchError> {
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    let options = ScreenOptions::default();
    let chunk = 256;
    let write_err = |source| BatchError::Write {
        path: out_path.to_path_buf(),
        source,
    };
    let done = std::sync::atomic::AtomicUsize::new(0);
    for block in rows.chunks(chunk * threads) {
        let results: Vec<Vec<String>> = std::thread::scope(|scope| {
            let handles: Vec<_> = block
                .chunks(chunk)
                .map(|part| {
                    let options = &options;
                    let done = &done;
                    scope.spawn(move || {
                        let lines = part
                            .iter()
                            .map(|row| {
                                let s = snapshot.screen(&row.party, options);
                                let line = OutputLine {
                                    id: &row.id,
                                    decision: s.decision,
                                    hits: s
                                        .hits
                                        .iter()
                                        .map(|h| OutputHit {
                                            entity_id: &h.entity_id,
                                            dataset: &h.dataset,
                                            name: &h.name,
                                            matched_name: &h.matched_name,
                                            score: (h.score * 1000.0).round() / 1000.0,
                                        })
                                        .collect(),
                                    snapshot_version: &s.snapshot_version,
                                };
                                serde_json::to_string(&line)
                                    .expect("output lines hold only strings and numbers")
                            })
                            .collect();
                        progress(
                            done.fetch_add(part.len(), std::sync::atomic::Ordering::Relaxed)
                                + part.len(),
                        );
                        lines
                    })
                })
                .collect();
            handles
                .into_iter()
                .map(|h| h.join().unwrap_or_else(|p| std::panic::resume_unwind(p)))
                .collect()
        });
        for line in results.into_iter().flatten() {
            writeln!(out, "{line}").map_err(write_err)?;
        }
    }
    out.flush().map_err(write_err)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input(content: &str) -> (tempfile::TempDir, PathBuf) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("parties.csv");
        std::fs::write(&path, content).unwrap();
        (dir, path)
    }

    fn row_error(content: &str) -> (u64, String) {
        let (_dir, path) = input(content);
        match read_input(&path).unwrap_err() {
            BatchError::Row { line, message, .. } => (line, message),
            other => panic!("{other}"),
        }
    }

    #[test]
    fn dob_and_nationality_columns() {
        let (_dir, path) = input(
            "id,name,type,dob,nationality,country,expect\n\
             1,John Doe,person,1962-03-12,Iraq; TR ;iq,SG;Singapore,whatever\n\
             2,Acme Trading,org,,,,\n\
             3,Jane Roe,,1962,\"Korea, North\",,\n",
        );
        let rows = read_input(&path).unwrap();
        let john = &rows[0].party;
        assert_eq!(john.birth_date.as_ref().unwrap().as_str(), "1962-03-12");
        assert_eq!(john.nationalities, ["IQ", "TR"]);
        assert_eq!(john.countries, ["SG"]);
        assert!(rows[1].party.birth_date.is_none() && rows[1].party.nationalities.is_empty());
        assert_eq!(rows[2].party.nationalities, ["KP"]);
    }

    #[test]
    fn ref_column_and_lines() {
        let (_dir, path) = input(
            "id,name,ref\n\
             1,John Doe, cust-1 \n\
             \"2\",\"Acme\nTrading\",\n",
        );
        let rows = read_input(&path).unwrap();
        assert_eq!(rows[0].reference.as_deref(), Some("cust-1"));
        assert_eq!(rows[1].reference, None);
        // A quoted cell spanning lines: the row starts on line 3.
        assert_eq!((rows[0].line, rows[1].line), (2, 3));
        let (_dir, path) = input("id,name\n1,John Doe\n");
        assert_eq!(read_input(&path).unwrap()[0].reference, None);
    }

    #[test]
    fn bad_facts_name_the_line_and_column() {
        let (line, message) = row_error("id,name,dob\n1,John Doe,1962\n2,Jane Roe,12 Mar 1962\n");
        assert_eq!(line, 3);
        assert!(
            message.starts_with("field `dob`: \"12 Mar 1962\""),
            "{message}"
        );
        assert!(message.contains("YYYY-MM-DD"), "{message}");
        let (line, message) = row_error("id,name,nationality\n1,John Doe,IQ;Atlantis\n");
        assert_eq!(line, 2);
        assert_eq!(message, "field `nationality`: unknown country \"Atlantis\"");
        let (line, message) = row_error("id,name,country\n1,John Doe,SG;Atlantis\n");
        assert_eq!(line, 2);
        assert_eq!(message, "field `country`: unknown country \"Atlantis\"");
    }

    /// A name over the limit fails the whole input before anything is screened; the error
    /// names the line, not the name.
    #[test]
    fn a_huge_name_is_refused_naming_the_line() {
        let huge = "x".repeat(100 * 1024);
        let (line, message) = row_error(&format!(
            "id,name\n1,Acme Trading\n2,{huge}\n3,Other Party\n"
        ));
        assert_eq!(line, 3);
        assert_eq!(
            message,
            "field `name`: longer than 512 characters (102400 bytes)"
        );
        // The limit counts characters, not bytes.
        let (_dir, path) = input(&format!("id,name\n1,{}\n", "é".repeat(512)));
        assert_eq!(
            read_input(&path).unwrap()[0].party.name.chars().count(),
            512
        );
        let (line, message) = row_error(&format!("id,name\n1,{}\n", "é".repeat(513)));
        assert_eq!(
            (line, message.as_str()),
            (2, "field `name`: longer than 512 characters (1026 bytes)")
        );
        let (line, message) = row_error(&format!("id,name,parent\n1,A,B;{huge}\n"));
        assert_eq!(line, 2);
        assert!(
            message.starts_with("field `parent`: longer than 512"),
            "{message}"
        );
    }
}
