//! The monitoring store's contract (`service::monitor::store::Store`), one function per
//! behaviour, each run against every backend (`monitor_store/backends.rs`: a SQLite file,
//! an in-memory SQLite database, and PostgreSQL when `CLEARANCE_TEST_POSTGRES` names a
//! server). The write throughput on batches of 1,000 parties is measured by an ignored
//! test: `cargo test --release --test monitor_store -- --ignored --nocapture`.

#[path = "monitor_store/backends.rs"]
mod backends;
#[path = "monitor_store/data.rs"]
mod data;

use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use std::time::{Duration, Instant};

use backends::{each_backend, Fixture};
use clearance::engine::policy::Decision;
use clearance::service::monitor::record::{
    AlertKind, Base, BasePrints, OutcomeWrite, Suppression, Verdict,
};
use clearance::service::monitor::store::{Store, StoreError};
use data::{alert, facts, record_of, sorted, strings, with_alerts, write};

// The allocator the binary uses (src/main.rs), so that the throughput measured is the
// server's.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

// The book.

async fn parties_read_back_as_written(fx: Fixture) {
    let store = fx.store;
    let mut first = write("p1", "v1", &[("E1", "h1"), ("E2", "h2")]);
    first.facts.name = "O'Brien \"Ltd\" — Ümit ☃".to_string();
    first.facts.birth_date = Some("circa 1960".to_string());
    first.facts.parents = strings(&["Parent Holding"]);
    first.ownership = true;
    first.at = 1_234_567;
    first.outcome.hits[1].suppressed = Some(Suppression {
        alert_id: "a0".to_string(),
        reviewer: "ana".to_string(),
        at: 99,
        note: "another person".to_string(),
    });
    let second = write("p2", "v1", &[]);
    let stored = store
        .write(&[first.clone(), second.clone()], None)
        .await
        .unwrap();
    assert!(stored.is_empty(), "no alerts were written");

    let p1 = store.party("p1").await.unwrap().expect("p1 stored");
    assert_eq!(p1, record_of(&first, p1.seq));
    let p2 = store.party("p2").await.unwrap().expect("p2 stored");
    assert_eq!(p2, record_of(&second, p2.seq));
    assert!(store.party("nobody").await.unwrap().is_none());

    let mut found = store
        .parties(&strings(&["p2", "nobody", "p1", "p1"]))
        .await
        .unwrap();
    found.sort_by(|a, b| a.reference.cmp(&b.reference));
    assert_eq!(found, vec![p1, p2]);
    assert!(store.parties(&[]).await.unwrap().is_empty());
}

async fn a_write_replaces_the_outcome_and_its_hits(fx: Fixture) {
    let store = fx.store;
    store
        .write(&[write("p1", "v1", &[("E1", "h1"), ("E2", "h2")])], None)
        .await
        .unwrap();
    let mut again = write("p1", "v2", &[("E3", "h3")]);
    again.outcome.decision = Decision::Deny;
    again.facts_hash = "facts-p1-changed".to_string();
    store
        .write(std::slice::from_ref(&again), None)
        .await
        .unwrap();

    let p1 = store.party("p1").await.unwrap().unwrap();
    assert_eq!(p1, record_of(&again, p1.seq));
    let hits_on = |ids: &[&str]| {
        let store = store.clone();
        let ids = strings(ids);
        async move { sorted(store.references_with_hits_on(&ids).await.unwrap()) }
    };
    assert!(hits_on(&["E1"]).await.is_empty(), "the old hits are gone");
    assert!(hits_on(&["E2"]).await.is_empty());
    assert_eq!(hits_on(&["E3"]).await, strings(&["p1"]));
    assert_eq!(hits_on(&["E1", "E3"]).await, strings(&["p1"]));

    // Rewritten with the same hits (most of a re-screen): they stay.
    store
        .write(std::slice::from_ref(&again), None)
        .await
        .unwrap();
    assert_eq!(hits_on(&["E3"]).await, strings(&["p1"]));
    // Two hits on one entry (directly and through an owner), and a new entry.
    let twice = write("p1", "v3", &[("E3", "h3"), ("E4", "h4"), ("E3", "h3")]);
    store
        .write(std::slice::from_ref(&twice), None)
        .await
        .unwrap();
    let p1 = store.party("p1").await.unwrap().unwrap();
    assert_eq!(p1, record_of(&twice, p1.seq), "the outcome keeps both hits");
    assert_eq!(hits_on(&["E3"]).await, strings(&["p1"]));
    assert_eq!(hits_on(&["E4"]).await, strings(&["p1"]));
    store.write(&[write("p1", "v4", &[])], None).await.unwrap();
    assert!(hits_on(&["E3", "E4"]).await.is_empty(), "no hits, no rows");
}

