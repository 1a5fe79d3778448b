//! A customer book's names, indexed the other way round: given the listed entries that
//! changed between two snapshots, which of the book's parties could any of them match? Only
//! those need screening again, so a list change costs a look-up per changed name instead of
//! a pass over the whole book.
//!
//! The answer must hold every party that screening could match to a changed entry; a few
//! more cost only their screening. So each party is kept under every key through which
//! matching could reach one of its words, and a changed entry's names are looked up under the
//! same kinds of keys, more generously than matching itself expands a word:
//! - its words, and the words within two edits of them (one for words of three to five
//!   letters), through a Levenshtein automaton over an FST of the book's words;
//! - romanization keys (Qasim/Kassem), given-name variants (Bill/William) and the meanings
//!   of translated company words (Burenie/Drilling);
//! - adjacent words joined ("Rosneft Trading" / "ROSNEFTTRADING") and words that begin with a
//!   listed word (glued names);
//! - acronyms both ways (the initials of an organisation's words / a word that is one);
//! - leetspeak and doubled letters undone in the party's name;
//! - identifiers, and parents given by entity id or identifier (a party's declared parents
//!   are looked up like its own name: a changed parent changes the party).
//!
//! Words that identify no one (legal forms, stopwords, designators, translated generic words)
//! are looked up only for a name made of nothing else: a party can match "ACME TRADING LLC"
//! only through "acme".
//!
//! The index grows as parties are added and is never rebuilt for a change: a party whose
//! name changed keeps its old keys too, and a removed party stays until [`BookIndex::remove`]
//! blanks it. Both only add candidates, which screening then dismisses.

use fst::{Automaton, IntoStreamer, Streamer};
use rustc_hash::{FxHashMap, FxHashSet};

use crate::engine::index::{acronym_key, acronym_keys, canonical_identifier};
use crate::engine::lexicon::{given_name_variants, meanings_of};
use crate::engine::matching::candidates::builder;
use crate::engine::matching::readings::{collapse_runs, unleet};
use crate::engine::matching::score::is_generic;
use crate::engine::model::Entity;
use crate::engine::normalize::{is_filler, phonetic_keys, tokens};

/// Key prefixes for what is not a word; normalized words never start with them.
const PHONETIC: char = '%';
const MEANING: char = '=';
const IDENTIFIER: char = '#';
const REFERENCE: char = '@';

/// Longest word looked up by edit distance (matching expands no longer word either).
const MAX_FUZZY: usize = 32;
/// Shortest listed word that also finds the book's words beginning with it.
const MIN_PREFIX: usize = 4;

/// The edits a listed word of `len` letters is looked up with: enough for every party word
/// matching would expand to it (matching allows 1 edit from 4 letters, 2 from 8).
fn probe_distance(len: usize) -> usize {
    match len {
        0..=2 => 0,
        3..=5 => 1,
        _ => 2,
    }
}

/// What a party brings to the index.
#[derive(Debug, Clone, Default)]
pub struct BookParty<'a> {
    pub reference: &'a str,
    pub name: &'a str,
    pub parents: &'a [String],
    /// Identifier values.
    pub identifiers: &'a [String],
}

/// The book's parties under their keys.
#[derive(Default)]
pub struct BookIndex {
    /// Party slot to reference; blank once removed.
    references: Vec<String>,
    slots: FxHashMap<String, u32>,
    /// Key to party slots (each slot once per key).
    keys: FxHashMap<String, Vec<u32>>,
    /// The words among the keys, for edit-distance and prefix look-ups; rebuilt on the next
    /// look-up after a new word arrived.
    words: fst::Set<Vec<u8>>,
    words_stale: bool,
}

fn is_word(key: &str) -> bool {
    key.as_bytes()
        .first()
        .is_some_and(|b| b.is_ascii_alphanumeric())
}

/// The keys one name of a party is kept under.
fn party_name_keys(name: &str, out: &mut Vec<String>) {
    let mut readings = vec![tokens(name)];
    if let Some(plain) = unleet(name) {
        readings.push(tokens(&plain));
    }
    for toks in &readings {
        for t in toks {
            out.push(t.clone());
            let collapsed = collapse_runs(t);
            if collapsed != *t {
                out.push(collapsed);
            }
            for k in phonetic_keys(t).split(' ').filter(|k| !k.is_empty()) {
                out.push(format!("{PHONETIC}{k}"));
            }
            for m in meanings_of(t) {
                out.push(format!("{MEANING}{m}"));
            }
            if (2..=8).contains(&t.len()) {
                out.push(acronym_key(t));
            }
        }
        out.extend(acronym_keys(toks));
        for pair in toks.windows(2) {
            out.push(format!("{}{}", pair[0], pair[1]));
        }
        if toks.len() > 2 {
            out.push(toks.concat());
        }
    }
}

