//! List updates from the official publishers: a source that names a `url` (or, for
//! ofac-csv, `urls`) instead of a `path` is downloaded into a cache folder, and the loaders
//! read the cached copy, so loading, validation and hot reload work on downloads exactly as
//! on local files.
//!
//! A download replaces the cached copy only when it is plausible: complete (as long as its
//! Content-Length says), within the size limits, and parsed cleanly by the source's loader.
//! Anything else keeps the last good copy, because serving yesterday's list is far better
//! than serving a truncated one. Requests are conditional (ETag, Last-Modified), so an
//! unchanged list costs the publisher a 304 and us nothing; network errors and 5xx answers
//! are retried with exponential backoff, 4xx answers are not (they will not heal by
//! themselves). Files are written atomically: a temporary file in the same folder, fsync,
//! rename, fsync of the folder; an ofac-csv folder is staged whole and swapped in with one
//! rename, so its files always come from the same publication.
//!
//! [`fetch`] speaks HTTP, [`cache`] owns the cache folder layout, the sidecar and the
//! atomic writes; this module decides per source.

pub mod cache;
pub mod fetch;

use std::path::PathBuf;
use std::time::{Duration, Instant};

use serde::Deserialize;

use crate::engine::lists::{self, Download, ListError, ListFormat, RemoteFile, Source};
use cache::{FileRecord, Sidecar};
use fetch::{Conditional, FetchError, Fetched};

/// `[update]`: how the sources that name URLs are downloaded and kept fresh.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct UpdateConfig {
    /// Where downloads are kept; relative to the config file.
    pub cache_dir: PathBuf,
    /// `clearance serve` checks the publishers this often (0: at startup only). OFAC and the
    /// UN publish a few times a week, trade.gov daily: a few hours keeps a server within a
    /// working day of every list without loading the publishers.
    pub every_seconds: u64,
    /// While some source has no usable copy at all, try again this often instead.
    pub retry_seconds: u64,
    pub connect_timeout_seconds: u64,
    /// Per request, the body included.
    pub timeout_seconds: u64,
    /// Further attempts after a network error, a timeout or a 5xx answer.
    pub retries: u32,
    /// Wait before the first retry; doubled for each further one.
    pub backoff_ms: u64,
    /// A download larger than this is refused (checked against Content-Length before the
    /// body is read, and against the bytes while they arrive).
    pub max_bytes: u64,
    /// A download smaller than this is refused: an empty or stub answer is not a list.
    pub min_bytes: u64,
    /// A native list to serve, marked as SAMPLE data everywhere, while no download has
    /// arrived yet. `None`: no fallback; the server stays unready until the lists arrive.
    pub sample_data: Option<PathBuf>,
}

impl Default for UpdateConfig {
    fn default() -> Self {
        UpdateConfig {
            cache_dir: PathBuf::from("cache"),
            every_seconds: 6 * 3600,
            retry_seconds: 300,
            connect_timeout_seconds: 30,
            timeout_seconds: 600,
            retries: 3,
            backoff_ms: 1000,
            max_bytes: 256 << 20,
            min_bytes: 64,
            sample_data: None,
        }
    }
}

/// How downloads behave; [`UpdateOptions::from_config`] reads them from `[update]`.
#[derive(Debug, Clone, PartialEq)]
pub struct UpdateOptions {
    pub connect_timeout: Duration,
    /// Per request, the body included.
    pub timeout: Duration,
    /// Further attempts after a network error, a timeout or a 5xx answer.
    pub retries: u32,
    /// Wait before the first retry; doubled for each further one.
    pub backoff: Duration,
    pub max_bytes: u64,
    pub min_bytes: u64,
}

impl UpdateOptions {
    pub fn from_config(u: &UpdateConfig) -> UpdateOptions {
        UpdateOptions {
            connect_timeout: Duration::from_secs(u.connect_timeout_seconds),
            timeout: Duration::from_secs(u.timeout_seconds),
            retries: u.retries,
            backoff: Duration::from_millis(u.backoff_ms),
            max_bytes: u.max_bytes,
            min_bytes: u.min_bytes,
        }
    }
}

impl Default for UpdateOptions {
    fn default() -> Self {
        UpdateOptions::from_config(&UpdateConfig::default())
    }
}

