//! Lexicon lookups (criterion): `cargo bench --bench lexicon`.
//!
//! - `zipf/fst`: [`clearance::engine::lexicon::zipf`] over a mix of query words (common, rare, absent,
//!   transliterated), against `zipf/hashmap`, the same table loaded into a `HashMap` (the
//!   naive baseline, whose one-time load is also measured as `load/hashmap`);
//! - `load/fst`: opening the embedded FST, what the first [`zipf`] call does once;
//! - `given_names/*`: [`same_given_name`] and [`given_name_variants`] over name pairs.
//!
//! Before criterion runs it prints the cost of the first call of each table (loading it) in
//! this process. Every group times one pass over its word list: divide by the count printed.

use std::collections::HashMap;
use std::hint::black_box;
use std::time::Instant;

use clearance::engine::lexicon::{given_name_variants, same_given_name, zipf};
use criterion::{criterion_group, criterion_main, Criterion};
use fst::Streamer;

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

static ZIPF_FST: &[u8] = include_bytes!("../data/lexicon/zipf.fst");

/// Words a screening query holds: company and person name words, legal forms, misspellings
/// and words the table does not have.
const WORDS: [&str; 16] = [
    "huawei",
    "cloud",
    "technology",
    "singapore",
    "ltd",
    "mohammed",
    "kumar",
    "ivanov",
    "gazprom",
    "neft",
    "obshchestvo",
    "hwawei",
    "teknologies",
    "qzxv",
    "alexey",
    "sirketi",
];

const PAIRS: [(&str, &str); 8] = [
    ("bill", "william"),
    ("ted", "theodore"),
    ("aleksei", "alexei"),
    ("bill", "gill"),
    ("william", "wilma"),
    ("huawei", "cloud"),
    ("mohammed", "muhammad"),
    ("yelena", "helen"),
];

fn hashmap() -> HashMap<String, f32> {
    let map = fst::Map::new(ZIPF_FST).expect("valid FST");
    let mut out = HashMap::with_capacity(map.len());
    let mut stream = map.stream();
    while let Some((key, tenths)) = stream.next() {
        out.insert(
            String::from_utf8(key.to_vec()).unwrap(),
            tenths as f32 / 10.0,
        );
    }
    out
}

fn benches(c: &mut Criterion) {
    let started = Instant::now();
    black_box(zipf("the"));
    let zipf_first = started.elapsed();
    let started = Instant::now();
    black_box(same_given_name("bill", "william"));
    let names_first = started.elapsed();
    println!(
        "first call (table load): zipf {:.1} µs, same_given_name {:.1} µs; {} words, {} pairs per iteration",
        zipf_first.as_secs_f64() * 1e6,
        names_first.as_secs_f64() * 1e6,
        WORDS.len(),
        PAIRS.len()
    );

    let mut group = c.benchmark_group("load");
    group.bench_function("fst", |b| {
        b.iter(|| fst::Map::new(black_box(ZIPF_FST)).expect("valid FST"))
    });
    group.sample_size(10);
    group.bench_function("hashmap", |b| b.iter_with_large_drop(hashmap));
    group.finish();

    let baseline = hashmap();
    let mut group = c.benchmark_group("zipf");
    group.bench_function("fst", |b| {
        b.iter(|| {
            for word in WORDS {
                black_box(zipf(black_box(word)));
            }
        })
    });
    group.bench_function("hashmap", |b| {
        b.iter(|| {
            for word in WORDS {
                black_box(baseline.get(black_box(word)));
            }
        })
    });
    group.finish();

    let mut group = c.benchmark_group("given_names");
    group.bench_function("same_given_name", |b| {
        b.iter(|| {
            for (x, y) in PAIRS {
                black_box(same_given_name(black_box(x), black_box(y)));
            }
        })
    });
    group.bench_function("given_name_variants", |b| {
        b.iter(|| {
            for (x, _) in PAIRS {
                black_box(given_name_variants(black_box(x)).count());
            }
        })
    });
    group.finish();
}

criterion_group!(lexicon, benches);
criterion_main!(lexicon);
