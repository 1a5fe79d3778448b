//! Test and benchmark support: locating the shared real-list data, and a deterministic
//! synthetic index for measurements at a million names.
//!
//! The real lists live outside the repository (`../shared/data` beside the checkout, or the
//! folder named by `CLEARANCE_SHARED_DATA`). A user's fresh clone has no such folder: tests that
//! need it print a notice and skip. CI sets `CLEARANCE_REQUIRE_SHARED_DATA=1`, which turns the
//! skip into a failure so that a missing folder cannot pass silently.

use std::path::{Path, PathBuf};

use crate::engine::index::IndexBuilder;
use crate::engine::lists::{ListFormat, Source};
use crate::engine::model::{Entity, EntityKind, LoadedList, Name, NameKind};
use crate::engine::policy::Policy;
use crate::engine::screen::Snapshot;

/// The shared data folder, or `None` (after printing a notice) when it is absent and not
/// required.
///
/// # Panics
/// When the folder is absent and `CLEARANCE_REQUIRE_SHARED_DATA=1`.
pub fn shared_data() -> Option<PathBuf> {
    let dir = std::env::var_os("CLEARANCE_SHARED_DATA")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/data"));
    if dir.join("README.md").is_file() {
        return Some(dir);
    }
    if std::env::var("CLEARANCE_REQUIRE_SHARED_DATA").as_deref() == Ok("1") {
        panic!(
            "shared list data not found at {} but CLEARANCE_REQUIRE_SHARED_DATA=1",
            dir.display()
        );
    }
    eprintln!(
        "notice: skipping: shared list data not found at {} (set CLEARANCE_SHARED_DATA)",
        dir.display()
    );
    None
}

/// The OFAC SDN list of `year` in the shared data folder `data` (`ofac-sdn-2019`,
/// `ofac-sdn-2021`), as dataset `us_ofac_sdn`: the two versions the monitoring tests and
/// benchmark re-screen between.
pub fn sdn_source(data: &Path, year: u32) -> Source {
    Source {
        dataset: "us_ofac_sdn".into(),
        format: ListFormat::OfacCsv,
        path: data.join(format!("ofac-sdn-{year}")),
        skip_sdn_rows: None,
        download: None,
    }
}

/// The given names (first words) and family names (last words) of the evaluation book's
/// names of two words or more (`eval/book.csv` beside the shared data folder `data`): real
/// name shapes from many cultures, for making synthetic books of them.
///
/// # Panics
/// When the book does not read.
pub fn eval_book_name_parts(data: &Path) -> (Vec<String>, Vec<String>) {
    let book = crate::engine::batch::read_input(&data.join("../eval/book.csv"))
        .expect("the evaluation book reads");
    let (mut given, mut family) = (Vec::new(), Vec::new());
    for row in &book {
        let words: Vec<&str> = row.party.name.split_whitespace().collect();
        if let [first, .., last] = words.as_slice() {
            given.push(first.to_string());
            family.push(last.to_string());
        }
    }
    (given, family)
}

/// The SDN 2021 list without its `k` newest entries (the highest entry numbers: OFAC numbers
/// its entries in the order it designates them) and their ownership records: with the whole
/// list, a change of the size the lists publish in a week, a week's designations one way and
/// delistings the other.
///
/// # Panics
/// When the list does not load.
pub fn sdn_2021_without_newest(data: &Path, k: usize, policy: &Policy) -> Snapshot {
    let source = sdn_source(data, 2021);
    let options = crate::engine::lists::load_options(std::slice::from_ref(&source), &source);
    let mut list =
        crate::engine::lists::load(source.format, &source.dataset, &source.path, &options)
            .expect("SDN 2021 loads");
    let number = |id: &str| {
        id.rsplit(':')
            .next()
            .and_then(|n| n.parse::<u64>().ok())
            .unwrap_or(0)
    };
    let mut numbers: Vec<u64> = list.entities.iter().map(|e| number(&e.id)).collect();
    numbers.sort_unstable();
    let cut = numbers[numbers.len().saturating_sub(k)];
    let (kept, gone): (Vec<_>, Vec<_>) = std::mem::take(&mut list.entities)
        .into_iter()
        .partition(|e| number(&e.id) < cut);
    list.entities = kept;
    let gone: std::collections::HashSet<String> = gone.into_iter().map(|e| e.id).collect();
    list.ownership
        .retain(|o| !gone.contains(&o.owner) && !gone.contains(&o.owned));
    let edges = std::mem::take(&mut list.ownership);
    let mut builder = IndexBuilder::new();
    builder.add_list(list, Some(format!("sdn-2021-without-{k}-newest")));
    Snapshot::with_ownership(builder.build().expect("an index"), policy.clone(), edges)
}

