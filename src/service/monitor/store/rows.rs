//! What both backends share between the records and their rows: the column lists the
//! queries select, reading a row back into a record (a JSON or enum column that does not
//! read is [`StoreError::Corrupt`], naming the table, the column and the row's key), and a
//! batch of [`OutcomeWrite`]s prepared for the database before its transaction begins
//! (JSON encoded, duplicates resolved), so that the transaction, which holds the counters'
//! lock, only binds and sends.

use std::collections::{HashMap, HashSet};
use std::time::{SystemTime, UNIX_EPOCH};

use serde::de::DeserializeOwned;
use serde::Serialize;
use sqlx::{ColumnIndex, Database, Decode, Row, Type};

use super::StoreError;
use crate::engine::policy::Decision;
use crate::service::monitor::record::{
    Alert, AlertKind, Disposition, HitRecord, Micros, NewAlert, Outcome, OutcomeWrite, PartyFacts,
    PartyRecord, Stats, StoredSuppression, Suppression, Verdict,
};

/// The columns [`party`] reads, in its order.
pub(super) const PARTY_COLUMNS: &str =
    "reference, facts, facts_hash, outcome, ownership, updated_at, seq";

/// The columns [`alert`] reads, in its order.
pub(super) const ALERT_COLUMNS: &str = "id, reference, kind, previous_decision, decision, hits, \
     from_version, to_version, facts_hash, created_at, cursor, resolution_verdict, \
     resolution_note, resolution_reviewer, resolution_at";

/// The columns [`disposition`] reads, in its order.
pub(super) const DISPOSITION_COLUMNS: &str = "alert_id, reference, verdict, note, reviewer, at";

/// The columns [`suppression`] reads, in its order.
pub(super) const SUPPRESSION_COLUMNS: &str =
    "reference, entity_id, entity_hash, facts_hash, alert_id, reviewer, note, at";

/// A row's columns by position, as the readers below need them (both backends' rows).
pub(super) trait Columns {
    fn text(&self, i: usize) -> Result<&str, sqlx::Error>;
    fn maybe_text(&self, i: usize) -> Result<Option<&str>, sqlx::Error>;
    fn int(&self, i: usize) -> Result<i64, sqlx::Error>;
    fn maybe_int(&self, i: usize) -> Result<Option<i64>, sqlx::Error>;
    fn flag(&self, i: usize) -> Result<bool, sqlx::Error>;
}

impl<R> Columns for R
where
    R: Row,
    usize: ColumnIndex<R>,
    for<'r> &'r str: Decode<'r, R::Database> + Type<R::Database>,
    for<'r> i64: Decode<'r, R::Database> + Type<R::Database>,
    for<'r> bool: Decode<'r, R::Database> + Type<R::Database>,
    R::Database: Database,
{
    fn text(&self, i: usize) -> Result<&str, sqlx::Error> {
        self.try_get(i)
    }
    fn maybe_text(&self, i: usize) -> Result<Option<&str>, sqlx::Error> {
        self.try_get(i)
    }
    fn int(&self, i: usize) -> Result<i64, sqlx::Error> {
        self.try_get(i)
    }
    fn maybe_int(&self, i: usize) -> Result<Option<i64>, sqlx::Error> {
        self.try_get(i)
    }
    fn flag(&self, i: usize) -> Result<bool, sqlx::Error> {
        self.try_get(i)
    }
}

fn corrupt(table: &'static str, column: &'static str, key: &str, message: String) -> StoreError {
    StoreError::Corrupt {
        table,
        column,
        key: key.to_string(),
        message,
    }
}

fn json<T: DeserializeOwned>(
    text: &str,
    table: &'static str,
    column: &'static str,
    key: &str,
) -> Result<T, StoreError> {
    serde_json::from_str(text).map_err(|e| corrupt(table, column, key, e.to_string()))
}

fn to_json<T: Serialize>(
    value: &T,
    table: &'static str,
    column: &'static str,
    key: &str,
) -> Result<String, StoreError> {
    serde_json::to_string(value).map_err(|e| StoreError::Encode {
        table,
        column,
        key: key.to_string(),
        message: e.to_string(),
    })
}

const DECISIONS: [Decision; 3] = [Decision::Allow, Decision::Review, Decision::Deny];

