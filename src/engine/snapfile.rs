//! Snapshot files: a whole compiled [`Snapshot`] (index with its FSTs, entity table,
//! ownership graph, dataset metadata and the policy it was built with) in one file, so that a
//! replica starts by reading it instead of parsing and indexing the lists.
//!
//! `clearance build --output snapshot.clr` writes one; `clearance serve --snapshot` and
//! `clearance audit replay --snapshot` read it.
//!
//! Layout (integers little-endian):
//!
//! | bytes  | content                                                   |
//! |--------|-----------------------------------------------------------|
//! | 0–7    | magic `CLRSNAP\0`                                          |
//! | 8–11   | format version ([`FORMAT_VERSION`])                        |
//! | 12–15  | zero                                                       |
//! | 16–23  | payload length                                             |
//! | 24–55  | sha256 of the payload                                      |
//! | 56–63  | zero                                                       |
//! | 64–    | payload: [`Meta`], the index and the ownership graph (postcard) |
//!
//! The reader memory-maps the file, checks magic, version, length and checksum before it
//! decodes anything, then checks the decoded index's internal references, so a damaged or
//! foreign file is refused with an error rather than served. The writer writes a temporary
//! file beside the target, syncs it and renames it over the target, so a reader (a replica
//! polling the file) sees the old snapshot or the new one, never half of one.

use std::io::Write;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::engine::exposure::OwnershipGraph;
use crate::engine::index::Index;
use crate::engine::policy::Policy;
use crate::engine::screen::Snapshot;

/// The format this build writes and the only one it reads. Bump it whenever any serialized
/// type changes shape; the reader then refuses older files with a clear message.
pub const FORMAT_VERSION: u32 = 9;

const MAGIC: &[u8; 8] = b"CLRSNAP\0";
const HEADER_LEN: usize = 64;

/// What a snapshot file says about itself, readable without decoding the index (see
/// [`read_meta`]).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Meta {
    /// The clearance version that wrote the file.
    pub written_by: String,
    /// When it was written (RFC 3339, UTC).
    pub written_at: String,
    /// The index's content version (see [`Index::version`]).
    pub index_version: String,
    /// The policy of the build's config, as TOML: a snapshot is the whole decision function,
    /// so replaying an audit log against it gives the decisions it gave.
    pub policy_toml: String,
    pub entities: usize,
    pub names: usize,
}

#[derive(Debug, thiserror::Error)]
pub enum SnapfileError {
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{path}: not a clearance snapshot file (no CLRSNAP header)")]
    NotSnapshot { path: PathBuf },
    #[error(
        "{path}: snapshot format version {found}, but this clearance reads version {expected}; \
         rebuild it with `clearance build` from this release"
    )]
    Version {
        path: PathBuf,
        found: u32,
        expected: u32,
    },
    #[error(
        "{path}: truncated: the header announces {expected} payload bytes, the file holds {found}"
    )]
    Truncated {
        path: PathBuf,
        expected: u64,
        found: u64,
    },
    #[error(
        "{path}: checksum mismatch: the file is damaged (sha256 {found}, header says {expected})"
    )]
    Checksum {
        path: PathBuf,
        expected: String,
        found: String,
    },
    #[error("{path}: cannot decode the {part}: {message}")]
    Decode {
        path: PathBuf,
        part: &'static str,
        message: String,
    },
    #[error("{path}: inconsistent snapshot: {message}")]
    Inconsistent { path: PathBuf, message: String },
    #[error("cannot encode the snapshot: {0}")]
    Encode(String),
}

/// The payload, borrowed for writing.
#[derive(Serialize)]
struct PayloadRef<'a> {
    meta: &'a Meta,
    index: &'a Index,
    ownership: &'a OwnershipGraph,
}

/// The payload, owned after reading.
#[derive(Deserialize)]
struct Payload {
    meta: Meta,
    index: Index,
    ownership: OwnershipGraph,
}

/// What [`write()`] wrote.
#[derive(Debug, Clone, PartialEq)]
pub struct Written {
    pub bytes: u64,
    pub sha256: String,
    pub meta: Meta,
}

