//! What can change a party's screening from one snapshot to the next, or from one day to the
//! next, for re-screening a book by difference: a content hash per listed entry, a digest of
//! the policy, and the dates on which an ownership rule or an ownership record starts or
//! stops applying.
//!
//! An entry's hash covers everything screening reads of it; a second hash covers only what
//! finding and scoring it by name reads (its names, kind, countries, identifiers, dates of
//! birth, nationalities, gender). When only the first changed (programs, remarks,
//! addresses), a party's score on the entry is the same, so only the parties whose hits
//! already name it can be affected.
//!
//! What the ownership rules say of an entry (blocked, for review, the path and the shares)
//! is computed from the records on every path into it and from the entries those paths pass
//! through, its owners and their owners; nothing below it or beside it counts. So an entry
//! with owners also hashes, into both, those records and those entries, named by entity id
//! (the graph's own node numbers shift whenever an entry is added): a new owner or a changed
//! holding above an entry changes it, while one elsewhere in the graph leaves it alone.

use std::collections::HashMap;

use rustc_hash::FxHashMap;

use jiff::civil::Date;
use sha2::{Digest, Sha256};

use crate::engine::matching::{acronym_print, word_print};
use crate::engine::screen::Snapshot;

/// For each entry with owners (by ordinal), a digest of what the ownership rules read to
/// judge it: every record on a path into it and, of every entry such a path passes through,
/// what a rule reads (dataset and programs, whether it is listed, its primary name), named
/// by entity id and hashed in a sorted order, so that the digest does not depend on
/// the order of the records or on the graph's node numbers.
fn ownership_digests(snapshot: &Snapshot) -> FxHashMap<u32, [u8; 32]> {
    let graph = &snapshot.ownership;
    let entities = snapshot.index.entities();
    let edges = graph.edges();
    let id = |node: usize| entities[graph.entity(node) as usize].id.as_str();
    let mut into: FxHashMap<usize, Vec<usize>> = FxHashMap::default();
    for (i, edge) in edges.iter().enumerate() {
        into.entry(edge.owned).or_default().push(i);
    }
    let mut digests = FxHashMap::default();
    let mut seen = rustc_hash::FxHashSet::default();
    for &node in into.keys() {
        seen.clear();
        seen.insert(node);
        let (mut stack, mut records, mut owners) = (vec![node], Vec::new(), Vec::new());
        while let Some(v) = stack.pop() {
            for &i in into.get(&v).into_iter().flatten() {
                let e = &edges[i];
                let record = (
                    id(e.owner),
                    id(e.owned),
                    e.percent,
                    &e.relation,
                    e.start,
                    e.end,
                );
                let mut text = serde_json::to_string(&record).unwrap_or_default();
                text.push_str(&e.source);
                records.push(text);
                if seen.insert(e.owner) {
                    let o = &entities[graph.entity(e.owner) as usize];
                    let read = (
                        &o.id,
                        &o.dataset,
                        o.primary_name(),
                        &o.programs,
                        o.context_only,
                    );
                    owners.push(serde_json::to_string(&read).unwrap_or_default());
                    stack.push(e.owner);
                }
            }
        }
        records.sort();
        owners.sort();
        let mut hash = Sha256::new();
        for text in records.iter().chain(&owners) {
            hash.update(text.as_bytes());
            hash.update([0]);
        }
        digests.insert(graph.entity(node), hash.finalize().into());
    }
    digests
}

/// The print of every indexed word and of every acronym key that more organisations' names
/// share than matching takes as candidates, sorted by word; and for each entry (by ordinal)
/// the prints of its names' words in order: an entry's scores move when one of its words'
/// prints does, so its stored hash holds them.
fn word_prints(snapshot: &Snapshot) -> (Vec<(String, u64)>, Vec<Vec<u64>>) {
    let index = &snapshot.index;
    let prints: Vec<u64> = (0..index.token_count() as u32)
        .map(|o| word_print(index, o))
        .collect();
    let mut read = vec![Vec::new(); index.entities().len()];
    for id in 0..index.name_count() as u32 {
        let name = index.name(id);
        let words = index.name_token_ids(name);
        read[name.entity as usize].extend(words.iter().map(|&o| prints[o as usize]));
    }
    let mut words: Vec<(String, u64)> = prints
        .iter()
        .enumerate()
        .map(|(o, &p)| (index.token_forms(o as u32).text.to_string(), p))
        .collect();
    // An acronym key shared by few names reads as one that no name has (all its names are
    // candidates, and an added one is an added entry's): only the others are kept.
    index.acronym_groups(|key, names| {
        let p = acronym_print(names);
        if p != 0 {
            words.push((key.to_string(), p));
        }
    });
    words.sort_unstable();
    (words, read)
}

