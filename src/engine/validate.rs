//! What a freshly built snapshot must pass before it may serve: its entity count may not
//! collapse against the live snapshot (unless the reload is forced), in total or in any one
//! dataset, listed names must find themselves, and the operator's probe queries must get the
//! decisions they expect.
//!
//! The per-dataset check matters when one list is small beside the others: an emptied or
//! truncated UN file hardly moves the total of a universe dominated by OFAC and the CSL, yet
//! serving it would silently allow every party only the UN lists.
//!
//! A file that parses but is truncated, a loader regression or a broken index all fail here,
//! so the last good snapshot keeps serving.

use serde::Deserialize;

use crate::engine::policy::Decision;
use crate::engine::screen::{Party, ScreenOptions, Snapshot};

/// What a new snapshot must pass (the service reads it from `[server]`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Checks<'a> {
    /// A snapshot with fewer entities than this share of the live one, in total or in any
    /// dataset, is refused unless forced: a truncated file must not empty the lists.
    pub min_entity_share: f64,
    /// Listed names per dataset, spread over the list, that must match themselves at the
    /// deny threshold (0: none).
    pub self_probes: usize,
    /// Queries whose decision the snapshot must reproduce.
    pub probes: &'a [Probe],
}

impl Default for Checks<'_> {
    fn default() -> Self {
        Checks {
            min_entity_share: 0.5,
            self_probes: 64,
            probes: &[],
        }
    }
}

/// A known query and the decision it must get, checked on every new snapshot.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Probe {
    pub name: String,
    pub expect: Decision,
}

#[derive(Debug, thiserror::Error, PartialEq)]
pub enum ValidationError {
    #[error(
        "the new lists hold {new} entities against {old} live, below the share {share} allowed \
         without force"
    )]
    Shrunk { new: usize, old: usize, share: f64 },
    #[error(
        "dataset {dataset}: the new list holds {new} entities against {old} live, below the \
         share {share} allowed without force"
    )]
    DatasetShrunk {
        dataset: String,
        new: usize,
        old: usize,
        share: f64,
    },
    #[error(
        "self-probe failed: {id} ({name:?}) does not match itself at the deny threshold \
         (best: {best})"
    )]
    SelfProbe {
        id: String,
        name: String,
        best: String,
    },
    #[error("probe {name:?} expected {expect}, got {got}")]
    Probe {
        name: String,
        expect: &'static str,
        got: &'static str,
    },
}

/// What a validation ran, for logs and the reload message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Checked {
    pub self_probes: usize,
    pub probes: usize,
}

/// Checks `fresh` before it replaces `live` (`None` for the first snapshot).
pub fn validate(
    fresh: &Snapshot,
    live: Option<&Snapshot>,
    checks: &Checks,
    force: bool,
) -> Result<Checked, ValidationError> {
    if let (Some(live), false) = (live, force) {
        let (old, new) = (live.index.entities().len(), fresh.index.entities().len());
        if (new as f64) < (old as f64) * checks.min_entity_share {
            return Err(ValidationError::Shrunk {
                new,
                old,
                share: checks.min_entity_share,
            });
        }
        // Datasets the configuration dropped (or the sample replaced by the real lists) are
        // not compared: the configuration decides which lists exist, the files their size.
        for now in fresh.index.datasets() {
            let Some(was) = live.index.datasets().iter().find(|d| d.name == now.name) else {
                continue;
            };
            if (now.entities as f64) < (was.entities as f64) * checks.min_entity_share {
                return Err(ValidationError::DatasetShrunk {
                    dataset: now.name.clone(),
                    new: now.entities,
                    old: was.entities,
                    share: checks.min_entity_share,
                });
            }
        }
    }
    let self_probes = self_probe(fresh, checks.self_probes)?;
    for p in checks.probes {
        let got = fresh
            .screen(
                &Party {
                    name: p.name.clone(),
                    ..Party::default()
                },
                &ScreenOptions::default(),
            )
            .decision;
        if got != p.expect {
            return Err(ValidationError::Probe {
                name: p.name.clone(),
                expect: p.expect.as_str(),
                got: got.as_str(),
            });
        }
    }
    Ok(Checked {
        self_probes,
        probes: checks.probes.len(),
    })
}

