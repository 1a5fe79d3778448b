//! Records to write: parties, hits and alerts as the monitor would build them, small enough
//! to compare whole.

use clearance::engine::model::EntityKind;
use clearance::engine::policy::Decision;
use clearance::service::monitor::record::{
    AlertKind, HitRecord, NewAlert, Outcome, OutcomeWrite, PartyFacts, PartyRecord,
};

pub fn hit(entity_id: &str, entity_hash: &str) -> HitRecord {
    HitRecord {
        entity_id: entity_id.to_string(),
        entity_hash: entity_hash.to_string(),
        dataset: "us_ofac_sdn".to_string(),
        name: format!("Listed {entity_id}"),
        matched_name: format!("listed {entity_id}"),
        score: 0.93,
        kind: EntityKind::Organization,
        decision: Decision::Review,
        programs: vec!["SDGT".to_string()],
        explanation: "2 of 2 words matched; \"listed\" exact".to_string(),
        via: Vec::new(),
        rule: None,
        ownership_percent: None,
        suppressed: None,
    }
}

pub fn facts(name: &str) -> PartyFacts {
    PartyFacts {
        name: name.to_string(),
        kind: Some("organization".to_string()),
        countries: vec!["IR".to_string()],
        identifiers: vec![("imo".to_string(), "9187629".to_string())],
        ..PartyFacts::default()
    }
}

/// A party's outcome at `version` with hits on `entities` (`(id, hash)`), each a review.
pub fn write(reference: &str, version: &str, entities: &[(&str, &str)]) -> OutcomeWrite {
    let hits: Vec<HitRecord> = entities.iter().map(|(id, hash)| hit(id, hash)).collect();
    OutcomeWrite {
        reference: reference.to_string(),
        facts: facts(&format!("{reference} Trading LLC")),
        facts_hash: format!("facts-{reference}"),
        outcome: Outcome {
            decision: if hits.is_empty() {
                Decision::Allow
            } else {
                Decision::Review
            },
            hits,
            snapshot_version: version.to_string(),
            as_of: "2026-12-01".to_string(),
        },
        ownership: false,
        alerts: Vec::new(),
        at: 1_000,
        expect_seq: None,
    }
}

/// An alert on `reference` whose id is `id`, about hits on `entities`.
pub fn alert(reference: &str, id: &str, entities: &[(&str, &str)]) -> NewAlert {
    NewAlert {
        id: id.to_string(),
        reference: reference.to_string(),
        kind: AlertKind::NewHit,
        previous_decision: Some(Decision::Allow),
        decision: Decision::Review,
        hits: entities.iter().map(|(e, h)| hit(e, h)).collect(),
        from_version: Some("v1".to_string()),
        to_version: "v2".to_string(),
        facts_hash: format!("facts-{reference}"),
        created_at: 2_000,
    }
}

/// `write` carrying `alerts`.
pub fn with_alerts(mut write: OutcomeWrite, alerts: Vec<NewAlert>) -> OutcomeWrite {
    write.alerts = alerts;
    write
}

/// The record the store should hold after `write` (with the seq it assigned).
pub fn record_of(write: &OutcomeWrite, seq: i64) -> PartyRecord {
    PartyRecord {
        reference: write.reference.clone(),
        facts: write.facts.clone(),
        facts_hash: write.facts_hash.clone(),
        outcome: write.outcome.clone(),
        ownership: write.ownership,
        updated_at: write.at,
        seq,
    }
}

pub fn strings(items: &[&str]) -> Vec<String> {
    items.iter().map(|s| s.to_string()).collect()
}

/// `items`, sorted (the store answers some lists in any order).
pub fn sorted(mut items: Vec<String>) -> Vec<String> {
    items.sort();
    items
}
