//! Screening: a [`Screener`] holds the current [`Snapshot`] behind an `ArcSwap` and answers
//! "may we transact with this party?" with a decision, the hits and their explanations.
//!
//! A request loads the snapshot once, so it sees exactly one list version even while a reload
//! swaps in the next one.

use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

use arc_swap::ArcSwap;
use jiff::civil::Date;
use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::engine::changes::Fingerprints;
use crate::engine::exposure::{self, OwnershipGraph};
use crate::engine::index::{BuildError, Index, IndexBuilder};
use crate::engine::lists::{self, ListError, Source};
use crate::engine::matching::facts::BirthDate;
use crate::engine::matching::{self, Explanation, Query};
use crate::engine::model::{EntityKind, Identifier, Ownership};
use crate::engine::policy::{Decision, Policy, Severity};

/// An immutable, fully built list version plus the policy that interprets it.
pub struct Snapshot {
    pub index: Index,
    pub policy: Policy,
    /// The lists' ownership edges, resolved to the index's entities.
    pub ownership: OwnershipGraph,
    /// Computed on first use: only monitoring asks.
    fingerprints: OnceLock<Fingerprints>,
}

#[derive(Debug, thiserror::Error)]
pub enum SnapshotError {
    #[error("loading dataset {dataset}: {source}")]
    List {
        dataset: String,
        #[source]
        source: ListError,
    },
    #[error(transparent)]
    Build(#[from] BuildError),
    #[error("no sources configured")]
    NoSources,
    /// The source loaded, but could not be read again for its digest: it disappeared or
    /// changed under the loader. A snapshot without the digest would get a version of its own
    /// for unchanged lists.
    #[error("loading dataset {dataset}: {path}: disappeared while it was being loaded")]
    Vanished { dataset: String, path: PathBuf },
}

impl Snapshot {
    /// Loads every source (in parallel, one thread per source) and builds the index, to be
    /// interpreted by `policy`. Any source failing fails the whole snapshot: a partial list
    /// universe would silently allow parties on the missing list.
    pub fn load(sources: &[Source], policy: &Policy) -> Result<Snapshot, SnapshotError> {
        if sources.is_empty() {
            return Err(SnapshotError::NoSources);
        }
        let results: Vec<_> = std::thread::scope(|scope| {
            let handles: Vec<_> = sources
                .iter()
                .map(|source| {
                    scope.spawn(move || {
                        let options = lists::load_options(sources, source);
                        let list =
                            lists::load(source.format, &source.dataset, &source.path, &options)
                                .map_err(|e| SnapshotError::List {
                                    dataset: source.dataset.clone(),
                                    source: e,
                                })?;
                        let digest =
                            digest_path(&source.path).ok_or_else(|| SnapshotError::Vanished {
                                dataset: source.dataset.clone(),
                                path: source.path.clone(),
                            })?;
                        Ok::<_, SnapshotError>((list, Some(digest)))
                    })
                })
                .collect();
            handles
                .into_iter()
                .map(|h| {
                    h.join()
                        .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
                })
                .collect()
        });
        let mut loaded = Vec::with_capacity(results.len());
        for r in results {
            loaded.push(r?);
        }
        // Parties an edge file owns by name but no list holds become unlisted context
        // entities of that file's dataset, so that screening them finds the ownership.
        let known = exposure::known_names(loaded.iter().map(|(l, _)| l));
        for ((list, _), source) in loaded.iter_mut().zip(sources) {
            if source.format == lists::ListFormat::Edges {
                exposure::add_owned_parties(list, &known);
            }
        }
        let mut builder = IndexBuilder::new();
        let mut edges = Vec::new();
        for (mut list, digest) in loaded {
            edges.append(&mut list.ownership);
            builder.add_list(list, digest);
        }
        Ok(Snapshot::with_ownership(
            builder.build()?,
            policy.clone(),
            edges,
        ))
    }

    /// A snapshot without ownership edges.
    pub fn new(index: Index, policy: Policy) -> Snapshot {
        Snapshot::with_ownership(index, policy, Vec::new())
    }

    /// A snapshot whose ownership edges (entity ids or names) are resolved against `index`.
    /// Edges that name no loaded party are counted in [`OwnershipGraph::unresolved`].
    pub fn with_ownership(index: Index, policy: Policy, edges: Vec<Ownership>) -> Snapshot {
        let (ownership, warnings) = OwnershipGraph::build(&index, edges);
        for w in &warnings {
            tracing::warn!("ownership: {w}");
        }
        Snapshot::from_parts(index, policy, ownership)
    }

