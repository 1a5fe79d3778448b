//! What can change a party's screening from one snapshot to the next, or from one day to the
//! next, for re-screening a book by difference: a content hash per listed entry, a digest of
//! the policy, and the dates on which an ownership rule or an ownership record starts or
//! stops applying.
//!
//! An entry's hash covers everything screening reads of it; a second hash covers only what
//! finding and scoring it by name reads (its names, kind, countries, identifiers, dates of
//! birth, nationalities, gender). When only the first changed (programs, remarks,
//! addresses), a party's score on the entry is the same, so only the parties whose hits
//! already name it can be affected. An entry the ownership graph touches also hashes the
//! whole graph into both (its records and the entries they join): a new owner or a changed
//! holding anywhere in it can change what screening says of every party in it, so each of
//! them counts as changed.

use std::collections::HashMap;

use jiff::civil::Date;
use sha2::{Digest, Sha256};

use crate::engine::screen::Snapshot;

/// A snapshot's fingerprints, computed once per snapshot ([`Snapshot::fingerprints`]).
pub struct Fingerprints {
    /// Content hash of each entry, by ordinal, then `:` and the hash of what matching reads.
    hashes: Vec<String>,
    policy: String,
    /// Sorted, without repeats.
    dates: Vec<Date>,
}

/// Hex of the first 16 bytes of a SHA-256: enough to tell versions of one entry apart.
fn hex16(digest: &[u8]) -> String {
    digest[..16].iter().map(|b| format!("{b:02x}")).collect()
}

impl Fingerprints {
    pub(crate) fn of(snapshot: &Snapshot) -> Fingerprints {
        let index = &snapshot.index;
        let graph = &snapshot.ownership;
        let mut in_graph = vec![false; index.entities().len()];
        let mut graph_hash = Sha256::new();
        let mut dates = Vec::new();
        for edge in graph.edges() {
            for node in [edge.owner, edge.owned] {
                let ordinal = graph.entity(node);
                if let Some(slot) = in_graph.get_mut(ordinal as usize) {
                    *slot = true;
                }
            }
            graph_hash.update(serde_json::to_vec(edge).unwrap_or_default());
            dates.extend(edge.start);
            dates.extend(edge.end.and_then(|d| d.tomorrow().ok()));
        }
        let entity_json = |ordinal: usize| serde_json::to_vec(&index.entities()[ordinal]);
        for (ordinal, _) in in_graph.iter().enumerate().filter(|(_, &g)| g) {
            graph_hash.update(entity_json(ordinal).unwrap_or_default());
        }
        let graph_digest = graph_hash.finalize();
        let hashes = (0..index.entities().len())
            .map(|ordinal| {
                let e = &index.entities()[ordinal];
                let mut content = Sha256::new();
                content.update(entity_json(ordinal).unwrap_or_default());
                let mut matching = Sha256::new();
                let read = (
                    &e.kind,
                    &e.names,
                    &e.countries,
                    &e.identifiers,
                    &e.birth_dates,
                    &e.nationalities,
                    &e.gender,
                    e.context_only,
                );
                matching.update(serde_json::to_vec(&read).unwrap_or_default());
                if in_graph[ordinal] {
                    content.update(graph_digest);
                    matching.update(graph_digest);
                }
                format!(
                    "{}:{}",
                    hex16(&content.finalize()),
                    hex16(&matching.finalize())
                )
            })
            .collect();
        for rule in &snapshot.policy.ownership_rules {
            dates.extend(rule.effective);
            for s in &rule.suspended {
                dates.push(s.from);
                dates.extend(s.through.tomorrow().ok());
            }
        }
        dates.sort();
        dates.dedup();
        let policy = hex16(&Sha256::digest(
            serde_json::to_vec(&snapshot.policy).unwrap_or_default(),
        ));
        Fingerprints {
            hashes,
            policy,
            dates,
        }
    }

    /// The content hash of the entry with this ordinal (two hashes: all of it, and what
    /// matching reads of it, joined by `:`).
    pub fn entity_hash(&self, ordinal: u32) -> &str {
        &self.hashes[ordinal as usize]
    }

    /// A digest of the policy: thresholds, severities, rules and jurisdictions.
    pub fn policy_digest(&self) -> &str {
        &self.policy
    }

    /// The days on which an ownership rule or record starts or stops applying, ascending.
    pub fn transition_dates(&self) -> &[Date] {
        &self.dates
    }

    /// Whether a rule or record starts or stops applying after `from` and on or before `to`:
    /// whether a party screened on `from` may be screened differently on `to`.
    pub fn changes_between(&self, from: Date, to: Date) -> bool {
        self.dates.iter().any(|&d| from < d && d <= to)
    }

    /// Every entry's `(id, hash)`, for storing beside the version they were screened at.
    pub fn entries<'a>(
        &'a self,
        snapshot: &'a Snapshot,
    ) -> impl Iterator<Item = (&'a str, &'a str)> {
        snapshot
            .index
            .entities()
            .iter()
            .zip(&self.hashes)
            .map(|(e, h)| (e.id.as_str(), h.as_str()))
    }
}

/// The entries that differ between a stored version (`before`: entity id to hash) and a
/// snapshot.
#[derive(Debug, Default, PartialEq)]
pub struct Delta {
    /// Ordinals, in the snapshot, of entries added or changed.
    pub changed: Vec<u32>,
    /// Those of `changed` that are new, or whose names or other facts matching reads
    /// changed: the parties their names can reach must be screened again (for the others,
    /// the parties with a hit on them).
    pub rematch: Vec<u32>,
    /// Ids of entries `before` holds and the snapshot does not.
    pub removed: Vec<String>,
}

impl Delta {
    pub fn between(before: &HashMap<String, String>, snapshot: &Snapshot) -> Delta {
        let prints = snapshot.fingerprints();
        let mut delta = Delta::default();
        for (ordinal, entity) in snapshot.index.entities().iter().enumerate() {
            let hash = prints.entity_hash(ordinal as u32);
            let old = before.get(&entity.id);
            if old.is_none_or(|h| h != hash) {
                delta.changed.push(ordinal as u32);
                let matching = |h: &str| h.split_once(':').map(|(_, m)| m.to_string());
                if old.is_none_or(|h| matching(h) != matching(hash)) {
                    delta.rematch.push(ordinal as u32);
                }
            }
        }
        let index = &snapshot.index;
        delta.removed = before
            .keys()
            .filter(|id| index.ordinal(id).is_none())
            .cloned()
            .collect();
        delta.removed.sort();
        delta
    }

    pub fn is_empty(&self) -> bool {
        self.changed.is_empty() && self.removed.is_empty()
    }
}