async fn seq_increases_with_every_write(fx: Fixture) {
    let store = fx.store;
    let batch: Vec<_> = ["a", "b", "c"].map(|r| write(r, "v1", &[])).into();
    store.write(&batch, None).await.unwrap();
    let seq = |r: &'static str| {
        let store = store.clone();
        async move { store.party(r).await.unwrap().unwrap().seq }
    };
    let (a, b, c) = (seq("a").await, seq("b").await, seq("c").await);
    assert!(0 < a && a < b && b < c, "in the order written: {a} {b} {c}");

    store.write(&[write("b", "v2", &[])], None).await.unwrap();
    let b2 = seq("b").await;
    assert!(b2 > c, "a rewrite moves the party past every earlier write");
    let since: Vec<_> = store
        .parties_after(c, 10)
        .await
        .unwrap()
        .into_iter()
        .map(|p| p.reference)
        .collect();
    assert_eq!(since, strings(&["b"]));

    // One reference twice in one call: the last write is kept.
    let twice = [write("d", "v1", &[("E1", "h1")]), write("d", "v2", &[])];
    store.write(&twice, None).await.unwrap();
    let d = store.party("d").await.unwrap().unwrap();
    assert_eq!(d, record_of(&twice[1], d.seq));
    assert!(d.seq > b2);
    assert!(store
        .references_with_hits_on(&strings(&["E1"]))
        .await
        .unwrap()
        .is_empty());
}

async fn parties_after_pages_through_the_book(fx: Fixture) {
    let store = fx.store;
    let references: Vec<String> = (0..25).map(|i| format!("p{i:02}")).collect();
    for chunk in references.chunks(9) {
        let batch: Vec<_> = chunk.iter().map(|r| write(r, "v1", &[])).collect();
        store.write(&batch, None).await.unwrap();
    }
    let mut seen = Vec::new();
    let mut after = 0;
    loop {
        let page = store.parties_after(after, 10).await.unwrap();
        assert!(page.len() <= 10);
        if page.is_empty() {
            break;
        }
        for party in &page {
            assert!(party.seq > after, "by increasing seq");
            after = party.seq;
            seen.push(party.reference.clone());
        }
    }
    assert_eq!(seen, references, "every party once, in the order written");

    store
        .write(&[write("p03", "v2", &[]), write("p17", "v2", &[])], None)
        .await
        .unwrap();
    let since: Vec<_> = store
        .parties_after(after, 10)
        .await
        .unwrap()
        .into_iter()
        .map(|p| p.reference)
        .collect();
    assert_eq!(since, strings(&["p03", "p17"]));
    // The same without the rows: seq, reference and facts hash.
    let light = store.facts_hashes_after(after, 10).await.unwrap();
    let got: Vec<(&str, &str)> = light
        .iter()
        .map(|(_, r, h)| (r.as_str(), h.as_str()))
        .collect();
    assert_eq!(got, [("p03", "facts-p03"), ("p17", "facts-p17")]);
    assert!(light[0].0 > after && light[1].0 > light[0].0);
    // Written since `after` against a version other than v1: p03 and p17 (v2); none when
    // v2 counts too.
    let elsewhere = |versions: &[&str]| {
        let store = store.clone();
        let versions = strings(versions);
        async move {
            sorted(
                store
                    .references_written_elsewhere(after, &versions)
                    .await
                    .unwrap(),
            )
        }
    };
    assert_eq!(elsewhere(&["v1"]).await, strings(&["p03", "p17"]));
    assert!(elsewhere(&["v1", "v2"]).await.is_empty());
    assert_eq!(
        sorted(
            store
                .references_written_elsewhere(0, &strings(&["v2"]))
                .await
                .unwrap()
        )
        .len(),
        23,
        "from the start: every party still at v1"
    );
}

async fn references_by_hit_and_ownership(fx: Fixture) {
    let store = fx.store;
    let mut a = write("a", "v1", &[("E1", "h1")]);
    a.ownership = true;
    let b = write("b", "v2", &[("E1", "h1"), ("E2", "h2")]);
    let mut c = write("c", "v3", &[("E3", "h3")]);
    c.ownership = true;
    let d = write("d", "v3", &[]);
    store.write(&[a, b, c.clone(), d], None).await.unwrap();

    let hits_on = |ids: &[&str]| {
        let store = store.clone();
        let ids = strings(ids);
        async move { sorted(store.references_with_hits_on(&ids).await.unwrap()) }
    };
    assert_eq!(hits_on(&["E1"]).await, strings(&["a", "b"]));
    assert_eq!(hits_on(&["E2", "E3"]).await, strings(&["b", "c"]));
    assert!(hits_on(&["E9"]).await.is_empty());
    assert!(hits_on(&[]).await.is_empty());

    let owned = sorted(store.references_with_ownership().await.unwrap());
    assert_eq!(owned, strings(&["a", "c"]));
    c.ownership = false;
    store.write(&[c], None).await.unwrap();
    assert_eq!(
        store.references_with_ownership().await.unwrap(),
        strings(&["a"])
    );
}