/// A snapshot's fingerprints, computed once per snapshot ([`Snapshot::fingerprints`]).
pub struct Fingerprints {
    /// Per entry, by ordinal: its content hash, `:`, the hash of what matching reads of it,
    /// `:`, the hash of its words' prints.
    hashes: Vec<String>,
    /// What matching reads of each indexed word and acronym key across all names (see
    /// [`word_print`], [`acronym_print`]), sorted by word.
    words: Vec<(String, u64)>,
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
        let mut dates = Vec::new();
        for edge in snapshot.ownership.edges() {
            dates.extend(edge.start);
            dates.extend(edge.end.and_then(|d| d.tomorrow().ok()));
        }
        let above = ownership_digests(snapshot);
        let (words, names_read) = word_prints(snapshot);
        let hashes = index
            .entities()
            .iter()
            .enumerate()
            .map(|(ordinal, e)| {
                let mut content = Sha256::new();
                content.update(serde_json::to_vec(e).unwrap_or_default());
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
                if let Some(digest) = above.get(&(ordinal as u32)) {
                    content.update(digest);
                    matching.update(digest);
                }
                let mut words = Sha256::new();
                for print in &names_read[ordinal] {
                    words.update(print.to_le_bytes());
                }
                format!(
                    "{}:{}:{}",
                    hex16(&content.finalize()),
                    hex16(&matching.finalize()),
                    hex16(&words.finalize())
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
        // The weight of a word no list uses follows the lists' size (`index::build`): when it
        // moves, every score may, as when the policy changes.
        let mut policy = Sha256::new();
        policy.update(serde_json::to_vec(&snapshot.policy).unwrap_or_default());
        policy.update(index.novel_weight.to_le_bytes());
        let policy = hex16(&policy.finalize());
        Fingerprints {
            hashes,
            words,
            policy,
            dates,
        }
    }

    /// The content hash of the entry with this ordinal, which a hit and a verdict keep: two
    /// hashes, of all of it and of what matching reads of it, joined by `:`. Not its words'
    /// prints, which move with other entries: a hit is news, and a verdict lapses, only when
    /// the entry itself changes.
    pub fn entity_hash(&self, ordinal: u32) -> &str {
        let h = &self.hashes[ordinal as usize];
        &h[..h.rfind(':').unwrap_or(h.len())]
    }

    /// A digest of what beyond the entries and words decides every outcome: the policy
    /// (thresholds, severities, rules and jurisdictions) and the weight of a word no list
    /// uses, which follows the lists' size.
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

    /// Every indexed word's and acronym key's print, by word, for storing beside the version
    /// they were screened at.
    pub fn words(&self) -> impl Iterator<Item = (&str, u64)> {
        self.words.iter().map(|(w, p)| (w.as_str(), *p))
    }

    /// Every entry's `(id, hash)` (its content hash, what matching reads of it and its
    /// words' prints), for storing beside the version they were screened at.
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
    /// Words and acronym keys whose print differs (or that one side lacks), sorted: how
    /// matching reads a party's word near one of them may have changed, whatever the party
    /// resembles, so every party with such a word must be screened again.
    pub reprinted: Vec<String>,
}

impl Delta {
    /// `before` holds the stored version's entries (id to hash) and `before_words` its
    /// words' prints ([`Fingerprints::words`]).
    pub fn between(
        before: &HashMap<String, String>,
        before_words: &HashMap<String, u64>,
        snapshot: &Snapshot,
    ) -> Delta {
        let prints = snapshot.fingerprints();
        let mut delta = Delta::default();
        let mut now: HashMap<&str, u64> = HashMap::with_capacity(prints.words.len());
        for (word, print) in prints.words() {
            now.insert(word, print);
            if before_words.get(word) != Some(&print) {
                delta.reprinted.push(word.to_string());
            }
        }
        delta.reprinted.extend(
            before_words
                .keys()
                .filter(|w| !now.contains_key(w.as_str()))
                .cloned(),
        );
        delta.reprinted.sort_unstable();
        for (ordinal, entity) in snapshot.index.entities().iter().enumerate() {
            let hash = &prints.hashes[ordinal];
            let old = before.get(&entity.id);
            if old.is_none_or(|h| h != hash) {
                delta.changed.push(ordinal as u32);
                // What matching reads of it, and its words' prints.
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
        self.changed.is_empty() && self.removed.is_empty() && self.reprinted.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::index::build::IndexBuilder;
    use crate::engine::model::{Entity, LoadedList, Name, NameKind, Ownership, Relation};
    use crate::engine::policy::Policy;

    fn entity(id: &str, name: &str) -> Entity {
        Entity {
            id: format!("t:{id}"),
            dataset: "t".into(),
            names: vec![Name {
                value: name.into(),
                kind: NameKind::Primary,
            }],
            ..Entity::default()
        }
    }

    /// A snapshot of `names` (ids `t:<key>`) with `edges` (owner key, owned key, percent).
    fn snapshot(names: &[(&str, &str)], edges: &[(&str, &str, f32)]) -> Snapshot {
        let mut builder = IndexBuilder::new();
        let entities = names.iter().map(|(id, n)| entity(id, n)).collect();
        builder.add_list(
            LoadedList {
                dataset: "t".into(),
                entities,
                ..LoadedList::default()
            },
            None,
        );
        let edges = edges
            .iter()
            .map(|(owner, owned, p)| Ownership {
                percent: Some(*p),
                ..Ownership::remark(
                    &format!("t:{owner}"),
                    &format!("t:{owned}"),
                    Relation::Owner,
                    "test",
                )
            })
            .collect();
        Snapshot::with_ownership(builder.build().unwrap(), Policy::default(), edges)
    }

    fn hashes(s: &Snapshot) -> HashMap<String, String> {
        let prints = s.fingerprints();
        prints
            .entries(s)
            .map(|(id, h)| (id.to_string(), h.to_string()))
            .collect()
    }

    fn words(s: &Snapshot) -> HashMap<String, u64> {
        s.fingerprints()
            .words()
            .map(|(w, p)| (w.to_string(), p))
            .collect()
    }

    /// The difference from `before` to `after`, as a job whose base is `before` sees it.
    fn difference(before: &Snapshot, after: &Snapshot) -> Delta {
        Delta::between(&hashes(before), &words(before), after)
    }

    /// The ids of `ordinals` in `s`, sorted.
    fn ids(s: &Snapshot, ordinals: &[u32]) -> Vec<String> {
        let mut v: Vec<String> = ordinals
            .iter()
            .map(|&o| s.index.entity(o).id.clone())
            .collect();
        v.sort();
        v
    }

    const NAMES: &[(&str, &str)] = &[
        ("a", "Alpha Holdings"),
        ("b", "Beta Trading"),
        ("c", "Gamma Shipping"),
        ("x", "Xenon Mining"),
        ("y", "Yarrow Foods"),
    ];

    #[test]
    fn only_an_entry_below_a_changed_holding_changes() {
        // a owns b owns c; x owns y, a separate part of the graph.
        let before = snapshot(
            NAMES,
            &[("a", "b", 60.0), ("b", "c", 60.0), ("x", "y", 30.0)],
        );
        let after = snapshot(
            NAMES,
            &[("a", "b", 40.0), ("b", "c", 60.0), ("x", "y", 30.0)],
        );
        let delta = difference(&before, &after);
        // b's owner changed its share; c is judged through b, so it changes too. a (above)
        // and x, y (elsewhere) do not.
        assert_eq!(ids(&after, &delta.changed), ["t:b", "t:c"]);
        assert_eq!(ids(&after, &delta.rematch), ["t:b", "t:c"]);
    }

    #[test]
    fn an_added_entry_renumbers_nothing_it_does_not_own() {
        let before = snapshot(NAMES, &[("a", "b", 60.0), ("x", "y", 30.0)]);
        let mut more = NAMES.to_vec();
        more.insert(0, ("n", "Nova Energy"));
        let after = snapshot(
            &more,
            &[("a", "b", 60.0), ("x", "y", 30.0), ("n", "c", 10.0)],
        );
        let delta = difference(&before, &after);
        // The new entry and the one it now owns part of; the graph's node numbers shifted,
        // which changes no other entry.
        assert_eq!(ids(&after, &delta.changed), ["t:c", "t:n"]);
    }

    #[test]
    fn a_word_used_once_more_reprints_it_and_its_entries() {
        let before = snapshot(NAMES, &[]);
        let mut more = NAMES.to_vec();
        more.push(("n", "Nova Xenon"));
        let after = snapshot(&more, &[]);
        let delta = difference(&before, &after);
        // "xenon" is now in two names, so it weighs less: "Xenon Mining" scores differently
        // against any party, and so does any party's word near "xenon"; the other entries'
        // words are read as before.
        assert_eq!(ids(&after, &delta.rematch), ["t:n", "t:x"]);
        assert_eq!(delta.reprinted, ["nova", "xenon"]);
        // Its content is the same: its hits are no news and verdicts on it hold.
        let hash = |s: &Snapshot| {
            let o = s.index.ordinal("t:x").unwrap();
            s.fingerprints().entity_hash(o).to_string()
        };
        assert_eq!(hash(&before), hash(&after));
        // Taking it out again reprints the same words.
        let back = difference(&after, &before);
        assert_eq!(back.reprinted, ["nova", "xenon"]);
        assert_eq!(back.removed, ["t:n"]);
    }

    #[test]
    fn an_owners_listing_reaches_what_it_owns() {
        let before = snapshot(NAMES, &[("a", "b", 60.0)]);
        let mut renamed = NAMES.to_vec();
        renamed[0] = ("a", "Alpha Group Holdings");
        let after = snapshot(&renamed, &[("a", "b", 60.0)]);
        let delta = difference(&before, &after);
        // a's findings on b name it: b's findings change with a's primary name.
        assert_eq!(ids(&after, &delta.rematch), ["t:a", "t:b"]);
    }
}
