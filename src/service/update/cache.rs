//! The download cache: where each source's copy lives, the sidecar that remembers how it
//! was fetched, and the atomic replacement of a copy by a new one.
//!
//! Layout under `[update] cache_dir`:
//!
//! ```text
//! un_sc_sanctions/consolidated.xml    a one-file source: the file, replaced by rename
//! un_sc_sanctions.download.json       its sidecar: URL, ETag, Last-Modified, sha256, times
//! us_ofac_sdn -> .us_ofac_sdn.<n>     ofac-csv: a symlink to the folder of one publication,
//! .us_ofac_sdn.<n>/sdn.csv ...          swapped to a new folder in one rename
//! us_ofac_sdn.download.json
//! ```
//!
//! The sidecars sit beside the data, not in it, so the loaders, the snapshot digest and the
//! file poller see only list files. A reader always sees a whole old or a whole new copy:
//! new files are written under temporary names in the same folder, fsynced, renamed over the
//! old ones, and the folder is fsynced so the rename survives a crash.

use std::fs::File;
use std::io;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::engine::lists::{Download, ListFormat, Source};

/// A cache operation that failed, with the path it was working on.
#[derive(Debug, thiserror::Error)]
pub enum CacheError {
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: io::Error,
    },
    #[error("{path}: unreadable sidecar: {message}")]
    Sidecar { path: PathBuf, message: String },
}

fn io_at(path: &Path) -> impl FnOnce(io::Error) -> CacheError + '_ {
    move |source| CacheError::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// How one cached file was fetched.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileRecord {
    /// The file's name in the cached copy.
    pub name: String,
    pub url: String,
    /// Hex SHA-256 of the file's bytes.
    pub sha256: String,
    pub bytes: u64,
    /// Validators from the response that delivered these bytes, sent back as
    /// `If-None-Match` and `If-Modified-Since`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub etag: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_modified: Option<String>,
    /// When these bytes first arrived.
    pub downloaded_at: jiff::Timestamp,
}

/// The sidecar of one source: its files as last downloaded and validated.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Sidecar {
    pub dataset: String,
    /// When the publisher last confirmed the copy (a download or a 304).
    #[serde(default)]
    pub checked_at: Option<jiff::Timestamp>,
    pub files: Vec<FileRecord>,
}

/// Where the sidecar of `dataset` lives.
pub fn sidecar_path(cache_dir: &Path, dataset: &str) -> PathBuf {
    cache_dir.join(format!("{dataset}.download.json"))
}

impl Sidecar {
    /// Reads a sidecar; a missing one is empty (nothing downloaded yet).
    pub fn read(path: &Path) -> Result<Sidecar, CacheError> {
        let text = match std::fs::read_to_string(path) {
            Ok(t) => t,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(Sidecar::default()),
            Err(e) => return Err(io_at(path)(e)),
        };
        serde_json::from_str(&text).map_err(|e| CacheError::Sidecar {
            path: path.to_path_buf(),
            message: e.to_string(),
        })
    }

    /// Writes the sidecar atomically.
    pub fn write(&self, path: &Path) -> Result<(), CacheError> {
        let text = serde_json::to_string_pretty(self).map_err(|e| CacheError::Sidecar {
            path: path.to_path_buf(),
            message: e.to_string(),
        })?;
        // The process id keeps a concurrent `clearance update` off this one's temporary file.
        let tmp = path.with_extension(format!("json.partial-{}", std::process::id()));
        std::fs::write(&tmp, text.as_bytes()).map_err(io_at(&tmp))?;
        File::open(&tmp)
            .and_then(|f| f.sync_all())
            .map_err(io_at(&tmp))?;
        std::fs::rename(&tmp, path).map_err(io_at(path))?;
        sync_dir(parent(path))
    }
}

fn parent(path: &Path) -> &Path {
    path.parent().unwrap_or(Path::new("."))
}

/// Makes a rename in `dir` durable.
pub fn sync_dir(dir: &Path) -> Result<(), CacheError> {
    #[cfg(unix)]
    {
        File::open(dir)
            .and_then(|d| d.sync_all())
            .map_err(io_at(dir))
    }
    #[cfg(not(unix))]
    {
        let _ = dir;
        Ok(())
    }
}

/// A new copy being assembled beside the live one. Dropped without [`Stage::commit`], it
/// removes what it wrote and leaves the live copy untouched.
pub struct Stage {
    kind: Kind,
    committed: bool,
}

enum Kind {
    /// One file: downloaded to `tmp` in the folder of `dest`, renamed over it.
    File { tmp: PathBuf, dest: PathBuf },
    /// ofac-csv: a fresh folder `.<dataset>.<n>`, then the `link` symlink points at it.
    Folder {
        cache_dir: PathBuf,
        dataset: String,
        staging: PathBuf,
        link: PathBuf,
    },
}