async fn remove_keeps_alerts_and_verdicts(fx: Fixture) {
    let store = fx.store;
    let p1 = with_alerts(
        write("p1", "v2", &[("E1", "h1")]),
        vec![alert("p1", "a1", &[("E1", "h1")])],
    );
    store
        .write(&[p1, write("p2", "v2", &[])], None)
        .await
        .unwrap();
    store
        .resolve("a1", Verdict::TrueMatch, "", "ana", 5)
        .await
        .unwrap();
    store
        .start_job(None, "v3", &strings(&["p1", "p2"]))
        .await
        .unwrap();

    assert!(store.remove("p1").await.unwrap());
    assert!(store.party("p1").await.unwrap().is_none());
    assert!(store
        .references_with_hits_on(&strings(&["E1"]))
        .await
        .unwrap()
        .is_empty());
    assert_eq!(store.alerts_of("p1").await.unwrap().len(), 1);
    assert_eq!(store.dispositions_of("p1").await.unwrap().len(), 1);
    let job = store.pending_job().await.unwrap().unwrap();
    assert_eq!(
        job.remaining,
        strings(&["p2"]),
        "out of the job's queue too"
    );
    assert!(!store.remove("p1").await.unwrap(), "unknown now");
    assert!(store.party("p2").await.unwrap().is_some());
}

// Alerts.

async fn an_alert_id_is_stored_once(fx: Fixture) {
    let store = fx.store;
    let a1 = alert("p1", "a1", &[("E1", "h1")]);
    let first = store
        .write(
            &[with_alerts(
                write("p1", "v2", &[("E1", "h1")]),
                vec![a1.clone()],
            )],
            None,
        )
        .await
        .unwrap();
    assert_eq!(first.len(), 1);
    assert_eq!(first[0].alert, a1);
    assert!(first[0].resolution.is_none());

    // Written again (a resumed re-screen) with a new one: only the new one is stored.
    let a2 = alert("p1", "a2", &[("E2", "h2")]);
    let again = store
        .write(
            &[with_alerts(
                write("p1", "v2", &[("E1", "h1")]),
                vec![a1.clone(), a2.clone()],
            )],
            None,
        )
        .await
        .unwrap();
    assert_eq!(
        again.iter().map(|a| &a.alert).collect::<Vec<_>>(),
        vec![&a2]
    );
    assert!(again[0].cursor > first[0].cursor);

    // The same id twice in one call.
    let a3 = alert("p2", "a3", &[]);
    let twice = store
        .write(
            &[
                with_alerts(write("p2", "v2", &[]), vec![a3.clone()]),
                with_alerts(write("p3", "v2", &[]), vec![a3.clone()]),
            ],
            None,
        )
        .await
        .unwrap();
    assert_eq!(twice.len(), 1);

    let all = store.alerts_after(0, 100).await.unwrap();
    let ids: Vec<_> = all.iter().map(|a| a.alert.id.as_str()).collect();
    assert_eq!(ids, ["a1", "a2", "a3"]);
    assert_eq!(all[0], first[0]);
    assert_eq!(all[1], again[0]);
    assert_eq!(all[2], twice[0]);
    assert_eq!(store.alert("a2").await.unwrap(), Some(again[0].clone()));
    assert!(store.alert("nope").await.unwrap().is_none());
}

async fn cursors_increase_strictly_in_write_order(fx: Fixture) {
    let store = fx.store;
    let mut returned = Vec::new();
    for round in 0..10 {
        let writes: Vec<_> = (0..=round % 3)
            .map(|i| {
                let reference = format!("p{round}-{i}");
                let alerts = (0..=i)
                    .map(|k| alert(&reference, &format!("a{round}-{i}-{k}"), &[]))
                    .collect();
                with_alerts(write(&reference, "v2", &[]), alerts)
            })
            .collect();
        returned.extend(store.write(&writes, None).await.unwrap());
    }
    let cursors: Vec<i64> = returned.iter().map(|a| a.cursor).collect();
    assert!(cursors.windows(2).all(|w| w[0] < w[1]), "{cursors:?}");
    assert!(cursors[0] > 0);
    let listed: Vec<i64> = store
        .alerts_after(0, 1_000)
        .await
        .unwrap()
        .iter()
        .map(|a| a.cursor)
        .collect();
    assert_eq!(listed, cursors);
}

