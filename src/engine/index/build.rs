//! Building an [`Index`] from loaded entities.
//!
//! Every name is normalized once here; tokens are interned into a sorted dictionary (FSTs need
//! sorted, unique keys) whose ordinals then key the postings and weights.

use std::collections::{BTreeMap, HashMap};

use sha2::{Digest, Sha256};

use super::{
    acronym_keys, canonical_identifier, deletions, parenthesised_acronym, person_roles, whole_key,
    DatasetInfo, GroupedFst, Index, IndexedName, Role,
};
use crate::engine::matching::score::TokenClass;
use crate::engine::model::EntityKind;
use crate::engine::model::{Entity, LoadedList};
use crate::engine::normalize::{class_spelling, is_filler, phonetic_keys, tokens, translit_fold};

/// Weight of legal-form and stopword tokens, in IDF units: they count a little, so that "Bank
/// of Cuba" still prefers "Bank of Cuba" to "Bank Cuba", but never decide a match.
pub(crate) const FILLER_WEIGHT: f32 = 0.4;

#[derive(Debug, thiserror::Error)]
pub enum BuildError {
    #[error("entity id {id:?} occurs twice (datasets {first} and {second})")]
    DuplicateId {
        id: String,
        first: String,
        second: String,
    },
    #[error("building an FST failed: {0}")]
    Fst(#[from] fst::Error),
    #[error("the index would hold {0} names, more than the 4 billion it can address")]
    TooLarge(usize),
}

/// Weight of a single-letter token (an initial): it says little on its own.
pub(crate) const INITIAL_WEIGHT: f32 = 0.6;

/// Query words up to this length find their neighbours through deletion keys; longer ones
/// run a Levenshtein DFA over the token FST.
pub(crate) const DELETION_KEYS_MAX_LEN: usize = 12;

/// Collects lists, then builds the immutable [`Index`].
#[derive(Default)]
pub struct IndexBuilder {
    entities: Vec<Entity>,
    datasets: Vec<DatasetInfo>,
    hasher: Sha256,
}

impl IndexBuilder {
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a loaded list. `sha256` is the digest of the source bytes, if known.
    pub fn add_list(&mut self, list: LoadedList, sha256: Option<String>) {
        let names = list.entities.iter().map(|e| e.names.len()).sum();
        self.hasher.update(list.dataset.as_bytes());
        match &sha256 {
            Some(h) => self.hasher.update(h.as_bytes()),
            None => {
                for e in &list.entities {
                    self.hasher.update(e.id.as_bytes());
                    for n in &e.names {
                        self.hasher.update(n.value.as_bytes());
                    }
                }
            }
        }
        self.datasets.push(DatasetInfo {
            name: list.dataset,
            entities: list.entities.len(),
            names,
            as_of: list.as_of,
            sha256,
            warnings: list.warnings,
        });
        self.entities.extend(list.entities);
    }