impl BookIndex {
    pub fn new() -> BookIndex {
        BookIndex::default()
    }

    /// Parties held, removed ones included.
    pub fn len(&self) -> usize {
        self.references.len()
    }

    pub fn is_empty(&self) -> bool {
        self.references.is_empty()
    }

    /// Adds a party, or adds a changed party's new keys to its old ones.
    pub fn insert(&mut self, party: &BookParty<'_>) {
        let slot = match self.slots.get(party.reference) {
            Some(&s) => {
                self.references[s as usize] = party.reference.to_string();
                s
            }
            None => {
                let s = self.references.len() as u32;
                self.references.push(party.reference.to_string());
                self.slots.insert(party.reference.to_string(), s);
                s
            }
        };
        let mut keys = Vec::new();
        party_name_keys(party.name, &mut keys);
        for parent in party.parents {
            party_name_keys(parent, &mut keys);
            keys.push(format!("{REFERENCE}{}", parent.trim().to_lowercase()));
            keys.push(format!("{IDENTIFIER}{}", canonical_identifier(parent)));
        }
        for id in party.identifiers {
            keys.push(format!("{IDENTIFIER}{}", canonical_identifier(id)));
        }
        keys.retain(|k| k.len() > 1);
        keys.sort();
        keys.dedup();
        for key in keys {
            if is_word(&key) && !self.keys.contains_key(&key) {
                self.words_stale = true;
            }
            let slots = self.keys.entry(key).or_default();
            if slots.last() != Some(&slot) && !slots.contains(&slot) {
                slots.push(slot);
            }
        }
    }

    /// Forgets a party: it is no longer a candidate.
    pub fn remove(&mut self, reference: &str) {
        if let Some(slot) = self.slots.remove(reference) {
            self.references[slot as usize].clear();
        }
    }

    fn refresh_words(&mut self) {
        if !self.words_stale {
            return;
        }
        let mut words: Vec<&str> = self
            .keys
            .keys()
            .map(String::as_str)
            .filter(|k| is_word(k))
            .collect();
        words.sort_unstable();
        // Sorted and unique (the keys of a map), so building cannot fail.
        self.words = fst::Set::from_iter(words).unwrap_or_default();
        self.words_stale = false;
    }

    /// The references of every party that any of `entities` could match, in no order.
    pub fn candidates<'e>(
        &mut self,
        entities: impl IntoIterator<Item = &'e Entity>,
    ) -> Vec<String> {
        self.refresh_words();
        let mut probes = Probes::default();
        for e in entities {
            probes.entity(e);
        }
        let mut found: FxHashSet<u32> = FxHashSet::default();
        let mut take = |key: &str| {
            if let Some(slots) = self.keys.get(key) {
                found.extend(slots.iter().copied());
            }
        };
        for key in &probes.exact {
            take(key);
        }
        let mut words: Vec<String> = Vec::new();
        for word in &probes.fuzzy {
            let len = word.chars().count();
            let d = probe_distance(len);
            if d > 0 && len <= MAX_FUZZY {
                let dfa = builder(d).build_dfa(word);
                let mut stream = self.words.search(&dfa).into_stream();
                while let Some(w) = stream.next() {
                    words.push(String::from_utf8_lossy(w).into_owned());
                }
            }
            if len >= MIN_PREFIX {
                let prefix = fst::automaton::Str::new(word).starts_with();
                let mut stream = self.words.search(prefix).into_stream();
                while let Some(w) = stream.next() {
                    words.push(String::from_utf8_lossy(w).into_owned());
                }
            }
        }
        for w in &words {
            take(w);
        }
        found
            .into_iter()
            .map(|s| &self.references[s as usize])
            .filter(|r| !r.is_empty())
            .cloned()
            .collect()
    }
}

/// The keys the changed entries are looked up under.
#[derive(Default)]
struct Probes {
    /// Looked up as they are.
    exact: FxHashSet<String>,
    /// Words also looked up by edit distance and as prefixes.
    fuzzy: FxHashSet<String>,
}

