//! Builds the embedded lexicon tables (`data/lexicon/zipf.fst`, `data/lexicon/given_names.tsv`)
//! from the raw files `data/lexicon/build.py` extracts. See `data/lexicon/README.md`:
//!
//! ```text
//! cargo run --release --example lexicon_build -- RAW_DIR data/lexicon
//! ```
//!
//! Every word goes through `clearance::engine::normalize::tokens`, the function that normalizes names
//! at index and screening time, so a token the matcher holds is looked up exactly as stored.
//! Words that do not come out as one lower-case ASCII token (`don't` does, as `dont`; `New
//! York`, `x2` and `—` do not) are dropped, and words that normalize alike keep the highest
//! frequency. `--dump` prints an existing table as text for review:
//!
//! ```text
//! cargo run --release --example lexicon_build -- --dump data/lexicon/zipf.fst
//! ```

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::Path;

use anyhow::{bail, ensure, Context, Result};
use fst::{IntoStreamer, Streamer};

/// Words below Zipf 3.0 (once per million words) are not in the table: the same floor as
/// `clearance::engine::lexicon::ZIPF_FLOOR` and `MIN_CENTIZIPF` in build.py.
const FLOOR_TENTHS: u32 = 30;

fn main() -> Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.as_slice() {
        [flag, table] if flag == "--dump" => dump(Path::new(table)),
        [raw, out] => {
            let (raw, out) = (Path::new(raw), Path::new(out));
            words(&raw.join("words.tsv"), &out.join("zipf.fst"))?;
            given_names(
                &[raw.join("names.csv"), out.join("given_names_extra.csv")],
                &out.join("given_names_removed.csv"),
                &out.join("given_names.tsv"),
            )
        }
        _ => bail!("usage: lexicon_build RAW_DIR OUT_DIR | lexicon_build --dump ZIPF_FST"),
    }
}

/// The one token `word` normalizes to, if it is one lower-case ASCII word.
fn single_token(word: &str) -> Option<String> {
    let mut tokens = clearance::engine::normalize::tokens(word);
    if tokens.len() != 1 || !tokens[0].bytes().all(|b| b.is_ascii_lowercase()) {
        return None;
    }
    tokens.pop()
}

/// `word<TAB>centizipf` lines → an FST map from normalized token to Zipf in tenths.
fn words(input: &Path, output: &Path) -> Result<()> {
    let text = fs::read_to_string(input).with_context(|| format!("reading {}", input.display()))?;
    let mut best: BTreeMap<String, u32> = BTreeMap::new();
    let mut dropped = 0usize;
    for (n, line) in text.lines().enumerate() {
        let (word, centizipf) = line.split_once('\t').with_context(|| {
            format!("{}:{}: expected word<TAB>centizipf", input.display(), n + 1)
        })?;
        let centizipf: u32 = centizipf
            .parse()
            .with_context(|| format!("{}:{}: bad frequency", input.display(), n + 1))?;
        let tenths = (centizipf + 5) / 10;
        if tenths < FLOOR_TENTHS {
            continue;
        }
        let Some(token) = single_token(word) else {
            dropped += 1;
            continue;
        };
        let slot = best.entry(token).or_insert(0);
        *slot = (*slot).max(tenths);
    }
    let mut builder = fst::MapBuilder::memory();
    for (token, tenths) in &best {
        builder.insert(token, u64::from(*tenths))?;
    }
    let bytes = builder.into_inner()?;
    fs::write(output, &bytes).with_context(|| format!("writing {}", output.display()))?;
    eprintln!(
        "{}: {} tokens ({} raw words dropped: not one ASCII word), {} bytes",
        output.display(),
        best.len(),
        dropped,
        bytes.len()
    );
    Ok(())
}

/// Prints a zipf.fst as `token<TAB>zipf` lines.
fn dump(table: &Path) -> Result<()> {
    let bytes = fs::read(table).with_context(|| format!("reading {}", table.display()))?;
    let map = fst::Map::new(bytes)?;
    let mut stream = map.into_stream();
    let mut out = String::new();
    while let Some((token, tenths)) = stream.next() {
        out.push_str(std::str::from_utf8(token)?);
        out.push_str(&format!("\t{}.{}\n", tenths / 10, tenths % 10));
    }
    print!("{out}");
    Ok(())
}