/// Why a source's update failed. The last good copy, if any, stays in place.
#[derive(Debug, thiserror::Error)]
pub enum UpdateError {
    #[error("{file}: {source} (after {attempts} attempt{})", if *.attempts == 1 { "" } else { "s" })]
    Fetch {
        file: String,
        attempts: u32,
        #[source]
        source: FetchError,
    },
    #[error("the download is not a valid {format} list, keeping the last good copy: {source}")]
    Invalid {
        format: ListFormat,
        #[source]
        source: ListError,
    },
    #[error(transparent)]
    Cache(#[from] cache::CacheError),
    #[error("cannot start the HTTP client: {0}")]
    Client(String),
    #[error("the check task failed: {0}")]
    Task(String),
}

/// What one update run did to one source.
#[derive(Debug)]
pub enum UpdateResult {
    /// A new version replaced the cached copy (or is the first one).
    Updated,
    /// The publisher's copy is the one cached (304, or 200 with the same bytes).
    NotModified,
    Failed(UpdateError),
}

impl UpdateResult {
    /// `updated`, `not_modified` or `failed`: the `result` label of the metrics.
    pub fn as_str(&self) -> &'static str {
        match self {
            UpdateResult::Updated => "updated",
            UpdateResult::NotModified => "not_modified",
            UpdateResult::Failed(_) => "failed",
        }
    }
}

/// The outcome of updating one source.
#[derive(Debug)]
pub struct SourceOutcome {
    pub dataset: String,
    pub result: UpdateResult,
    /// The cached files after the run (the new ones, or the last good ones kept), as the
    /// sidecar records them; empty when nothing was ever downloaded.
    pub files: Vec<FileRecord>,
    /// When the publisher last confirmed the cached copy (a download or a 304).
    pub checked_at: Option<jiff::Timestamp>,
    /// Whether a cached copy exists to load after the run.
    pub usable: bool,
    pub took: Duration,
}

/// The cached copy the loaders read for a downloaded source: the folder for ofac-csv, the
/// file otherwise (see [`cache`] for the layout).
pub fn cached_path(dataset: &str, format: ListFormat, download: &Download) -> PathBuf {
    let root = download.cache_dir.join(dataset);
    match (format, download.files.as_slice()) {
        (ListFormat::OfacCsv, _) | (_, []) => root,
        (_, [first, ..]) => root.join(&first.name),
    }
}

/// The cached file name for a one-file download: the URL's last path segment when it is a
/// plain file name (the native loader tells CSV from JSON lines by it), else one that says
/// what the format is.
pub fn file_name_for(format: ListFormat, url: &str) -> String {
    let path = url.split(['?', '#']).next().unwrap_or("");
    let after_host = path.split_once("://").map_or(path, |(_, rest)| rest);
    let last = after_host
        .split_once('/')
        .map_or("", |(_, p)| p.rsplit('/').next().unwrap_or(""));
    let plain = !last.is_empty()
        && !last.starts_with('.')
        && last
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'));
    if plain {
        return last.to_string();
    }
    let ext = match format {
        ListFormat::TradeCsl => "csv",
        ListFormat::UnXml => "xml",
        ListFormat::BisDpl => "txt",
        ListFormat::Ftm => "json",
        ListFormat::OfacCsv | ListFormat::Native | ListFormat::Edges => "jsonl",
    };
    format!("download.{ext}")
}

/// Whether `source` has something to load: always for a local source (its loader reports a
/// missing file), and for a downloaded one when every file of the cached copy exists.
pub fn usable(source: &Source) -> bool {
    match &source.download {
        None => true,
        Some(d) if source.format == ListFormat::OfacCsv => {
            d.files.iter().all(|f| source.path.join(&f.name).is_file())
        }
        Some(_) => source.path.is_file(),
    }
}

/// The datasets of `sources` configured by URL that have no usable copy yet.
pub fn missing(sources: &[Source]) -> Vec<&str> {
    sources
        .iter()
        .filter(|s| !usable(s))
        .map(|s| s.dataset.as_str())
        .collect()
}

/// The folder a reload should read for `source`: for a downloaded ofac-csv source, the
/// publication the cache's symlink points at now, so that a swap in the middle of a load
/// cannot mix files of two publications (the previous publication is kept until the next
/// swap, so the folder outlives the load). Every other source: its path.
pub fn pinned(source: &Source) -> PathBuf {
    if source.download.is_some() && source.format == ListFormat::OfacCsv {
        if let Ok(real) = std::fs::canonicalize(&source.path) {
            return real;
        }
    }
    source.path.clone()
}

/// Downloads every URL source once (sources with a local `path` are skipped), one after
/// the other. Blocking: it runs its own small runtime; inside a runtime use
/// [`update_all_async`].
pub fn update_all(sources: &[Source], options: &UpdateOptions) -> Vec<SourceOutcome> {
    match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime.block_on(update_all_async(sources, options)),
        Err(e) => failed_everywhere(sources, UpdateError::Client(e.to_string())),
    }
}

