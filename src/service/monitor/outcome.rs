//! Between the engine's answers and the book's records: a party's facts and their hash, a
//! screening as an [`Outcome`] (each hit with its entry's content hash, reviewers' verdicts
//! applied), and the alerts that the difference between two outcomes calls for.

use sha2::{Digest, Sha256};

use crate::engine::matching::facts::BirthDate;
use crate::engine::model::{EntityKind, Identifier};
use crate::engine::policy::Decision;
use crate::engine::screen::{Party, ScreenHit, ScreenOptions, Screening, Snapshot};

use super::record::{
    AlertKind, HitRecord, Micros, NewAlert, Outcome, PartyFacts, StoredSuppression, Suppression,
};

fn hex16(bytes: &[u8]) -> String {
    Sha256::digest(bytes)[..16]
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// The facts of a validated party, as the book keeps them.
pub fn facts_of(party: &Party) -> PartyFacts {
    PartyFacts {
        name: party.name.clone(),
        kind: party.kind.map(|k| k.as_str().to_string()),
        countries: party.countries.clone(),
        identifiers: party
            .identifiers
            .iter()
            .map(|i| (i.scheme.clone(), i.value.clone()))
            .collect(),
        addresses: party.addresses.clone(),
        parents: party.parents.clone(),
        birth_date: party.birth_date.as_ref().map(|d| d.as_str().to_string()),
        nationalities: party.nationalities.clone(),
    }
}

/// The engine's party again from stored facts. The facts were validated when the party was
/// written, so a value that no longer reads is left out rather than failing the party.
pub fn party_of(facts: &PartyFacts) -> Party {
    Party {
        name: facts.name.clone(),
        kind: facts.kind.as_deref().and_then(EntityKind::parse),
        countries: facts.countries.clone(),
        identifiers: facts
            .identifiers
            .iter()
            .map(|(scheme, value)| Identifier {
                scheme: scheme.clone(),
                value: value.clone(),
                country: None,
            })
            .collect(),
        addresses: facts.addresses.clone(),
        parents: facts.parents.clone(),
        birth_date: facts
            .birth_date
            .as_deref()
            .and_then(|d| BirthDate::parse(d).ok()),
        nationalities: facts.nationalities.clone(),
    }
}

/// A content hash of a party's facts: a verdict holds only while it is unchanged.
pub fn facts_hash(facts: &PartyFacts) -> String {
    hex16(&serde_json::to_vec(facts).unwrap_or_default())
}

/// The content hash of the entry a hit names in `snapshot`; empty for a hit that names no
/// entry (a jurisdiction rule), which only the policy's digest covers.
pub fn entity_hash(snapshot: &Snapshot, entity_id: &str) -> String {
    snapshot
        .index
        .ordinal(entity_id)
        .map(|o| snapshot.fingerprints().entity_hash(o).to_string())
        .unwrap_or_default()
}

/// Screens `party` on `as_of` with the verdicts in `verdicts` (this party's suppressions)
/// applied: a false positive is taken out while the entry's content and the party's facts are
/// those the reviewer saw.
pub fn screen(
    snapshot: &Snapshot,
    party: &Party,
    facts_hash: &str,
    verdicts: &[StoredSuppression],
    as_of: jiff::civil::Date,
) -> (Screening, Vec<Option<Suppression>>) {
    let options = ScreenOptions {
        as_of: Some(as_of),
        ..ScreenOptions::default()
    };
    let mut screening = snapshot.screen(party, &options);
    let suppressions = apply_verdicts(snapshot, &mut screening, facts_hash, verdicts);
    (screening, suppressions)
}

/// Applies a party's false-positive verdicts to a screening; returns, per hit, the
/// suppression that took it out.
pub fn apply_verdicts(
    snapshot: &Snapshot,
    screening: &mut Screening,
    facts_hash: &str,
    verdicts: &[StoredSuppression],
) -> Vec<Option<Suppression>> {
    let holds = |h: &ScreenHit| -> Option<&StoredSuppression> {
        verdicts.iter().find(|v| {
            v.entity_id == h.entity_id
                && v.facts_hash == facts_hash
                && v.entity_hash == entity_hash(snapshot, &h.entity_id)
        })
    };
    if !verdicts.is_empty() {
        screening.suppress(|h| holds(h).is_some());
    }
    screening
        .hits
        .iter()
        .map(|h| {
            if h.suppressed {
                holds(h).map(|v| v.suppression.clone())
            } else {
                None
            }
        })
        .collect()
}

/// A screening as the book keeps it.
pub fn outcome_of(
    snapshot: &Snapshot,
    screening: &Screening,
    suppressions: &[Option<Suppression>],
) -> Outcome {
    Outcome {
        decision: screening.decision,
        hits: screening
            .hits
            .iter()
            .enumerate()
            .map(|(i, h)| HitRecord {
                entity_id: h.entity_id.clone(),
                entity_hash: entity_hash(snapshot, &h.entity_id),
                dataset: h.dataset.clone(),
                name: h.name.clone(),
                matched_name: h.matched_name.clone(),
                score: h.score,
                kind: h.kind,
                decision: h.decision,
                programs: h.programs.clone(),
                explanation: h.explanation.clone(),
                via: h.via.clone(),
                rule: h.rule.clone(),
                ownership_percent: h.ownership_percent,
                suppressed: suppressions.get(i).cloned().flatten(),
            })
            .collect(),
        snapshot_version: screening.snapshot_version.clone(),
        as_of: screening.as_of.clone(),
    }
}

/// Whether an outcome can change on an ownership rule's or record's date without a list
/// change: the party declares parents, or a hit came through ownership or a rule.
pub fn depends_on_dates(party: &Party, outcome: &Outcome) -> bool {
    !party.parents.is_empty() || outcome.hits.iter().any(|h| h.rule.is_some())
}

/// Whether a hit calls for a look: at least review. A hit below the review threshold that
/// drifts in or out with the lists' word weights is no news.
fn alertable(h: &HitRecord) -> bool {
    h.decision >= Decision::Review
}

/// What a hit kept from one outcome to the next must differ in to be news of its own: its
/// entry's content, or the ownership path or rule behind it. Its score moves with the lists'
/// word weights and is no news; a change of what it calls for alone is news of the party's
/// decision.
fn hit_changed(old: &HitRecord, new: &HitRecord) -> bool {
    old.entity_hash != new.entity_hash || old.rule != new.rule || old.via != new.via
}

/// The facts an alert's id is derived from.
pub struct AlertContext<'a> {
    pub reference: &'a str,
    pub facts_hash: &'a str,
    pub at: Micros,
}

