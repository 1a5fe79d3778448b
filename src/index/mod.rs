//! The immutable search index over every name of every loaded entity.
//!
//! Built once per list version by [`IndexBuilder`] and never mutated, so
//! any number of threads read it without locks. It holds:
//!
//! - a token FST (normalized token → token ordinal) that Levenshtein automata are run against
//!   to find the tokens near a query token;
//! - per token ordinal: its text, its IDF weight and its postings (the names holding it);
//! - a skeleton FST (phonetic skeleton → token ordinals) for transliteration variants too far
//!   apart in edit distance;
//! - a whole-name FST keyed by a name's sorted tokens, for exact hits in any word order;
//! - the flat name table (entity ordinal, name kind, token ordinals) and the entity table.

pub mod build;

use std::collections::HashMap;

use serde::Serialize;

use crate::model::{Entity, NameKind};

pub use build::{BuildError, IndexBuilder};

/// Per-dataset facts carried by every snapshot, so a decision can be traced to a list version.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DatasetInfo {
    pub name: String,
    pub entities: usize,
    pub names: usize,
    /// The publisher's date for the list version, when it states one.
    pub as_of: Option<String>,
    /// sha256 of the source bytes (hex), when the loader read files.
    pub sha256: Option<String>,
    /// What the loader left out, and why (see [`crate::model::LoadedList::warnings`]).
    pub warnings: Vec<String>,
}

/// The part a token plays in a listed person's name. Scoring forgives an unmatched middle
/// name most, a first given name less, a surname not at all (see `matching::score`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    Given,
    Middle,
    Surname,
    /// Not (known to be) a person's name.
    Other,
}

/// Roles of a person's name tokens. OFAC writes "SURNAME, Given Middle..."; other lists and
/// callers write "Given Middle... Surname".
pub(crate) fn person_roles(raw: &str, tokens: &[String]) -> Vec<Role> {
    let n = tokens.len();
    if let Some((last, given)) = raw.split_once(',') {
        let (ls, gs) = (
            crate::normalize::tokens(last).len(),
            crate::normalize::tokens(given).len(),
        );
        if ls > 0 && gs > 0 && ls + gs == n && !given.contains(',') {
            return (0..n)
                .map(|i| match i {
                    i if i < ls => Role::Surname,
                    i if i == ls => Role::Given,
                    _ => Role::Middle,
                })
                .collect();
        }
    }
    (0..n)
        .map(|i| match i {
            0 => Role::Given,
            i if i + 1 == n => Role::Surname,
            _ => Role::Middle,
        })
        .collect()
}

/// One indexed name.
#[derive(Debug, Clone, Copy)]
pub struct IndexedName {
    pub entity: u32,
    /// Position of the name in the entity's `names`.
    pub source: u32,
    pub kind: NameKind,
    tokens_start: u32,
    tokens_len: u32,
}

/// The immutable index. See the module documentation.
pub struct Index {
    pub(crate) entities: Vec<Entity>,
    pub(crate) entity_by_id: HashMap<String, u32>,
    pub(crate) token_fst: fst::Map<Vec<u8>>,
    pub(crate) token_text: Vec<Box<str>>,
    pub(crate) token_weight: Vec<f32>,
    /// Per token: its transliteration fold and phonetic skeleton (empty if none), computed
    /// once here rather than per comparison.
    pub(crate) token_fold: Vec<Box<str>>,
    pub(crate) token_class: Vec<crate::matching::score::TokenClass>,
    pub(crate) token_skeleton: Vec<Box<str>>,
    pub(crate) postings_start: Vec<u32>,
    pub(crate) postings: Vec<u32>,
    /// Phonetic skeleton → token ordinals.
    pub(crate) skeletons: GroupedFst,
    /// Each token of 4+ letters and its variants with one letter deleted (two letters, for
    /// tokens of 8–14 letters) → token ordinals. Two words within `k` edits share a key with
    /// at most `k` deletions on each side (symmetric deletion), so a query word's neighbours
    /// are found with a few dozen lookups instead of an automaton walk.
    pub(crate) deletions: GroupedFst,
    /// Sorted-token key of a whole name → name ids.
    pub(crate) whole_names: GroupedFst,
    pub(crate) names: Vec<IndexedName>,
    /// Canonical identifier value (see [`canonical_identifier`]) → entity ordinals.
    pub(crate) identifiers: HashMap<String, Vec<u32>>,
    pub(crate) name_tokens: Vec<u32>,
    /// Parallel to `name_tokens`.
    pub(crate) name_roles: Vec<Role>,
    /// Per name: the summed weight of its words other than legal forms and stopwords.
    pub(crate) name_weights: Vec<f32>,
    /// Weight given to a query token the index has never seen: as distinctive as a token that
    /// occurs in one name.
    pub(crate) novel_weight: f32,
    pub(crate) datasets: Vec<DatasetInfo>,
    pub(crate) version: String,
}

impl Index {
    pub fn entities(&self) -> &[Entity] {
        &self.entities
    }

    pub fn entity(&self, ordinal: u32) -> &Entity {
        &self.entities[ordinal as usize]
    }

