//! Re-screening by difference misses nothing: across a week-sized change of the real SDN
//! list (its newest entries designated, then delisted), every party whose screening moves at
//! all (its decision, a hit, a hit's score to the last bit) is one the difference reaches:
//! the book index's candidates of the changed entries and its parties near a word matching
//! now reads differently, or a party whose hits name a changed or removed entry.
//!
//! The parties are the evaluation book's (real name shapes from many cultures) and as many
//! again made of its given and family names, which sit near the lists' common names.

use std::collections::{HashMap, HashSet};

use clearance::engine::batch::read_input;
use clearance::engine::book::{BookIndex, BookParty};
use clearance::engine::changes::Delta;
use clearance::engine::policy::Policy;
use clearance::engine::screen::{Party, ScreenOptions, Screening, Snapshot};
use clearance::testing::{eval_book_name_parts, sdn_2021_without_newest, sdn_source, shared_data};

/// A screening as a re-screen compares it: the decision and each hit with its exact score.
fn outcome(s: &Screening) -> (String, Vec<(String, u32, String)>) {
    let mut hits: Vec<(String, u32, String)> = s
        .hits
        .iter()
        .map(|h| {
            (
                h.entity_id.clone(),
                h.score.to_bits(),
                format!("{:?}", h.decision),
            )
        })
        .collect();
    hits.sort();
    (format!("{:?}", s.decision), hits)
}

/// Screens every party against `snapshot` on both cores.
fn screen_all(snapshot: &Snapshot, parties: &[(String, Party)]) -> Vec<Screening> {
    let options = ScreenOptions {
        as_of: Some(jiff::civil::date(2026, 12, 1)),
        ..ScreenOptions::default()
    };
    let half = parties.len().div_ceil(2);
    std::thread::scope(|scope| {
        let parts: Vec<_> = parties
            .chunks(half.max(1))
            .map(|chunk| {
                let options = &options;
                scope.spawn(move || {
                    chunk
                        .iter()
                        .map(|(_, p)| snapshot.screen(p, options))
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        parts
            .into_iter()
            .flat_map(|h| h.join().expect("screening does not panic"))
            .collect()
    })
}

/// The evaluation book's parties, then as many made of its given and family names.
fn parties(data: &std::path::Path) -> Vec<(String, Party)> {
    let book = read_input(&data.join("../eval/book.csv")).expect("the evaluation book reads");
    let mut parties: Vec<(String, Party)> = book
        .iter()
        .enumerate()
        .map(|(i, row)| (format!("b{i}"), row.party.clone()))
        .collect();
    let (given, family) = eval_book_name_parts(data);
    let mut x: u64 = 0x2545_f491_4f6c_dd1d;
    let mut pick = |from: &[String]| {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        from[(x % from.len() as u64) as usize].clone()
    };
    for i in 0..book.len() {
        let name = format!("{} {}", pick(&given), pick(&family));
        parties.push((
            format!("s{i}"),
            Party {
                name,
                ..Party::default()
            },
        ));
    }
    parties
}

/// Checks one change, `before` to `after`; returns (parties moved, parties reached).
fn check(
    what: &str,
    before: &Snapshot,
    after: &Snapshot,
    parties: &[(String, Party)],
    book: &mut BookIndex,
) -> (usize, usize) {
    let prints = before.fingerprints();
    let entries: HashMap<String, String> = prints
        .entries(before)
        .map(|(id, h)| (id.to_string(), h.to_string()))
        .collect();
    let words: HashMap<String, u64> = prints.words().map(|(w, p)| (w.to_string(), p)).collect();
    let delta = Delta::between(&entries, &words, after);
    let mut gone: HashSet<String> = delta.removed.iter().cloned().collect();
    gone.extend(
        delta
            .changed
            .iter()
            .map(|&o| after.index.entity(o).id.clone()),
    );
    let old = screen_all(before, parties);
    let new = screen_all(after, parties);
    let mut reached: HashSet<String> = book.reached(&delta, after).into_iter().collect();
    for ((reference, _), s) in parties.iter().zip(&old) {
        if s.hits.iter().any(|h| gone.contains(&h.entity_id)) {
            reached.insert(reference.clone());
        }
    }
    let mut moved = 0;
    let mut missed = Vec::new();
    for (((reference, party), a), b) in parties.iter().zip(&old).zip(&new) {
        if outcome(a) != outcome(b) {
            moved += 1;
            if !reached.contains(reference) {
                missed.push(format!(
                    "{reference} {:?}: {:?} -> {:?}",
                    party.name,
                    outcome(a),
                    outcome(b)
                ));
            }
        }
    }
    assert!(
        missed.is_empty(),
        "{what}: {} of {moved} moved parties not reached by the difference:\n{}",
        missed.len(),
        missed.join("\n")
    );
    println!(
        "{what}: {} changed entries ({} rematched), {} removed, {} words read differently; \
         {moved} parties moved, {} of {} reached",
        delta.changed.len(),
        delta.rematch.len(),
        delta.removed.len(),
        delta.reprinted.len(),
        reached.len(),
        parties.len()
    );
    (moved, reached.len())
}

#[test]
fn every_party_a_weeks_change_moves_is_reached() {
    let Some(data) = shared_data() else { return };
    let policy = Policy::default();
    let whole = Snapshot::load(&[sdn_source(&data, 2021)], &policy).expect("SDN 2021");
    let week = sdn_2021_without_newest(&data, 40, &policy);
    let parties = parties(&data);
    let mut book = BookIndex::new();
    for (reference, p) in &parties {
        let identifiers: Vec<String> = p.identifiers.iter().map(|i| i.value.clone()).collect();
        book.insert(&BookParty {
            reference,
            name: &p.name,
            parents: &p.parents,
            identifiers: &identifiers,
            fingerprint: 0,
        });
    }
    let mut moved = 0;
    for (what, before, after) in [
        ("a week's designations", &week, &whole),
        ("a week's delistings", &whole, &week),
    ] {
        let (m, reached) = check(what, before, after, &parties, &mut book);
        moved += m;
        // The difference is no disguised full re-screen.
        assert!(
            reached * 2 < parties.len(),
            "{what}: {reached} of {} parties reached",
            parties.len()
        );
    }
    // And the change moves someone, or there was nothing to miss.
    assert!(moved > 0, "the change moved no party's screening");
}