async fn alerts_after_resumes_where_it_stopped(fx: Fixture) {
    let store = fx.store;
    let write_alerts = |from: usize, to: usize| {
        let store = store.clone();
        async move {
            for chunk in (from..to).collect::<Vec<_>>().chunks(4) {
                let writes: Vec<_> = chunk
                    .iter()
                    .map(|i| {
                        let reference = format!("p{i}");
                        with_alerts(
                            write(&reference, "v2", &[]),
                            vec![alert(&reference, &format!("a{i}"), &[])],
                        )
                    })
                    .collect();
                store.write(&writes, None).await.unwrap();
            }
        }
    };
    write_alerts(0, 30).await;
    let read_from = |after: i64| {
        let store = store.clone();
        async move {
            let mut seen = Vec::new();
            let mut cursor = after;
            loop {
                let page = store.alerts_after(cursor, 7).await.unwrap();
                let Some(last) = page.last() else { break };
                cursor = last.cursor;
                seen.extend(page.into_iter().map(|a| a.alert.id));
            }
            (seen, cursor)
        }
    };
    let (seen, cursor) = read_from(0).await;
    let expected: Vec<String> = (0..30).map(|i| format!("a{i}")).collect();
    assert_eq!(seen, expected, "each alert once, in order");

    write_alerts(30, 40).await;
    let (seen, _) = read_from(cursor).await;
    let expected: Vec<String> = (30..40).map(|i| format!("a{i}")).collect();
    assert_eq!(seen, expected, "only what came after");
}

async fn alerts_of_a_party_oldest_first(fx: Fixture) {
    let store = fx.store;
    for (i, reference) in ["p1", "p2", "p1", "p1"].into_iter().enumerate() {
        let a = alert(reference, &format!("a{i}"), &[]);
        store
            .write(&[with_alerts(write(reference, "v2", &[]), vec![a])], None)
            .await
            .unwrap();
    }
    let ids = |alerts: Vec<clearance::service::monitor::record::Alert>| {
        alerts.into_iter().map(|a| a.alert.id).collect::<Vec<_>>()
    };
    assert_eq!(
        ids(store.alerts_of("p1").await.unwrap()),
        ["a0", "a2", "a3"]
    );
    assert_eq!(ids(store.alerts_of("p2").await.unwrap()), ["a1"]);
    assert!(store.alerts_of("p9").await.unwrap().is_empty());
}

async fn verdicts_resolve_alerts_and_suppress_false_positives(fx: Fixture) {
    let store = fx.store;
    let hits = [("E1", "h1"), ("E2", "h2"), ("E1", "h1")];
    let a1 = alert("p1", "a1", &hits);
    store
        .write(
            &[with_alerts(write("p1", "v2", &hits[..2]), vec![a1])],
            None,
        )
        .await
        .unwrap();

    let escalated = store
        .resolve("a1", Verdict::Escalated, "ask compliance", "ana", 10)
        .await
        .unwrap();
    assert_eq!(escalated.verdict, Verdict::Escalated);
    assert_eq!(escalated.reference, "p1");
    let resolved = store.alert("a1").await.unwrap().unwrap();
    assert_eq!(resolved.resolution, Some(escalated.clone()));
    assert!(store
        .suppressions(&strings(&["p1"]))
        .await
        .unwrap()
        .is_empty());

    let false_positive = store
        .resolve("a1", Verdict::FalsePositive, "born 1990", "bo", 20)
        .await
        .unwrap();
    let mut suppressions = store.suppressions(&strings(&["p1", "p2"])).await.unwrap();
    suppressions.sort_by(|a, b| a.entity_id.cmp(&b.entity_id));
    assert_eq!(suppressions.len(), 2, "one per hit: {suppressions:?}");
    for (s, (entity, hash)) in suppressions.iter().zip([("E1", "h1"), ("E2", "h2")]) {
        assert_eq!(s.reference, "p1");
        assert_eq!(s.entity_id, entity);
        assert_eq!(s.entity_hash, hash);
        assert_eq!(s.facts_hash, "facts-p1");
        assert_eq!(
            s.suppression,
            Suppression {
                alert_id: "a1".to_string(),
                reviewer: "bo".to_string(),
                at: 20,
                note: "born 1990".to_string(),
            }
        );
    }

    // Said again by another reviewer: still one per hit, theirs.
    store
        .resolve("a1", Verdict::FalsePositive, "", "cy", 30)
        .await
        .unwrap();
    let suppressions = store.suppressions(&strings(&["p1"])).await.unwrap();
    assert_eq!(suppressions.len(), 2);
    assert!(suppressions.iter().all(|s| s.suppression.reviewer == "cy"));

    // A change of mind: the hits count again.
    let true_match = store
        .resolve("a1", Verdict::TrueMatch, "same passport", "di", 40)
        .await
        .unwrap();
    assert!(store
        .suppressions(&strings(&["p1"]))
        .await
        .unwrap()
        .is_empty());
    let resolved = store.alert("a1").await.unwrap().unwrap();
    assert_eq!(resolved.resolution, Some(true_match.clone()));

    match store
        .resolve("nope", Verdict::TrueMatch, "", "di", 50)
        .await
    {
        Err(StoreError::NoAlert(id)) => assert_eq!(id, "nope"),
        other => panic!("expected NoAlert, got {other:?}"),
    }

    let history = store.dispositions_of("p1").await.unwrap();
    let verdicts: Vec<_> = history.iter().map(|d| d.verdict).collect();
    assert_eq!(
        verdicts,
        [
            Verdict::Escalated,
            Verdict::FalsePositive,
            Verdict::FalsePositive,
            Verdict::TrueMatch
        ]
    );
    assert_eq!(history[0], escalated);
    assert_eq!(history[1], false_positive);
    assert_eq!(history[3], true_match);
    assert!(store.dispositions_of("p2").await.unwrap().is_empty());
}