fn decision(
    text: &str,
    table: &'static str,
    column: &'static str,
    key: &str,
) -> Result<Decision, StoreError> {
    DECISIONS
        .into_iter()
        .find(|d| d.as_str() == text)
        .ok_or_else(|| corrupt(table, column, key, format!("unknown decision {text:?}")))
}

fn verdict(
    text: &str,
    table: &'static str,
    column: &'static str,
    key: &str,
) -> Result<Verdict, StoreError> {
    Verdict::parse(text)
        .ok_or_else(|| corrupt(table, column, key, format!("unknown verdict {text:?}")))
}

/// A party row (selected as [`PARTY_COLUMNS`]).
pub(super) fn party(row: &impl Columns) -> Result<PartyRecord, StoreError> {
    let reference = row.text(0)?;
    Ok(PartyRecord {
        facts: json::<PartyFacts>(row.text(1)?, "parties", "facts", reference)?,
        facts_hash: row.text(2)?.to_string(),
        outcome: json::<Outcome>(row.text(3)?, "parties", "outcome", reference)?,
        ownership: row.flag(4)?,
        updated_at: row.int(5)?,
        seq: row.int(6)?,
        reference: reference.to_string(),
    })
}

/// An alert row (selected as [`ALERT_COLUMNS`]).
pub(super) fn alert(row: &impl Columns) -> Result<Alert, StoreError> {
    let id = row.text(0)?;
    let reference = row.text(1)?;
    let kind = row.text(2)?;
    let kind = AlertKind::parse(kind)
        .ok_or_else(|| corrupt("alerts", "kind", id, format!("unknown kind {kind:?}")))?;
    let previous_decision = match row.maybe_text(3)? {
        Some(text) => Some(decision(text, "alerts", "previous_decision", id)?),
        None => None,
    };
    let resolution = match row.maybe_text(11)? {
        Some(text) => Some(Disposition {
            alert_id: id.to_string(),
            reference: reference.to_string(),
            verdict: verdict(text, "alerts", "resolution_verdict", id)?,
            note: row.maybe_text(12)?.unwrap_or_default().to_string(),
            reviewer: row.maybe_text(13)?.unwrap_or_default().to_string(),
            at: row.maybe_int(14)?.unwrap_or_default(),
        }),
        None => None,
    };
    Ok(Alert {
        alert: NewAlert {
            id: id.to_string(),
            reference: reference.to_string(),
            kind,
            previous_decision,
            decision: decision(row.text(4)?, "alerts", "decision", id)?,
            hits: json::<Vec<HitRecord>>(row.text(5)?, "alerts", "hits", id)?,
            from_version: row.maybe_text(6)?.map(str::to_string),
            to_version: row.text(7)?.to_string(),
            facts_hash: row.text(8)?.to_string(),
            created_at: row.int(9)?,
        },
        cursor: row.int(10)?,
        resolution,
    })
}

/// A disposition row (selected as [`DISPOSITION_COLUMNS`]).
pub(super) fn disposition(row: &impl Columns) -> Result<Disposition, StoreError> {
    let alert_id = row.text(0)?;
    Ok(Disposition {
        alert_id: alert_id.to_string(),
        reference: row.text(1)?.to_string(),
        verdict: verdict(row.text(2)?, "dispositions", "verdict", alert_id)?,
        note: row.text(3)?.to_string(),
        reviewer: row.text(4)?.to_string(),
        at: row.int(5)?,
    })
}

/// A suppression row (selected as [`SUPPRESSION_COLUMNS`]).
pub(super) fn suppression(row: &impl Columns) -> Result<StoredSuppression, StoreError> {
    Ok(StoredSuppression {
        reference: row.text(0)?.to_string(),
        entity_id: row.text(1)?.to_string(),
        entity_hash: row.text(2)?.to_string(),
        facts_hash: row.text(3)?.to_string(),
        suppression: Suppression {
            alert_id: row.text(4)?.to_string(),
            reviewer: row.text(5)?.to_string(),
            at: row.int(7)?,
            note: row.text(6)?.to_string(),
        },
    })
}