impl Stage {
    /// Prepares the staging place for a new copy of `source`.
    pub fn begin(source: &Source, download: &Download) -> Result<Stage, CacheError> {
        let cache_dir = &download.cache_dir;
        std::fs::create_dir_all(cache_dir).map_err(io_at(cache_dir))?;
        let kind = if source.format == ListFormat::OfacCsv {
            let nanos = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.as_nanos());
            let staging = cache_dir.join(format!(".{}.{nanos}", source.dataset));
            std::fs::create_dir(&staging).map_err(io_at(&staging))?;
            Kind::Folder {
                cache_dir: cache_dir.clone(),
                dataset: source.dataset.clone(),
                staging,
                link: source.path.clone(),
            }
        } else {
            let dir = parent(&source.path);
            std::fs::create_dir_all(dir).map_err(io_at(dir))?;
            let name = source
                .path
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            // The prefix keeps the extension, which the native loader reads; the process id
            // keeps a concurrent `clearance update` off this one's temporary file.
            Kind::File {
                tmp: dir.join(format!(".partial-{}-{name}", std::process::id())),
                dest: source.path.clone(),
            }
        };
        Ok(Stage {
            kind,
            committed: false,
        })
    }

    /// Where the download of the file `name` goes.
    pub fn file_path(&self, name: &str) -> PathBuf {
        match &self.kind {
            Kind::File { tmp, .. } => tmp.clone(),
            Kind::Folder { staging, .. } => staging.join(name),
        }
    }

    /// What the loader checks before the commit: the staged file or folder.
    pub fn load_path(&self) -> PathBuf {
        match &self.kind {
            Kind::File { tmp, .. } => tmp.clone(),
            Kind::Folder { staging, .. } => staging.clone(),
        }
    }

    /// Completes a staged folder with the live copy's files that did not change, so the
    /// new folder is a whole publication.
    pub fn keep_unchanged(&self, names: &[String]) -> Result<(), CacheError> {
        let Kind::Folder { staging, link, .. } = &self.kind else {
            return Ok(());
        };
        for name in names {
            let from = link.join(name);
            let to = staging.join(name);
            // A hard link costs nothing; a copy works across file systems.
            if std::fs::hard_link(&from, &to).is_err() {
                std::fs::copy(&from, &to).map_err(io_at(&from))?;
                File::open(&to)
                    .and_then(|f| f.sync_all())
                    .map_err(io_at(&to))?;
            }
        }
        Ok(())
    }

    /// Makes the staged copy the live one, atomically.
    pub fn commit(mut self) -> Result<(), CacheError> {
        match &self.kind {
            Kind::File { tmp, dest } => {
                std::fs::rename(tmp, dest).map_err(io_at(dest))?;
                self.committed = true;
                sync_dir(parent(dest))?;
            }
            Kind::Folder {
                cache_dir,
                dataset,
                staging,
                link,
            } => {
                sync_dir(staging)?;
                let previous = std::fs::read_link(link).ok().map(|t| cache_dir.join(t));
                swap_link(cache_dir, dataset, staging, link)?;
                self.committed = true;
                sync_dir(cache_dir)?;
                prune(cache_dir, dataset, staging, previous.as_deref());
            }
        }
        Ok(())
    }
}

impl Drop for Stage {
    fn drop(&mut self) {
        if self.committed {
            return;
        }
        match &self.kind {
            Kind::File { tmp, .. } => {
                let _ = std::fs::remove_file(tmp);
            }
            Kind::Folder { staging, .. } => {
                let _ = std::fs::remove_dir_all(staging);
            }
        }
    }
}

/// Points `link` at `staging` with one rename of a fresh symlink over it.
#[cfg(unix)]
fn swap_link(
    cache_dir: &Path,
    dataset: &str,
    staging: &Path,
    link: &Path,
) -> Result<(), CacheError> {
    let fresh = cache_dir.join(format!(".{dataset}.link"));
    let _ = std::fs::remove_file(&fresh);
    // Relative, so the cache folder can be moved or mounted elsewhere.
    let target = staging.file_name().map(PathBuf::from).unwrap_or_default();
    std::os::unix::fs::symlink(&target, &fresh).map_err(io_at(&fresh))?;
    // A real folder (copied in by hand) cannot be renamed over: move it aside first.
    if std::fs::symlink_metadata(link).is_ok_and(|m| m.is_dir()) {
        let aside = cache_dir.join(format!(".{dataset}.0-replaced"));
        let _ = std::fs::remove_dir_all(&aside);
        std::fs::rename(link, &aside).map_err(io_at(link))?;
    }
    std::fs::rename(&fresh, link).map_err(io_at(link))
}

