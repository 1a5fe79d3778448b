//! Loaders: one module per publisher format, each turning a file (or folder) into a
//! [`LoadedList`] of entities and the ownership edges the source states (`ftm` reads both,
//! `edges` only edges).
//!
//! Loaders never panic and never load half a file: any malformed record makes the whole load
//! fail with a [`ListError`] naming the file, the line or record, and the field.

pub mod csl;
pub mod dpl;
pub mod edges;
pub mod ftm;
mod names;
pub mod native;
pub mod ofac;
mod source;
mod table;
pub mod text;
pub mod un;

use std::fmt;
use std::path::{Path, PathBuf};
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::engine::model::LoadedList;
pub use source::{load_options, Download, RemoteFile, Source};

/// A source file format (the `FORMAT` of `--source FORMAT:DATASET=PATH`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ListFormat {
    /// OFAC legacy CSV: a folder with `sdn.csv`, `alt.csv`, `add.csv`, `sdn_comments.csv`, or
    /// the `cons_prim.csv`/`cons_alt.csv`/`cons_add.csv`/`cons_comments.csv` set.
    OfacCsv,
    /// trade.gov Consolidated Screening List CSV.
    TradeCsl,
    /// UN Security Council consolidated list XML.
    UnXml,
    /// BIS Denied Persons List, tab-separated.
    BisDpl,
    /// A company's own list in the native JSON-lines or CSV format.
    Native,
    /// FollowTheMoney JSON lines (OpenSanctions): parties, plus `Ownership` and `Directorship`
    /// edges between them.
    Ftm,
    /// An ownership edge file (JSON lines or CSV): edges only, no entities.
    Edges,
}

impl ListFormat {
    /// Every format (an unknown format name is answered with this list).
    pub const ALL: [ListFormat; 7] = [
        ListFormat::OfacCsv,
        ListFormat::TradeCsl,
        ListFormat::UnXml,
        ListFormat::BisDpl,
        ListFormat::Native,
        ListFormat::Ftm,
        ListFormat::Edges,
    ];

    /// The format's name on the command line and in `clearance.toml`.
    pub fn as_str(self) -> &'static str {
        match self {
            ListFormat::OfacCsv => "ofac-csv",
            ListFormat::TradeCsl => "trade-csl",
            ListFormat::UnXml => "un-xml",
            ListFormat::BisDpl => "bis-dpl",
            ListFormat::Native => "native",
            ListFormat::Ftm => "ftm",
            ListFormat::Edges => "edges",
        }
    }
}

impl fmt::Display for ListFormat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for ListFormat {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        ListFormat::ALL
            .into_iter()
            .find(|f| f.as_str() == s)
            .ok_or_else(|| {
                let known: Vec<&str> = ListFormat::ALL.iter().map(|f| f.as_str()).collect();
                format!("unknown list format {s:?}; known: {}", known.join(", "))
            })
    }
}

/// Per-source options that change what a loader keeps.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct LoadOptions {
    /// trade-csl only: drop rows whose source is the OFAC SDN list, because the OFAC SDN file
    /// is loaded too and those rows duplicate it.
    #[serde(default)]
    pub skip_sdn_rows: bool,
}

/// Why a list could not be loaded. Every variant names the file; record-level variants name
/// the line (1-based, as an editor shows it) or record and the field.
#[derive(Debug, thiserror::Error)]
pub enum ListError {
    #[error("{path}: cannot read: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{path}: the file is empty")]
    Empty { path: PathBuf },
    #[error("{path}:{line}: {message}")]
    Malformed {
        path: PathBuf,
        line: u64,
        message: String,
    },
    #[error("{path}:{line}: field `{field}`: {message}")]
    Field {
        path: PathBuf,
        line: u64,
        field: String,
        message: String,
    },
    #[error("{path}:{line}: not valid {encoding}: {message}")]
    Encoding {
        path: PathBuf,
        line: u64,
        encoding: &'static str,
        message: String,
    },
    #[error("{path}: XML error at byte {position}: {message}")]
    Xml {
        path: PathBuf,
        position: u64,
        message: String,
    },
    #[error("{path}: expected {expected}")]
    Missing { path: PathBuf, expected: String },
}

/// Loads one source with the loader for its format.
pub fn load(
    format: ListFormat,
    dataset: &str,
    path: &Path,
    options: &LoadOptions,
) -> Result<LoadedList, ListError> {
    match format {
        ListFormat::OfacCsv => ofac::load(path, dataset),
        ListFormat::TradeCsl => csl::load(path, dataset, options),
        ListFormat::UnXml => un::load(path, dataset),
        ListFormat::BisDpl => dpl::load(path, dataset),
        ListFormat::Native => native::load(path, dataset),
        ListFormat::Ftm => ftm::load(path, dataset),
        ListFormat::Edges => edges::load(path, dataset),
    }
}

/// Asserts `err` is a field error on `want_line` about `want_field` (loader tests).
#[cfg(test)]
pub(crate) fn assert_field_error(err: &ListError, want_line: u64, want_field: &str) {
    match err {
        ListError::Field { line, field, .. } => {
            assert_eq!((*line, field.as_str()), (want_line, want_field), "{err}");
        }
        other => panic!("expected a field error, got {other}"),
    }
}
