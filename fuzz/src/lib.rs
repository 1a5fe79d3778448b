//! Shared helpers for the fuzz targets in `fuzz_targets/`: a scratch folder for loaders that
//! read files, the sample snapshot the query target screens against, and the plain-text
//! request format the query target decodes (so that seeds are readable text files).

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use clearance::engine::screen::Snapshot;
use clearance::service::proto;

/// A scratch folder of this process (libFuzzer's `-fork`/`-jobs` run several), under
/// `$TMPDIR`, which `fuzz/run.sh` points at a folder it removes afterwards.
pub fn scratch() -> &'static Path {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let dir = std::env::temp_dir().join(format!("clearance-fuzz-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("the scratch folder can be created");
        dir
    })
}

/// Writes `bytes` to `name` in the scratch folder and returns the path.
pub fn file(name: &str, bytes: &[u8]) -> PathBuf {
    let path = scratch().join(name);
    std::fs::write(&path, bytes).expect("the scratch file can be written");
    path
}

/// The snapshot built from `config/sample.toml` (the bundled sample list), built once.
pub fn sample_snapshot() -> &'static Snapshot {
    static SNAPSHOT: OnceLock<Snapshot> = OnceLock::new();
    SNAPSHOT.get_or_init(|| {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
        let config =
            clearance::service::config::Config::from_file(&root.join("config/sample.toml"))
                .expect("config/sample.toml parses");
        Snapshot::load(&config.sources, &config.policy).expect("the sample list loads")
    })
}

/// Decodes the query target's input: one field per line, list fields separated by `|`.
///
/// ```text
/// name
/// kind (the PartyKind number)
/// countries            e.g. CN|Singapore
/// identifiers          scheme=value|scheme=value
/// addresses
/// parents
/// birth_date
/// as_of
/// datasets
/// min_score
/// max_hits
/// nationalities        e.g. IQ|Turkey
/// ref                  the caller's reference for the party
/// ```
///
/// Missing lines are empty; numbers that do not parse are 0. Every string reaches the server's
/// request conversion unchanged, so any text a client could send is reachable.
pub fn request_of(text: &str) -> proto::ScreenRequest {
    let mut lines = text.split('\n');
    let mut next = || lines.next().unwrap_or("");
    let list = |s: &str| -> Vec<String> {
        if s.is_empty() {
            Vec::new()
        } else {
            s.split('|').map(str::to_string).collect()
        }
    };
    let name = next().to_string();
    let kind = next().trim().parse().unwrap_or(0);
    let countries = list(next());
    let identifiers = list(next())
        .into_iter()
        .map(|i| {
            let (scheme, value) = i.split_once('=').unwrap_or(("", &i));
            proto::Identifier {
                scheme: scheme.to_string(),
                value: value.to_string(),
            }
        })
        .collect();
    let addresses = list(next());
    let parents = list(next());
    let birth_date = next().to_string();
    let as_of = next().to_string();
    let datasets = list(next());
    let min_score = next().trim().parse().unwrap_or(0.0);
    let max_hits = next().trim().parse().unwrap_or(0);
    // Last, so that inputs written before the fields keep their meaning.
    let nationalities = list(next());
    let reference = next().to_string();
    proto::ScreenRequest {
        request_id: String::new(),
        party: Some(proto::Party {
            name,
            kind,
            countries,
            identifiers,
            addresses,
            birth_date,
            parents,
            nationalities,
            r#ref: reference,
        }),
        options: Some(proto::ScreenOptions {
            datasets,
            min_score,
            max_hits,
        }),
        as_of,
    }
}

/// Indexes a list a loader target loaded: loader output is the index builder's input, so a
/// list that loads must also index without a panic.
pub fn index(list: clearance::engine::model::LoadedList) {
    let mut builder = clearance::engine::index::IndexBuilder::new();
    builder.add_list(list, None);
    let _ = builder.build();
}
