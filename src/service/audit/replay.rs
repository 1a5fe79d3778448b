//! Replay: re-screens logged requests against a snapshot and reports the decisions that
//! changed.
//!
//! Each request goes through the server's conversion ([`parse_request`]) and screening
//! ([`Snapshot::screen`]) at the date it was first evaluated at (its `as_of`, or the date
//! the record says the server used), so that against the snapshot that answered it a
//! replay reproduces the logged decision, and against another one it shows what the new
//! lists or policy change. The functions take a `&Snapshot`, however it was obtained: built
//! from a config, or read from a snapshot file.

use std::collections::BTreeSet;
use std::path::PathBuf;

use super::read::{self, Event, Location};
use super::{Record, ResultRecord};
use crate::engine::policy::Decision;
use crate::engine::screen::{Screening, Snapshot};
use crate::service::request::parse_request;

/// What to compare besides the decision.
#[derive(Debug, Clone, Copy, Default)]
pub struct ReplayOptions {
    /// Also report records whose set of hits (entity id and per-hit decision) changed.
    pub compare_hits: bool,
}

/// One record whose replay disagrees with the log.
#[derive(Debug, Clone, PartialEq)]
pub struct Difference {
    pub location: Location,
    pub request_id: String,
    pub old_decision: Decision,
    pub new_decision: Decision,
    pub old_snapshot: String,
    pub new_snapshot: String,
    /// Hits (`entity id (decision)`) the replay has and the log does not.
    pub added_hits: Vec<String>,
    /// Hits the log has and the replay does not.
    pub removed_hits: Vec<String>,
}

/// The outcome of a replay.
#[derive(Debug, Default)]
pub struct ReplayReport {
    /// Decision records re-screened.
    pub replayed: usize,
    pub differences: Vec<Difference>,
    /// Records of rejected requests and of reviewers' verdicts: nothing to re-run.
    pub rejected: usize,
    /// Torn lines skipped, each as `FILE:LINE: why`.
    pub torn: Vec<String>,
    /// Unreadable files, lines that are not records, requests that no longer convert.
    pub errors: Vec<String>,
}

impl ReplayReport {
    /// The `clearance audit replay` exit status: 2 on errors, else 1 when any record
    /// differs, else 0.
    pub fn exit_code(&self) -> u8 {
        if !self.errors.is_empty() {
            2
        } else if !self.differences.is_empty() {
            1
        } else {
            0
        }
    }

    /// Re-screens one record.
    pub fn add(
        &mut self,
        location: Location,
        record: &Record,
        snapshot: &Snapshot,
        options: ReplayOptions,
    ) {
        let Some(old) = &record.result else {
            self.rejected += 1;
            return;
        };
        match rescreen(record, old, snapshot) {
            Err(e) => self.errors.push(format!("{location}: {e}")),
            Ok(new) => {
                self.replayed += 1;
                let (old_hits, new_hits) = (old_hits(old), new_hits(&new));
                let hits_differ = options.compare_hits && old_hits != new_hits;
                if old.decision != new.decision || hits_differ {
                    self.differences.push(Difference {
                        location,
                        request_id: record.request_id.clone(),
                        old_decision: old.decision,
                        new_decision: new.decision,
                        old_snapshot: old.snapshot.version.clone(),
                        new_snapshot: new.snapshot_version,
                        added_hits: new_hits.difference(&old_hits).cloned().collect(),
                        removed_hits: old_hits.difference(&new_hits).cloned().collect(),
                    });
                }
            }
        }
    }
}

/// Re-screens records (with where each came from) against `snapshot`.
pub fn replay(
    records: impl IntoIterator<Item = (Location, Record)>,
    snapshot: &Snapshot,
    options: ReplayOptions,
) -> ReplayReport {
    let mut report = ReplayReport::default();
    for (location, record) in records {
        report.add(location, &record, snapshot, options);
    }
    report
}