    /// A snapshot from an index and its already resolved ownership graph (as a snapshot file
    /// holds them).
    pub fn from_parts(index: Index, policy: Policy, ownership: OwnershipGraph) -> Snapshot {
        // Today's evaluation, computed now rather than by the first request.
        ownership.evaluate(&index, &policy, today());
        Snapshot {
            index,
            policy,
            ownership,
            fingerprints: OnceLock::new(),
        }
    }

    pub fn version(&self) -> &str {
        self.index.version()
    }

    /// The entries' content hashes, the policy's digest and the rules' dates, computed on
    /// first use (see [`crate::engine::changes`]).
    pub fn fingerprints(&self) -> &Fingerprints {
        self.fingerprints.get_or_init(|| Fingerprints::of(self))
    }
}

/// sha256 over a file, or over a folder's files in name order; `None` if unreadable (the
/// loader reports the real error).
fn digest_path(path: &Path) -> Option<String> {
    let mut hasher = Sha256::new();
    if path.is_dir() {
        let mut files: Vec<_> = std::fs::read_dir(path)
            .ok()?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.is_file())
            .collect();
        files.sort();
        for f in files {
            hasher.update(f.file_name()?.as_encoded_bytes());
            hasher.update(std::fs::read(&f).ok()?);
        }
    } else {
        hasher.update(std::fs::read(path).ok()?);
    }
    Some(
        hasher
            .finalize()
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect(),
    )
}

/// Longest accepted party name, in characters (DESIGN.md): the gRPC API, the CLI, batch and
/// eval inputs all refuse longer names.
pub const MAX_NAME_CHARS: usize = 512;

/// The party to screen, as a caller describes it.
#[derive(Debug, Clone, Default)]
pub struct Party {
    pub name: String,
    pub kind: Option<EntityKind>,
    /// ISO 3166-1 alpha-2 codes.
    pub countries: Vec<String>,
    pub identifiers: Vec<Identifier>,
    /// Free-text addresses, checked against the policy's jurisdictions.
    pub addresses: Vec<String>,
    /// Names, entity ids or identifiers of the party's known owners.
    pub parents: Vec<String>,
    /// A person's date of birth: confirms or contradicts hits on listed persons.
    pub birth_date: Option<BirthDate>,
    /// A person's nationalities, ISO 3166-1 alpha-2 codes: confirm or contradict hits on
    /// listed persons (`countries`, where the party is, is the jurisdiction policy's).
    pub nationalities: Vec<String>,
}

/// Per-request options.
#[derive(Debug, Clone, Default)]
pub struct ScreenOptions {
    /// Restrict hits to these datasets (empty: all).
    pub datasets: Vec<String>,
    /// Override the policy's `min_score`.
    pub min_score: Option<f32>,
    /// Override the policy's `max_hits`.
    pub max_hits: Option<usize>,
    /// The date rules and ownership records are evaluated at; `None`: today (UTC).
    pub as_of: Option<Date>,
}

/// One hit in a screening result.
#[derive(Debug, Clone, Serialize)]
pub struct ScreenHit {
    pub entity_id: String,
    pub dataset: String,
    /// The entity's primary name.
    pub name: String,
    /// The name (primary or alias) that matched.
    pub matched_name: String,
    pub score: f32,
    pub kind: EntityKind,
    pub programs: Vec<String>,
    pub severity: Severity,
    /// What this hit alone calls for.
    pub decision: Decision,
    /// A readable sentence for the reviewer.
    pub explanation: String,
    /// For hits through ownership: the owners from the nearest up to the listed one, each as
    /// "NAME [entity id]" (a declared parent first, marked so).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub via: Vec<String>,
    /// The rule that made this hit count (`ofac_50_percent`, `embargoed_jurisdiction`, ...);
    /// `None` for a hit on the party's own listing.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rule: Option<String>,
    /// For ownership hits: the aggregated share held by restricted owners, in percent.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ownership_percent: Option<f32>,
    /// How the name matched, for hits found by name.
    #[serde(skip)]
    pub detail: Option<Explanation>,
    /// Taken out of the decision by a reviewer's verdict ([`Screening::suppress`]).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub suppressed: bool,
}

