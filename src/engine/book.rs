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
//! A party is a candidate for one listed name only when the keys reach what matching needs to
//! score the pair at review (`matching::score_name` and its subset floor), loosely: every
//! telling word of the party's name, or all but one of three or more (a middle name left
//! out); or else words of the listed name rare enough in the world for a longer or shorter
//! form of a name (summed rarity of the rare ones of at least `SHORTER_FORM_RARITY`); or,
//! for an organisation, every telling word of a listed name of two or more (its whole name
//! inside a longer one). A party sharing one common given name with a listed name is no candidate.
//!
//! The index grows as parties are added and is never rebuilt for a change: a party whose
//! name changed keeps its old keys too, and a removed party stays until [`BookIndex::remove`]
//! blanks it. Both only add candidates, which screening then dismisses.

use fst::{Automaton, IntoStreamer, Streamer};
use rustc_hash::FxHashMap;

use crate::engine::changes::Delta;
use crate::engine::index::build::world_weight;
use crate::engine::index::{acronym_key, acronym_keys, canonical_identifier, ACRONYM_MARK};
use crate::engine::lexicon::{given_name_variants, meanings_of};
use crate::engine::matching::candidates::builder;
use crate::engine::matching::readings::{collapse_runs, unleet};
use crate::engine::matching::score::is_generic;
use crate::engine::matching::score::RARE_WORD;
use crate::engine::model::{Entity, EntityKind};
use crate::engine::normalize::{is_filler, phonetic_keys, tokens};
use crate::engine::screen::Snapshot;

/// Key prefixes for what is not a word; normalized words never start with them.
const PHONETIC: char = '%';
const MEANING: char = '=';
const IDENTIFIER: char = '#';
const REFERENCE: char = '@';
/// A book word that may be an acronym; a listed name's initials look it up (a book name's
/// initials are kept under matching's own acronym keys, `^...`, which a listed word looks up).
const AS_ACRONYM: char = '!';
/// A book name's adjacent words joined, which a glued listed word looks up.
const JOINED: char = '+';

/// Longest word looked up by edit distance (matching expands no longer word either).
const MAX_FUZZY: usize = 32;
/// Shortest listed word that also finds the book's words beginning with it.
const MIN_PREFIX: usize = 4;
/// Words of a name whose coverage is counted (the rest count as one word more).
const MAX_WORDS: usize = 63;
/// Summed world rarity of the party's rare words reached (each at least
/// `matching::score::RARE_WORD`) from which a longer or shorter form of a listed
/// organisation's name may be a match: matching's bar for a coined word.
const SHORTER_FORM_RARITY: f32 = 9.0;
/// The same for a person's name, whose given name and family name must both be reached:
/// matching's bar for two rare words.
const SHORTER_PERSON_RARITY: f32 = 12.0;

/// A listed name as [`Cover::enough`] weighs it.
struct ListedName {
    /// Its counted words.
    words: u8,
    person: bool,
}

/// The edits a listed word of `len` letters is looked up with: enough for every party word
/// matching would expand to it (matching allows 1 edit from 4 letters, 2 from 8).
fn probe_distance(len: usize) -> usize {
    match len {
        0..=2 => 0,
        3..=5 => 1,
        _ => 2,
    }
}

/// A word that identifies someone: not a legal form, stopword, title, designator or
/// translated generic word, nor a single letter.
fn tells(t: &str) -> bool {
    t.len() >= 2 && !is_filler(t) && !is_generic(t)
}

/// The words of a name whose coverage counts: its telling words, or all of them when none
/// tells.
fn counted(toks: &[String]) -> Vec<bool> {
    let any = toks.iter().any(|t| tells(t));
    toks.iter().map(|t| !any || tells(t)).collect()
}

/// What a party brings to the index.
#[derive(Debug, Clone, Default)]
pub struct BookParty<'a> {
    pub reference: &'a str,
    pub name: &'a str,
    pub parents: &'a [String],
    /// Identifier values.
    pub identifiers: &'a [String],
    /// What the caller holds of this version of the party (e.g. a hash of its stored facts),
    /// kept for [`BookIndex::holds`]: whether a party written again needs reading at all.
    pub fingerprint: u64,
}

/// Which word of a book name a key stands for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Posting {
    name: u32,
    /// The word's position among the name's words; [`WHOLE`] for a key that stands for the
    /// whole name (an identifier, an acronym, joined words), [`UNCOUNTED`] for a word whose
    /// coverage does not count.
    word: u8,
}

