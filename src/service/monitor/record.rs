//! What the monitoring store holds, as plain values: the parties of the book with their
//! current outcome, the alerts written when an outcome changes, reviewers' dispositions and
//! the suppressions a false positive leaves behind, and the re-screening's own state (the
//! list version the book was last re-screened against, and a job in progress).
//!
//! The records are the store's interface: [`super::store::Store`] reads and writes them, and
//! the monitor converts them from and to the engine's types. Structured fields (a party's
//! facts, the hits of an outcome or an alert) are kept as JSON in both databases.

use serde::{Deserialize, Serialize};

use crate::engine::model::EntityKind;
use crate::engine::policy::Decision;

/// Microseconds since the Unix epoch, UTC: how the store keeps every time.
pub type Micros = i64;

/// A party as the caller registered it under its reference (the fields of `Party`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PartyFacts {
    pub name: String,
    /// person | organization | vessel | aircraft; `None`: not said.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub countries: Vec<String>,
    /// `(scheme, value)` pairs.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub identifiers: Vec<(String, String)>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub addresses: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub parents: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub birth_date: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub nationalities: Vec<String>,
}

/// A reviewer's false-positive verdict on one hit, as a hit that it suppresses shows it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Suppression {
    pub alert_id: String,
    /// The reviewer's principal.
    pub reviewer: String,
    pub at: Micros,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub note: String,
}

/// One hit of an outcome, with the content hash of the listed entry it names.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HitRecord {
    pub entity_id: String,
    /// The listed entry's content hash in the snapshot that produced the hit
    /// (`Snapshot::entity_hash`): a changed entry has another hash.
    pub entity_hash: String,
    pub dataset: String,
    pub name: String,
    pub matched_name: String,
    pub score: f32,
    /// The listed entry's kind.
    #[serde(default)]
    pub kind: EntityKind,
    pub decision: Decision,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub programs: Vec<String>,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub explanation: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub via: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rule: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ownership_percent: Option<f32>,
    /// Set when a reviewer's false-positive verdict takes this hit out of the decision.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub suppressed: Option<Suppression>,
}

/// A party's screening as the book keeps it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Outcome {
    pub decision: Decision,
    pub hits: Vec<HitRecord>,
    pub snapshot_version: String,
    /// The date the rules were evaluated at (ISO).
    pub as_of: String,
}

/// A party of the book.
#[derive(Debug, Clone, PartialEq)]
pub struct PartyRecord {
    pub reference: String,
    pub facts: PartyFacts,
    /// A content hash of `facts`: a suppression holds only while it is unchanged.
    pub facts_hash: String,
    pub outcome: Outcome,
    /// Whether the outcome can change with an ownership rule's date (the party declares
    /// parents, or a hit came through ownership or a rule).
    pub ownership: bool,
    pub updated_at: Micros,
    /// Increases with every write of any party (assigned by the store): the worker reads the
    /// parties written since the last one it saw.
    pub seq: i64,
}

/// What changed in a party's outcome.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AlertKind {
    NewHit,
    HitChanged,
    HitRemoved,
    DecisionChanged,
}

impl AlertKind {
    pub const ALL: [AlertKind; 4] = [
        AlertKind::NewHit,
        AlertKind::HitChanged,
        AlertKind::HitRemoved,
        AlertKind::DecisionChanged,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            AlertKind::NewHit => "new_hit",
            AlertKind::HitChanged => "hit_changed",
            AlertKind::HitRemoved => "hit_removed",
            AlertKind::DecisionChanged => "decision_changed",
        }
    }

    pub fn parse(s: &str) -> Option<AlertKind> {
        AlertKind::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

/// A reviewer's verdict on an alert.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    FalsePositive,
    TrueMatch,
    Escalated,
}

impl Verdict {
    pub const ALL: [Verdict; 3] = [
        Verdict::FalsePositive,
        Verdict::TrueMatch,
        Verdict::Escalated,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::FalsePositive => "false_positive",
            Verdict::TrueMatch => "true_match",
            Verdict::Escalated => "escalated",
        }
    }

    pub fn parse(s: &str) -> Option<Verdict> {
        Verdict::ALL.into_iter().find(|v| v.as_str() == s)
    }
}

