//! Batch screening of a CSV file of parties into JSON lines (the contract format of
//! DESIGN.md).
//!
//! Input: a CSV with a header; `id,name` required, `country,type,identifier,parent` optional.
//! `country` is an ISO code or an English country name; `type` is
//! person|org|organization|vessel|aircraft. The whole input is validated before any screening
//! starts, so a bad row at the end does not leave half an output file behind. Screening runs
//! on all cores; output keeps input order.

use std::io::Write;
use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::countries;
use crate::model::{EntityKind, Identifier};
use crate::policy::Decision;
use crate::screen::{Party, ScreenOptions, Snapshot};

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
        let name = get(Some(name_col)).to_string();
        if id.is_empty() {
            return Err(err("field `id` is empty".into()));
        }
        if name.is_empty() {
            return Err(err("field `name` is empty".into()));
        }
        let country = get(country_col);
        let countries = if country.is_empty() {
            Vec::new()
        } else {
            match countries::to_iso2(country) {
                Some(c) => vec![c.to_string()],
                None => return Err(err(format!("field `country`: unknown country {country:?}"))),
            }
        };
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
        let parents = get(parent_col)
            .split(';')
            .map(str::trim)
            .filter(|p| !p.is_empty())
            .map(str::to_string)
            .collect();
        rows.push(InputRow {
            id,
            party: Party {
                name,
                kind,
                countries,
                identifiers,
                addresses: Vec::new(),
                parents,
            },
        });
    }
    Ok(rows)
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