/// The answer for one party.
#[derive(Debug, Clone, Serialize)]
pub struct Screening {
    pub decision: Decision,
    pub hits: Vec<ScreenHit>,
    pub snapshot_version: String,
    /// The date rules were evaluated at (ISO).
    pub as_of: String,
    /// One sentence: why this decision.
    pub explanation: String,
}

impl Snapshot {
    /// Screens one party against this snapshot: its own name, then what ownership, its
    /// declared parents and its jurisdictions add.
    pub fn screen(&self, party: &Party, options: &ScreenOptions) -> Screening {
        let policy = &self.policy;
        let query = Query {
            name: party.name.clone(),
            kind: party.kind,
            countries: party.countries.clone(),
            identifiers: party.identifiers.clone(),
            birth_date: party.birth_date.clone(),
            nationalities: party.nationalities.clone(),
        };
        let min_score = options.min_score.unwrap_or(policy.min_score);
        let max_hits = options.max_hits.unwrap_or(policy.max_hits);
        let date = options.as_of.unwrap_or_else(today);
        let evaluation = self.ownership.evaluate(&self.index, policy, date);
        // Ask the matcher for more than we return when filtering by dataset afterwards.
        let want = if options.datasets.is_empty() {
            max_hits
        } else {
            max_hits * 4
        };
        let wanted = |dataset: &str| {
            options.datasets.is_empty() || options.datasets.iter().any(|d| d == dataset)
        };
        let mut hits: Vec<ScreenHit> = Vec::new();
        for h in matching::search(&self.index, &query, want, min_score) {
            let e = self.index.entity(h.entity);
            if !wanted(&e.dataset) {
                continue;
            }
            let severity = policy.severity(e);
            let mut hit = ScreenHit {
                entity_id: e.id.clone(),
                dataset: e.dataset.clone(),
                name: e.primary_name().to_string(),
                matched_name: h.explanation.matched_name.clone(),
                score: h.score,
                kind: e.kind,
                programs: e.programs.clone(),
                severity,
                decision: if e.context_only {
                    Decision::Allow
                } else {
                    policy.decide_hit(h.score, severity)
                },
                explanation: h.explanation.text(h.score),
                via: Vec::new(),
                rule: None,
                ownership_percent: None,
                detail: Some(h.explanation),
                suppressed: false,
            };
            let graph = &self.ownership;
            if exposure::annotate_hit(&self.index, graph, policy, &evaluation, &mut hit, h.entity) {
                hits.push(hit);
            }
        }
        hits.truncate(max_hits);
        hits.extend(
            exposure::parent_hits(&self.index, &self.ownership, policy, &evaluation, party)
                .into_iter()
                .filter(|h| wanted(&h.dataset)),
        );
        hits.extend(exposure::jurisdiction_hits(policy, party, date));
        let decision = hits
            .iter()
            .map(|h| h.decision)
            .max()
            .unwrap_or(Decision::Allow);
        let explanation = explain(decision, &hits, date);
        Screening {
            decision,
            hits,
            snapshot_version: self.version().to_string(),
            as_of: date.to_string(),
            explanation,
        }
    }
}

/// The score down to which [`Snapshot::near_misses`] looks when `clearance screen --explain`
/// asks: half-way between no resemblance and the review threshold, low enough to show an
/// exact name that a disjoint date of birth and a differing nationality pushed under review
/// (0.82), high enough to leave out names sharing one common word.
pub const NEAR_MISS_FLOOR: f32 = 0.5;

/// An entry that matched the name but scored below the review threshold.
#[derive(Debug, Clone, Serialize)]
pub struct NearMiss {
    pub hit: ScreenHit,
    /// Why it fell short: the words that did not match or matched only approximately, and
    /// the signals that lowered the score (a disjoint date of birth, another country, ...).
    pub shortfall: String,
}

impl Snapshot {
    /// The entries whose names matched at `floor` or above but below the review threshold,
    /// best first, at most `options.max_hits` (or the policy's), each with why it fell short.
    /// The matcher is asked again with `floor` as its minimum score; the screening itself
    /// ([`Snapshot::screen`] with `options`) is not changed by it.
    pub fn near_misses(&self, party: &Party, options: &ScreenOptions, floor: f32) -> Vec<NearMiss> {
        let review = self.policy.review_threshold;
        let lowered = ScreenOptions {
            min_score: Some(floor.min(review)),
            ..options.clone()
        };
        let mut misses: Vec<NearMiss> = self
            .screen(party, &lowered)
            .hits
            .into_iter()
            .filter(|h| h.score < review && h.rule.is_none())
            .filter_map(|hit| {
                let shortfall = shortfall(hit.detail.as_ref()?);
                Some(NearMiss { hit, shortfall })
            })
            .collect();
        misses.truncate(options.max_hits.unwrap_or(self.policy.max_hits));
        misses
    }
}