/// An alert to write. Its `id` is derived from its content by the monitor
/// (`(reference, from_version, to_version, kind, entity)`), so that writing the same alert
/// twice (a re-screen resumed after a crash) stores it once.
#[derive(Debug, Clone, PartialEq)]
pub struct NewAlert {
    pub id: String,
    pub reference: String,
    pub kind: AlertKind,
    pub previous_decision: Option<Decision>,
    pub decision: Decision,
    /// The hits the alert is about: the new, changed or removed hit, or for
    /// `DecisionChanged` the party's hits now.
    pub hits: Vec<HitRecord>,
    /// The snapshot the previous outcome came from; `None` for a party's first screening.
    pub from_version: Option<String>,
    pub to_version: String,
    /// `facts_hash` of the party when the alert was written.
    pub facts_hash: String,
    pub created_at: Micros,
}

/// A stored alert.
#[derive(Debug, Clone, PartialEq)]
pub struct Alert {
    pub alert: NewAlert,
    /// Strictly increasing in the order alerts become visible (assigned by the store).
    pub cursor: i64,
    /// The last verdict on it, if any.
    pub resolution: Option<Disposition>,
}

/// A reviewer's verdict, as the history of a party keeps it.
#[derive(Debug, Clone, PartialEq)]
pub struct Disposition {
    pub alert_id: String,
    pub reference: String,
    pub verdict: Verdict,
    pub note: String,
    pub reviewer: String,
    pub at: Micros,
}

/// A suppression as stored: the hit it covers (entity and content hash) on a party whose
/// facts had `facts_hash`.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredSuppression {
    pub reference: String,
    pub entity_id: String,
    pub entity_hash: String,
    pub facts_hash: String,
    pub suppression: Suppression,
}

/// One party's new outcome, and the alerts it raises, to be written together.
#[derive(Debug, Clone, PartialEq)]
pub struct OutcomeWrite {
    pub reference: String,
    pub facts: PartyFacts,
    pub facts_hash: String,
    pub outcome: Outcome,
    pub ownership: bool,
    pub alerts: Vec<NewAlert>,
    pub at: Micros,
    /// For a write made from what the book held (a re-screen, a verdict's rewrite): the
    /// party's `seq` when it was read. The store skips the write, its alerts with it, when
    /// the party has been written since or removed: another replica's upsert, screened on
    /// its own facts, must not be overwritten by an outcome of the old ones, nor a removed
    /// party brought back. `None` (a caller's upsert): written whatever the book holds.
    pub expect_seq: Option<i64>,
}

/// The list version the whole book was last re-screened against.
#[derive(Debug, Clone, PartialEq)]
pub struct Base {
    pub version: String,
    /// The date (ISO) the book's rules were last evaluated at.
    pub as_of: String,
    /// A digest of what beyond the entries decides outcomes (the policy): when it differs,
    /// the whole book is re-screened.
    pub policy_digest: String,
    /// The store's `seq` when the job that made this base started: parties written after it
    /// against another snapshot are re-screened by the next job.
    pub seq: i64,
}

/// The fingerprints of the snapshot a base was re-screened against, which the next job
/// compares with its own (`engine::changes::Delta`).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct BasePrints {
    /// `(entity id, content hash)`.
    pub entities: Vec<(String, String)>,
    /// `(word or acronym key, what matching reads of it)`.
    pub words: Vec<(String, i64)>,
}

/// A re-screen in progress: the parties still to do.
#[derive(Debug, Clone, PartialEq)]
pub struct Job {
    pub id: i64,
    pub from_version: Option<String>,
    pub to_version: String,
    pub remaining: Vec<String>,
}

/// Counts for the metrics.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Stats {
    pub parties: u64,
    /// Alerts ever written, by kind.
    pub alerts_by_kind: Vec<(AlertKind, u64)>,
    /// Unresolved alerts by age: fewer than 1, 7 and 30 days, and older (four buckets).
    pub open_by_age: [u64; 4],
}
