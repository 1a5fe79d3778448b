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

mod acronym;
pub mod build;
mod grouped;

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use crate::engine::model::{Entity, NameKind};

pub(crate) use acronym::{
    acronym_key, acronym_keys, parenthesised_acronym, ACRONYM_MARK, MAX_ACRONYM,
};
pub(crate) use grouped::GroupedFst;

pub use build::{BuildError, IndexBuilder};

/// Per-dataset facts carried by every snapshot, so a decision can be traced to a list version.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DatasetInfo {
    pub name: String,
    pub entities: usize,
    pub names: usize,
    /// The publisher's date for the list version, when it states one.
    pub as_of: Option<String>,
    /// sha256 of the source bytes (hex), when the loader read files.
    pub sha256: Option<String>,
    /// What the loader left out, and why (see [`crate::engine::model::LoadedList::warnings`]).
    pub warnings: Vec<String>,
}

/// The part a token plays in a listed person's name. Scoring forgives an unmatched middle
/// name most, a first given name less, a surname not at all (see `matching::score`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Role {
    Given,
    Middle,
    Surname,
    /// A father's or ancestor's name: after a nasab connector ("bin", "ould"), or an East
    /// Slavic patronymic ("Vladimirovich"). Optional like a middle name, but not a given
    /// name: "Salman bin Muhammad" is not "Muhammad bin Salman".
    Patronym,
    /// Not (known to be) a person's name.
    Other,
}