// The re-screening's state.

async fn jobs_track_the_parties_left_and_end_in_a_base(fx: Fixture) {
    let store = fx.store;
    assert!(store.base().await.unwrap().is_none());
    assert!(store.pending_job().await.unwrap().is_none());
    let book = strings(&["a", "b", "c", "d"]);
    let job = store.start_job(None, "v2", &book).await.unwrap();
    let pending = store.pending_job().await.unwrap().unwrap();
    assert_eq!(pending.id, job);
    assert_eq!(pending.from_version, None);
    assert_eq!(pending.to_version, "v2");
    assert_eq!(pending.remaining, book);

    let w = |r: &str| write(r, "v2", &[]);
    store.write(&[w("a"), w("b")], Some(job)).await.unwrap();
    let remaining = |store: Arc<dyn Store>| async move {
        store.pending_job().await.unwrap().unwrap().remaining
    };
    assert_eq!(remaining(store.clone()).await, strings(&["c", "d"]));
    store.write(&[w("c")], None).await.unwrap();
    assert_eq!(
        remaining(store.clone()).await,
        strings(&["c", "d"]),
        "a write outside the job leaves the queue alone"
    );

    // A new job replaces the unfinished one; the old one's writes no longer count.
    let second = store
        .start_job(Some("v1"), "v3", &strings(&["b", "a", "b"]))
        .await
        .unwrap();
    assert_ne!(second, job);
    let pending = store.pending_job().await.unwrap().unwrap();
    assert_eq!(
        (pending.id, pending.from_version.as_deref()),
        (second, Some("v1"))
    );
    assert_eq!(pending.remaining, strings(&["a", "b"]));
    store.write(&[w("a")], Some(job)).await.unwrap();
    assert_eq!(remaining(store.clone()).await, strings(&["a", "b"]));
    let base = Base {
        version: "v3".to_string(),
        as_of: "2026-12-02".to_string(),
        policy_digest: "policy-1".to_string(),
        seq: 42,
    };
    let prints = BasePrints {
        entities: vec![
            ("E1".to_string(), "h1".to_string()),
            ("E2".to_string(), "h2".to_string()),
        ],
        words: vec![("^ab".to_string(), 1), ("alpha".to_string(), 4 << 2)],
    };
    match store.finish_job(job, &base, &prints).await {
        Err(StoreError::NoJob(id)) => assert_eq!(id, job),
        other => panic!("expected NoJob, got {other:?}"),
    }
    assert!(
        store.base().await.unwrap().is_none(),
        "a refused finish changes nothing"
    );

    store.write(&[w("a"), w("b")], Some(second)).await.unwrap();
    assert!(remaining(store.clone()).await.is_empty());
    store.finish_job(second, &base, &prints).await.unwrap();
    assert!(store.pending_job().await.unwrap().is_none());
    assert_eq!(store.base().await.unwrap(), Some((base.clone(), prints)));

    // The next base replaces the entries and words too.
    let third = store.start_job(Some("v3"), "v4", &[]).await.unwrap();
    let next = Base {
        version: "v4".to_string(),
        ..base
    };
    let prints = BasePrints {
        entities: vec![("E3".to_string(), "h3".to_string())],
        words: vec![("beta".to_string(), 9 << 2 | 1)],
    };
    store.finish_job(third, &next, &prints).await.unwrap();
    assert_eq!(store.base().await.unwrap(), Some((next, prints)));
}

