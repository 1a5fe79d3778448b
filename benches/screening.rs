//! Screening benchmarks (criterion): `cargo bench --bench screening`.
//!
//! 1. `shared/*`: one screening over the index of every list in ../shared/data, with the
//!    names of ../shared/eval/dev.csv as queries, against a brute-force baseline that computes
//!    Jaro-Winkler between the normalized query and every indexed name (what a plain fuzzy
//!    scan does).
//! 2. `synthetic_1m/*`: one screening over a generated index of 1,000,000 names (deterministic
//!    generator in `clearance::testing`), with typo'd copies of indexed names and unrelated names as queries.
//! 3. `batch/*`: throughput of the dev-set queries screened one after another on one core.
//!
//! Before criterion runs, each index also gets a plain latency pass over all its queries that
//! prints p50/p99 per screening, since criterion reports means and medians of batches only.

use std::hint::black_box;
use std::time::Instant;

use clearance::engine::normalize::normalize;
use clearance::engine::screen::{Party, ScreenOptions, Snapshot};
use clearance::testing::synthetic_snapshot;
use criterion::{criterion_group, criterion_main, Criterion, Throughput};

fn shared_snapshot() -> Option<(Snapshot, Vec<String>)> {
    let dir = clearance::testing::shared_data()?;
    let config = clearance::testing::shared_config()?;
    let snapshot = Snapshot::load(&config.sources, &config.policy).ok()?;
    let mut reader = csv::Reader::from_path(dir.join("../eval/dev.csv")).ok()?;
    let queries = reader
        .records()
        .filter_map(Result::ok)
        .filter_map(|r| r.get(1).map(str::to_string))
        .collect();
    Some((snapshot, queries))
}

fn party(name: &str) -> Party {
    Party {
        name: name.to_string(),
        ..Party::default()
    }
}

/// Prints p50/p99/max latency of one screening per query, and the rate over all of them.
fn latency_pass(label: &str, snapshot: &Snapshot, queries: &[String]) {
    let options = ScreenOptions::default();
    let mut micros: Vec<f64> = Vec::with_capacity(queries.len());
    let started = Instant::now();
    for q in queries {
        let t = Instant::now();
        black_box(snapshot.screen(&party(q), &options));
        micros.push(t.elapsed().as_secs_f64() * 1e6);
    }
    let total = started.elapsed().as_secs_f64();
    micros.sort_by(f64::total_cmp);
    let at = |p: f64| micros[((micros.len() - 1) as f64 * p) as usize];
    println!(
        "{label}: {} names, {} queries: p50 {:.0} us, p99 {:.0} us, max {:.0} us, {:.0} screenings/s on one core",
        snapshot.index.name_count(),
        queries.len(),
        at(0.5),
        at(0.99),
        at(1.0),
        queries.len() as f64 / total
    );
}

/// The naive baseline: Jaro-Winkler of the normalized query against every normalized name.
fn brute_force(names: &[String], query: &str) -> Option<(usize, f64)> {
    let q = normalize(query);
    names
        .iter()
        .enumerate()
        .map(|(i, n)| (i, strsim::jaro_winkler(&q, n)))
        .max_by(|a, b| a.1.total_cmp(&b.1))
}

fn benches(c: &mut Criterion) {
    if let Some((snapshot, queries)) = shared_snapshot() {
        latency_pass("shared", &snapshot, &queries);
        let all_names: Vec<String> = snapshot
            .index
            .entities()
            .iter()
            .flat_map(|e| e.names.iter().map(|n| normalize(&n.value)))
            .collect();
        let options = ScreenOptions::default();
        let mut group = c.benchmark_group("shared");
        let mut i = 0;
        group.bench_function("screen", |b| {
            b.iter(|| {
                i = (i + 1) % queries.len();
                snapshot.screen(&party(&queries[i]), &options)
            })
        });
        let mut j = 0;
        group.bench_function("brute_force_jaro_winkler", |b| {
            b.iter(|| {
                j = (j + 1) % queries.len();
                brute_force(&all_names, &queries[j])
            })
        });
        group.finish();

        let mut group = c.benchmark_group("batch");
        group.throughput(Throughput::Elements(queries.len() as u64));
        group.sample_size(10);
        group.bench_function("dev_set_one_core", |b| {
            b.iter(|| {
                for q in &queries {
                    black_box(snapshot.screen(&party(q), &options));
                }
            })
        });
        group.finish();
    }

    let (snapshot, queries) = synthetic_snapshot(1_000_000);
    latency_pass("synthetic_1m", &snapshot, &queries);
    let options = ScreenOptions::default();
    let mut group = c.benchmark_group("synthetic_1m");
    let mut i = 0;
    group.bench_function("screen", |b| {
        b.iter(|| {
            i = (i + 1) % queries.len();
            snapshot.screen(&party(&queries[i]), &options)
        })
    });
    group.finish();
}

criterion_group!(screening, benches);
criterion_main!(screening);
