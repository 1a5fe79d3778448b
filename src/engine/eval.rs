//! Scoring the screener on a labelled query set (the format of `shared/eval/dev.csv`).
//!
//! Columns: `id,name,country,type,expect,expect_key,kind`, and optionally `nationality` and
//! `dob` as in batch input (`;`-separated ISO codes or English names; `YYYY-MM-DD`, `YYYY-MM`
//! or `YYYY`). A `match` row is a hit when the decision is review or deny *and* `expect_key` is
//! among the hits; a `clear` row is a false positive when the decision is review or deny.
//! Names longer than [`crate::engine::screen::MAX_NAME_CHARS`] characters are refused, naming the
//! line, before anything is screened.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::engine::batch::{birth_date, check_name, country_list};
use crate::engine::model::EntityKind;
use crate::engine::policy::Decision;
use crate::engine::screen::{Party, ScreenOptions, Snapshot};

#[derive(Debug, thiserror::Error)]
pub enum EvalError {
    #[error("{path}: cannot read: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{path}:{line}: {message}")]
    Row {
        path: PathBuf,
        line: u64,
        message: String,
    },
}

#[derive(Debug, Deserialize)]
struct Row {
    id: String,
    name: String,
    #[serde(default)]
    country: String,
    #[serde(default, rename = "type")]
    kind_word: String,
    expect: String,
    #[serde(default)]
    expect_key: String,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    nationality: String,
    #[serde(default)]
    dob: String,
}

/// Counts for one variation kind (or overall).
#[derive(Debug, Clone, Default, Serialize, PartialEq)]
pub struct Tally {
    pub matches: usize,
    pub found: usize,
    /// Flagged, but the expected entity was not among the hits.
    pub wrong_entity: usize,
    pub clears: usize,
    pub false_positives: usize,
}

impl Tally {
    pub fn recall(&self) -> Option<f64> {
        (self.matches > 0).then(|| self.found as f64 / self.matches as f64)
    }
    pub fn false_positive_rate(&self) -> Option<f64> {
        (self.clears > 0).then(|| self.false_positives as f64 / self.clears as f64)
    }
    fn add(&mut self, other: &Tally) {
        self.matches += other.matches;
        self.found += other.found;
        self.wrong_entity += other.wrong_entity;
        self.clears += other.clears;
        self.false_positives += other.false_positives;
    }
}

/// One row the screener got wrong.
#[derive(Debug, Clone, Serialize)]
pub struct Miss {
    pub id: String,
    pub name: String,
    pub kind: String,
    pub expect: String,
    pub expect_key: String,
    pub decision: Decision,
    pub top_hit: Option<(String, f32)>,
}

/// The evaluation result.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Report {
    pub overall: Tally,
    pub by_kind: BTreeMap<String, Tally>,
    /// Decision counts per expectation: `expect` → decision → count.
    pub confusion: BTreeMap<String, BTreeMap<String, usize>>,
    pub misses: Vec<Miss>,
    pub seconds: f64,
    /// Rows whose decision the jurisdiction policy alone changes (e.g. a clear company in
    /// Iran, which the default policy denies). The set labels list matches, so these are
    /// scored on the list decision and counted here.
    pub jurisdiction_only: usize,
}

/// Reads the labelled file and screens every row.
pub fn run(snapshot: &Snapshot, path: &Path) -> Result<Report, EvalError> {
    let file = std::fs::File::open(path).map_err(|source| EvalError::Io {
        path: path.to_path_buf(),
        source,
    })?;
    let mut reader = csv::Reader::from_reader(file);
    let row_err = |line: u64, message: String| EvalError::Row {
        path: path.to_path_buf(),
        line,
        message,
    };
    let headers = reader
        .headers()
        .map_err(|e| row_err(1, e.to_string()))?
        .clone();
    let mut rows = Vec::new();
    for rec in reader.records() {
        let rec = rec.map_err(|e| row_err(e.position().map_or(0, |p| p.line()), e.to_string()))?;
        let line = rec.position().map_or(0, |p| p.line());
        let row: Row = rec
            .deserialize(Some(&headers))
            .map_err(|e| row_err(line, e.to_string()))?;
        if row.expect != "match" && row.expect != "clear" {
            return Err(row_err(
                line,
                format!(
                    "field `expect`: must be match or clear, got {:?}",
                    row.expect
                ),
            ));
        }
        // Bad labels must not silently change what is measured.
        let kind = match EntityKind::parse(&row.kind_word) {
            Some(EntityKind::Unknown) => None,
            Some(k) => Some(k),
            None => {
                return Err(row_err(
                    line,
                    format!("field `type`: unknown type {:?}", row.kind_word),
                ))
            }
        };
        check_name(row.name.trim()).map_err(|m| row_err(line, format!("field `name`: {m}")))?;
        let countries = country_list(&row.country)
            .map_err(|m| row_err(line, format!("field `country`: {m}")))?;
        let nationalities = country_list(&row.nationality)
            .map_err(|m| row_err(line, format!("field `nationality`: {m}")))?;
        let birth_date =
            birth_date(&row.dob).map_err(|m| row_err(line, format!("field `dob`: {m}")))?;
        let party = Party {
            name: row.name.clone(),
            kind,
            countries,
            nationalities,
            birth_date,
            ..Party::default()
        };
        rows.push((row, party));
    }
    let started = std::time::Instant::now();
    let mut report = Report::default();
    let options = ScreenOptions::default();
    for (row, party) in rows {
        let result = snapshot.screen(&party, &options);
        // What the lists say, leaving out the jurisdiction policy (see `jurisdiction_only`).
        let decision = result
            .hits
            .iter()
            .filter(|h| !h.rule.as_deref().is_some_and(is_jurisdiction_rule))
            .map(|h| h.decision)
            .max()
            .unwrap_or(Decision::Allow);
        if decision != result.decision {
            report.jurisdiction_only += 1;
        }
        let flagged = decision != Decision::Allow;
        let tally = report.by_kind.entry(row.kind.clone()).or_default();
        let correct = if row.expect == "match" {
            tally.matches += 1;
            let right = result.hits.iter().any(|h| h.entity_id == row.expect_key);
            if flagged && right {
                tally.found += 1;
            } else if flagged {
                tally.wrong_entity += 1;
            }
            flagged && right
        } else {
            tally.clears += 1;
            if flagged {
                tally.false_positives += 1;
            }
            !flagged
        };
        *report
            .confusion
            .entry(row.expect.clone())
            .or_default()
            .entry(decision.as_str().to_string())
            .or_default() += 1;
        if !correct {
            report.misses.push(Miss {
                id: row.id,
                name: row.name,
                kind: row.kind,
                expect: row.expect,
                expect_key: row.expect_key,
                decision,
                top_hit: result.hits.first().map(|h| (h.entity_id.clone(), h.score)),
            });
        }
    }
    report.seconds = started.elapsed().as_secs_f64();
    let mut overall = Tally::default();
    for t in report.by_kind.values() {
        overall.add(t);
    }
    report.overall = overall;
    Ok(report)
}

