//! Monitoring at scale, on the real OFAC SDN lists: imports a synthetic book into a fresh
//! SQLite store (timing parties/s), records the 2019 list as its base, then re-screens it
//! for the 2021 list by difference and, in a second store holding the same book, in full;
//! prints both times, their ratio and whether the alerts agree.
//!
//! Then the same for a change of the size the lists publish in a week: the 2021 list without
//! its newest entries (OFAC numbers its entries in the order it designates them, so the
//! highest numbers are the latest designations) and back, a week's delistings and a week's
//! designations, each by difference and in full (`--week K` entries, 25 by default).
//!
//! ```text
//! cargo run --release --example monitor_bench -- --parties 1000000
//! ```
//!
//! `--full-pass-above SHARE` sets `[monitoring] full_pass_above` for the monitor re-screening
//! by difference (default 0.6: a change reaching more of the book re-screens all of it); 1
//! keeps every job a difference, to time the difference itself.
//!
//! The synthetic parties combine the given names and family names of the evaluation book
//! (`../shared/eval/book.csv`, real name shapes from many cultures) with company words, so
//! that they look like a customer book rather than the lists.

use std::collections::BTreeSet;
use std::path::Path;
use std::sync::Arc;
use std::time::Instant;

use clearance::engine::policy::Policy;
use clearance::engine::screen::{Party, Snapshot};
use clearance::service::metrics::Metrics;
use clearance::service::monitor::rescreen::Mode;
use clearance::service::monitor::{Clock, Monitor, MonitoringConfig, SystemClock};
use clearance::testing::{eval_book_name_parts, sdn_2021_without_newest, sdn_source};

/// The alerts after `cursor` as comparable lines: reference, kind, entity ids.
async fn said(m: &Monitor, cursor: i64) -> BTreeSet<String> {
    m.alerts_after(cursor, usize::MAX >> 1)
        .await
        .expect("alerts")
        .iter()
        .map(|a| {
            let h: Vec<&str> = a.alert.hits.iter().map(|h| h.entity_id.as_str()).collect();
            format!("{} {:?} {:?}", a.alert.reference, a.alert.kind, h)
        })
        .collect()
}

/// The last alert's cursor, 0 for none.
async fn last_cursor(m: &Monitor) -> i64 {
    m.alerts_after(0, usize::MAX >> 1)
        .await
        .expect("alerts")
        .last()
        .map_or(0, |a| a.cursor)
}

/// Re-screens `diff` by difference and `full` in full for `to`; prints the times, their
/// ratio and whether the alerts agree.
async fn compare(what: &str, diff: &Monitor, full: &Monitor, to: &Arc<Snapshot>) {
    let (c_diff, c_full) = (last_cursor(diff).await, last_cursor(full).await);
    // Once per snapshot, whatever the mode: its fingerprints and the tables its first
    // screening builds (the server's reload does both before it installs a snapshot).
    let started = Instant::now();
    to.fingerprints();
    to.screen(
        &Party {
            name: "warm up".into(),
            ..Party::default()
        },
        &Default::default(),
    );
    println!(
        "  the snapshot's fingerprints and first screening: {:.2} s",
        started.elapsed().as_secs_f64()
    );
    let started = Instant::now();
    let d = diff
        .rescreen(to, Mode::Difference)
        .await
        .expect("by difference");
    let by_difference = started.elapsed().as_secs_f64();
    let started = Instant::now();
    let f = full.rescreen(to, Mode::Full).await.expect("full");
    let whole = started.elapsed().as_secs_f64();
    let (a, b) = (said(diff, c_diff).await, said(full, c_full).await);
    if let (Some(d), Some(f)) = (d, f) {
        println!("  by difference: {d}");
        println!("  full:          {f}");
    }
    for missed in b.difference(&a).take(10) {
        println!("  only in the full re-screen: {missed}");
    }
    for extra in a.difference(&b).take(10) {
        println!("  only by difference: {extra}");
    }
    println!(
        "{what}: by difference {by_difference:.2} s, full {whole:.2} s, ratio {:.3}; alerts {} \
         and {}, {}",
        by_difference / whole,
        a.len(),
        b.len(),
        if a == b { "identical" } else { "DIFFERENT" }
    );
}

/// A small deterministic generator (xorshift), so runs are comparable.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn pick<'a>(&mut self, from: &'a [String]) -> &'a str {
        &from[(self.next() % from.len() as u64) as usize]
    }
}