/// Without symlinks the swap takes two renames; a reader between them finds no folder and
/// its reload fails and is retried.
#[cfg(not(unix))]
fn swap_link(
    cache_dir: &Path,
    dataset: &str,
    staging: &Path,
    link: &Path,
) -> Result<(), CacheError> {
    let aside = cache_dir.join(format!(".{dataset}.0-replaced"));
    let _ = std::fs::remove_dir_all(&aside);
    if link.exists() {
        std::fs::rename(link, &aside).map_err(io_at(link))?;
    }
    std::fs::rename(staging, link).map_err(io_at(link))
}

/// Removes publications of `dataset` older than the previous one. The previous one stays:
/// a reload that started before the swap may still be reading it.
fn prune(cache_dir: &Path, dataset: &str, live: &Path, previous: Option<&Path>) {
    let prefix = format!(".{dataset}.");
    let Ok(entries) = std::fs::read_dir(cache_dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        let name = entry.file_name().to_string_lossy().into_owned();
        let Some(rest) = name.strip_prefix(&prefix) else {
            continue;
        };
        let generation = !rest.is_empty() && rest.bytes().all(|b| b.is_ascii_digit());
        let keep = path == live || Some(path.as_path()) == previous;
        if (generation || rest == "0-replaced") && !keep {
            let _ = std::fs::remove_dir_all(&path);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::service::config::Config;

    fn ofac_source(cache: &Path) -> Source {
        let text = format!(
            "[update]\ncache_dir = {:?}\n[[source]]\ndataset = \"us_ofac_sdn\"\n\
             format = \"ofac-csv\"\nurls = {{ \"sdn.csv\" = \"http://127.0.0.1:9/SDN.CSV\" }}\n",
            cache.display().to_string()
        );
        Config::from_toml(&text, Path::new("."))
            .unwrap()
            .sources
            .remove(0)
    }

    #[test]
    fn a_folder_is_swapped_whole_and_old_publications_pruned() {
        let dir = tempfile::tempdir().unwrap();
        let source = ofac_source(dir.path());
        let download = source.download.clone().unwrap();
        for version in ["one", "two", "three"] {
            let stage = Stage::begin(&source, &download).unwrap();
            std::fs::write(stage.file_path("sdn.csv"), version).unwrap();
            stage.commit().unwrap();
            let read = std::fs::read_to_string(source.path.join("sdn.csv")).unwrap();
            assert_eq!(read, version);
            // A reload reads the publication itself, not the symlink that may move on.
            let pinned = crate::service::update::pinned(&source);
            assert_ne!(pinned, source.path);
            let read = std::fs::read_to_string(pinned.join("sdn.csv")).unwrap();
            assert_eq!(read, version);
        }
        let generations = std::fs::read_dir(dir.path())
            .unwrap()
            .filter(|e| {
                e.as_ref()
                    .unwrap()
                    .file_name()
                    .to_string_lossy()
                    .starts_with(".us_ofac_sdn.")
            })
            .count();
        assert_eq!(generations, 2, "the live and the previous publication");
        // An abandoned stage leaves the live copy alone and removes its own files.
        let stage = Stage::begin(&source, &download).unwrap();
        std::fs::write(stage.file_path("sdn.csv"), "broken").unwrap();
        let staged = stage.load_path();
        drop(stage);
        assert!(!staged.exists());
        let read = std::fs::read_to_string(source.path.join("sdn.csv")).unwrap();
        assert_eq!(read, "three");
    }

    #[test]
    fn sidecars_round_trip_and_a_missing_one_is_empty() {
        let dir = tempfile::tempdir().unwrap();
        let path = sidecar_path(dir.path(), "un_sc_sanctions");
        assert_eq!(Sidecar::read(&path).unwrap(), Sidecar::default());
        let s = Sidecar {
            dataset: "un_sc_sanctions".into(),
            checked_at: Some(jiff::Timestamp::UNIX_EPOCH),
            files: vec![FileRecord {
                name: "consolidated.xml".into(),
                url: "https://example.org/consolidated.xml".into(),
                sha256: "ab".repeat(32),
                bytes: 12,
                etag: Some("\"v1\"".into()),
                last_modified: None,
                downloaded_at: jiff::Timestamp::UNIX_EPOCH,
            }],
        };
        s.write(&path).unwrap();
        assert_eq!(Sidecar::read(&path).unwrap(), s);
        std::fs::write(&path, "{not json").unwrap();
        let e = Sidecar::read(&path).unwrap_err().to_string();
        assert!(e.contains("un_sc_sanctions.download.json"), "{e}");
    }
}