/// [`update_all`] for callers inside a tokio runtime.
pub async fn update_all_async(sources: &[Source], options: &UpdateOptions) -> Vec<SourceOutcome> {
    let client = match fetch::client(options) {
        Ok(c) => c,
        Err(e) => return failed_everywhere(sources, e),
    };
    let mut out = Vec::new();
    for (source, download) in downloads(sources) {
        let started = Instant::now();
        let result = update_source(&client, sources, source, download, options).await;
        let sidecar = Sidecar::read(&sidecar_of(source, download)).unwrap_or_default();
        let outcome = SourceOutcome {
            dataset: source.dataset.clone(),
            result: match result {
                Ok(r) => r,
                Err(e) => UpdateResult::Failed(e),
            },
            files: sidecar.files,
            checked_at: sidecar.checked_at,
            usable: usable(source),
            took: started.elapsed(),
        };
        log_outcome(&outcome);
        out.push(outcome);
    }
    out
}

fn failed_everywhere(sources: &[Source], error: UpdateError) -> Vec<SourceOutcome> {
    let message = error.to_string();
    downloads(sources)
        .map(|(s, d)| {
            let sidecar = Sidecar::read(&sidecar_of(s, d)).unwrap_or_default();
            SourceOutcome {
                dataset: s.dataset.clone(),
                result: UpdateResult::Failed(UpdateError::Client(message.clone())),
                files: sidecar.files,
                checked_at: sidecar.checked_at,
                usable: usable(s),
                took: Duration::ZERO,
            }
        })
        .collect()
}

fn log_outcome(o: &SourceOutcome) {
    let digests: Vec<String> = o
        .files
        .iter()
        .map(|f| format!("{} sha256:{} ({} bytes)", f.name, f.sha256, f.bytes))
        .collect();
    let digests = digests.join(", ");
    match &o.result {
        UpdateResult::Updated => tracing::info!(
            dataset = %o.dataset,
            result = "updated",
            seconds = o.took.as_secs_f64(),
            "downloaded a new version: {digests}"
        ),
        UpdateResult::NotModified => tracing::info!(
            dataset = %o.dataset,
            result = "not_modified",
            seconds = o.took.as_secs_f64(),
            "the publisher's copy is unchanged: {digests}"
        ),
        UpdateResult::Failed(e) if o.usable => tracing::warn!(
            dataset = %o.dataset,
            result = "failed",
            error = %e,
            "update failed; keeping the last good copy: {digests}"
        ),
        UpdateResult::Failed(e) => tracing::error!(
            dataset = %o.dataset,
            result = "failed",
            error = %e,
            "update failed and no copy was ever downloaded: the list cannot be loaded"
        ),
    }
}

/// The sources that are downloaded, with their downloads.
pub fn downloads(sources: &[Source]) -> impl Iterator<Item = (&Source, &Download)> {
    sources
        .iter()
        .filter_map(|s| s.download.as_ref().map(|d| (s, d)))
}

/// The sidecar of a downloaded source.
pub fn sidecar_of(source: &Source, download: &Download) -> PathBuf {
    cache::sidecar_path(&download.cache_dir, &source.dataset)
}

/// A file fetched into the staging area, or the cached one confirmed unchanged.
struct Staged {
    file: RemoteFile,
    record: FileRecord,
    changed: bool,
}