/// `name1,relationship,name2` rows, normalized; rows whose names are not one word are skipped.
fn read_pairs(path: &Path) -> Result<Vec<(String, String, String)>> {
    let text = fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    let mut rows = Vec::new();
    for (n, line) in text.lines().enumerate().skip(1) {
        let fields: Vec<&str> = line.split(',').map(str::trim).collect();
        let [a, relation, b] = fields.as_slice() else {
            bail!(
                "{}:{}: expected name1,relationship,name2",
                path.display(),
                n + 1
            );
        };
        ensure!(
            matches!(*relation, "has_nickname" | "has_spelling"),
            "{}:{}: unknown relationship {relation:?}",
            path.display(),
            n + 1
        );
        if let (Some(a), Some(b)) = (single_token(a), single_token(b)) {
            if a != b {
                rows.push((a, relation.to_string(), b));
            }
        }
    }
    Ok(rows)
}

/// Builds the symmetric "same given name" relation and writes one `name<TAB>variants` line per
/// name.
///
/// A `has_nickname` row relates its two names only: the data set's rows are not transitive
/// (Bill is short for William and for Robert, which are different names). A `has_spelling`
/// row (the local additions) says two names are one name written two ways, so spellings form
/// classes, and a name related to one spelling is related to all of them (Alyosha is short
/// for Aleksei, so for Alexey and Oleksii too).
fn given_names(inputs: &[std::path::PathBuf], removed: &Path, output: &Path) -> Result<()> {
    let mut rows = Vec::new();
    for input in inputs {
        rows.extend(read_pairs(input)?);
    }
    let removed: BTreeSet<(String, String)> = read_pairs(removed)?
        .into_iter()
        .flat_map(|(a, _, b)| [(a.clone(), b.clone()), (b, a)])
        .collect();
    rows.retain(|(a, _, b)| !removed.contains(&(a.clone(), b.clone())));

    // Spelling classes by union-find over the has_spelling rows.
    let mut parent: BTreeMap<String, String> = BTreeMap::new();
    fn root(parent: &BTreeMap<String, String>, x: &str) -> String {
        let mut x = x.to_string();
        while let Some(p) = parent.get(&x).filter(|p| **p != x) {
            x = p.clone();
        }
        x
    }
    for (a, relation, b) in &rows {
        parent.entry(a.clone()).or_insert_with(|| a.clone());
        parent.entry(b.clone()).or_insert_with(|| b.clone());
        if relation == "has_spelling" {
            let (ra, rb) = (root(&parent, a), root(&parent, b));
            // The smaller name becomes the root, so the classes do not depend on row order.
            if ra < rb {
                parent.insert(rb, ra);
            } else if rb < ra {
                parent.insert(ra, rb);
            }
        }
    }
    let names: Vec<String> = parent.keys().cloned().collect();
    let mut classes: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for name in &names {
        classes
            .entry(root(&parent, name))
            .or_default()
            .push(name.clone());
    }
    let class_of = |name: &str| &classes[&root(&parent, name)];

    let mut related: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let mut relate = |a: &str, b: &str| {
        if a != b {
            related
                .entry(a.to_string())
                .or_default()
                .insert(b.to_string());
            related
                .entry(b.to_string())
                .or_default()
                .insert(a.to_string());
        }
    };
    for class in classes.values() {
        for a in class {
            for b in class {
                relate(a, b);
            }
        }
    }
    for (a, _, b) in &rows {
        for x in class_of(a) {
            for y in class_of(b) {
                relate(x, y);
            }
        }
    }
    for (a, b) in &removed {
        ensure!(
            !related.get(a).is_some_and(|r| r.contains(b)),
            "{a}/{b} is listed as removed but the spelling classes relate them again"
        );
    }

    let mut out = String::new();
    for (name, variants) in &related {
        out.push_str(name);
        out.push('\t');
        out.push_str(&variants.iter().cloned().collect::<Vec<_>>().join(" "));
        out.push('\n');
    }
    fs::write(output, &out).with_context(|| format!("writing {}", output.display()))?;
    eprintln!(
        "{}: {} names, {} related pairs, {} bytes",
        output.display(),
        related.len(),
        related.values().map(BTreeSet::len).sum::<usize>() / 2,
        out.len()
    );
    Ok(())
}
