//! Start-up benchmarks (criterion): `cargo bench --bench snapshot`.
//!
//! What a replica does before it can serve, for the index of every list in ../shared/data and
//! for a generated index of 1,000,000 names (`clearance::testing::synthetic_snapshot`):
//!
//! - `startup_shared/load_lists`: parse the list files and build the index (the baseline);
//! - `startup_*/read_snapshot`: memory-map a snapshot file, verify its checksum, decode it
//!   and evaluate today's ownership (`clearance::engine::snapfile::read`).
//!
//! Before criterion runs, it prints each snapshot file's size and the time to write it. The
//! benchmark allocates with mimalloc, as the `clearance` binary does, and times the reads
//! without dropping their results.

use std::time::Instant;

use clearance::engine::screen::Snapshot;
use clearance::engine::snapfile;
use criterion::{criterion_group, criterion_main, Criterion};

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Writes `snapshot` into `dir` and prints what it cost.
fn written(label: &str, snapshot: &Snapshot, dir: &std::path::Path) -> std::path::PathBuf {
    let path = dir.join(format!("{label}.clr"));
    let started = Instant::now();
    let w = snapfile::write(snapshot, &path).expect("snapshot file written");
    println!(
        "{label}: {} entities, {} names: snapshot file {:.1} MB, written in {:.2} s",
        snapshot.index.entities().len(),
        snapshot.index.name_count(),
        w.bytes as f64 / 1e6,
        started.elapsed().as_secs_f64()
    );
    path
}

fn benches(c: &mut Criterion) {
    let dir = tempfile::tempdir().expect("temporary folder");
    if let Some(config) = clearance::testing::shared_config() {
        let snapshot = Snapshot::load(&config.sources, &config.policy).expect("shared lists load");
        let path = written("shared", &snapshot, dir.path());
        drop(snapshot);
        let mut group = c.benchmark_group("startup_shared");
        group.sample_size(10);
        group.bench_function("load_lists", |b| {
            b.iter_with_large_drop(|| {
                Snapshot::load(&config.sources, &config.policy).expect("shared lists load")
            })
        });
        group.bench_function("read_snapshot", |b| {
            b.iter_with_large_drop(|| snapfile::read(&path).expect("snapshot file reads"))
        });
        group.finish();
    }

    let started = Instant::now();
    let (snapshot, _) = clearance::testing::synthetic_snapshot(1_000_000);
    println!(
        "synthetic_1m: index built in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    let path = written("synthetic_1m", &snapshot, dir.path());
    drop(snapshot);
    let mut group = c.benchmark_group("startup_synthetic_1m");
    group.sample_size(10);
    group.bench_function("read_snapshot", |b| {
        b.iter_with_large_drop(|| snapfile::read(&path).expect("snapshot file reads"))
    });
    group.finish();
}

criterion_group!(snapshot, benches);
criterion_main!(snapshot);