async fn update_source(
    client: &reqwest::Client,
    sources: &[Source],
    source: &Source,
    download: &Download,
    options: &UpdateOptions,
) -> Result<UpdateResult, UpdateError> {
    let sidecar_file = sidecar_of(source, download);
    let previous = match Sidecar::read(&sidecar_file) {
        Ok(s) => s,
        Err(e) => {
            tracing::warn!(dataset = %source.dataset, "{e}; downloading afresh");
            Sidecar::default()
        }
    };
    let have_copy = usable(source);
    let stage = cache::Stage::begin(source, download)?;
    let mut staged = Vec::new();
    for file in &download.files {
        let known = previous
            .files
            .iter()
            .find(|r| r.name == file.name && r.url == file.url)
            .filter(|_| have_copy);
        let conditional = known.map(|r| Conditional {
            etag: r.etag.clone(),
            last_modified: r.last_modified.clone(),
        });
        let dest = stage.file_path(&file.name);
        let (fetched, attempts) =
            fetch::fetch(client, &file.url, conditional.as_ref(), &dest, options).await;
        let fetched = match fetched {
            Ok(f) => f,
            Err(source_err) => {
                return Err(UpdateError::Fetch {
                    file: file.name.clone(),
                    attempts,
                    source: source_err,
                });
            }
        };
        let now = jiff::Timestamp::now();
        let item = match (fetched, known) {
            (Fetched::NotModified { .. }, None) => {
                return Err(UpdateError::Fetch {
                    file: file.name.clone(),
                    attempts,
                    source: FetchError::UnexpectedNotModified {
                        url: file.url.clone(),
                    },
                });
            }
            (
                Fetched::NotModified {
                    etag,
                    last_modified,
                },
                Some(k),
            ) => Staged {
                file: file.clone(),
                record: FileRecord {
                    etag: etag.or_else(|| k.etag.clone()),
                    last_modified: last_modified.or_else(|| k.last_modified.clone()),
                    ..k.clone()
                },
                changed: false,
            },
            (Fetched::Body(body), known) => {
                let same = known.is_some_and(|k| k.sha256 == body.sha256);
                Staged {
                    file: file.clone(),
                    record: FileRecord {
                        name: file.name.clone(),
                        url: file.url.clone(),
                        sha256: body.sha256,
                        bytes: body.bytes,
                        etag: body.etag,
                        last_modified: body.last_modified,
                        downloaded_at: if same {
                            known.map_or(now, |k| k.downloaded_at)
                        } else {
                            now
                        },
                    },
                    changed: !same,
                }
            }
        };
        staged.push(item);
    }
    let changed = staged.iter().any(|s| s.changed);
    let sidecar = Sidecar {
        dataset: source.dataset.clone(),
        checked_at: Some(jiff::Timestamp::now()),
        files: staged.iter().map(|s| s.record.clone()).collect(),
    };
    if !changed {
        // Dropping the stage removes whatever was fetched again unchanged.
        drop(stage);
        sidecar.write(&sidecar_file)?;
        return Ok(UpdateResult::NotModified);
    }
    // Parsing a list takes a second or more for the big ones: off the async workers.
    let format = source.format;
    let dataset = source.dataset.clone();
    let load_options = lists::load_options(sources, source);
    let unchanged: Vec<String> = staged
        .iter()
        .filter(|s| !s.changed)
        .map(|s| s.file.name.clone())
        .collect();
    tokio::task::spawn_blocking(move || {
        stage.keep_unchanged(&unchanged)?;
        // A download the loader rejects is dropped with the stage; the live copy stays.
        lists::load(format, &dataset, &stage.load_path(), &load_options)
            .map_err(|source| UpdateError::Invalid { format, source })?;
        stage.commit()?;
        sidecar.write(&sidecar_file)?;
        Ok(UpdateResult::Updated)
    })
    .await
    .map_err(|e| UpdateError::Task(e.to_string()))?
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::service::config::Config;
    use std::path::Path;

    #[test]
    fn file_names_come_from_the_url_when_plain() {
        let f = |format, url| file_name_for(format, url);
        assert_eq!(
            f(
                ListFormat::TradeCsl,
                "https://data.trade.gov/downloadable_consolidated_screening_list/v1/consolidated.csv"
            ),
            "consolidated.csv"
        );
        assert_eq!(
            f(
                ListFormat::UnXml,
                "https://x.org/resources/xml/en/consolidated.xml?v=2#top"
            ),
            "consolidated.xml"
        );
        assert_eq!(f(ListFormat::UnXml, "https://x.org/"), "download.xml");
        assert_eq!(f(ListFormat::UnXml, "https://x.org"), "download.xml");
        assert_eq!(
            f(ListFormat::BisDpl, "https://x.org/a/%2e%2e"),
            "download.txt"
        );
        assert_eq!(f(ListFormat::Native, "https://x.org/own.csv"), "own.csv");
    }

    #[test]
    fn a_source_with_files_missing_is_not_usable() {
        let dir = tempfile::tempdir().unwrap();
        let text = format!(
            r#"
            [update]
            cache_dir = "{}"
            [[source]]
            dataset = "us_ofac_sdn"
            format = "ofac-csv"
            urls = {{ "sdn.csv" = "https://example.org/SDN.CSV", "alt.csv" = "https://example.org/ALT.CSV" }}
            [[source]]
            dataset = "un_sc_sanctions"
            format = "un-xml"
            url = "https://example.org/consolidated.xml"
            "#,
            dir.path().display()
        );
        let c = Config::from_toml(&text, Path::new("/etc")).unwrap();
        let (ofac, un) = (&c.sources[0], &c.sources[1]);
        assert_eq!(ofac.path, dir.path().join("us_ofac_sdn"));
        assert_eq!(
            un.path,
            dir.path().join("un_sc_sanctions").join("consolidated.xml")
        );
        assert!(!usable(ofac) && !usable(un));
        std::fs::create_dir_all(&ofac.path).unwrap();
        std::fs::write(ofac.path.join("sdn.csv"), "x").unwrap();
        assert!(!usable(ofac), "alt.csv is still missing");
        std::fs::write(ofac.path.join("alt.csv"), "x").unwrap();
        assert!(usable(ofac));
        assert_eq!(
            sidecar_of(un, un.download.as_ref().unwrap()),
            dir.path().join("un_sc_sanctions.download.json")
        );
    }
}