impl Probes {
    fn entity(&mut self, e: &Entity) {
        for name in &e.names {
            let toks = tokens(&name.value);
            let tells = |t: &String| t.len() >= 2 && !is_filler(t) && !is_generic(t);
            let telling: Vec<&String> = toks.iter().filter(|t| tells(t)).collect();
            let telling_only = !telling.is_empty();
            let looked_up: Vec<&String> = if telling.is_empty() {
                toks.iter().collect()
            } else {
                telling
            };
            for t in looked_up {
                self.exact.insert(t.clone());
                self.fuzzy.insert(t.clone());
                for v in given_name_variants(t) {
                    self.exact.insert(v.to_string());
                }
                for k in phonetic_keys(t).split(' ').filter(|k| !k.is_empty()) {
                    self.exact.insert(format!("{PHONETIC}{k}"));
                }
                for m in meanings_of(t) {
                    self.exact.insert(format!("{MEANING}{m}"));
                }
                if (2..=8).contains(&t.len()) {
                    self.exact.insert(acronym_key(t));
                }
            }
            self.exact.extend(acronym_keys(&toks));
            // Joined pairs with a word that tells (glued generic words would reach every
            // party with either of them within two edits).
            for pair in toks.windows(2) {
                if !telling_only || pair.iter().any(&tells) {
                    let joined = format!("{}{}", pair[0], pair[1]);
                    self.exact.insert(joined.clone());
                    self.fuzzy.insert(joined);
                }
            }
            if toks.len() > 2 {
                self.exact.insert(toks.concat());
            }
        }
        self.exact
            .insert(format!("{REFERENCE}{}", e.id.to_lowercase()));
        for id in &e.identifiers {
            self.exact
                .insert(format!("{IDENTIFIER}{}", canonical_identifier(&id.value)));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::model::{EntityKind, Identifier, Name, NameKind};

    fn entity(id: &str, names: &[&str]) -> Entity {
        Entity {
            id: id.to_string(),
            dataset: "test".to_string(),
            kind: EntityKind::Organization,
            names: names
                .iter()
                .map(|n| Name {
                    value: n.to_string(),
                    kind: NameKind::Primary,
                })
                .collect(),
            ..Entity::default()
        }
    }

    fn book(parties: &[(&str, &str)]) -> BookIndex {
        let mut b = BookIndex::new();
        for (reference, name) in parties {
            b.insert(&BookParty {
                reference,
                name,
                ..BookParty::default()
            });
        }
        b
    }

    fn found(b: &mut BookIndex, e: &Entity) -> Vec<String> {
        let mut refs = b.candidates([e]);
        refs.sort();
        refs
    }

    #[test]
    fn a_changed_name_finds_the_parties_matching_could_reach() {
        let mut b = book(&[
            ("1", "Rosneft Trading S.A."),
            ("2", "Rosnefft Trading SA"),
            ("3", "RosneftTrading"),
            ("4", "R0sneft Trad1ng"),
            ("5", "Acme Trading LLC"),
            ("6", "Marshall Ltd"),
        ]);
        let e = entity("us_ofac_sdn:18299", &["ROSNEFT TRADING S.A."]);
        assert_eq!(found(&mut b, &e), ["1", "2", "3", "4"]);
        // Generic words alone do not reach a party: "Acme Trading" shares only "trading".
        let acme = entity("x:1", &["ACME TRADING LLC"]);
        assert_eq!(found(&mut b, &acme), ["5"]);
    }

    #[test]
    fn romanizations_given_names_acronyms_and_translations_are_keys() {
        let mut b = book(&[
            ("q", "Kassem Soleimani"),
            ("w", "Bill Smith"),
            ("n", "IRISL"),
            ("d", "Gazprom Burenie"),
        ]);
        assert_eq!(found(&mut b, &entity("a", &["QASIM SULAYMANI"])), ["q"]);
        assert_eq!(found(&mut b, &entity("b", &["SMYTH, William"])), ["w"]);
        assert_eq!(
            found(
                &mut b,
                &entity("c", &["Islamic Republic of Iran Shipping Lines"])
            ),
            ["n"]
        );
        assert_eq!(found(&mut b, &entity("d", &["GAZPROM DRILLING"])), ["d"]);
    }

    #[test]
    fn parents_identifiers_and_removals() {
        let mut b = BookIndex::new();
        let parents = ["Huawei Cloud Computing Technologies".to_string()];
        b.insert(&BookParty {
            reference: "p",
            name: "Example Cloud Holdings Pte Ltd",
            parents: &parents,
            identifiers: &[],
        });
        let imo = ["9187629".to_string()];
        b.insert(&BookParty {
            reference: "v",
            name: "Ocean Star",
            parents: &[],
            identifiers: &imo,
        });
        assert_eq!(
            found(
                &mut b,
                &entity("h", &["HUAWEI CLOUD COMPUTING TECHNOLOGIES CO., LTD."])
            ),
            ["p"]
        );
        let mut vessel = entity("s", &["SEA BREEZE"]);
        vessel.identifiers.push(Identifier {
            scheme: "imo".to_string(),
            value: "9187629".to_string(),
            country: None,
        });
        assert_eq!(found(&mut b, &vessel), ["v"]);
        b.remove("v");
        assert!(found(&mut b, &vessel).is_empty());
        assert_eq!(b.len(), 2);
    }
}