const WHOLE: u8 = u8::MAX;
const UNCOUNTED: u8 = u8::MAX - 1;

/// One name of a party (its own, a reading of it, or a declared parent's).
struct BookName {
    party: u32,
    /// Its counted words.
    counted: u8,
    /// The world rarity of each of its words, by position (9 for a word the world's table
    /// lacks), as matching weighs a shorter or longer form of a name.
    rarity: Vec<f32>,
}

/// The book's parties under their keys.
#[derive(Default)]
pub struct BookIndex {
    /// Party slot to reference; blank once removed.
    references: Vec<String>,
    /// Per slot, a hash of what its keys were made from (name, parents, identifiers): a party
    /// written again unchanged (as every re-screen writes it) adds nothing.
    indexed: Vec<u64>,
    /// Per slot, the caller's [`BookParty::fingerprint`] of its last insert.
    fingerprints: Vec<u64>,
    slots: FxHashMap<String, u32>,
    names: Vec<BookName>,
    key_ids: FxHashMap<String, u32>,
    postings: Vec<Vec<Posting>>,
    /// The words among the keys (to key ids), for edit-distance and prefix look-ups; rebuilt
    /// on the next look-up after a new word arrived.
    words: fst::Map<Vec<u8>>,
    words_stale: bool,
}

fn is_word(key: &str) -> bool {
    key.as_bytes()
        .first()
        .is_some_and(|b| b.is_ascii_alphanumeric())
}