/// A re-screen's write (made from the party as read) is skipped, alerts and all, when the
/// party was written since by someone else (another replica's upsert) or removed; it still
/// leaves the job's queue.
async fn a_write_from_what_was_read_yields_to_a_write_since(fx: Fixture) {
    let store = fx.store;
    let book = [
        write("a", "v1", &[]),
        write("b", "v1", &[]),
        write("gone", "v1", &[]),
    ];
    store.write(&book, None).await.unwrap();
    let mut read = std::collections::HashMap::new();
    for r in ["a", "b", "gone"] {
        read.insert(r, store.party(r).await.unwrap().unwrap().seq);
    }
    let job = store
        .start_job(Some("v1"), "v2", &strings(&["a", "b", "gone"]))
        .await
        .unwrap();
    // Meanwhile another replica writes b with new facts, and removes "gone".
    let mut fresh = write("b", "v1", &[]);
    fresh.facts = facts("b Shipping LLC");
    store.write(&[fresh], None).await.unwrap();
    assert!(store.remove("gone").await.unwrap());
    let from_read = |r: &str| {
        let hits = [("E1", "h1")];
        let mut w = with_alerts(
            write(r, "v2", &hits),
            vec![alert(r, &format!("{r}-v2"), &hits)],
        );
        w.expect_seq = Some(read[r]);
        w
    };
    let stored = store
        .write(
            &[from_read("a"), from_read("b"), from_read("gone")],
            Some(job),
        )
        .await
        .unwrap();
    let alerted: Vec<&str> = stored.iter().map(|a| a.alert.reference.as_str()).collect();
    assert_eq!(
        alerted,
        ["a"],
        "only the write still current raises its alert"
    );
    let a = store.party("a").await.unwrap().unwrap();
    assert_eq!(a.outcome.snapshot_version, "v2");
    let b = store.party("b").await.unwrap().unwrap();
    assert_eq!(
        (b.facts.name.as_str(), b.outcome.snapshot_version.as_str()),
        ("b Shipping LLC", "v1"),
        "the write that came between stands"
    );
    assert!(
        store.party("gone").await.unwrap().is_none(),
        "no removed party comes back"
    );
    assert_eq!(
        store
            .references_with_hits_on(&strings(&["E1"]))
            .await
            .unwrap(),
        strings(&["a"])
    );
    assert!(store
        .pending_job()
        .await
        .unwrap()
        .unwrap()
        .remaining
        .is_empty());
    // A write that expects the seq the party has now goes through.
    let mut current = from_read("b");
    current.expect_seq = Some(b.seq);
    store.write(&[current], None).await.unwrap();
    assert_eq!(
        store
            .party("b")
            .await
            .unwrap()
            .unwrap()
            .outcome
            .snapshot_version,
        "v2"
    );
}

async fn stats_count_parties_alerts_and_open_ages(fx: Fixture) {
    let store = fx.store;
    const HOUR: i64 = 3_600 * 1_000_000;
    let now = 1_000 * 24 * HOUR;
    let ages = [
        ("fresh", AlertKind::NewHit, HOUR),
        ("days", AlertKind::NewHit, 2 * 24 * HOUR),
        ("weeks", AlertKind::HitChanged, 10 * 24 * HOUR),
        ("old", AlertKind::DecisionChanged, 40 * 24 * HOUR),
        ("resolved", AlertKind::NewHit, 3 * HOUR),
    ];
    let writes: Vec<_> = ages
        .iter()
        .map(|(id, kind, age)| {
            let mut a = alert(id, id, &[]);
            a.kind = *kind;
            a.created_at = now - age;
            with_alerts(write(id, "v2", &[]), vec![a])
        })
        .collect();
    store.write(&writes, None).await.unwrap();
    store
        .write(&[write("quiet", "v2", &[])], None)
        .await
        .unwrap();
    store
        .resolve("resolved", Verdict::TrueMatch, "", "ana", now)
        .await
        .unwrap();

    let stats = store.stats(now).await.unwrap();
    assert_eq!(stats.parties, 6);
    let by_kind: HashMap<_, _> = stats.alerts_by_kind.iter().copied().collect();
    assert_eq!(by_kind.len(), 4, "every kind, zero or not");
    assert_eq!(by_kind[&AlertKind::NewHit], 3);
    assert_eq!(by_kind[&AlertKind::HitChanged], 1);
    assert_eq!(by_kind[&AlertKind::HitRemoved], 0);
    assert_eq!(by_kind[&AlertKind::DecisionChanged], 1);
    assert_eq!(stats.open_by_age, [1, 1, 1, 1]);
}

// Opening, leadership, stored data.

async fn opening_again_migrates_nothing(fx: Fixture) {
    if !fx.shared {
        return;
    }
    fx.store
        .write(&[write("p1", "v1", &[("E1", "h1")])], None)
        .await
        .unwrap();
    let expected = fx.store.party("p1").await.unwrap();
    for _ in 0..2 {
        let again = fx.reopen().await;
        assert_eq!(again.party("p1").await.unwrap(), expected);
        again.ping().await.unwrap();
    }
}