/// Reads log files (live or rotated, in the order given) and re-screens every record in
/// them, one line at a time.
pub fn replay_files(
    paths: &[PathBuf],
    snapshot: &Snapshot,
    options: ReplayOptions,
) -> ReplayReport {
    let mut report = ReplayReport::default();
    for path in paths {
        let read = read::read_file(path, |event| match event {
            Event::Record(at, record) => report.add(at, &record, snapshot, options),
            Event::Torn(at, why) => report.torn.push(format!("{at}: torn line skipped: {why}")),
            Event::Invalid(at, why) => report.errors.push(format!("{at}: {why}")),
        });
        if let Err(e) = read {
            report.errors.push(e.to_string());
        }
    }
    report
}

/// The logged request, screened again at the date it was evaluated at.
fn rescreen(record: &Record, old: &ResultRecord, snapshot: &Snapshot) -> Result<Screening, String> {
    let mut request = record.request.to_proto()?;
    if request.as_of.trim().is_empty() {
        request.as_of = old.as_of.clone();
    }
    let (party, options) =
        parse_request(&request).map_err(|e| format!("the logged request is refused now: {e}"))?;
    Ok(snapshot.screen(&party, &options))
}

fn hit_key(entity_id: &str, decision: Decision) -> String {
    format!("{entity_id} ({})", decision.as_str())
}

fn old_hits(old: &ResultRecord) -> BTreeSet<String> {
    old.hits
        .iter()
        .map(|h| hit_key(&h.entity_id, h.decision))
        .collect()
}