/// Synthetic parties: four in five people (given name, maybe a second, family name), one in
/// five companies (a family name or two and company words).
fn synthetic(data: &Path, n: usize) -> Vec<(String, Party)> {
    let (given, family) = eval_book_name_parts(data);
    let trades: Vec<String> = [
        "Trading",
        "Logistics",
        "Holdings",
        "Technologies",
        "Foods",
        "Textiles",
        "Shipping",
        "Consulting",
        "Electronics",
        "Pharma",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    let forms: Vec<String> = ["Ltd", "LLC", "GmbH", "S.A.", "Pte. Ltd.", "Co., Ltd."]
        .iter()
        .map(|s| s.to_string())
        .collect();
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    (0..n)
        .map(|i| {
            let name = if rng.next() % 5 == 0 {
                format!(
                    "{} {} {}",
                    rng.pick(&family),
                    rng.pick(&trades),
                    rng.pick(&forms)
                )
            } else if rng.next() % 3 == 0 {
                format!(
                    "{} {} {}",
                    rng.pick(&given),
                    rng.pick(&given),
                    rng.pick(&family)
                )
            } else {
                format!("{} {}", rng.pick(&given), rng.pick(&family))
            };
            (
                format!("s{i}"),
                Party {
                    name,
                    ..Party::default()
                },
            )
        })
        .collect()
}

async fn open(dir: &Path, name: &str, full_pass_above: Option<f64>) -> Arc<Monitor> {
    let clock: Arc<dyn Clock> = Arc::new(SystemClock);
    let url = format!("sqlite://{}", dir.join(name).display());
    let mut config = MonitoringConfig::new(url);
    if let Some(share) = full_pass_above {
        config.full_pass_above = share;
    }
    Monitor::open(config, clock, Arc::new(Metrics::new()))
        .await
        .expect("the store opens")
}

#[tokio::main]
async fn main() {
    let (mut n, mut week, mut share) = (100_000usize, 25usize, None);
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        let value = args.next().unwrap_or_default();
        let bad = |what: &str| -> ! { panic!("{a} {what}: not {value:?}") };
        match a.as_str() {
            "--parties" => n = value.parse().unwrap_or_else(|_| bad("N")),
            "--week" => week = value.parse().unwrap_or_else(|_| bad("K")),
            "--full-pass-above" => share = Some(value.parse().unwrap_or_else(|_| bad("SHARE"))),
            other => {
                panic!("unknown argument {other} (--parties N, --week K, --full-pass-above SHARE)")
            }
        }
    }
    let data = clearance::testing::shared_data().expect("../shared/data (the real lists)");
    let policy = Policy::default();
    let old = Arc::new(Snapshot::load(&[sdn_source(&data, 2019)], &policy).expect("SDN 2019"));
    let new = Arc::new(Snapshot::load(&[sdn_source(&data, 2021)], &policy).expect("SDN 2021"));
    let parties = synthetic(&data, n);
    let dir = tempfile::tempdir().expect("a temporary folder");
    let (diff, full) = (
        open(dir.path(), "diff.db", share).await,
        open(dir.path(), "full.db", None).await,
    );
    // The import as `Monitoring.Import` runs it: batches screened while the one before is
    // written.
    let started = Instant::now();
    let (tx, rx) = tokio::sync::mpsc::channel(2);
    let feed = parties.clone();
    tokio::spawn(async move {
        for chunk in feed.chunks(1000) {
            if tx.send(Ok(chunk.to_vec())).await.is_err() {
                return;
            }
        }
    });
    let serving = old.clone();
    let (counts, _, written) = diff.import_batches(move || Some(serving.clone()), rx).await;
    written.expect("import");
    assert_eq!(counts.parties as usize, n);
    let took = started.elapsed().as_secs_f64();
    println!(
        "import: {n} parties in {took:.1} s: {:.0} parties/s (screened against SDN 2019, \
         written to SQLite)",
        n as f64 / took
    );
    for chunk in parties.chunks(1000) {
        full.import(&old, chunk.to_vec()).await.expect("import");
    }
    for m in [&diff, &full] {
        m.rescreen(&old, Mode::Difference).await.expect("base");
    }
    compare(
        &format!("SDN 2019 -> 2021 on {n} parties"),
        &diff,
        &full,
        &new,
    )
    .await;
    let before = Arc::new(sdn_2021_without_newest(&data, week, &policy));
    compare(
        &format!("a week's delistings ({week} entries) on {n} parties"),
        &diff,
        &full,
        &before,
    )
    .await;
    compare(
        &format!("a week's designations ({week} entries) on {n} parties"),
        &diff,
        &full,
        &new,
    )
    .await;
}