async fn one_leader_at_a_time(fx: Fixture) {
    let lease = fx.store.try_lead().await.unwrap().expect("the first lease");
    assert!(lease.held().await);
    if fx.backend() == "sqlite" {
        // One process per SQLite file: always granted.
        assert!(fx.store.try_lead().await.unwrap().is_some());
        return;
    }
    let other = fx.reopen().await;
    assert!(
        other.try_lead().await.unwrap().is_none(),
        "held by the first"
    );
    assert!(
        fx.store.try_lead().await.unwrap().is_none(),
        "per session, not per store"
    );
    assert!(lease.held().await);
    drop(lease);
    // The server releases the lock when the dropped lease's session ends.
    let deadline = Instant::now() + Duration::from_secs(10);
    let taken = loop {
        if let Some(lease) = other.try_lead().await.unwrap() {
            break lease;
        }
        assert!(Instant::now() < deadline, "the lock was not released");
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    assert!(taken.held().await);
}

async fn unreadable_columns_are_corrupt_naming_where(fx: Fixture) {
    if !fx.shared {
        return;
    }
    fx.store
        .write(
            &[with_alerts(
                write("p1", "v1", &[]),
                vec![alert("p1", "a1", &[])],
            )],
            None,
        )
        .await
        .unwrap();
    let damage = [
        "UPDATE parties SET facts = '{\"name\": 1}' WHERE reference = 'p1'",
        "UPDATE alerts SET hits = 'not json' WHERE id = 'a1'",
    ];
    match fx.backend() {
        "sqlite" => {
            let pool = sqlx::SqlitePool::connect(&fx.url).await.unwrap();
            for sql in damage {
                sqlx::query(sql).execute(&pool).await.unwrap();
            }
        }
        _ => {
            let pool = sqlx::PgPool::connect(&fx.url).await.unwrap();
            for sql in damage {
                sqlx::query(sql).execute(&pool).await.unwrap();
            }
        }
    }
    match fx.store.party("p1").await {
        Err(StoreError::Corrupt {
            table, column, key, ..
        }) => assert_eq!((table, column, key.as_str()), ("parties", "facts", "p1")),
        other => panic!("expected Corrupt, got {other:?}"),
    }
    match fx.store.alerts_after(0, 10).await {
        Err(StoreError::Corrupt {
            table, column, key, ..
        }) => assert_eq!((table, column, key.as_str()), ("alerts", "hits", "a1")),
        other => panic!("expected Corrupt, got {other:?}"),
    }
    let message = fx.store.alert("a1").await.unwrap_err().to_string();
    assert!(message.contains("alerts.hits of a1"), "{message}");
}

/// Two writers through two store instances and a reader paging by cursor while they
/// write: if a cursor could become visible after a larger one, the reader would step over
/// it and miss that alert.
async fn concurrent_writers_never_fill_a_gap_behind_the_reader(fx: Fixture) {
    if !fx.shared {
        return;
    }
    const BATCHES: usize = 40;
    const PER_BATCH: usize = 5;
    let writers: Vec<_> = (0..2)
        .map(|w| {
            let url = fx.url.clone();
            tokio::spawn(async move {
                let store = clearance::service::monitor::store::open(&url)
                    .await
                    .unwrap();
                for b in 0..BATCHES {
                    let writes: Vec<_> = (0..PER_BATCH)
                        .map(|i| {
                            let reference = format!("w{w}-{b}-{i}");
                            with_alerts(
                                write(&reference, "v2", &[("E1", "h1")]),
                                vec![alert(&reference, &reference, &[("E1", "h1")])],
                            )
                        })
                        .collect();
                    store.write(&writes, None).await.unwrap();
                }
            })
        })
        .collect();
    let reader = fx.reopen().await;
    let mut seen = Vec::new();
    let mut cursor = 0;
    let mut writers_done = false;
    loop {
        let page = reader.alerts_after(cursor, 16).await.unwrap();
        for alert in &page {
            assert!(alert.cursor > cursor);
            cursor = alert.cursor;
            seen.push(alert.alert.id.clone());
        }
        if page.is_empty() {
            if writers_done {
                break;
            }
            writers_done = writers.iter().all(|w| w.is_finished());
            tokio::task::yield_now().await;
        }
    }
    for writer in writers {
        writer.await.unwrap();
    }
    let total = 2 * BATCHES * PER_BATCH;
    let distinct: HashSet<_> = seen.iter().collect();
    assert_eq!(distinct.len(), seen.len(), "no alert twice");
    let all = fx.store.alerts_after(0, 10_000).await.unwrap();
    assert_eq!(all.len(), total);
    assert_eq!(seen.len(), total, "the reader saw every alert");
}

macro_rules! on_every_backend {
    ($($name:ident),* $(,)?) => {
        $(
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $name() {
                each_backend(stringify!($name), super::$name).await;
            }
        )*
    };
}

mod every_backend {
    use super::each_backend;

    on_every_backend!(
        parties_read_back_as_written,
        a_write_replaces_the_outcome_and_its_hits,
        seq_increases_with_every_write,
        parties_after_pages_through_the_book,
        references_by_hit_and_ownership,
        remove_keeps_alerts_and_verdicts,
        an_alert_id_is_stored_once,
        cursors_increase_strictly_in_write_order,
        alerts_after_resumes_where_it_stopped,
        alerts_of_a_party_oldest_first,
        verdicts_resolve_alerts_and_suppress_false_positives,
        jobs_track_the_parties_left_and_end_in_a_base,
        a_write_from_what_was_read_yields_to_a_write_since,
        stats_count_parties_alerts_and_open_ages,
        opening_again_migrates_nothing,
        one_leader_at_a_time,
        unreadable_columns_are_corrupt_naming_where,
        concurrent_writers_never_fill_a_gap_behind_the_reader,
    );
}

// Throughput.

/// Parties per second written in batches of 1,000 (each with 0–2 hits, about half with an
/// alert), first into an empty book, then replacing the same parties. Prints; asserts
/// nothing about speed.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "a measurement: cargo test --release --test monitor_store -- --ignored --nocapture"]
async fn write_throughput() {
    const PARTIES: usize = 100_000;
    const BATCH: usize = 1_000;
    let dir = tempfile::tempdir().unwrap();
    let mut targets = vec![(
        "sqlite".to_string(),
        format!("sqlite://{}", dir.path().join("book.db").display()),
        None,
    )];
    if let Some(admin) = backends::postgres_admin_url() {
        let database = backends::TempDatabase::create(&admin, "throughput").await;
        targets.push(("postgres".to_string(), database.url.clone(), Some(database)));
    }
    for (backend, url, database) in targets {
        let store = clearance::service::monitor::store::open(&url)
            .await
            .unwrap();
        for (phase, version) in [("insert", "v1"), ("replace", "v2")] {
            let batches: Vec<Vec<_>> = (0..PARTIES)
                .step_by(BATCH)
                .map(|first| {
                    (first..first + BATCH)
                        .map(|i| synthetic(i, version))
                        .collect()
                })
                .collect();
            let started = Instant::now();
            let cpu_before = process_cpu_seconds();
            let mut alerts = 0;
            for writes in &batches {
                alerts += store.write(writes, None).await.unwrap().len();
            }
            let seconds = started.elapsed().as_secs_f64();
            let cpu = process_cpu_seconds() - cpu_before;
            println!(
                "{backend:8} {phase:7}: {PARTIES} parties ({alerts} alerts) in {seconds:.2} s: \
                 {:.0} parties/s; this process's CPU {cpu:.2} s: {:.0} parties per CPU-second",
                PARTIES as f64 / seconds,
                PARTIES as f64 / cpu
            );
        }
        drop(store);
        if let Some(database) = database {
            database.drop().await;
        }
    }
}

/// CPU time of this process so far, every thread (SQLite runs in its own; PostgreSQL's work
/// is in the server's processes and not counted): on a shared machine wall time also
/// measures the neighbours.
fn process_cpu_seconds() -> f64 {
    let mut usage = std::mem::MaybeUninit::<libc::rusage>::zeroed();
    // SAFETY: getrusage fills the struct it is given; RUSAGE_SELF is always valid.
    let usage = unsafe {
        libc::getrusage(libc::RUSAGE_SELF, usage.as_mut_ptr());
        usage.assume_init()
    };
    let seconds = |t: libc::timeval| t.tv_sec as f64 + t.tv_usec as f64 / 1e6;
    seconds(usage.ru_utime) + seconds(usage.ru_stime)
}

/// Party `i` of the throughput book: `i % 3` hits, an alert when it has hits and `i` is even.
fn synthetic(i: usize, version: &str) -> OutcomeWrite {
    let reference = format!("CUST-{i:08}");
    let entities: Vec<(String, String)> = (0..i % 3)
        .map(|k| {
            (
                format!("ofac-{}", (i * 7 + k) % 20_000),
                format!("{:016x}", i * 31 + k),
            )
        })
        .collect();
    let pairs: Vec<(&str, &str)> = entities
        .iter()
        .map(|(e, h)| (e.as_str(), h.as_str()))
        .collect();
    let mut w = write(&reference, version, &pairs);
    w.facts.addresses = vec![format!("{i} Harbour Road, Bandar Abbas")];
    if !pairs.is_empty() && i % 2 == 0 {
        w.alerts = vec![alert(&reference, &format!("{reference}-{version}"), &pairs)];
    }
    w
}