/// The keys of one name's words: `(key, word position or WHOLE/UNCOUNTED)`.
fn name_keys(toks: &[String], out: &mut Vec<(String, u8)>) {
    let counts = counted(toks);
    for (i, t) in toks.iter().enumerate() {
        let word = if !counts[i] {
            UNCOUNTED
        } else if i < MAX_WORDS {
            i as u8
        } else {
            WHOLE
        };
        out.push((t.clone(), word));
        let collapsed = collapse_runs(t);
        if collapsed != *t {
            out.push((collapsed, word));
        }
        for k in phonetic_keys(t).split(' ').filter(|k| !k.is_empty()) {
            out.push((format!("{PHONETIC}{k}"), word));
        }
        for m in meanings_of(t) {
            out.push((format!("{MEANING}{m}"), word));
        }
        if (2..=8).contains(&t.len()) {
            out.push((format!("{AS_ACRONYM}{t}"), WHOLE));
        }
    }
    for k in acronym_keys(toks) {
        out.push((k, WHOLE));
    }
    for pair in toks.windows(2) {
        out.push((format!("{JOINED}{}{}", pair[0], pair[1]), WHOLE));
    }
    if toks.len() > 2 {
        out.push((format!("{JOINED}{}", toks.concat()), WHOLE));
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

    fn add_key(&mut self, key: String, posting: Posting) {
        let id = match self.key_ids.get(&key) {
            Some(&id) => id,
            None => {
                let id = self.postings.len() as u32;
                if is_word(&key) {
                    self.words_stale = true;
                }
                self.key_ids.insert(key, id);
                self.postings.push(Vec::new());
                id
            }
        };
        let list = &mut self.postings[id as usize];
        if list.last() != Some(&posting) {
            list.push(posting);
        }
    }

    /// Adds one name of party `slot`: its words' keys, and those of its leetspeak reading.
    fn add_name(&mut self, slot: u32, name: &str, extra: &[String]) {
        let mut readings = vec![tokens(name)];
        if let Some(plain) = unleet(name) {
            readings.push(tokens(&plain));
        }
        for toks in readings {
            let n = self.names.len() as u32;
            let counted = counted(&toks).iter().filter(|&&c| c).count();
            self.names.push(BookName {
                party: slot,
                counted: counted.min(MAX_WORDS) as u8,
                rarity: toks
                    .iter()
                    .take(MAX_WORDS)
                    .map(|t| world_weight(t).unwrap_or(9.0))
                    .collect(),
            });
            let mut keys = Vec::new();
            name_keys(&toks, &mut keys);
            keys.extend(extra.iter().map(|k| (k.clone(), WHOLE)));
            keys.sort();
            keys.dedup();
            for (key, word) in keys {
                self.add_key(key, Posting { name: n, word });
            }
        }
    }

    /// Adds a party, or adds a changed party's new keys to its old ones.
    pub fn insert(&mut self, party: &BookParty<'_>) {
        let made_of = {
            use std::hash::{Hash, Hasher};
            let mut h = rustc_hash::FxHasher::default();
            (party.name, party.parents, party.identifiers).hash(&mut h);
            h.finish()
        };
        let slot = match self.slots.get(party.reference) {
            Some(&s) => {
                self.fingerprints[s as usize] = party.fingerprint;
                if self.indexed[s as usize] == made_of {
                    return;
                }
                self.indexed[s as usize] = made_of;
                s
            }
            None => {
                let s = self.references.len() as u32;
                self.references.push(party.reference.to_string());
                self.indexed.push(made_of);
                self.fingerprints.push(party.fingerprint);
                self.slots.insert(party.reference.to_string(), s);
                s
            }
        };
        let ids: Vec<String> = party
            .identifiers
            .iter()
            .map(|id| format!("{IDENTIFIER}{}", canonical_identifier(id)))
            .filter(|k| k.len() > 1)
            .collect();
        self.add_name(slot, party.name, &ids);
        for parent in party.parents {
            let by_id = [
                format!("{REFERENCE}{}", parent.trim().to_lowercase()),
                format!("{IDENTIFIER}{}", canonical_identifier(parent)),
            ];
            self.add_name(slot, parent, &by_id);
        }
    }

    /// Whether the party is held, last inserted with this fingerprint.
    pub fn holds(&self, reference: &str, fingerprint: u64) -> bool {
        self.slots
            .get(reference)
            .is_some_and(|&s| self.fingerprints[s as usize] == fingerprint)
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
        let mut words: Vec<(&str, u64)> = self
            .key_ids
            .iter()
            .filter(|(k, _)| is_word(k))
            .map(|(k, &id)| (k.as_str(), u64::from(id)))
            .collect();
        words.sort_unstable();
        // Sorted and unique (the keys of a map), so building cannot fail.
        self.words = fst::Map::from_iter(words).unwrap_or_default();
        self.words_stale = false;
    }

    /// The key ids a listed word reaches: itself and the words within its edit budget,
    /// words beginning with it, its given-name variants, romanization keys and meanings.
    fn word_keys(&self, word: &str, out: &mut Vec<u32>) {
        let exact = |key: &str, out: &mut Vec<u32>| {
            if let Some(&id) = self.key_ids.get(key) {
                out.push(id);
            }
        };
        exact(word, out);
        let len = word.chars().count();
        let d = probe_distance(len);
        if d > 0 && len <= MAX_FUZZY {
            let dfa = builder(d).build_dfa(word);
            let mut stream = self.words.search(&dfa).into_stream();
            while let Some((_, id)) = stream.next() {
                out.push(id as u32);
            }
        }
        if len >= MIN_PREFIX {
            let prefix = fst::automaton::Str::new(word).starts_with();
            let mut stream = self.words.search(prefix).into_stream();
            while let Some((_, id)) = stream.next() {
                out.push(id as u32);
            }
        }
        for v in given_name_variants(word) {
            exact(v, out);
        }
        for k in phonetic_keys(word).split(' ').filter(|k| !k.is_empty()) {
            exact(&format!("{PHONETIC}{k}"), out);
        }
        for m in meanings_of(word) {
            exact(&format!("{MEANING}{m}"), out);
        }
        if (2..=8).contains(&word.len()) {
            exact(&acronym_key(word), out);
        }
        exact(&format!("{JOINED}{word}"), out);
        out.sort_unstable();
        out.dedup();
    }

    /// The references of every party that any of `entities` could match, in no order.
    pub fn candidates<'e>(
        &mut self,
        entities: impl IntoIterator<Item = &'e Entity>,
    ) -> Vec<String> {
        let mut reach = Reach::new(self.references.len(), usize::MAX);
        self.reach_candidates(entities, &mut reach);
        self.found(&reach)
    }

    /// Marks in `reach` every party that any of `entities` could match; false once more than
    /// its limit are marked (the rest of `entities` is then not looked up).
    fn reach_candidates<'e>(
        &mut self,
        entities: impl IntoIterator<Item = &'e Entity>,
        reach: &mut Reach,
    ) -> bool {
        self.refresh_words();
        let mut cache: FxHashMap<String, Vec<u32>> = FxHashMap::default();
        let mut cover = Covers::new(self.names.len());
        for e in entities {
            for name in &e.names {
                cover.clear();
                let person = e.kind == EntityKind::Person;
                let toks = tokens(&name.value);
                let words = self.cover_name(&toks, person, &mut cache, &mut cover);
                let listed = ListedName { words, person };
                // The entry's id and identifiers stand for the whole entry.
                let mut whole: Vec<String> = vec![format!("{REFERENCE}{}", e.id.to_lowercase())];
                whole.extend(
                    e.identifiers
                        .iter()
                        .map(|i| format!("{IDENTIFIER}{}", canonical_identifier(&i.value))),
                );
                for key in &whole {
                    if let Some(&id) = self.key_ids.get(key) {
                        for p in &self.postings[id as usize] {
                            cover.get(p.name).whole = true;
                        }
                    }
                }
                for (n, c) in cover.touched() {
                    let book_name = &self.names[n as usize];
                    if c.enough(book_name, &listed) {
                        reach.mark(book_name.party);
                    }
                }
            }
            if reach.over() {
                return false;
            }
        }
        true
    }

    /// The references of every party whose screening a change may have moved, other than
    /// through its hits on changed or removed entries (the store knows those): the parties
    /// any entry of `delta.rematch` could match ([`BookIndex::candidates`]) and those with a
    /// word near one of `delta.reprinted` ([`BookIndex::parties_near`]), in no order.
    pub fn reached(&mut self, delta: &Delta, snapshot: &Snapshot) -> Vec<String> {
        self.reached_within(delta, snapshot, usize::MAX)
            .unwrap_or_default()
    }

    /// [`BookIndex::reached`], or `None` as soon as more than `limit` parties are reached:
    /// a change that reaches most of the book is cheaper re-screened whole, and the look-ups
    /// left are then not made.
    pub fn reached_within(
        &mut self,
        delta: &Delta,
        snapshot: &Snapshot,
        limit: usize,
    ) -> Option<Vec<String>> {
        let index = &snapshot.index;
        let mut reach = Reach::new(self.references.len(), limit);
        let within = self
            .reach_candidates(delta.rematch.iter().map(|&o| index.entity(o)), &mut reach)
            && self.reach_near(&delta.reprinted, &mut reach);
        within.then(|| self.found(&reach))
    }

    /// Parties held and not removed.
    pub fn live(&self) -> usize {
        self.references.iter().filter(|r| !r.is_empty()).count()
    }

    /// The references of every party with a word that matching may read as one of `words`
    /// (indexed words, or acronym keys `^xyz`): the words [`BookIndex::candidates`] would
    /// reach from each, with no cover rule, since a word read differently moves a party's
    /// score on whatever it resembles. For an acronym key, the parties with that word.
    pub fn parties_near(&mut self, words: &[String]) -> Vec<String> {
        let mut reach = Reach::new(self.references.len(), usize::MAX);
        self.reach_near(words, &mut reach);
        self.found(&reach)
    }

    /// Marks in `reach` every party with a word near one of `words`; false once more than
    /// its limit are marked.
    fn reach_near(&mut self, words: &[String], reach: &mut Reach) -> bool {
        self.refresh_words();
        let mut ids = Vec::new();
        for word in words {
            ids.clear();
            match word.strip_prefix(ACRONYM_MARK) {
                Some(letters) => {
                    if let Some(&id) = self.key_ids.get(&format!("{AS_ACRONYM}{letters}")) {
                        ids.push(id);
                    }
                }
                None => self.word_keys(word, &mut ids),
            }
            for &id in &ids {
                for p in &self.postings[id as usize] {
                    reach.mark(self.names[p.name as usize].party);
                }
            }
            if reach.over() {
                return false;
            }
        }
        true
    }

    /// The references of the parties `reach` marked, removed ones left out.
    fn found(&self, reach: &Reach) -> Vec<String> {
        reach
            .marked
            .iter()
            .zip(&self.references)
            .filter(|(&f, r)| f && !r.is_empty())
            .map(|(_, r)| r.clone())
            .collect()
    }

    /// What the keys of one listed name cover of each book name they reach.
    fn cover_name(
        &self,
        toks: &[String],
        person: bool,
        cache: &mut FxHashMap<String, Vec<u32>>,
        cover: &mut Covers,
    ) -> u8 {
        let counts = counted(toks);
        let looked_up: Vec<usize> = (0..toks.len()).filter(|&i| counts[i]).collect();
        for (j, &i) in looked_up.iter().enumerate().take(MAX_WORDS) {
            let word = &toks[i];
            if !cache.contains_key(word) {
                let mut ids = Vec::new();
                self.word_keys(word, &mut ids);
                cache.insert(word.clone(), ids);
            }
            for &id in &cache[word] {
                for p in &self.postings[id as usize] {
                    let c = cover.get(p.name);
                    c.listed |= 1 << j;
                    match p.word {
                        WHOLE => c.whole = true,
                        UNCOUNTED => {}
                        w => c.book |= 1 << w,
                    }
                }
            }
        }
        // Glued or abbreviated forms of the whole listed name: its initials against book
        // words that may be acronyms (an organisation's only: matching keys no person's
        // initials, so "Sal" is no form of "SLIZHEUSKI, Aleh Leanidavich"), its words joined
        // against glued book words (as written: a glued name misspelt too is left to its
        // words' own keys).
        let mut whole: Vec<String> = if person {
            Vec::new()
        } else {
            acronym_keys(toks)
                .iter()
                .map(|k| format!("{AS_ACRONYM}{}", k.trim_start_matches('^')))
                .collect()
        };
        for pair in toks.windows(2) {
            if pair.iter().any(|t| tells(t)) || looked_up.len() == toks.len() {
                whole.push(format!("{}{}", pair[0], pair[1]));
            }
        }
        if toks.len() > 2 {
            whole.push(toks.concat());
        }
        for key in whole {
            if let Some(&id) = self.key_ids.get(&key) {
                for p in &self.postings[id as usize] {
                    cover.get(p.name).whole = true;
                }
            }
        }
        looked_up.len().min(MAX_WORDS) as u8
    }
}