/// What kept a name match from a perfect score, in words: words of the query or the name left
/// unmatched, words matched only approximately, and every signal with a factor below 1.
pub fn shortfall(e: &Explanation) -> String {
    let mut parts = Vec::new();
    let ns = &e.name_score;
    if !ns.unmatched_query.is_empty() {
        parts.push(format!(
            "query words not in the name: {}",
            ns.unmatched_query.join(" ")
        ));
    }
    if !ns.unmatched_candidate.is_empty() {
        parts.push(format!(
            "name words not in the query: {}",
            ns.unmatched_candidate.join(" ")
        ));
    }
    let approximate: Vec<String> = ns
        .pairs
        .iter()
        .filter(|p| p.similarity < 1.0)
        .map(|p| format!("{}~{} ({:.2})", p.query, p.candidate, p.similarity))
        .collect();
    if !approximate.is_empty() {
        parts.push(format!("approximate words: {}", approximate.join(", ")));
    }
    for a in e.adjustments.iter().filter(|a| a.factor < 1.0) {
        parts.push(format!("{} (x{:.2})", a.reason, a.factor));
    }
    if parts.is_empty() {
        "the name score alone is below the review threshold".to_string()
    } else {
        parts.join("; ")
    }
}

/// Today's date in UTC.
pub fn today() -> Date {
    jiff::Timestamp::now()
        .to_zoned_datetime(jiff::tz::TimeZone::UTC)
        .date()
}

/// The decision in one sentence: the strongest hit's explanation, or why nothing counted.
fn explain(decision: Decision, hits: &[ScreenHit], date: Date) -> String {
    match hits
        .iter()
        .find(|h| h.decision == decision && decision != Decision::Allow)
    {
        Some(h) => {
            let what = match &h.rule {
                Some(rule) => format!("{} (rule {rule})", h.name),
                None => format!("{} [{}] on {}", h.name, h.entity_id, h.programs.join(", ")),
            };
            format!("{}: {what}: {}", decision.as_str(), h.explanation)
        }
        None if hits.is_empty() => format!(
            "allow: no list entry, ownership finding or \
                                            jurisdiction rule applies, as of {date}"
        ),
        None => format!(
            "allow: {} hit(s), none at the review threshold or under a rule in force, as of \
             {date}",
            hits.len()
        ),
    }
}

impl Screening {
    /// Takes the hits `cleared` picks out of the decision (a reviewer found them false
    /// positives): they stay among the hits, marked `suppressed`, and the decision and its
    /// explanation are made again from the others. Returns how many it took out.
    pub fn suppress(&mut self, cleared: impl Fn(&ScreenHit) -> bool) -> usize {
        let mut taken = 0;
        for h in self.hits.iter_mut().filter(|h| !h.suppressed) {
            if cleared(h) {
                h.suppressed = true;
                taken += 1;
            }
        }
        if taken == 0 {
            return 0;
        }
        let counted: Vec<ScreenHit> = self
            .hits
            .iter()
            .filter(|h| !h.suppressed)
            .cloned()
            .collect();
        self.decision = counted
            .iter()
            .map(|h| h.decision)
            .max()
            .unwrap_or(Decision::Allow);
        let date = self.as_of.parse().unwrap_or_else(|_| today());
        self.explanation = format!(
            "{}; {taken} hit(s) cleared by a reviewer as false positives are not counted",
            explain(self.decision, &counted, date)
        );
        taken
    }
}

/// Holds the live snapshot and swaps in new ones without blocking readers.
pub struct Screener {
    current: ArcSwap<Snapshot>,
}

impl Screener {
    pub fn new(snapshot: Snapshot) -> Self {
        Screener {
            current: ArcSwap::from_pointee(snapshot),
        }
    }

    /// The live snapshot. Hold the returned `Arc` for the whole request.
    pub fn snapshot(&self) -> Arc<Snapshot> {
        self.current.load_full()
    }

    /// Replaces the live snapshot; requests already running keep the one they loaded.
    pub fn swap(&self, snapshot: Snapshot) -> Arc<Snapshot> {
        self.current.swap(Arc::new(snapshot))
    }