/// Writes `snapshot` to `path` atomically (temporary file, fsync, rename, fsync of the
/// folder).
pub fn write(snapshot: &Snapshot, path: &Path) -> Result<Written, SnapfileError> {
    let io = |source| SnapfileError::Io {
        path: path.to_path_buf(),
        source,
    };
    let meta = Meta {
        written_by: env!("CARGO_PKG_VERSION").to_string(),
        written_at: jiff::Timestamp::now().to_string(),
        index_version: snapshot.version().to_string(),
        policy_toml: policy_toml(&snapshot.policy)?,
        entities: snapshot.index.entities().len(),
        names: snapshot.index.name_count(),
    };
    let payload = postcard::to_stdvec(&PayloadRef {
        meta: &meta,
        index: &snapshot.index,
        ownership: &snapshot.ownership,
    })
    .map_err(|e| SnapfileError::Encode(e.to_string()))?;
    let digest: [u8; 32] = Sha256::digest(&payload).into();
    let mut header = [0u8; HEADER_LEN];
    header[..8].copy_from_slice(MAGIC);
    header[8..12].copy_from_slice(&FORMAT_VERSION.to_le_bytes());
    header[16..24].copy_from_slice(&(payload.len() as u64).to_le_bytes());
    header[24..56].copy_from_slice(&digest);

    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let file_name = path.file_name().unwrap_or_default().to_string_lossy();
    let tmp = dir.join(format!(".{file_name}.tmp-{}", std::process::id()));
    let result = (|| {
        let mut f = std::fs::File::create(&tmp)?;
        f.write_all(&header)?;
        f.write_all(&payload)?;
        f.sync_all()?;
        std::fs::rename(&tmp, path)?;
        // The rename itself is durable only once the folder is synced.
        std::fs::File::open(dir)?.sync_all()
    })();
    if let Err(e) = result {
        let _ = std::fs::remove_file(&tmp);
        return Err(io(e));
    }
    Ok(Written {
        bytes: (HEADER_LEN + payload.len()) as u64,
        sha256: hex(&digest),
        meta,
    })
}

/// Reads, verifies and decodes a snapshot file. The policy is the one stored in the file.
///
/// The checksum is computed on a second thread while the payload decodes (decoding damaged
/// bytes fails or yields garbage, never undefined behaviour), and a mismatch discards the
/// result; this halves start-up on two cores.
pub fn read(path: &Path) -> Result<Snapshot, SnapfileError> {
    let map = map(path)?;
    let payload = checked_header(path, &map)?;
    let (digest, decoded) = std::thread::scope(|scope| {
        let digest = scope.spawn(|| checksum(path, &map, payload));
        let decoded = decode(path, payload);
        (digest.join(), decoded)
    });
    match digest {
        Ok(result) => result?,
        Err(panic) => std::panic::resume_unwind(panic),
    }
    decoded
}

/// Decodes a payload (the bytes after the 64-byte header) with every check [`read`] makes
/// after the checksum: the decoded index's references, the ownership graph and the stored
/// policy. Errors name the path `<payload>`.
///
/// The checksum only detects damage; a file whose checksum matches may still have been
/// written by a faulty or hostile build, so this is what stands between its bytes and a
/// request. The fuzz target `snapshot` calls it directly, since random bytes never pass a
/// sha256 check.
pub fn decode_payload(payload: &[u8]) -> Result<Snapshot, SnapfileError> {
    decode(Path::new("<payload>"), payload)
}

fn decode(path: &Path, payload: &[u8]) -> Result<Snapshot, SnapfileError> {
    let decoded = postcard::from_bytes::<Payload>(payload).map_err(|e| SnapfileError::Decode {
        path: path.to_path_buf(),
        part: "payload",
        message: e.to_string(),
    })?;
    let inconsistent = |message: String| SnapfileError::Inconsistent {
        path: path.to_path_buf(),
        message,
    };
    decoded.index.check().map_err(inconsistent)?;
    decoded
        .ownership
        .check(decoded.index.entities().len())
        .map_err(inconsistent)?;
    if decoded.meta.index_version != decoded.index.version() {
        return Err(inconsistent(format!(
            "header names index {}, the index is {}",
            decoded.meta.index_version,
            decoded.index.version()
        )));
    }
    let policy = policy_of(path, &decoded.meta)?;
    Ok(Snapshot::from_parts(
        decoded.index,
        policy,
        decoded.ownership,
    ))
}

/// Whether the file at `path` is a valid snapshot of the same lists and policy as
/// `snapshot`, so that writing it again would change nothing.
pub fn holds(path: &Path, snapshot: &Snapshot) -> bool {
    match (read_meta(path), policy_toml(&snapshot.policy)) {
        (Ok(meta), Ok(policy)) => {
            meta.index_version == snapshot.version() && meta.policy_toml == policy
        }
        _ => false,
    }
}

/// The policy as [`Meta::policy_toml`] stores it.
fn policy_toml(policy: &Policy) -> Result<String, SnapfileError> {
    toml::to_string(policy).map_err(|e| SnapfileError::Encode(format!("policy: {e}")))
}