/// The parties reached so far, by slot, and how many (removed ones count until
/// [`BookIndex::found`] leaves them out: they are few, and the limit is a cost guard).
struct Reach {
    marked: Vec<bool>,
    count: usize,
    limit: usize,
}

impl Reach {
    fn new(slots: usize, limit: usize) -> Reach {
        Reach {
            marked: vec![false; slots],
            count: 0,
            limit,
        }
    }

    fn mark(&mut self, slot: u32) {
        let m = &mut self.marked[slot as usize];
        self.count += usize::from(!*m);
        *m = true;
    }

    fn over(&self) -> bool {
        self.count > self.limit
    }
}

/// What one listed name's keys covered, per book name: a dense array reset through the list
/// of names touched, so a listed name costs what its keys reach, not the book's size.
struct Covers {
    cover: Vec<Cover>,
    touched: Vec<u32>,
}

impl Covers {
    fn new(names: usize) -> Covers {
        Covers {
            cover: vec![Cover::default(); names],
            touched: Vec::new(),
        }
    }

    fn clear(&mut self) {
        for &n in &self.touched {
            self.cover[n as usize] = Cover::default();
        }
        self.touched.clear();
    }

    fn get(&mut self, name: u32) -> &mut Cover {
        let c = &mut self.cover[name as usize];
        if !c.seen {
            c.seen = true;
            self.touched.push(name);
        }
        c
    }

