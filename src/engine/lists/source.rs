//! A source as the engine is given it: which dataset, in which format, read from which file
//! or folder. The service's `[[source]]` section parses into these values
//! (`clearance.toml`), and so do `--source` flags; the engine never reads the configuration
//! file itself.

use std::path::PathBuf;

use super::{ListFormat, LoadOptions};

/// One list to load.
#[derive(Debug, Clone, PartialEq)]
pub struct Source {
    pub dataset: String,
    pub format: ListFormat,
    pub path: PathBuf,
    /// trade-csl only: drop SDN rows. `None` means automatic (see [`load_options`]).
    pub skip_sdn_rows: Option<bool>,
    /// Where the file comes from when the configuration names URLs instead of a path; `path`
    /// is then the cached copy. The engine only reads `path`; the service's updater keeps the
    /// cached copy current.
    pub download: Option<Download>,
}

/// A source's publisher download: the URLs and where their cached copies live.
#[derive(Debug, Clone, PartialEq)]
pub struct Download {
    /// The cache folder shared by every download (`[update] cache_dir`).
    pub cache_dir: PathBuf,
    /// One file for one-file formats; for ofac-csv each file the folder needs, by the name
    /// the loader looks for.
    pub files: Vec<RemoteFile>,
}

/// One file to download.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RemoteFile {
    /// File name in the cached copy (`sdn.csv`, `consolidated.xml`).
    pub name: String,
    pub url: String,
}

/// The loader options for `source`, one of `sources`. A trade-csl source drops SDN rows
/// unless told otherwise exactly when OFAC's SDN file is loaded too, since those rows
/// duplicate it.
pub fn load_options(sources: &[Source], source: &Source) -> LoadOptions {
    let has_sdn = sources
        .iter()
        .any(|s| s.format == ListFormat::OfacCsv && s.dataset == "us_ofac_sdn");
    LoadOptions {
        skip_sdn_rows: source.format == ListFormat::TradeCsl
            && source.skip_sdn_rows.unwrap_or(has_sdn),
    }
}