/// The file's [`Meta`] after verifying its header and checksum, without decoding the index.
pub fn read_meta(path: &Path) -> Result<Meta, SnapfileError> {
    let map = map(path)?;
    let payload = verified_payload(path, &map)?;
    // The meta is the payload's first field, so decoding stops after it.
    let (meta, _) =
        postcard::take_from_bytes::<Meta>(payload).map_err(|e| SnapfileError::Decode {
            path: path.to_path_buf(),
            part: "metadata",
            message: e.to_string(),
        })?;
    Ok(meta)
}

/// The stored policy, parsed as a config's `[policy]` section is.
fn policy_of(path: &Path, meta: &Meta) -> Result<Policy, SnapfileError> {
    let policy: Policy = toml::from_str(&meta.policy_toml).map_err(|e| SnapfileError::Decode {
        path: path.to_path_buf(),
        part: "policy",
        message: e.to_string(),
    })?;
    policy.validate().map_err(|e| SnapfileError::Decode {
        path: path.to_path_buf(),
        part: "policy",
        message: e.to_string(),
    })?;
    Ok(policy)
}

fn map(path: &Path) -> Result<memmap2::Mmap, SnapfileError> {
    let io = |source| SnapfileError::Io {
        path: path.to_path_buf(),
        source,
    };
    let file = std::fs::File::open(path).map_err(io)?;
    // SAFETY: the mapping is read-only and dropped once decoded (everything is copied out).
    // Writers replace snapshot files by rename, never in place, so the mapped inode does not
    // change underneath; a file truncated in place by someone else could fault the read, the
    // one risk memory-mapping carries, and the checksum catches any other change.
    let map = unsafe { memmap2::Mmap::map(&file) }.map_err(io)?;
    #[cfg(unix)]
    let _ = map.advise(memmap2::Advice::Sequential);
    Ok(map)
}

/// The payload of a mapped file, once magic, version and length hold.
fn checked_header<'m>(path: &Path, bytes: &'m [u8]) -> Result<&'m [u8], SnapfileError> {
    let path_buf = || path.to_path_buf();
    if bytes.len() < HEADER_LEN || &bytes[..8] != MAGIC {
        return Err(SnapfileError::NotSnapshot { path: path_buf() });
    }
    let version = u32::from_le_bytes([bytes[8], bytes[9], bytes[10], bytes[11]]);
    if version != FORMAT_VERSION {
        return Err(SnapfileError::Version {
            path: path_buf(),
            found: version,
            expected: FORMAT_VERSION,
        });
    }
    let mut len = [0u8; 8];
    len.copy_from_slice(&bytes[16..24]);
    let expected = u64::from_le_bytes(len);
    let found = (bytes.len() - HEADER_LEN) as u64;
    if expected != found {
        return Err(SnapfileError::Truncated {
            path: path_buf(),
            expected,
            found,
        });
    }
    Ok(&bytes[HEADER_LEN..])
}

/// Whether the payload's sha256 is the one the header of `file` records.
fn checksum(path: &Path, file: &[u8], payload: &[u8]) -> Result<(), SnapfileError> {
    let digest: [u8; 32] = Sha256::digest(payload).into();
    if digest[..] != file[24..56] {
        return Err(SnapfileError::Checksum {
            path: path.to_path_buf(),
            expected: hex(&file[24..56]),
            found: hex(&digest),
        });
    }
    Ok(())
}