    fn touched(&self) -> impl Iterator<Item = (u32, &Cover)> {
        self.touched.iter().map(|&n| (n, &self.cover[n as usize]))
    }
}

/// What a listed name's keys covered of one book name.
#[derive(Default, Clone, Copy)]
struct Cover {
    /// The listed name's counted words that reached it (bit per word).
    listed: u64,
    /// The book name's counted words reached (bit per word).
    book: u64,
    /// A key standing for a whole name matched.
    whole: bool,
    seen: bool,
}

impl Cover {
    /// Whether matching could score the pair at review (see the module doc).
    fn enough(&self, book: &BookName, listed: &ListedName) -> bool {
        let reached = self.book.count_ones();
        if self.whole || self.listed == 0 {
            return self.whole;
        }
        let words = u32::from(book.counted);
        let rare: f32 = (0..book.rarity.len())
            .filter(|&j| self.book & (1 << j) != 0)
            .map(|j| book.rarity[j])
            .filter(|&r| r >= RARE_WORD)
            .sum();
        let shorter_form = if listed.person {
            reached >= 2 && rare >= SHORTER_PERSON_RARITY
        } else {
            rare >= SHORTER_FORM_RARITY
        };
        reached >= words
            || (words >= 3 && reached + 1 >= words)
            || self.listed.count_ones() >= u32::from(listed.words)
            || shorter_form
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
        // A person's initials are no acronym: matching keys an organisation's only.
        let person = Entity {
            kind: EntityKind::Person,
            ..entity("p", &["SAMADI, Ismail Reza Ibrahim Lari"])
        };
        let mut b = book(&[("s", "Siril")]);
        assert!(found(&mut b, &person).is_empty());
        let org = entity("o", &["SAMADI ISMAIL REZA IBRAHIM LARI"]);
        assert_eq!(found(&mut b, &org), ["s"]);
    }