    /// Screens one party against the live snapshot.
    pub fn screen(&self, party: &Party, options: &ScreenOptions) -> Screening {
        self.current.load().screen(party, options)
    }
}

/// A snapshot of one dataset `t` whose entities `t:0`, `t:1`, ... have these primary names.
#[cfg(test)]
pub(crate) fn test_snapshot(names: &[&str]) -> Snapshot {
    use crate::engine::model::{Entity, Name, NameKind};
    let entities = names
        .iter()
        .enumerate()
        .map(|(i, n)| Entity {
            id: format!("t:{i}"),
            dataset: "t".into(),
            names: vec![Name {
                value: n.to_string(),
                kind: NameKind::Primary,
            }],
            ..Entity::default()
        })
        .collect();
    test_snapshot_of(entities)
}

/// A snapshot of dataset `t` holding `entities`.
#[cfg(test)]
pub(crate) fn test_snapshot_of(entities: Vec<crate::engine::model::Entity>) -> Snapshot {
    let mut builder = IndexBuilder::new();
    builder.add_list(
        crate::engine::model::LoadedList {
            dataset: "t".into(),
            entities,
            ..crate::engine::model::LoadedList::default()
        },
        None,
    );
    Snapshot::new(builder.build().unwrap(), Policy::default())
}

/// A listed person `t:<id>` with these published dates of birth and nationalities.
#[cfg(test)]
pub(crate) fn test_person(
    id: &str,
    name: &str,
    birth_dates: &[&str],
    nationalities: &[&str],
) -> crate::engine::model::Entity {
    use crate::engine::model::{Entity, Name, NameKind};
    let strings = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    Entity {
        id: format!("t:{id}"),
        dataset: "t".into(),
        kind: EntityKind::Person,
        names: vec![Name {
            value: name.into(),
            kind: NameKind::Primary,
        }],
        birth_dates: strings(birth_dates),
        nationalities: strings(nationalities),
        countries: strings(nationalities),
        ..Entity::default()
    }
}

#[cfg(test)]
mod tests {
    use super::test_snapshot as snapshot;
    use super::*;
    use crate::engine::matching::facts::BIRTH_DATE_DISJOINT;

    fn party(name: &str) -> Party {
        Party {
            name: name.into(),
            ..Party::default()
        }
    }

    #[test]
    fn a_swap_changes_answers_but_not_a_snapshot_already_held() {
        let screener = Screener::new(snapshot(&["Acme Trading"]));
        let held = screener.snapshot();
        let before = screener.screen(&party("Acme Trading"), &ScreenOptions::default());
        assert_eq!(before.decision, Decision::Deny);

        let old = screener.swap(snapshot(&["Other Party"]));
        assert_eq!(old.version(), held.version());
        let after = screener.screen(&party("Acme Trading"), &ScreenOptions::default());
        assert_eq!(after.decision, Decision::Allow);
        assert_ne!(after.snapshot_version, before.snapshot_version);
        // A request that loaded the old snapshot keeps answering from it.
        let still = held.screen(&party("Acme Trading"), &ScreenOptions::default());
        assert_eq!(still.decision, Decision::Deny);
        assert_eq!(still.snapshot_version, before.snapshot_version);
    }

    fn person_party(name: &str, dob: Option<&str>, nationalities: &[&str]) -> Party {
        Party {
            name: name.into(),
            birth_date: dob.map(|d| BirthDate::parse(d).unwrap()),
            nationalities: nationalities.iter().map(|n| n.to_string()).collect(),
            ..Party::default()
        }
    }