/// The payload of a mapped file, once magic, version, length and checksum hold.
fn verified_payload<'m>(path: &Path, bytes: &'m [u8]) -> Result<&'m [u8], SnapfileError> {
    let payload = checked_header(path, bytes)?;
    checksum(path, bytes, payload)?;
    Ok(payload)
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::screen::{test_snapshot, Party, ScreenOptions};

    fn written() -> (tempfile::TempDir, PathBuf, Snapshot) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("s.clr");
        let snapshot = test_snapshot(&[
            "Banco Nacional de Cuba",
            "Rosneft Trading S.A.",
            "Ivan Petrov",
        ]);
        write(&snapshot, &path).unwrap();
        (dir, path, snapshot)
    }

    #[test]
    fn round_trip_screens_the_same() {
        let (_dir, path, original) = written();
        let read = read(&path).unwrap();
        assert_eq!(read.version(), original.version());
        assert_eq!(read.policy, original.policy);
        assert_eq!(read.index.entities(), original.index.entities());
        assert_eq!(read.index.datasets(), original.index.datasets());
        for e in original.index.entities() {
            assert_eq!(read.index.entity_by_id(&e.id), Some(e));
            let party = Party {
                name: e.primary_name().to_string(),
                ..Party::default()
            };
            let (a, b) = (
                original.screen(&party, &ScreenOptions::default()),
                read.screen(&party, &ScreenOptions::default()),
            );
            assert_eq!(
                serde_json::to_value(&a).unwrap(),
                serde_json::to_value(&b).unwrap()
            );
        }
        assert_eq!(read_meta(&path).unwrap().index_version, original.version());
    }

    fn patched(path: &Path, f: impl FnOnce(&mut Vec<u8>)) -> SnapfileError {
        let mut bytes = std::fs::read(path).unwrap();
        f(&mut bytes);
        std::fs::write(path, bytes).unwrap();
        read(path).err().expect("a damaged file must be refused")
    }

    #[test]
    fn another_format_version_is_refused() {
        let (_dir, path, _) = written();
        let other = FORMAT_VERSION + 1;
        let e = patched(&path, |b| b[8..12].copy_from_slice(&other.to_le_bytes()));
        assert!(
            matches!(
                e,
                SnapfileError::Version {
                    found,
                    expected: FORMAT_VERSION,
                    ..
                } if found == other
            ),
            "{e}"
        );
        assert!(
            e.to_string().contains("rebuild it with `clearance build`"),
            "{e}"
        );
    }

    #[test]
    fn damage_is_refused() {
        let (_dir, path, _) = written();
        let e = patched(&path, |b| {
            let last = b.len() - 1;
            b[last] ^= 0x55;
        });
        assert!(matches!(e, SnapfileError::Checksum { .. }), "{e}");
        let e = patched(&path, |b| b.truncate(b.len() - 10));
        assert!(matches!(e, SnapfileError::Truncated { .. }), "{e}");
        let e = patched(&path, |b| b[..4].copy_from_slice(b"PK\x03\x04"));
        assert!(matches!(e, SnapfileError::NotSnapshot { .. }), "{e}");
        std::fs::write(&path, b"").unwrap();
        assert!(matches!(
            read(&path),
            Err(SnapfileError::NotSnapshot { .. })
        ));
        let missing = read(&path.with_extension("none")).err().unwrap();
        assert!(matches!(missing, SnapfileError::Io { .. }), "{missing}");
    }

    #[test]
    fn a_consistent_checksum_over_bad_references_is_refused() {
        let (_dir, path, snapshot) = written();
        let mut broken = Snapshot::from_parts(
            crate::engine::index::IndexBuilder::new().build().unwrap(),
            snapshot.policy.clone(),
            OwnershipGraph::default(),
        );
        // An index whose id table points past its entities, written with a valid checksum.
        broken.index.ids_sorted.push(7);
        write(&broken, &path).unwrap();
        let e = read(&path).err().unwrap();
        assert!(matches!(e, SnapfileError::Inconsistent { .. }), "{e}");
    }

    /// The serialized form of a fixed index, pinned. It changes when a serialized type
    /// changes shape, and when the normalizer or index builder changes what an index holds:
    /// either way files written before no longer fit this build, so bump
    /// [`FORMAT_VERSION`], then update the digest here.
    #[test]
    fn the_format_version_is_bumped_when_the_serialized_index_changes() {
        // Names that exercise the normalizer's rules (legal forms, look-alike letters) and the
        // world's word weights (a designator), so that a change to what they normalize to or
        // weigh changes the digest.
        let snapshot = test_snapshot(&[
            "Banco Nacional de Cuba",
            "Ivan Petrov",
            "ACME Ltd.",
            "Gazprom Holdings",
            "Huawei СОМ",
            "ΗΕRΟ Bank",
            "Korvalis Development Agency",
        ]);
        let bytes = postcard::to_stdvec(&(&snapshot.index, &snapshot.ownership)).unwrap();
        let digest = hex(&Sha256::digest(&bytes));
        assert_eq!(
            (FORMAT_VERSION, digest.as_str()),
            (
                9,
                "44dc19cde62f9d9a170888cc2989ca40256e6548f9dfe971756cee080991d1e4"
            ),
            "the serialized index changed: bump FORMAT_VERSION and pin the new digest"
        );
    }

    #[test]
    fn writing_replaces_atomically_and_leaves_no_temporary_file() {
        let (dir, path, snapshot) = written();
        write(&snapshot, &path).unwrap();
        let names: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names, vec![std::ffi::OsString::from("s.clr")]);
    }
}