fn pct(v: Option<f64>) -> String {
    v.map_or("-".to_string(), |v| format!("{:.3}", v))
}

impl Report {
    /// The human-readable summary the CLI prints.
    pub fn summary(&self) -> String {
        let mut s = String::new();
        let o = &self.overall;
        let n = o.matches + o.clears;
        s.push_str(&format!(
            "rows {n}: recall {} ({}/{}), false-positive rate {} ({}/{}), {:.0} queries/s\n",
            pct(o.recall()),
            o.found,
            o.matches,
            pct(o.false_positive_rate()),
            o.false_positives,
            o.clears,
            n as f64 / self.seconds.max(1e-9)
        ));
        s.push_str("\nper kind:                       recall      fp rate\n");
        for (kind, t) in &self.by_kind {
            s.push_str(&format!(
                "  {kind:<28} {:>6} {:>9}  {:>6} {:>9}\n",
                pct(t.recall()),
                format!("{}/{}", t.found, t.matches),
                pct(t.false_positive_rate()),
                format!("{}/{}", t.false_positives, t.clears),
            ));
        }
        s.push_str("\nconfusion (expected -> decision):\n");
        for (expect, row) in &self.confusion {
            let cells: Vec<String> = row.iter().map(|(d, c)| format!("{d} {c}")).collect();
            s.push_str(&format!("  {expect:<6} {}\n", cells.join(", ")));
        }
        let wrong: usize = self.by_kind.values().map(|t| t.wrong_entity).sum();
        s.push_str(&format!(
            "  flagged but expected entity not among hits: {wrong}\n"
        ));
        s.push_str(&format!(
            "  decided by the jurisdiction policy alone (scored on the lists): {}\n",
            self.jurisdiction_only
        ));
        s
    }
}

/// The rules `exposure::jurisdiction_hits` reports.
fn is_jurisdiction_rule(rule: &str) -> bool {
    matches!(rule, "embargoed_jurisdiction" | "review_jurisdiction")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::screen::{test_person, test_snapshot_of};

    fn file(content: &str) -> (tempfile::TempDir, PathBuf) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("set.csv");
        std::fs::write(&path, content).unwrap();
        (dir, path)
    }

    #[test]
    fn dob_and_nationality_columns_are_used() {
        let s = test_snapshot_of(vec![test_person("1", "DOE, John", &["1962"], &["IQ"])]);
        // The same name twice: once with the listed person's facts, once with another's.
        let (_dir, path) = file(
            "id,name,country,type,expect,expect_key,kind,dob,nationality\n\
             a,John Doe,,person,match,t:1,exact,1962-03-12,IQ\n\
             b,John Doe,,person,clear,,namesake,1990,Turkey\n",
        );
        let report = run(&s, &path).unwrap();
        assert_eq!(report.overall.found, 1);
        assert_eq!(report.overall.false_positives, 0);
    }

    #[test]
    fn bad_rows_name_the_line() {
        let s = test_snapshot_of(vec![test_person("1", "DOE, John", &[], &[])]);
        let head = "id,name,expect,dob,nationality\n";
        for (row, want) in [
            ("a,John Doe,match,1962-13,", "field `dob`"),
            (
                "a,John Doe,match,,Atlantis",
                "field `nationality`: unknown country",
            ),
            (
                &format!("a,{},clear,,", "y".repeat(600)),
                "field `name`: longer than 512 characters",
            ),
        ] {
            let (_dir, path) = file(&format!("{head}{row}\n"));
            let err = run(&s, &path).unwrap_err().to_string();
            assert!(err.contains(":2: ") && err.contains(want), "{err}");
        }
    }
}