fn new_hits(new: &Screening) -> BTreeSet<String> {
    new.hits
        .iter()
        .map(|h| hit_key(&h.entity_id, h.decision))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::screen::{test_snapshot, Party, ScreenOptions};
    use crate::service::audit::{Caller, Context};
    use crate::service::proto;

    fn record(name: &str, snapshot: &Snapshot) -> Record {
        let request = proto::ScreenRequest {
            request_id: name.into(),
            party: Some(proto::Party {
                name: name.into(),
                ..proto::Party::default()
            }),
            options: None,
            as_of: String::new(),
        };
        let (party, options): (Party, ScreenOptions) = parse_request(&request).unwrap();
        let result = snapshot.screen(&party, &options);
        let ctx = Context {
            request_id: format!("id-{name}"),
            method: "Screen",
            caller: Caller::default(),
        };
        Record::decision(&ctx, &request, &result, snapshot)
    }

    fn at(line: usize) -> Location {
        Location {
            path: "audit.jsonl".into(),
            line,
        }
    }

    #[test]
    fn the_same_snapshot_reproduces_every_decision_and_another_shows_the_change() {
        let first = test_snapshot(&["Acme Trading", "Borealis Shipping"]);
        let records = vec![
            (at(1), record("Acme Trading", &first)),
            (at(2), record("Zephyr Bakery", &first)),
            (at(3), record("Borealis Shipping", &first)),
        ];
        let same = replay(
            records.clone(),
            &first,
            ReplayOptions { compare_hits: true },
        );
        assert_eq!(same.replayed, 3);
        assert!(same.differences.is_empty(), "{:?}", same.differences);
        assert_eq!(same.exit_code(), 0);

        let second = test_snapshot(&["Acme Trading", "Zephyr Bakery"]);
        let changed = replay(records, &second, ReplayOptions::default());
        let d: Vec<(&str, Decision, Decision)> = changed
            .differences
            .iter()
            .map(|d| (d.request_id.as_str(), d.old_decision, d.new_decision))
            .collect();
        assert_eq!(
            d,
            [
                ("id-Zephyr Bakery", Decision::Allow, Decision::Deny),
                ("id-Borealis Shipping", Decision::Deny, Decision::Allow),
            ]
        );
        let z = &changed.differences[0];
        assert_eq!(z.location, at(2));
        assert_eq!(z.old_snapshot, first.version());
        assert_eq!(z.new_snapshot, second.version());
        assert_eq!(z.added_hits, ["t:1 (deny)"]);
        assert_eq!(changed.exit_code(), 1);
    }

    #[test]
    fn a_hit_set_change_counts_only_when_asked_for() {
        let first = test_snapshot(&["Acme Trading"]);
        let second = test_snapshot(&["Acme Trading", "Acme Trading Co"]);
        let records = vec![(at(1), record("Acme Trading", &first))];
        let by_decision = replay(records.clone(), &second, ReplayOptions::default());
        assert!(by_decision.differences.is_empty());
        let by_hits = replay(records, &second, ReplayOptions { compare_hits: true });
        assert_eq!(by_hits.differences.len(), 1);
        assert_eq!(by_hits.differences[0].added_hits, ["t:1 (deny)"]);
    }

    #[test]
    fn files_are_replayed_in_order_skipping_torn_lines_and_naming_bad_ones() {
        let s = test_snapshot(&["Acme Trading"]);
        let dir = tempfile::tempdir().unwrap();
        let (rotated, live) = (
            dir.path().join("audit.jsonl.1"),
            dir.path().join("audit.jsonl"),
        );
        let line = |name: &str| record(name, &s).to_line().unwrap();
        let torn = line("Borealis Shipping");
        let mut older = line("Acme Trading");
        older.extend(&torn[..torn.len() / 2]);
        older.push(b'\n');
        older.extend(line("Zephyr Bakery"));
        std::fs::write(&rotated, older).unwrap();
        let mut newer = line("Acme Trading");
        newer.extend(b"{\"v\":1}\n");
        std::fs::write(&live, newer).unwrap();
        let missing = dir.path().join("audit.jsonl.2");
        let paths = [missing.clone(), rotated.clone(), live.clone()];
        let report = replay_files(&paths, &s, ReplayOptions::default());
        assert_eq!(report.replayed, 3);
        assert!(report.differences.is_empty());
        assert_eq!(report.torn.len(), 1);
        assert!(report.torn[0].starts_with(&format!("{}:2: ", rotated.display())));
        assert_eq!(report.errors.len(), 2, "{:?}", report.errors);
        assert!(report.errors[0].contains(&missing.display().to_string()));
        assert!(report.errors[1].starts_with(&format!("{}:2: ", live.display())));
        assert_eq!(report.exit_code(), 2);
    }

    /// The record keeps the date of birth and nationalities as sent, so that the replay
    /// screens with them: without them the exact name would deny.
    #[test]
    fn person_facts_are_replayed() {
        use crate::engine::screen::{test_person, test_snapshot_of};
        let s = test_snapshot_of(vec![test_person("1", "DOE, John", &["1962"], &["IQ"])]);
        let request = proto::ScreenRequest {
            request_id: "facts".into(),
            party: Some(proto::Party {
                name: "John Doe".into(),
                birth_date: "1990".into(),
                nationalities: vec!["Turkey".into()],
                ..proto::Party::default()
            }),
            options: None,
            as_of: String::new(),
        };
        let (party, options) = parse_request(&request).unwrap();
        let result = s.screen(&party, &options);
        assert_eq!(result.decision, Decision::Allow);
        let ctx = Context {
            request_id: "id-facts".into(),
            method: "Screen",
            caller: Caller::default(),
        };
        let line = Record::decision(&ctx, &request, &result, &s)
            .to_line()
            .unwrap();
        let record = Record::parse(&line[..line.len() - 1]).unwrap();
        let party = record.request.party.as_ref().unwrap();
        assert_eq!(
            (party.birth_date.as_str(), party.nationalities.as_slice()),
            ("1990", ["Turkey".to_string()].as_slice())
        );
        let report = replay(
            vec![(at(1), record.clone())],
            &s,
            ReplayOptions { compare_hits: true },
        );
        assert!(report.differences.is_empty(), "{:?}", report.differences);
        let mut without = record;
        let party = without.request.party.as_mut().unwrap();
        party.birth_date.clear();
        party.nationalities.clear();
        let report = replay(vec![(at(1), without)], &s, ReplayOptions::default());
        assert_eq!(report.differences[0].new_decision, Decision::Deny);
    }

    #[test]
    fn a_request_that_no_longer_converts_is_an_error() {
        let s = test_snapshot(&["Acme Trading"]);
        let mut r = record("Acme Trading", &s);
        r.request.party.as_mut().unwrap().countries = vec!["Atlantis".into()];
        let report = replay(vec![(at(7), r)], &s, ReplayOptions::default());
        assert_eq!(report.exit_code(), 2);
        assert!(
            report.errors[0].starts_with("audit.jsonl:7: "),
            "{:?}",
            report.errors
        );
        assert!(report.errors[0].contains("Atlantis"), "{:?}", report.errors);
    }
}