    /// Builds the index. Fails on duplicate entity ids, which would make hits ambiguous.
    pub fn build(self) -> Result<Index, BuildError> {
        let IndexBuilder {
            entities,
            datasets,
            hasher,
        } = self;
        let version = hasher
            .finalize()
            .iter()
            .take(8)
            .map(|b| format!("{b:02x}"))
            .collect::<String>();

        let mut ids_sorted: Vec<u32> = (0..entities.len() as u32).collect();
        ids_sorted.sort_unstable_by(|&a, &b| entities[a as usize].id.cmp(&entities[b as usize].id));
        for pair in ids_sorted.windows(2) {
            let (first, second) = (&entities[pair[0] as usize], &entities[pair[1] as usize]);
            if first.id == second.id {
                return Err(BuildError::DuplicateId {
                    id: second.id.clone(),
                    first: first.dataset.clone(),
                    second: second.dataset.clone(),
                });
            }
        }

        // Normalize every name once; drop names that normalize to nothing and duplicates
        // within one entity (e.g. "ACME LTD" and "Acme Limited").
        struct Pending {
            entity: u32,
            source: u32,
            kind: crate::engine::model::NameKind,
            tokens: Vec<String>,
            roles: Vec<Role>,
        }
        let mut pending = Vec::new();
        for (ei, e) in entities.iter().enumerate() {
            let mut seen: Vec<Vec<String>> = Vec::new();
            for (si, n) in e.names.iter().enumerate() {
                let toks = tokens(&n.value);
                if toks.is_empty() || seen.contains(&toks) {
                    continue;
                }
                seen.push(toks.clone());
                // Unknown-kind entries (DPL, ITAR) are mostly people; treating their names as
                // person names only makes dropped middle words cheaper.
                let roles = match e.kind {
                    EntityKind::Person | EntityKind::Unknown => person_roles(&n.value, &toks),
                    _ => vec![Role::Other; toks.len()],
                };
                let acronym = match e.kind {
                    EntityKind::Person | EntityKind::Unknown => None,
                    _ => parenthesised_acronym(&n.value, &toks),
                };
                pending.push(Pending {
                    roles,
                    entity: ei as u32,
                    source: si as u32,
                    kind: n.kind,
                    tokens: toks,
                });
                // The acronym a name gives itself is a weak alias of its own, read from the
                // name: the explanation shows the name it was read from.
                if let Some(a) = acronym.map(|a| vec![a]) {
                    if !seen.contains(&a) {
                        seen.push(a.clone());
                        pending.push(Pending {
                            roles: vec![Role::Other],
                            entity: ei as u32,
                            source: si as u32,
                            kind: crate::engine::model::NameKind::Weak,
                            tokens: a,
                        });
                    }
                }
            }
        }
        if pending.len() > u32::MAX as usize {
            return Err(BuildError::TooLarge(pending.len()));
        }

        let scale = names_scale(pending.len());
        // Token dictionary with document frequencies (in names).
        let mut dict: BTreeMap<&str, u32> = BTreeMap::new();
        for p in &pending {
            let mut uniq: Vec<&str> = p.tokens.iter().map(String::as_str).collect();
            uniq.sort_unstable();
            uniq.dedup();
            for t in uniq {
                *dict.entry(t).or_insert(0) += 1;
            }
        }
        let mut token_text = Vec::with_capacity(dict.len());
        let mut token_weight = Vec::with_capacity(dict.len());
        let mut token_class = Vec::with_capacity(dict.len());
        let mut ordinal_of: HashMap<&str, u32> = HashMap::with_capacity(dict.len());
        let mut token_builder = fst::MapBuilder::memory();
        for (i, (&t, &df)) in dict.iter().enumerate() {
            token_builder.insert(t, i as u64)?;
            ordinal_of.insert(t, i as u32);
            token_text.push(Box::<str>::from(t));
            let class = TokenClass::of(t, is_filler(t));
            token_class.push(class);
            token_weight.push(token_weight_for(t, class, df as usize, scale));
        }
        let token_fst = token_builder.into_map();

        // Names table and postings.
        let mut names = Vec::with_capacity(pending.len());
        let mut name_tokens = Vec::new();
        let mut name_roles = Vec::new();
        let mut post_lists: Vec<Vec<u32>> = vec![Vec::new(); token_text.len()];
        let mut whole: Vec<(String, u32)> = Vec::with_capacity(pending.len());
        for (ni, p) in pending.iter().enumerate() {
            let start = name_tokens.len() as u32;
            name_roles.extend_from_slice(&p.roles);
            for t in &p.tokens {
                let o = ordinal_of[t.as_str()];
                name_tokens.push(o);
                let list = &mut post_lists[o as usize];
                if list.last() != Some(&(ni as u32)) {
                    list.push(ni as u32);
                }
            }
            names.push(IndexedName {
                entity: p.entity,
                source: p.source,
                kind: p.kind,
                tokens_start: start,
                tokens_len: p.tokens.len() as u32,
            });
            whole.push((whole_key(&p.tokens), ni as u32));
            if entities[p.entity as usize].kind != EntityKind::Person {
                whole.extend(acronym_keys(&p.tokens).into_iter().map(|k| (k, ni as u32)));
            }
        }
        let mut postings_start = Vec::with_capacity(post_lists.len() + 1);
        let mut postings = Vec::with_capacity(name_tokens.len());
        for list in post_lists {
            postings_start.push(postings.len() as u32);
            postings.extend(list);
        }
        postings_start.push(postings.len() as u32);

        let whole_names = GroupedFst::build(whole)?;
        let name_weights = names
            .iter()
            .map(|n| {
                let s = n.tokens_start as usize;
                name_tokens[s..s + n.tokens_len as usize]
                    .iter()
                    .filter(|&&o| token_class[o as usize] != TokenClass::Filler)
                    .map(|&o| token_weight[o as usize])
                    .sum()
            })
            .collect();

        let mut skeletons: Vec<(String, u32)> = Vec::new();
        let mut deletion_keys: Vec<(String, u32)> = Vec::new();
        let mut token_skeleton = Vec::with_capacity(token_text.len());
        let mut token_spelling = Vec::with_capacity(token_text.len());
        let mut token_fold = Vec::with_capacity(token_text.len());
        for (i, t) in token_text.iter().enumerate() {
            token_fold.push(Box::<str>::from(translit_fold(t)));
            // Every romanization key of the token (and the syllable fold of a short one),
            // kept space-separated for scoring and each indexed for candidates.
            let keys = phonetic_keys(t);
            for k in keys.split(' ').filter(|k| !k.is_empty()) {
                skeletons.push((k.to_string(), i as u32));
            }
            token_skeleton.push(Box::<str>::from(keys.as_str()));
            token_spelling.push(Box::<str>::from(class_spelling(t)));
            if t.len() >= 4 && t.is_ascii() {
                deletion_keys.push((t.to_string(), i as u32));
                for d in deletions(t) {
                    // Words with a two-edit budget also get their two-letter deletions, up to
                    // the length where the query side stops using keys (see candidates.rs).
                    if (8..=DELETION_KEYS_MAX_LEN + 2).contains(&t.len()) {
                        deletion_keys.extend(deletions(&d).map(|dd| (dd, i as u32)));
                    }
                    deletion_keys.push((d, i as u32));
                }
            }
        }
        let skeletons = GroupedFst::build(skeletons)?;
        let deletions = GroupedFst::build(deletion_keys)?;

        let mut identifiers: HashMap<String, Vec<u32>> = HashMap::new();
        for (ei, e) in entities.iter().enumerate() {
            for id in &e.identifiers {
                let v = canonical_identifier(&id.value);
                // Short values ("1", "A12") are not identifying on their own.
                if v.len() >= 5 {
                    let list = identifiers.entry(v).or_default();
                    if list.last() != Some(&(ei as u32)) {
                        list.push(ei as u32);
                    }
                }
            }
        }

        let mut index = Index {
            neighbour_start: Vec::new(),
            neighbours: Vec::new(),
            token_rarity: Vec::new(),
            identifiers,
            entities,
            ids_sorted,
            token_fst,
            token_text,
            token_weight,
            token_fold,
            token_class,
            token_skeleton,
            token_spelling,
            postings_start,
            postings,
            skeletons,
            deletions,
            whole_names,
            names,
            name_tokens,
            name_roles,
            name_weights,
            novel_weight: (scale + 1.0).ln(),
            datasets,
            version,
        };
        // Tables computed from the index itself: what a query word equal to each token
        // stands for, and how rare it is.
        let (start, neighbours) = crate::engine::matching::candidates::neighbour_table(&index);
        index.neighbour_start = start;
        index.neighbours = neighbours;
        index.token_rarity = (0..index.token_count() as u32)
            .map(|o| {
                crate::engine::matching::token_rarity(
                    &index,
                    &index.token_text[o as usize],
                    Some(o),
                )
            })
            .collect();
        Ok(index)
    }
}

/// Weight of an indexed token: how much it says about identity. Legal forms and stopwords
/// get the fixed filler weight, initials theirs; a word weighs what the world's usage says
/// when the word is in the world's word-frequency table ([`world_weight`]), otherwise its
/// IDF over the loaded names.
///
/// Inside the lists, frequency misleads: the Entity List holds about 150 Huawei names, so
/// "huawei" looks common there and "cloud" or "computing" rare; in the world it is the other
/// way round, and the world is where queries come from. The list still counts for a word
/// the lists use far more than the world does ("mohammed" across thousands of listed
/// people): the weight is at most [`LIST_MARGIN`] above the list IDF.
///
/// The IDF is taken over the lists' size rounded up to a power of two ([`names_scale`]) and a
/// word's count of names in its class ([`df_class`]), not over the exact counts: a weight then
/// moves only when its own word's class does (or the lists double or halve). Were it exact,
/// every designation would move every score a little, and a party at a threshold could cross
/// it with no entry it resembles changed, which no re-screening by difference can find.
pub(crate) fn token_weight_for(token: &str, class: TokenClass, df: usize, scale: f32) -> f32 {
    match class {
        TokenClass::Filler => FILLER_WEIGHT,
        TokenClass::Initial => INITIAL_WEIGHT,
        TokenClass::Word => {
            let idf = ((scale + 1.0) / (class_count(df_class(df)) + 0.5))
                .ln()
                .max(1.0);
            match world_weight(token) {
                Some(w) => w.min(idf + LIST_MARGIN).max(1.0),
                None => idf,
            }
        }
    }
}

/// The number of names IDF weights are taken over: the names indexed, rounded up to a power
/// of two, so that it stays put while the lists change within an octave: 65,536 for the
/// 36,334 names of `config/shared-data.toml`'s lists, 32,768 for OFAC's SDN list alone.
fn names_scale(names: usize) -> f32 {
    2f32.powi((names.max(1) as f32).log2().ceil() as i32)
}

/// A word's count of names (its document frequency) as weights read it: exact up to 8, then
/// in classes a quarter of an octave wide (9, 10–11, 12–13, 14–15, 16–19, ...), so a word in
/// hundreds of names moves to the next class about once per fifth more names, not on every
/// one. Weights read only the class, and re-screening by difference the classes that changed.
pub fn df_class(df: usize) -> u32 {
    if df <= 8 {
        df as u32
    } else {
        // 4·log2(df) is 12 at df = 8, so classes above 8 start at 9.
        (4.0 * (df as f64).log2()).floor() as u32 - 3
    }
}

/// The count of names a class stands for: itself up to 8, then the geometric middle of the
/// class.
fn class_count(class: u32) -> f32 {
    if class <= 8 {
        class as f32
    } else {
        2f32.powf((class as f32 + 3.5) / 4.0)
    }
}

/// How far a word the world knows may weigh above its IDF in the lists.
const LIST_MARGIN: f32 = 2.0;

/// The weight the world's usage gives a word (see [`crate::engine::lexicon::zipf`]), in IDF-like
/// units: 9 at a Zipf frequency of 3 (once per million words, the table's floor: "gupta",
/// "saleh"), falling by 7/3 per Zipf unit to 2 at Zipf 6 ("international", "general"), never
/// below 1. `None` for a word the table lacks (rarer than its floor, or not a word of its
/// languages: most transliterated names).
///
/// A word naming a kind of organisation ([`crate::engine::normalize::DESIGNATORS`]:
/// "institute", "comercializadora") weighs [`DESIGNATOR_WEIGHT`] at most, whether ordinary
/// text uses it much or not at all: company names in general use it.
pub fn world_weight(token: &str) -> Option<f32> {
    let usage = crate::engine::lexicon::zipf(token).map(|z| (9.0 - (z - 3.0) * 7.0 / 3.0).max(1.0));
    if crate::engine::normalize::is_designator(token) {
        return Some(usage.map_or(DESIGNATOR_WEIGHT, |w| w.min(DESIGNATOR_WEIGHT)));
    }
    usage
}

/// The weight of a word naming a kind of organisation: that of a word at Zipf 6 in ordinary
/// text ("international", "general").
pub const DESIGNATOR_WEIGHT: f32 = 2.0;