/// Screens up to `per_dataset` primary names spread evenly over each dataset and requires
/// each entry to come back as a hit on itself at the deny threshold. Returns how many ran.
fn self_probe(snapshot: &Snapshot, per_dataset: usize) -> Result<usize, ValidationError> {
    if per_dataset == 0 {
        return Ok(0);
    }
    let entities = snapshot.index.entities();
    let threshold = snapshot.policy.deny_threshold;
    let mut ran = 0;
    for d in snapshot.index.datasets() {
        // Unlisted context entities count only through ownership: not probed.
        let members: Vec<usize> = (0..entities.len())
            .filter(|&i| entities[i].dataset == d.name && !entities[i].context_only)
            .collect();
        let step = members.len().div_ceil(per_dataset).max(1);
        for &i in members.iter().step_by(step) {
            let e = &entities[i];
            let result = snapshot.screen(
                &Party {
                    name: e.primary_name().to_string(),
                    kind: Some(e.kind),
                    ..Party::default()
                },
                &ScreenOptions {
                    datasets: vec![d.name.clone()],
                    max_hits: Some(100),
                    ..ScreenOptions::default()
                },
            );
            ran += 1;
            // A "name" longer than the matcher compares (a paragraph describing a ministry
            // and its units) is compared on its first words: it must still reach review.
            let long = crate::engine::normalize::tokens(e.primary_name()).len()
                > crate::engine::matching::MAX_QUERY_TOKENS;
            let want = if long {
                snapshot.policy.review_threshold
            } else {
                threshold
            };
            if !result
                .hits
                .iter()
                .any(|h| h.entity_id == e.id && h.score >= want)
            {
                let best = result.hits.first().map_or("no hit".to_string(), |h| {
                    format!("{} at {:.3}", h.entity_id, h.score)
                });
                return Err(ValidationError::SelfProbe {
                    id: e.id.clone(),
                    name: e.primary_name().to_string(),
                    best,
                });
            }
        }
    }
    Ok(ran)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::screen::test_snapshot as snapshot;

    #[test]
    fn a_collapsed_list_is_refused_unless_forced() {
        let live = snapshot(&["Acme Trading", "Globex Corporation", "Initech Systems"]);
        let fresh = snapshot(&["Acme Trading"]);
        let checks = Checks::default();
        let e = validate(&fresh, Some(&live), &checks, false).unwrap_err();
        assert_eq!(
            e,
            ValidationError::Shrunk {
                new: 1,
                old: 3,
                share: 0.5
            }
        );
        assert!(validate(&fresh, Some(&live), &checks, true).is_ok());
        assert!(validate(&fresh, None, &checks, false).is_ok());
    }

    /// A snapshot of datasets `a` and `b` with `a` entities and `b` entities.
    fn two_lists(a: usize, b: usize) -> Snapshot {
        use crate::engine::model::{Entity, LoadedList, Name, NameKind};
        let mut builder = crate::engine::index::build::IndexBuilder::new();
        for (dataset, n) in [("a", a), ("b", b)] {
            let entities = (0..n)
                .map(|i| Entity {
                    id: format!("{dataset}:{i}"),
                    dataset: dataset.into(),
                    names: vec![Name {
                        value: format!("{dataset} Trading Number {i}"),
                        kind: NameKind::Primary,
                    }],
                    ..Entity::default()
                })
                .collect();
            builder.add_list(
                LoadedList {
                    dataset: dataset.into(),
                    entities,
                    ..LoadedList::default()
                },
                None,
            );
        }
        Snapshot::new(
            builder.build().unwrap(),
            crate::engine::policy::Policy::default(),
        )
    }

    #[test]
    fn one_collapsed_list_is_refused_even_when_the_total_holds() {
        let checks = Checks {
            self_probes: 0,
            ..Checks::default()
        };
        let live = two_lists(40, 4);
        // 40 of 44 entities remain (91%), but list b is empty: a truncated or emptied file.
        let e = validate(&two_lists(40, 0), Some(&live), &checks, false).unwrap_err();
        assert_eq!(
            e,
            ValidationError::DatasetShrunk {
                dataset: "b".into(),
                new: 0,
                old: 4,
                share: 0.5
            }
        );
        assert!(e.to_string().starts_with("dataset b: "), "{e}");
        assert!(validate(&two_lists(40, 0), Some(&live), &checks, true).is_ok());
        // Half of b is still within the share; growth never fails.
        assert!(validate(&two_lists(40, 2), Some(&live), &checks, false).is_ok());
        assert!(validate(&two_lists(41, 9), Some(&live), &checks, false).is_ok());
    }

    #[test]
    fn self_probes_cover_every_entry_of_a_small_list() {
        let fresh = snapshot(&["Acme Trading", "Globex Corporation", "Initech Systems"]);
        let checked = validate(&fresh, None, &Checks::default(), false).unwrap();
        assert_eq!(checked.self_probes, 3);
        let two = Checks {
            self_probes: 2,
            ..Checks::default()
        };
        assert_eq!(validate(&fresh, None, &two, false).unwrap().self_probes, 2);
        // A name that leaves nothing to index cannot find itself.
        let broken = snapshot(&["Acme Trading", "---"]);
        let e = validate(&broken, None, &Checks::default(), false).unwrap_err();
        assert!(
            matches!(&e, ValidationError::SelfProbe { id, best, .. } if id == "t:1" && best == "no hit"),
            "{e}"
        );
    }

    #[test]
    fn probes_must_get_the_expected_decision() {
        let fresh = snapshot(&["Acme Trading"]);
        let mut probes = vec![
            Probe {
                name: "ACME TRADING".into(),
                expect: Decision::Deny,
            },
            Probe {
                name: "Amazon Web Services".into(),
                expect: Decision::Allow,
            },
        ];
        let checks = Checks {
            probes: &probes,
            ..Checks::default()
        };
        assert_eq!(validate(&fresh, None, &checks, false).unwrap().probes, 2);
        probes.push(Probe {
            name: "Globex Corporation".into(),
            expect: Decision::Deny,
        });
        let checks = Checks {
            probes: &probes,
            ..Checks::default()
        };
        let e = validate(&fresh, None, &checks, false).unwrap_err();
        assert_eq!(
            e.to_string(),
            "probe \"Globex Corporation\" expected deny, got allow"
        );
    }
}