/// xorshift64*: a tiny deterministic generator so the synthetic index is the same every run.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[(self.next() % items.len() as u64) as usize]
    }
}

const SYLLABLES: &[&str] = &[
    "ka", "ro", "mi", "sa", "lo", "ve", "dan", "tor", "el", "har", "zu", "pet", "nik", "ol", "ba",
    "rin", "go", "shi", "al", "mar", "te", "qu", "ian", "us", "ber", "kov", "li", "na", "der",
    "fa", "wen", "jo", "ha", "din", "ko", "ra", "sen", "vi", "lu", "mo",
];
const ORG_WORDS: &[&str] = &[
    "trading",
    "shipping",
    "holdings",
    "industries",
    "bank",
    "group",
    "technology",
    "energy",
    "logistics",
    "capital",
    "systems",
    "international",
    "petroleum",
    "aviation",
    "marine",
];
const LEGAL: &[&str] = &["Ltd", "LLC", "Co., Ltd.", "GmbH", "S.A.", "JSC", "Inc.", ""];

fn word(rng: &mut Rng) -> String {
    let n = 2 + (rng.next() % 2) as usize;
    let mut w = String::new();
    for _ in 0..n {
        w.push_str(rng.pick(SYLLABLES));
    }
    w
}

fn synthetic_name(rng: &mut Rng) -> (String, EntityKind) {
    if rng.next() % 2 == 0 {
        let parts = 2 + (rng.next() % 2) as usize;
        let name: Vec<String> = (0..parts).map(|_| word(rng)).collect();
        (name.join(" "), EntityKind::Person)
    } else {
        let name = format!("{} {} {}", word(rng), rng.pick(ORG_WORDS), rng.pick(LEGAL));
        (name.trim().to_string(), EntityKind::Organization)
    }
}

/// One edit in the middle of the name, as a typist would make.
fn typo(name: &str, rng: &mut Rng) -> String {
    let mut chars: Vec<char> = name.chars().collect();
    let i = 1 + (rng.next() as usize % (chars.len() - 2));
    match rng.next() % 3 {
        0 => {
            chars.remove(i);
        }
        1 => chars.swap(i, i + 1),
        _ => chars[i] = 'x',
    }
    chars.into_iter().collect()
}

/// A deterministic index of `names` generated person and company names (one per entity),
/// with queries: for every 1,000th name a one-typo copy of it and an unrelated generated
/// name. For benchmarks and start-up measurements at scale.
pub fn synthetic_snapshot(names: usize) -> (Snapshot, Vec<String>) {
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let mut entities = Vec::with_capacity(names);
    let mut queries = Vec::new();
    for i in 0..names {
        let (name, kind) = synthetic_name(&mut rng);
        if i % 1000 == 0 {
            queries.push(typo(&name, &mut rng));
            let (unrelated, _) = synthetic_name(&mut rng);
            queries.push(unrelated);
        }
        entities.push(Entity {
            id: format!("synthetic:{i}"),
            dataset: "synthetic".into(),
            kind,
            names: vec![Name {
                value: name,
                kind: NameKind::Primary,
            }],
            ..Entity::default()
        });
    }
    let mut builder = IndexBuilder::new();
    builder.add_list(
        LoadedList {
            dataset: "synthetic".into(),
            entities,
            ..LoadedList::default()
        },
        None,
    );
    let snapshot = Snapshot::new(
        builder.build().expect("synthetic ids are unique"),
        Policy::default(),
    );
    (snapshot, queries)
}