    #[test]
    fn dates_of_birth_and_nationalities_confirm_or_contradict_a_person_hit() {
        let s = super::test_snapshot_of(vec![super::test_person(
            "1",
            "DOE, John",
            &["1962-03-12", "circa 1970"],
            &["IQ"],
        )]);
        let options = ScreenOptions::default();
        let screen = |p: &Party| {
            let r = s.screen(p, &options);
            let top = r.hits.first().cloned();
            (r.decision, top)
        };
        let (decision, hit) = screen(&person_party("John Doe", None, &[]));
        assert_eq!(decision, Decision::Deny);
        assert!((hit.unwrap().score - 1.0).abs() < 1e-6);

        let (decision, hit) = screen(&person_party("John Doe", Some("1962-03-12"), &["IQ"]));
        assert_eq!(decision, Decision::Deny);
        let text = hit.unwrap().explanation;
        assert!(
            text.contains("date of birth 1962-03-12 matches listed 1962-03-12 (x1.06)"),
            "{text}"
        );
        assert!(
            text.contains("nationality IQ matches listed IQ (x1.03)"),
            "{text}"
        );

        // A disjoint date alone: from deny to review.
        let (decision, hit) = screen(&person_party("John Doe", Some("1990"), &[]));
        assert_eq!(decision, Decision::Review);
        let hit = hit.unwrap();
        assert!(
            (hit.score - BIRTH_DATE_DISJOINT).abs() < 1e-6,
            "{}",
            hit.score
        );
        assert!(
            hit.explanation
                .contains("date of birth 1990 disjoint from listed 1962-03-12, circa 1970"),
            "{}",
            hit.explanation
        );
        // The approximate listed date covers 1968-1972.
        let (decision, _) = screen(&person_party("John Doe", Some("1972-01"), &[]));
        assert_eq!(decision, Decision::Deny);

        // A disjoint date and another nationality: still reported, but allowed.
        let (decision, hit) = screen(&person_party("John Doe", Some("1990"), &["TR"]));
        assert_eq!(decision, Decision::Allow);
        let hit = hit.unwrap();
        assert_eq!(hit.decision, Decision::Allow);
        assert!(hit
            .explanation
            .contains("nationality TR not among listed IQ"));

        // A party the caller calls an organisation is not compared on a person's facts.
        let org = Party {
            kind: Some(EntityKind::Organization),
            ..person_party("John Doe", Some("1990"), &["TR"])
        };
        let (_, hit) = screen(&org);
        let text = hit.unwrap().explanation;
        assert!(
            !text.contains("date of birth") && !text.contains("nationality"),
            "{text}"
        );
    }

    #[test]
    fn near_misses_say_why_they_fell_short() {
        let s = super::test_snapshot_of(vec![
            super::test_person("1", "DOE, John", &["1962"], &["IQ"]),
            super::test_person("2", "Acme Trading", &[], &[]),
        ]);
        let options = ScreenOptions::default();
        let party = person_party("John Doe", Some("1990"), &["TR"]);
        assert_eq!(s.screen(&party, &options).decision, Decision::Allow);
        let misses = s.near_misses(&party, &options, NEAR_MISS_FLOOR);
        let [miss] = misses.as_slice() else {
            panic!("{misses:?}")
        };
        assert_eq!(miss.hit.entity_id, "t:1");
        assert_eq!(miss.hit.decision, Decision::Allow);
        assert!(
            miss.shortfall
                .contains("date of birth 1990 disjoint from listed 1962 (x0.88)"),
            "{}",
            miss.shortfall
        );
        assert!(
            miss.shortfall
                .contains("nationality TR not among listed IQ (x0.93)"),
            "{}",
            miss.shortfall
        );

        // Words that did not match: below the default floor of 0.70, above 0.5.
        let party = person_party("John Doe Kowalczyk Wisniewski Zielinski", None, &[]);
        let r = s.screen(&party, &options);
        let misses = s.near_misses(&party, &options, NEAR_MISS_FLOOR);
        let miss = misses
            .iter()
            .find(|m| m.hit.entity_id == "t:1")
            .unwrap_or_else(|| panic!("{misses:?} {:?}", r.hits));
        assert!(miss.hit.score < s.policy.review_threshold);
        assert!(
            miss.shortfall
                .contains("query words not in the name: kowalczyk"),
            "{} ({:?})",
            miss.shortfall,
            r.hits
        );
        // A hit at or above review is no near miss.
        let party = person_party("John Doe", None, &[]);
        assert!(s.near_misses(&party, &options, NEAR_MISS_FLOOR).is_empty());
    }

    #[test]
    fn options_filter_datasets_and_limit_hits() {
        let s = snapshot(&["Acme Trading", "Acme Trading Co"]);
        let all = s.screen(&party("Acme Trading"), &ScreenOptions::default());
        assert_eq!(all.hits.len(), 2);
        let one = s.screen(
            &party("Acme Trading"),
            &ScreenOptions {
                max_hits: Some(1),
                ..ScreenOptions::default()
            },
        );
        assert_eq!(one.hits.len(), 1);
        let none = s.screen(
            &party("Acme Trading"),
            &ScreenOptions {
                datasets: vec!["elsewhere".into()],
                ..ScreenOptions::default()
            },
        );
        assert!(none.hits.is_empty());
        assert_eq!(none.decision, Decision::Allow);
    }
}