/// The alerts from `old` (none for a party's first screening) to `new`: one per hit that
/// is new (or whose verdict lapsed), changed or gone; and, when no hit explains it, one for a
/// changed decision. A hit a verdict takes out raises none.
pub fn alerts(ctx: &AlertContext<'_>, old: Option<&Outcome>, new: &Outcome) -> Vec<NewAlert> {
    let mut out = Vec::new();
    let from_version = old.map(|o| o.snapshot_version.clone());
    let previous = old.map(|o| o.decision);
    let alert = |kind: AlertKind, hits: Vec<HitRecord>, entity: &str| NewAlert {
        id: hex16(
            format!(
                "{}\u{0}{}\u{0}{}\u{0}{}\u{0}{}\u{0}{}\u{0}{}\u{0}{}\u{0}{}",
                ctx.reference,
                from_version.as_deref().unwrap_or(""),
                new.snapshot_version,
                new.as_of,
                kind.as_str(),
                entity,
                hits.first().map_or("", |h| h.entity_hash.as_str()),
                ctx.facts_hash,
                previous.map_or("", Decision::as_str),
            )
            .as_bytes(),
        ),
        reference: ctx.reference.to_string(),
        kind,
        previous_decision: previous,
        decision: new.decision,
        hits,
        from_version: from_version.clone(),
        to_version: new.snapshot_version.clone(),
        facts_hash: ctx.facts_hash.to_string(),
        created_at: ctx.at,
    };
    let before: &[HitRecord] = old.map_or(&[], |o| &o.hits);
    let counts = |h: &HitRecord| alertable(h) && h.suppressed.is_none();
    for n in new.hits.iter().filter(|h| counts(h)) {
        match before.iter().find(|o| o.entity_id == n.entity_id) {
            Some(o) if o.suppressed.is_none() && !hit_changed(o, n) => {}
            Some(o) if o.suppressed.is_none() && alertable(o) => {
                out.push(alert(AlertKind::HitChanged, vec![n.clone()], &n.entity_id))
            }
            _ => out.push(alert(AlertKind::NewHit, vec![n.clone()], &n.entity_id)),
        }
    }
    for o in before.iter().filter(|h| counts(h)) {
        let kept = new
            .hits
            .iter()
            .find(|n| n.entity_id == o.entity_id)
            .is_some_and(|n| !hit_changed(o, n));
        if !kept
            && !new
                .hits
                .iter()
                .any(|n| n.entity_id == o.entity_id && counts(n))
        {
            out.push(alert(AlertKind::HitRemoved, vec![o.clone()], &o.entity_id));
        }
    }
    // The same hits, only what one of them calls for moved (a rule's date, a threshold): the
    // party's decision is the news.
    if out.is_empty() && previous.is_some_and(|p| p != new.decision) {
        let hits = new.hits.iter().filter(|h| counts(h)).cloned().collect();
        out.push(alert(AlertKind::DecisionChanged, hits, ""));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hit(entity: &str, hash: &str, decision: Decision) -> HitRecord {
        HitRecord {
            entity_id: entity.to_string(),
            entity_hash: hash.to_string(),
            dataset: "d".to_string(),
            name: entity.to_string(),
            matched_name: entity.to_string(),
            score: 0.97,
            kind: EntityKind::Organization,
            decision,
            programs: Vec::new(),
            explanation: String::new(),
            via: Vec::new(),
            rule: None,
            ownership_percent: None,
            suppressed: None,
        }
    }

    fn outcome(version: &str, decision: Decision, hits: Vec<HitRecord>) -> Outcome {
        Outcome {
            decision,
            hits,
            snapshot_version: version.to_string(),
            as_of: "2026-12-06".to_string(),
        }
    }

    const CTX: AlertContext<'static> = AlertContext {
        reference: "c-1",
        facts_hash: "f",
        at: 0,
    };

    fn kinds(alerts: &[NewAlert]) -> Vec<(AlertKind, String)> {
        alerts
            .iter()
            .map(|a| {
                let e = a
                    .hits
                    .first()
                    .map(|h| h.entity_id.clone())
                    .unwrap_or_default();
                (a.kind, e)
            })
            .collect()
    }

    #[test]
    fn each_changed_hit_raises_one_alert() {
        use AlertKind::*;
        use Decision::*;
        let old = outcome("v1", Deny, vec![hit("a", "1", Deny), hit("b", "1", Review)]);
        let new = outcome("v2", Deny, vec![hit("a", "2", Deny), hit("c", "1", Review)]);
        let got = kinds(&alerts(&CTX, Some(&old), &new));
        assert_eq!(
            got,
            [
                (HitChanged, "a".to_string()),
                (NewHit, "c".to_string()),
                (HitRemoved, "b".to_string())
            ]
        );
        // The same outcomes give the same ids: a resumed re-screen stores nothing twice.
        let again = alerts(&CTX, Some(&old), &new);
        assert_eq!(
            alerts(&CTX, Some(&old), &new)
                .iter()
                .map(|a| &a.id)
                .collect::<Vec<_>>(),
            again.iter().map(|a| &a.id).collect::<Vec<_>>()
        );
        // A first screening: each hit is new; no decision change.
        assert_eq!(kinds(&alerts(&CTX, None, &old)).len(), 2);
        // Nothing changed: nothing to say, even if the score moved.
        let mut moved = old.clone();
        moved.hits[0].score = 0.95;
        assert!(alerts(&CTX, Some(&old), &moved).is_empty());
    }

    #[test]
    fn a_decision_change_without_a_hit_change_is_its_own_alert() {
        let mut old = outcome(
            "v1",
            Decision::Review,
            vec![hit("a", "1", Decision::Review)],
        );
        old.hits[0].rule = Some("bis_affiliates".into());
        let mut new = old.clone();
        new.hits[0].decision = Decision::Deny;
        new.decision = Decision::Deny;
        // Only what the hit calls for moved (a suspension ended): the party's decision.
        assert_eq!(
            kinds(&alerts(&CTX, Some(&old), &new)),
            [(AlertKind::DecisionChanged, "a".to_string())]
        );
        // So when the hit was below review before (no alert could have named it).
        let mut quiet = old.clone();
        quiet.hits[0].decision = Decision::Allow;
        quiet.decision = Decision::Allow;
        assert_eq!(
            kinds(&alerts(&CTX, Some(&quiet), &new)),
            [(AlertKind::DecisionChanged, "a".to_string())]
        );
        // A jurisdiction rule or a threshold: no hit at all moved.
        let old = outcome("v1", Decision::Allow, vec![]);
        let new = outcome("v1", Decision::Deny, vec![]);
        assert_eq!(
            kinds(&alerts(&CTX, Some(&old), &new)),
            [(AlertKind::DecisionChanged, String::new())]
        );
    }

    #[test]
    fn a_cleared_hit_is_quiet_until_its_verdict_lapses() {
        let cleared = Suppression {
            alert_id: "x".into(),
            reviewer: "ana".into(),
            at: 1,
            note: String::new(),
        };
        let mut old = outcome("v1", Decision::Allow, vec![hit("a", "1", Decision::Deny)]);
        old.hits[0].suppressed = Some(cleared.clone());
        let mut still = old.clone();
        still.snapshot_version = "v2".into();
        assert!(alerts(&CTX, Some(&old), &still).is_empty());
        // The entry changed: the verdict no longer holds, the hit is news again.
        let lapsed = outcome("v2", Decision::Deny, vec![hit("a", "2", Decision::Deny)]);
        assert_eq!(
            kinds(&alerts(&CTX, Some(&old), &lapsed)),
            [(AlertKind::NewHit, "a".to_string())]
        );
        // A cleared hit that goes raises nothing.
        let gone = outcome("v2", Decision::Allow, vec![]);
        assert!(alerts(&CTX, Some(&old), &gone).is_empty());
    }
}