/// Roles of a person's name tokens. OFAC writes "SURNAME, Given Middle..."; other lists and
/// callers write "Given Middle... Surname".
pub(crate) fn person_roles(raw: &str, tokens: &[String]) -> Vec<Role> {
    let n = tokens.len();
    let mut roles: Vec<Role> = 'order: {
        if let Some((last, given)) = raw.split_once(',') {
            let (ls, gs) = (
                crate::engine::normalize::tokens(last).len(),
                crate::engine::normalize::tokens(given).len(),
            );
            if ls > 0 && gs > 0 && ls + gs == n && !given.contains(',') {
                break 'order (0..n)
                    .map(|i| match i {
                        // A second family name (Spanish and Portuguese "paternal maternal")
                        // is often dropped, like a middle name.
                        0 => Role::Surname,
                        i if i < ls => Role::Middle,
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
    };
    // After a nasab connector come the ancestors' names (the family name stays the family
    // name); patronymics are recognised by their ending.
    let mut after_connector = false;
    for (t, role) in tokens.iter().zip(roles.iter_mut()) {
        if crate::engine::normalize::is_nasab_connector(t) {
            after_connector = true;
            continue;
        }
        if *role == Role::Middle && (after_connector || crate::engine::normalize::is_patronymic(t))
        {
            *role = Role::Patronym;
        }
    }
    roles
}

/// One indexed name.
#[derive(Debug, Clone, Copy, Serialize, Deserialize)]
pub struct IndexedName {
    pub entity: u32,
    /// Position of the name in the entity's `names`.
    pub source: u32,
    pub kind: NameKind,
    tokens_start: u32,
    tokens_len: u32,
}

/// The immutable index. See the module documentation.
///
/// It serializes (with serde) to the snapshot file format, see [`crate::engine::snapfile`].
#[derive(Serialize, Deserialize)]
pub struct Index {
    #[serde(deserialize_with = "exact_vec")]
    pub(crate) entities: Vec<Entity>,
    /// Entity ordinals sorted by entity id, for lookups by id (binary search): as fast as a
    /// hash map for the few lookups a request makes, and stored as is in a snapshot file.
    #[serde(deserialize_with = "exact_vec")]
    pub(crate) ids_sorted: Vec<u32>,
    #[serde(with = "fst_bytes")]
    pub(crate) token_fst: fst::Map<Vec<u8>>,
    #[serde(deserialize_with = "exact_vec")]
    pub(crate) token_text: Vec<Box<str>>,
    #[serde(deserialize_with = "exact_vec")]
    pub(crate) token_weight: Vec<f32>,
    /// Per token: its transliteration fold and phonetic skeleton (empty if none), computed
    /// once here rather than per comparison.
    #[serde(deserialize_with = "exact_vec")]
    pub(crate) token_fold: Vec<Box<str>>,
    #[serde(deserialize_with = "exact_vec")]
    pub(crate) token_class: Vec<crate::engine::matching::score::TokenClass>,
    #[serde(deserialize_with = "exact_vec")]
    pub(crate) token_skeleton: Vec<Box<str>>,
    /// Per token: its class spelling (see [`crate::engine::normalize::class_spelling`]), which
    /// romanization variants are compared on.
    #[serde(deserialize_with = "exact_vec")]
    pub(crate) token_spelling: Vec<Box<str>>,
    #[serde(deserialize_with = "exact_vec")]
    pub(crate) postings_start: Vec<u32>,
    #[serde(deserialize_with = "exact_vec")]
    pub(crate) postings: Vec<u32>,
    /// Phonetic skeleton → token ordinals.
    pub(crate) skeletons: GroupedFst,
    /// Each token of 4+ letters and its variants with one letter deleted (two letters, for
    /// tokens of 8–14 letters) → token ordinals. Two words within `k` edits share a key with
    /// at most `k` deletions on each side (symmetric deletion), so a query word's neighbours
    /// are found with a few dozen lookups instead of an automaton walk.
    pub(crate) deletions: GroupedFst,
    /// Per token: the spellings a query word equal to it stands for (itself, its edit
    /// neighbours, its romanization and given-name variants, at most
    /// [`crate::engine::matching::candidates::MAX_EXPANSIONS`]), as offsets into `neighbours`;
    /// computed once at build time by [`crate::engine::matching::candidates::neighbour_table`].
    #[serde(deserialize_with = "exact_vec")]
    pub(crate) neighbour_start: Vec<u32>,
    #[serde(deserialize_with = "exact_vec")]
    pub(crate) neighbours: Vec<crate::engine::matching::candidates::Expansion>,
    /// Per token: how rare the word is in the world (see
    /// [`crate::engine::matching::token_rarity`]).
    #[serde(deserialize_with = "exact_vec")]
    pub(crate) token_rarity: Vec<f32>,
    /// Sorted-token key of a whole name → name ids.
    pub(crate) whole_names: GroupedFst,
    #[serde(deserialize_with = "exact_vec")]
    pub(crate) names: Vec<IndexedName>,
    /// Canonical identifier value (see [`canonical_identifier`]) → entity ordinals.
    pub(crate) identifiers: HashMap<String, Vec<u32>>,
    #[serde(deserialize_with = "exact_vec")]
    pub(crate) name_tokens: Vec<u32>,
    /// Parallel to `name_tokens`.
    #[serde(deserialize_with = "exact_vec")]
    pub(crate) name_roles: Vec<Role>,
    /// Per name: the summed weight of its words other than legal forms and stopwords.
    #[serde(deserialize_with = "exact_vec")]
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
        self.ordinal(id).map(|o| self.entity(o))
    }

    /// The ordinal of the entity with contract id `id`.
    pub fn ordinal(&self, id: &str) -> Option<u32> {
        self.ids_sorted
            .binary_search_by(|&o| self.entities[o as usize].id.as_str().cmp(id))
            .ok()
            .map(|i| self.ids_sorted[i])
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

    pub(crate) fn token_forms(
        &self,
        ordinal: u32,
    ) -> crate::engine::matching::score::TokenForms<'_> {
        let o = ordinal as usize;
        crate::engine::matching::score::TokenForms {
            text: &self.token_text[o],
            fold: &self.token_fold[o],
            skeleton: &self.token_skeleton[o],
            spelling: &self.token_spelling[o],
        }
    }

    /// The spellings a query word equal to token `ordinal` stands for (see
    /// `neighbour_start`).
    pub(crate) fn neighbours(
        &self,
        ordinal: u32,
    ) -> impl Iterator<Item = crate::engine::matching::candidates::Expansion> + '_ {
        let o = ordinal as usize;
        self.neighbours[self.neighbour_start[o] as usize..self.neighbour_start[o + 1] as usize]
            .iter()
            .copied()
    }

    pub(crate) fn rarity(&self, ordinal: u32) -> f32 {
        self.token_rarity[ordinal as usize]
    }

    pub(crate) fn token_class(&self, ordinal: u32) -> crate::engine::matching::score::TokenClass {
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
        // Bounded so that an FST from a damaged file cannot index past the token table.
        self.token_fst
            .get(token)
            .filter(|&v| v < self.token_text.len() as u64)
            .map(|v| v as u32)
    }

    /// The longest run of `pieces`, from the first, at least two pieces long, whose
    /// concatenation is a token of the index of at least `min_len` bytes and for whose end
    /// (the number of pieces) `ok` holds. Walks the token FST byte by byte, so a run stops
    /// as soon as no token starts with it: one pass instead of a lookup per run.
    pub(crate) fn longest_joined(
        &self,
        pieces: &[String],
        min_len: usize,
        ok: impl Fn(usize) -> bool,
    ) -> Option<usize> {
        let fst = self.token_fst.as_fst();
        let mut node = fst.root();
        let mut len = 0;
        let mut best = None;
        for (k, piece) in pieces.iter().enumerate() {
            for b in piece.bytes() {
                let Some(i) = node.find_input(b) else {
                    return best;
                };
                node = fst.node(node.transition(i).addr);
            }
            len += piece.len();
            if k >= 1 && len >= min_len && node.is_final() && ok(k + 1) {
                best = Some(k + 1);
            }
        }
        best
    }

    /// Calls `found` with every length `n` for which `s[..n]` is a token of the index, shortest
    /// first, in one walk of the token FST.
    pub(crate) fn token_prefixes(&self, s: &str, mut found: impl FnMut(usize)) {
        let fst = self.token_fst.as_fst();
        let mut node = fst.root();
        for (i, b) in s.bytes().enumerate() {
            let Some(t) = node.find_input(b) else {
                return;
            };
            node = fst.node(node.transition(t).addr);
            if node.is_final() {
                found(i + 1);
            }
        }
    }

    pub(crate) fn skeleton_tokens(&self, skeleton: &str) -> &[u32] {
        self.skeletons.get(skeleton)
    }

    /// Every acronym key (`^` and the initials) under which organisations' names are found,
    /// with those names' ids, in key order.
    pub(crate) fn acronym_groups(&self, found: impl FnMut(&str, &[u32])) {
        self.whole_names
            .with_prefix(&ACRONYM_MARK.to_string(), found);
    }

    /// Names whose sorted token key equals `key` exactly.
    pub(crate) fn whole_name_matches(&self, key: &str) -> &[u32] {
        self.whole_names.get(key)
    }
}

impl Index {
    /// Checks the invariants that lookups rely on, so that an index read from a file (whose
    /// checksum matched, yet which another build may have written wrongly) cannot make a
    /// request index out of bounds. Linear in the index size; says what is wrong.
    pub(crate) fn check(&self) -> Result<(), String> {
        let (entities, names, tokens) =
            (self.entities.len(), self.names.len(), self.token_text.len());
        if self.ids_sorted.len() != entities {
            return Err(format!(
                "{} id entries for {entities} entities",
                self.ids_sorted.len()
            ));
        }
        check_below("id table", &self.ids_sorted, entities)?;
        let sorted = self
            .ids_sorted
            .windows(2)
            .all(|w| self.entities[w[0] as usize].id < self.entities[w[1] as usize].id);
        if !sorted {
            return Err("the id table is not sorted by unique id".into());
        }
        for (what, len) in [
            ("token weights", self.token_weight.len()),
            ("token folds", self.token_fold.len()),
            ("token classes", self.token_class.len()),
            ("token skeletons", self.token_skeleton.len()),
            ("token spellings", self.token_spelling.len()),
        ] {
            if len != tokens {
                return Err(format!("{len} {what} for {tokens} tokens"));
            }
        }
        if self.postings_start.len() != tokens + 1 {
            return Err(format!(
                "{} posting offsets for {tokens} tokens",
                self.postings_start.len()
            ));
        }
        check_offsets("postings", &self.postings_start, self.postings.len())?;
        if self.neighbour_start.len() != tokens + 1 || self.token_rarity.len() != tokens {
            return Err(format!(
                "{} neighbour offsets and {} rarities for {tokens} tokens",
                self.neighbour_start.len(),
                self.token_rarity.len()
            ));
        }
        check_offsets("neighbours", &self.neighbour_start, self.neighbours.len())?;
        if let Some(e) = self
            .neighbours
            .iter()
            .find(|e| e.ordinal as usize >= tokens)
        {
            return Err(format!("neighbours: {} is beyond {tokens}", e.ordinal));
        }
        check_below("postings", &self.postings, names)?;
        check_below("name tokens", &self.name_tokens, tokens)?;
        if self.name_roles.len() != self.name_tokens.len() || self.name_weights.len() != names {
            return Err("name roles or weights do not match the names".into());
        }
        for (i, n) in self.names.iter().enumerate() {
            let end = n.tokens_start as usize + n.tokens_len as usize;
            let entity = self.entities.get(n.entity as usize);
            if end > self.name_tokens.len()
                || entity.is_none_or(|e| n.source as usize >= e.names.len())
            {
                return Err(format!("name {i} refers beyond the entity or token tables"));
            }
        }
        self.skeletons.check("skeleton groups", tokens)?;
        self.deletions.check("deletion groups", tokens)?;
        self.whole_names.check("whole-name groups", names)?;
        for list in self.identifiers.values() {
            check_below("identifier table", list, entities)?;
        }
        if !self.novel_weight.is_finite() {
            return Err("the novel-token weight is not a number".into());
        }
        Ok(())
    }
}

/// `offsets` ascend and end at `len`.
fn check_offsets(what: &str, offsets: &[u32], len: usize) -> Result<(), String> {
    if offsets.windows(2).any(|w| w[0] > w[1]) || offsets.last().map_or(len, |&l| l as usize) != len
    {
        return Err(format!("{what}: offsets do not ascend to {len}"));
    }
    Ok(())
}

/// Every value is below `bound`.
fn check_below(what: &str, values: &[u32], bound: usize) -> Result<(), String> {
    match values.iter().find(|&&v| v as usize >= bound) {
        Some(v) => Err(format!("{what}: {v} is beyond {bound}")),
        None => Ok(()),
    }
}

/// Deserializes a sequence into a vector reserved at the announced length at once. Serde's
/// default grows it by doubling (it trusts no length hint beyond 1 MiB), which for the
/// million-element tables of a large snapshot file copies each one about twice over freshly
/// faulted memory: most of the start-up time. A reservation that fails (an absurd length in
/// a damaged file) falls back to growing.
fn exact_vec<'de, D, T>(d: D) -> Result<Vec<T>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: Deserialize<'de>,
{
    struct Exact<T>(std::marker::PhantomData<T>);
    impl<'de, T: Deserialize<'de>> serde::de::Visitor<'de> for Exact<T> {
        type Value = Vec<T>;
        fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
            f.write_str("a sequence")
        }
        fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<Vec<T>, A::Error> {
            let mut out = Vec::new();
            if let Some(n) = seq.size_hint() {
                let _ = out.try_reserve_exact(n);
            }
            while let Some(item) = seq.next_element()? {
                out.push(item);
            }
            Ok(out)
        }
    }
    d.deserialize_seq(Exact(std::marker::PhantomData))
}