    #[test]
    fn a_reach_past_its_limit_stops_looking() {
        let mut b = book(&[
            ("a", "Kassem Soleimani"),
            ("b", "Qasim Sulaymani"),
            ("c", "Bill Smith"),
        ]);
        let e = entity("x", &["QASIM SULAYMANI"]);
        let smith = entity("y", &["SMYTH, William"]);
        let mut within = Reach::new(b.len(), 2);
        assert!(b.reach_candidates([&e], &mut within));
        assert_eq!(b.found(&within), ["a", "b"]);
        // The third party is past the limit: the look-ups stop there.
        assert!(!b.reach_candidates([&smith, &e], &mut within));
        let mut over = Reach::new(b.len(), 1);
        assert!(!b.reach_candidates([&e, &smith], &mut over));
        assert_eq!(over.count, 2, "the entry after the limit was not looked up");
        assert!(b.reach_near(&["smith".to_string()], &mut Reach::new(b.len(), 1)));
        assert!(!b.reach_near(
            &["smith".to_string(), "soleimani".to_string()],
            &mut Reach::new(b.len(), 1)
        ));
    }

    #[test]
    fn one_shared_given_name_is_not_enough() {
        let mut b = book(&[
            ("t", "Ali Reza Tehrani"),
            ("k", "Ali Karimi"),
            ("m", "Mohammad Ali Karimi Tehrani"),
        ]);
        // Every word of the listed name is covered ("k", "m"), or all of the party's words
        // but one ("k"); one given name in common is neither ("t").
        assert_eq!(found(&mut b, &entity("1", &["KARIMI, Ali"])), ["k", "m"]);
        assert_eq!(found(&mut b, &entity("2", &["Ali Hassan KARIMI"])), ["k"]);
        assert!(found(&mut b, &entity("3", &["Mohammad ALI"])).contains(&"m".to_string()));
        assert!(!found(&mut b, &entity("3", &["Mohammad ALI"])).contains(&"t".to_string()));
    }

    #[test]
    fn parents_identifiers_and_removals() {
        let mut b = BookIndex::new();
        let parents = ["Huawei Cloud Computing Technologies".to_string()];
        b.insert(&BookParty {
            reference: "p",
            name: "Example Cloud Holdings Pte Ltd",
            parents: &parents,
            ..BookParty::default()
        });
        let imo = ["9187629".to_string()];
        b.insert(&BookParty {
            reference: "v",
            name: "Ocean Star",
            identifiers: &imo,
            ..BookParty::default()
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

    #[test]
    fn a_party_written_again_unchanged_adds_nothing() {
        let mut b = book(&[("m", "Marshall Trading Ltd")]);
        let (names, keys) = (
            b.names.len(),
            b.postings.iter().map(Vec::len).sum::<usize>(),
        );
        // Every re-screen writes the party again; its keys must not pile up.
        for _ in 0..3 {
            b.insert(&BookParty {
                reference: "m",
                name: "Marshall Trading Ltd",
                ..BookParty::default()
            });
        }
        assert_eq!(b.names.len(), names);
        assert_eq!(b.postings.iter().map(Vec::len).sum::<usize>(), keys);
        assert!(b.holds("m", 0) && !b.holds("m", 7) && !b.holds("x", 0));
        // A new name adds its keys beside the old ones.
        b.insert(&BookParty {
            reference: "m",
            name: "Marshal Shipping Ltd",
            ..BookParty::default()
        });
        assert!(b.names.len() > names);
        let shipping = entity("x", &["MARSHAL SHIPPING"]);
        assert_eq!(found(&mut b, &shipping), ["m"]);
        assert_eq!(b.len(), 1);
    }
}