/// The hits of an alert whose verdict is a false positive, once per `(entity, hash)`: the
/// suppressions to store.
pub(super) fn suppressed_hits(
    hits_json: &str,
    alert_id: &str,
) -> Result<Vec<(String, String)>, StoreError> {
    let hits = json::<Vec<HitRecord>>(hits_json, "alerts", "hits", alert_id)?;
    let mut seen = HashSet::new();
    Ok(hits
        .into_iter()
        .map(|hit| (hit.entity_id, hit.entity_hash))
        .filter(|pair| seen.insert(pair.clone()))
        .collect())
}

/// A party of a batch, encoded. Its `seq` is the batch's first plus its position.
pub(super) struct PartyRow<'a> {
    pub reference: &'a str,
    pub facts: String,
    pub facts_hash: &'a str,
    pub outcome: String,
    pub decision: &'static str,
    pub snapshot_version: &'a str,
    pub ownership: bool,
    pub updated_at: Micros,
    /// `(entity id, entity hash)` of its hits, once per entity (the first hit's hash), by
    /// entity id: the rows of `party_hits`.
    pub hits: Vec<(&'a str, &'a str)>,
    /// [`OutcomeWrite::expect_seq`].
    pub expect_seq: Option<i64>,
}

/// A row of `party_hits`.
pub(super) struct HitRow<'a> {
    pub reference: &'a str,
    pub entity_id: &'a str,
    pub entity_hash: &'a str,
}

/// An alert of a batch, encoded; its cursor is assigned in the transaction.
pub(super) struct AlertRow<'a> {
    pub alert: &'a NewAlert,
    pub kind: &'static str,
    pub previous_decision: Option<&'static str>,
    pub decision: &'static str,
    pub hits: String,
}

/// A call to [`super::Store::write`], prepared.
pub(super) struct Batch<'a> {
    /// One per reference: a reference written twice in one call keeps its last write (at
    /// the position of its first).
    pub parties: Vec<PartyRow<'a>>,
    /// One per id, in the order given.
    pub alerts: Vec<AlertRow<'a>>,
}

impl<'a> Batch<'a> {
    pub fn prepare(writes: &'a [OutcomeWrite]) -> Result<Batch<'a>, StoreError> {
        let mut position = std::collections::HashMap::with_capacity(writes.len());
        let mut chosen: Vec<&OutcomeWrite> = Vec::with_capacity(writes.len());
        for write in writes {
            match position.get(write.reference.as_str()) {
                Some(&i) => chosen[i] = write,
                None => {
                    position.insert(write.reference.as_str(), chosen.len());
                    chosen.push(write);
                }
            }
        }
        let mut parties = Vec::with_capacity(chosen.len());
        for write in chosen {
            let key = write.reference.as_str();
            let mut hits: Vec<(&str, &str)> = write
                .outcome
                .hits
                .iter()
                .map(|hit| (hit.entity_id.as_str(), hit.entity_hash.as_str()))
                .collect();
            // Stable: of two hits on one entity, the first one's hash stays.
            hits.sort_by_key(|&(id, _)| id);
            hits.dedup_by_key(|&mut (id, _)| id);
            parties.push(PartyRow {
                reference: key,
                facts: to_json(&write.facts, "parties", "facts", key)?,
                facts_hash: &write.facts_hash,
                outcome: to_json(&write.outcome, "parties", "outcome", key)?,
                decision: write.outcome.decision.as_str(),
                snapshot_version: &write.outcome.snapshot_version,
                ownership: write.ownership,
                updated_at: write.at,
                hits,
                expect_seq: write.expect_seq,
            });
        }
        let mut ids = HashSet::new();
        let mut alerts = Vec::new();
        for alert in writes.iter().flat_map(|w| &w.alerts) {
            if !ids.insert(alert.id.as_str()) {
                continue;
            }
            alerts.push(AlertRow {
                alert,
                kind: alert.kind.as_str(),
                previous_decision: alert.previous_decision.map(Decision::as_str),
                decision: alert.decision.as_str(),
                hits: to_json(&alert.hits, "alerts", "hits", &alert.id)?,
            });
        }
        Ok(Batch { parties, alerts })
    }

    /// The distinct references written.
    pub fn references(&self) -> impl Iterator<Item = &'a str> + '_ {
        self.parties.iter().map(|p| p.reference)
    }

    /// The references whose write holds only if the party is as it was read.
    pub fn conditional(&self) -> Vec<&'a str> {
        self.parties
            .iter()
            .filter(|p| p.expect_seq.is_some())
            .map(|p| p.reference)
            .collect()
    }