    /// Looks an entity up by its contract id (`us_ofac_sdn:306`).
    pub fn entity_by_id(&self, id: &str) -> Option<&Entity> {
        self.entity_by_id.get(id).map(|&o| self.entity(o))
    }

    /// The ordinal of the entity with contract id `id`.
    pub fn ordinal(&self, id: &str) -> Option<u32> {
        self.entity_by_id.get(id).copied()
    }

    pub fn name_count(&self) -> usize {
        self.names.len()
    }

    pub fn token_count(&self) -> usize {
        self.token_text.len()
    }

    pub fn datasets(&self) -> &[DatasetInfo] {
        &self.datasets
    }

    /// Content hash of everything that went into the index (hex, 16 chars).
    pub fn version(&self) -> &str {
        &self.version
    }

    /// Entities holding an identifier whose canonical value is `value`.
    pub(crate) fn entities_with_identifier(&self, value: &str) -> &[u32] {
        self.identifiers.get(value).map_or(&[], Vec::as_slice)
    }

    pub(crate) fn name(&self, id: u32) -> &IndexedName {
        &self.names[id as usize]
    }

    pub(crate) fn name_token_ids(&self, name: &IndexedName) -> &[u32] {
        let s = name.tokens_start as usize;
        &self.name_tokens[s..s + name.tokens_len as usize]
    }

    /// Sum of the weights of a name's non-filler tokens.
    pub(crate) fn name_weight(&self, id: u32) -> f32 {
        self.name_weights[id as usize]
    }

    pub(crate) fn name_token_roles(&self, name: &IndexedName) -> &[Role] {
        let s = name.tokens_start as usize;
        &self.name_roles[s..s + name.tokens_len as usize]
    }

    pub(crate) fn token_forms(&self, ordinal: u32) -> crate::matching::score::TokenForms<'_> {
        let o = ordinal as usize;
        crate::matching::score::TokenForms {
            text: &self.token_text[o],
            fold: &self.token_fold[o],
            skeleton: &self.token_skeleton[o],
        }
    }

    pub(crate) fn token_class(&self, ordinal: u32) -> crate::matching::score::TokenClass {
        self.token_class[ordinal as usize]
    }

    pub(crate) fn weight(&self, ordinal: u32) -> f32 {
        self.token_weight[ordinal as usize]
    }

    pub(crate) fn postings(&self, ordinal: u32) -> &[u32] {
        let o = ordinal as usize;
        &self.postings[self.postings_start[o] as usize..self.postings_start[o + 1] as usize]
    }

    pub(crate) fn token_ordinal(&self, token: &str) -> Option<u32> {
        self.token_fst.get(token).map(|v| v as u32)
    }

    pub(crate) fn skeleton_tokens(&self, skeleton: &str) -> &[u32] {
        self.skeletons.get(skeleton)
    }

    /// Names whose sorted token key equals `key` exactly.
    pub(crate) fn whole_name_matches(&self, key: &str) -> &[u32] {
        self.whole_names.get(key)
    }
}

/// An FST from keys to groups of `u32` members (token ordinals or name ids).
pub(crate) struct GroupedFst {
    fst: fst::Map<Vec<u8>>,
    start: Vec<u32>,
    members: Vec<u32>,
}

impl GroupedFst {
    /// Builds from `(key, member)` pairs in any order; duplicates are dropped.
    pub(crate) fn build(mut pairs: Vec<(String, u32)>) -> Result<GroupedFst, fst::Error> {
        pairs.sort_unstable();
        pairs.dedup();
        let mut builder = fst::MapBuilder::memory();
        let mut start = Vec::new();
        let mut members = Vec::with_capacity(pairs.len());
        let mut last: Option<&str> = None;
        for (key, member) in &pairs {
            if last != Some(key.as_str()) {
                builder.insert(key, start.len() as u64)?;
                start.push(members.len() as u32);
                last = Some(key);
            }
            members.push(*member);
        }
        start.push(members.len() as u32);
        Ok(GroupedFst {
            fst: builder.into_map(),
            start,
            members,
        })
    }

    pub(crate) fn get(&self, key: &str) -> &[u32] {
        match self.fst.get(key) {
            Some(g) => {
                let g = g as usize;
                &self.members[self.start[g] as usize..self.start[g + 1] as usize]
            }
            None => &[],
        }
    }
}

/// `word` with each one of its characters deleted in turn (ASCII tokens only).
pub(crate) fn deletions(word: &str) -> impl Iterator<Item = String> + '_ {
    (0..word.len()).map(move |i| {
        let mut v = String::with_capacity(word.len() - 1);
        v.push_str(&word[..i]);
        v.push_str(&word[i + 1..]);
        v
    })
}

/// The key of the whole-name FST: tokens sorted and joined, so word order does not matter.
pub(crate) fn whole_key<S: AsRef<str>>(tokens: &[S]) -> String {
    let mut sorted: Vec<&str> = tokens.iter().map(AsRef::as_ref).collect();
    sorted.sort_unstable();
    sorted.join(" ")
}

/// Canonical form of an identifier value for comparison: ASCII alphanumerics only, upper-case,
/// so "AB 123-456" and "ab123456" are the same document number.
pub fn canonical_identifier(v: &str) -> String {
    v.chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_uppercase())
        .collect()
}
