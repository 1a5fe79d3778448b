//! Snapshot files and small list files, written the way a publisher writes them: whole files
//! swapped in by a rename, so a reader never sees half of one (the damage the tests want is
//! in the content, never in the write).

use std::path::Path;

use clearance::engine::screen::Snapshot;
use clearance::service::config::Config;

/// Builds the snapshot of `config`'s lists and writes it to `path` as `clearance build` does;
/// returns its version.
pub fn write_snapshot(config: &Config, path: &Path) -> String {
    let snapshot = Snapshot::load(&config.sources, &config.policy).unwrap();
    clearance::engine::snapfile::write(&snapshot, path).unwrap();
    snapshot.version().to_string()
}

/// Replaces `path` with `bytes` atomically (a temporary file beside it, then a rename).
pub fn publish(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let tmp = path.with_extension("tmp");
    std::fs::write(&tmp, bytes)?;
    std::fs::rename(&tmp, path)
}

/// A native list (JSON lines) of `(id, name)` entries.
pub fn native_list(entries: &[(&str, &str)]) -> String {
    entries
        .iter()
        .map(|(id, name)| format!("{{\"id\": \"{id}\", \"name\": \"{name}\"}}\n"))
        .collect()
}

/// `config` with one more source: the native list of `entries`, written to `path`, as
/// dataset `dataset`.
pub fn with_native_list(
    config: &Config,
    dataset: &str,
    path: &Path,
    entries: &[(&str, &str)],
) -> Config {
    std::fs::write(path, native_list(entries)).unwrap();
    let mut config = config.clone();
    config
        .add_source_flag(&format!("native:{dataset}={}", path.display()))
        .unwrap();
    config
}