    /// Takes out the conditional writes whose party has another `seq` now (`current`: the
    /// `seq` of each conditional party the book still holds; absent: removed), with their
    /// alerts. Read inside the write's transaction, after its lock is taken, so that no
    /// other write comes between the check and the write.
    pub fn drop_stale(&mut self, current: &HashMap<String, i64>) {
        let stale: HashSet<&str> = self
            .parties
            .iter()
            .filter(|p| {
                p.expect_seq
                    .is_some_and(|seq| current.get(p.reference) != Some(&seq))
            })
            .map(|p| p.reference)
            .collect();
        if stale.is_empty() {
            return;
        }
        self.parties.retain(|p| !stale.contains(p.reference));
        self.alerts
            .retain(|a| !stale.contains(a.alert.reference.as_str()));
    }

    /// The parties whose hits differ from those stored (`stored`: the `party_hits` rows of
    /// the batch's parties), whose rows must be replaced: a re-screen mostly finds the hits
    /// it found before, and rewriting identical rows would cost most of a write.
    pub fn changed_hits(&self, stored: Vec<(String, String, String)>) -> Vec<&PartyRow<'a>> {
        let mut before: HashMap<String, Vec<(String, String)>> = HashMap::new();
        for (reference, entity_id, entity_hash) in stored {
            before
                .entry(reference)
                .or_default()
                .push((entity_id, entity_hash));
        }
        self.parties
            .iter()
            .filter(|party| {
                let mut old = before.remove(party.reference).unwrap_or_default();
                old.sort();
                old.len() != party.hits.len()
                    || old
                        .iter()
                        .zip(&party.hits)
                        .any(|((id, hash), (new_id, new_hash))| id != new_id || hash != new_hash)
            })
            .collect()
    }
}

/// The `party_hits` rows of `parties`.
pub(super) fn hit_rows<'a>(parties: &[&PartyRow<'a>]) -> Vec<HitRow<'a>> {
    parties
        .iter()
        .flat_map(|party| {
            party.hits.iter().map(|&(entity_id, entity_hash)| HitRow {
                reference: party.reference,
                entity_id,
                entity_hash,
            })
        })
        .collect()
}

/// The stored alerts of a batch: those of `rows` whose ids were not stored before, with
/// cursors from `first_cursor` on, in order.
pub(super) fn stored_alerts(rows: &[&AlertRow<'_>], first_cursor: i64) -> Vec<Alert> {
    rows.iter()
        .zip(first_cursor..)
        .map(|(row, cursor)| Alert {
            alert: row.alert.clone(),
            cursor,
            resolution: None,
        })
        .collect()
}

/// Unresolved alerts' age limits in microseconds, as [`crate::service::monitor::record::Stats`]
/// buckets them: under 1, 7 and 30 days.
pub(super) const OPEN_AGE_LIMITS: [Micros; 3] = [DAY, 7 * DAY, 30 * DAY];
const DAY: Micros = 86_400 * 1_000_000;

/// A count from the database as a counter.
fn count(n: i64) -> u64 {
    u64::try_from(n).unwrap_or(0)
}

/// The stats from the counts of parties, of alerts by kind (`(kind, count)` as grouped),
/// and of open alerts in the age buckets of [`OPEN_AGE_LIMITS`].
pub(super) fn stats(
    parties: i64,
    kinds: &[(String, i64)],
    open: (i64, i64, i64, i64),
) -> Result<Stats, StoreError> {
    let mut alerts_by_kind: Vec<(AlertKind, u64)> = AlertKind::ALL.map(|k| (k, 0)).to_vec();
    for (text, n) in kinds {
        let kind = AlertKind::parse(text)
            .ok_or_else(|| corrupt("alerts", "kind", text, "unknown kind".to_string()))?;
        for (k, total) in &mut alerts_by_kind {
            if *k == kind {
                *total += count(*n);
            }
        }
    }
    Ok(Stats {
        parties: count(parties),
        alerts_by_kind,
        open_by_age: [open.0, open.1, open.2, open.3].map(count),
    })
}

/// A `LIMIT` from a page size.
pub(super) fn limit(n: usize) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

/// Now, for the times the store records itself (a job's start).
pub(super) fn now_micros() -> Micros {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_micros()).unwrap_or(i64::MAX))
}