/// An FST map as its bytes in serialized form (one length-prefixed block, not a sequence of
/// numbers); the FST's own header is checked when it is read back.
mod fst_bytes {
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(map: &fst::Map<Vec<u8>>, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_bytes(map.as_fst().as_bytes())
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<fst::Map<Vec<u8>>, D::Error> {
        let bytes = serde_bytes::ByteBuf::deserialize(d)?.into_vec();
        let map = fst::Map::new(bytes).map_err(serde::de::Error::custom)?;
        // `Map::new` checks only the header and footer; a damaged body panics inside `fst`
        // on lookup. The FST's own CRC-32C over its bytes catches damage (an FST written by
        // a hostile builder with a valid checksum is not caught: snapshot files are trusted
        // to come from `clearance build`).
        map.as_fst().verify().map_err(serde::de::Error::custom)?;
        Ok(map)
    }

    #[cfg(test)]
    mod tests {
        use serde::Deserialize;

        #[derive(Deserialize)]
        struct Wrapped(#[serde(with = "super")] fst::Map<Vec<u8>>);

        fn decode(bytes: &[u8]) -> Result<Wrapped, postcard::Error> {
            postcard::from_bytes(&postcard::to_stdvec(serde_bytes::Bytes::new(bytes)).unwrap())
        }

        /// Found by the `snapshot` fuzz target: an FST whose body was damaged but whose
        /// header and footer were intact decoded, then panicked inside `fst` on lookup.
        #[test]
        fn a_damaged_fst_body_is_refused_while_decoding() {
            let map = fst::Map::from_iter([("alpha", 1u64), ("beta", 2), ("gamma", 3)]).unwrap();
            let good = map.as_fst().as_bytes().to_vec();
            assert_eq!(decode(&good).unwrap().0.get("beta"), Some(2));
            for at in 8..good.len() - 8 {
                let mut bad = good.clone();
                bad[at] ^= 0x5a;
                assert!(decode(&bad).is_err(), "byte {at} damaged, yet decoded");
            }
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
