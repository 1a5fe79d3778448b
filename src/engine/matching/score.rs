//! Scoring one candidate name against the query: token alignment with IDF weights.
//!
//! Query tokens are aligned one-to-one with the candidate's tokens, in any order, best pairs
//! first. A pair's similarity is 1 for equal tokens; `1 - 0.6·d/len` for tokens within the
//! edit distance `d` their length allows (see ARCHITECTURE.md for why not Jaro-Winkler);
//! 0.92 for tokens equal once transliteration conventions are folded ("yun"/"iun"); 0.85 for
//! tokens sharing a phonetic skeleton and a Jaro-Winkler similarity of at least 0.8
//! ("mohamed"/"muhammad"); 0.8 for an initial and a word it begins; 0 otherwise. A token the
//! query or the candidate writes as two ("ALQAIDA"/"AL QAIDA", "HUAWEI"/"HUA WEI") is aligned
//! to the joined pair.
//!
//! The score blends how much of the query's weight is explained by the candidate (a name with
//! an extra distinctive word is a different party) with how much of the candidate's weight the
//! query covers (a query may drop a middle name, so a person's unmatched middle names count
//! for less than an organisation's unmatched words). Legal forms and stopwords weigh little on
//! both sides.

use serde::Serialize;

pub use crate::engine::index::Role;
use crate::engine::normalize::{
    class_spelling, class_spelling_open_e, is_designator, is_nasab_connector, phonetic_keys,
    spelt_alike, syllable_fold, translit_fold,
};
pub use crate::engine::normalize::{jaro_winkler, osa_within};

/// What a token is, for comparison and weighting.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize)]
pub enum TokenClass {
    /// A legal form or stopword: compared only for equality, weighted low.
    Filler,
    /// A single letter: an initial, which agrees with any word it begins.
    Initial,
    Word,
}

impl TokenClass {
    pub fn of(text: &str, filler: bool) -> TokenClass {
        if filler {
            TokenClass::Filler
        } else if text.len() == 1 {
            TokenClass::Initial
        } else {
            TokenClass::Word
        }
    }
}

/// The precomputed spellings of a token that similarity compares: the token, its
/// transliteration fold and its phonetic keys (space-separated, empty when it has none; see
/// [`crate::engine::normalize::phonetic_keys`]).
#[derive(Debug, Clone, Copy)]
pub struct TokenForms<'a> {
    pub text: &'a str,
    pub fold: &'a str,
    pub skeleton: &'a str,
    /// The class spelling (see [`crate::engine::normalize::class_spelling`]).
    pub spelling: &'a str,
}

impl TokenForms<'_> {
    pub fn owned(&self) -> OwnedForms {
        OwnedForms {
            text: self.text.to_string(),
            fold: self.fold.to_string(),
            skeleton: self.skeleton.to_string(),
            spelling: self.spelling.to_string(),
        }
    }
}

/// Owned [`TokenForms`], for tokens made at query time.
#[derive(Debug, Clone)]
pub struct OwnedForms {
    pub text: String,
    pub fold: String,
    pub skeleton: String,
    pub spelling: String,
}

impl OwnedForms {
    pub fn new(text: &str) -> OwnedForms {
        OwnedForms {
            text: text.to_string(),
            fold: translit_fold(text),
            skeleton: phonetic_keys(text),
            spelling: class_spelling(text),
        }
    }

    pub fn forms(&self) -> TokenForms<'_> {
        TokenForms {
            text: &self.text,
            fold: &self.fold,
            skeleton: &self.skeleton,
            spelling: &self.spelling,
        }
    }
}

/// Per-query scratch for scoring: pair similarities already computed, keyed by (query token
/// position, candidate token ordinal), since the same list word recurs across many candidate
/// names; and buffers reused from one candidate to the next.
#[derive(Default)]
pub struct SimCache {
    /// The rarity from which a word counts as rare (see [`NameScore::rare_weight`]).
    pub rare_word_weight: f32,
    /// The caller says the party is a person: its words are never an organisation's.
    pub person_query: bool,
    sims: rustc_hash::FxHashMap<(u32, u32), f32>,
    pairs: Vec<Pair>,
    q_sim: Vec<f32>,
    c_sim: Vec<f32>,
    q_partner: Vec<Option<(usize, usize)>>,
}

impl SimCache {
    pub fn new() -> SimCache {
        SimCache::default()
    }

    /// Forgets the similarities (a new query); keeps the buffers' capacity.
    pub fn clear(&mut self) {
        self.sims.clear();
    }
}

/// A token with its weight, on either side of the comparison.
#[derive(Debug, Clone)]
pub struct WeightedToken<'a> {
    /// Query side: position in the query; candidate side: token ordinal in the index.
    pub id: u32,
    pub text: &'a str,
    pub fold: &'a str,
    pub skeleton: &'a str,
    pub spelling: &'a str,
    pub weight: f32,
    pub class: TokenClass,
    pub role: Role,
    /// Query side: the index knows this exact word, so a fuzzy match to a different word is
    /// weaker evidence than for a word it has never seen (a typo).
    pub known: bool,
    /// Query side: how rare the word is in the world, in weight units (see
    /// `matching::rarity`); what [`NameScore::rare_weight`] adds up.
    pub rarity: f32,
    /// Query side: the script the word was written in, when that decides how it compares.
    pub script: Script,
    /// Query side: a generic word of organisations' names with translations or other words
    /// for the same kind of body ([`is_generic`]).
    pub generic: bool,
}

/// The script a query word was written in, when it was one syllable per character: such a
/// word is a syllable that is compared whole (one different syllable is another person),
/// never by edit distance.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Script {
    /// Latin, or transliterated from an alphabet: compared by spelling.
    #[default]
    Alphabetic,
    /// A Han character read in pinyin: equal to the same pinyin syllable or its Wade-Giles
    /// spelling.
    Han,
    /// A Hangul syllable in Revised Romanization: equal to any romanization of the syllable
    /// ([`syllable_fold`]).
    Hangul,
}

/// One aligned pair, for the explanation.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TokenPair {
    pub query: String,
    pub candidate: String,
    pub similarity: f32,
    /// The pair's share of the final score before adjustments.
    pub contribution: f32,
}

/// Which name holds the other, word for word.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Subset {
    #[default]
    Neither,
    /// The listed name's words (two or more) are all in a longer query ("GUPTA, Atul Kumar"
    /// for "GUPTA, Atul").
    NameInQuery,
    /// The query's words are all in a longer listed name ("Oleg Deripaska" for "DERIPASKA,
    /// Oleg Vladimirovich"): weaker, since common short names are inside many long ones.
    QueryInName,
}

/// The outcome of comparing one name.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct NameScore {
    pub score: f32,
    pub query_coverage: f32,
    pub candidate_coverage: f32,
    /// Every distinctive word of one side found on the other (each at least
    /// [`SUBSET_MIN_SIMILARITY`]): a longer or shorter form of the same name.
    #[serde(skip)]
    pub subset: Subset,
    /// Every distinctive word of the listed name found in the query (each at least
    /// [`SUBSET_MIN_SIMILARITY`]), however many the query has.
    #[serde(skip)]
    pub name_found: bool,
    /// At least half the listed name's distinctive words found in the query (each at least
    /// [`SUBSET_MIN_SIMILARITY`]).
    #[serde(skip)]
    pub half_name_found: bool,
    /// The query's distinctive words, two or more, all found as written (or with the Arabic
    /// article joined: similarity 0.95 or more), one after the other and in order inside the
    /// listed name, whose other words weigh less than those found: a longer form of the query
    /// ("ROYAL PEARLS GENERAL TRADING" for "Royal Pearls").
    #[serde(skip)]
    pub query_phrase_found: bool,
    /// Every distinctive query word that matched did so approximately (under 0.9, where a
    /// word counts as the same): names that resemble each other word by word, none kept as
    /// written.
    #[serde(skip)]
    pub all_fuzzy: bool,
    /// The listed name's distinctive words, two or more, all found as written (or with the
    /// Arabic article joined), and in the query one after the other in the name's order
    /// (legal forms and stopwords aside): the name written whole inside a longer one ("GRAND
    /// CASINO" in "Grand Casino Zapopan").
    #[serde(skip)]
    pub phrase_found: bool,
    /// The weight of the distinctive query words that matched, each times its similarity.
    #[serde(skip)]
    pub matched_weight: f32,
    /// The rarity of the matched distinctive words counting as rare (see
    /// [`RARE_WORD`]): what
    /// the match says about identity, common words left out.
    #[serde(skip)]
    pub rare_weight: f32,
    /// The greatest rarity of a distinctive word of letters that matched as written (equal,
    /// or equal but for the Arabic article).
    #[serde(skip)]
    pub rarest_exact: f32,
    /// The listed name's heaviest distinctive word (a family name or a word of a company's
    /// name) is not in the query, and it outweighs every word that matched: "Cloud Computing
    /// Technology" against "Huawei Cloud Computing Technology" (position in the name).
    #[serde(skip)]
    pub heaviest_missing: Option<usize>,
    /// A given name aligned with a patronymic of the other name, or the reverse ("Salman
    /// bin Muhammad" against "Muhammad bin Salman").
    #[serde(skip)]
    pub order_conflict: bool,
    pub pairs: Vec<TokenPair>,
    pub unmatched_query: Vec<String>,
    pub unmatched_candidate: Vec<String>,
}

/// Share of the score from query coverage; the rest comes from candidate coverage.
pub const QUERY_SHARE: f32 = 0.55;
/// How much an unmatched middle name of a listed person counts against the match.
const MIDDLE_NAME_DISCOUNT: f32 = 0.35;
/// How much an unmatched first given name of a listed person counts. Callers do drop it:
/// "Javier Gudino Haro" for OFAC's "GUDINO HARO, Francisco Javier", people known by a second
/// given name; but less often than a middle name, and never the surname.
const GIVEN_NAME_DISCOUNT: f32 = 0.6;
/// How much an unmatched word of an organisation's name counts: writers shorten company
/// names ("Iqra Products" for "Iqra Computer Products") more often than they add words.
const ORG_WORD_DISCOUNT: f32 = 0.8;
/// How much a query word that an organisation's name lacks counts against the match.
const QUERY_ORG_WORD_DISCOUNT: f32 = 0.5;
/// How much a query's middle name that a person's listed name lacks counts against the
/// match, when the query holds every word of the listed name. The search's minimum vote
/// counts such words at this share of their weight too.
pub(super) const QUERY_MIDDLE_NAME_DISCOUNT: f32 = 0.5;
/// The same when every matched word is a common one (see [`COMMON_INSIDE_RARITY`]).
const QUERY_COMMON_MIDDLE_NAME_DISCOUNT: f32 = 0.6;
/// How much an unmatched given or middle name of a listed person counts when the query is
/// made of common words all found in the listed name (see [`COMMON_INSIDE_RARITY`]).
const COMMON_INSIDE_DISCOUNT: f32 = 0.8;
/// Rarity (see `matching::token_rarity`) under which every matched word of a query is a
/// word the world uses widely (a Zipf frequency of about 3.4 or more: "James", "Peterson",
/// "García"), so that together they are too common to identify a person by themselves;
/// a query with one word the world hardly uses ("Gelowicz", "Makuei") is not.
const COMMON_INSIDE_RARITY: f32 = 8.0;
/// Factor on a match whose only matched distinctive word matched approximately.
const LONE_FUZZY_WORD_FACTOR: f32 = 0.95;
/// Factor on a match of two or more distinctive words none of which matched exactly (see
/// [`EXACT_ENOUGH`]).
const ALL_FUZZY_FACTOR: f32 = 0.95;
/// Least similarity of a pair that counts as the same word for [`ALL_FUZZY_FACTOR`]: equal,
/// equal but for the Arabic article or a transliteration fold, or one edit in a word of six
/// letters or more ("klyuyev"/"klyuev"); not a pair linked only by a romanization key.
const EXACT_ENOUGH: f32 = 0.9;
/// Rarity from which a word counts as rare for [`NameScore::rare_weight`]: a Zipf frequency
/// of about 4.7 or less (see `index::build::world_weight`).
pub const RARE_WORD: f32 = 5.0;
/// Factor on a syllable-per-character query when the listed name has a syllable it lacks.
const SYLLABLE_MISSING_FACTOR: f32 = 0.85;
/// Least similarity of a word pair for [`NameScore::subset`].
pub const SUBSET_MIN_SIMILARITY: f32 = 0.85;
/// How much an unmatched legal form or stopword counts.
const UNMATCHED_FILLER_DISCOUNT: f32 = 0.25;
/// Least similarity of two words that share a romanization key ("qasim"/"kassem",
/// "aleksandr"/"alexander"): another publisher's spelling of one name, or another name with
/// the same consonants ("hussein"/"hassan"). Graded up by [`ROMANIZATION_SPREAD`] as the
/// Jaro-Winkler similarity of their class spellings (vowels kept) rises from
/// [`ROMANIZATION_MIN_JARO`] to 0.95.
const ROMANIZATION_SIMILARITY: f32 = 0.78;
const ROMANIZATION_SPREAD: f32 = 0.12;
const ROMANIZATION_MIN_JARO: f64 = 0.7;
/// Longest romanization key that counts as short (two consonant classes), and the least
/// Jaro-Winkler similarity of class spellings that a pair sharing only such a key needs.
const SHORT_KEY: usize = 2;
const SHORT_KEY_MIN_JARO: f64 = 0.9;
/// Similarity of two short words that are one syllable in two romanization systems
/// ("choe"/"choi", "gyu"/"kyu").
const SYLLABLE_SIMILARITY: f32 = 0.88;
/// Similarity of a syllable written from Han characters and the same syllable in Wade-Giles.
const WADE_GILES_SIMILARITY: f32 = 0.95;
/// Similarity of two forms of one given name in the `lexicon` table.
const GIVEN_NAME_SIMILARITY: f32 = 0.9;
/// Similarity of a word and the same word with the Arabic article joined in front.
const ARTICLE_SIMILARITY: f32 = 0.95;
/// Similarity of short tokens equal once transliteration conventions are folded.
const TRANSLIT_SIMILARITY: f32 = 0.92;
/// Similarity of two different words that each say what kind of body an organisation is
/// ([`is_designator`]).
const DESIGNATOR_SIMILARITY: f32 = 0.8;
/// Similarity of a word and its translation ([`crate::engine::lexicon::same_meaning`]).
const TRANSLATION_SIMILARITY: f32 = 0.9;
/// Similarity of an initial and a word it begins.
const INITIAL_SIMILARITY: f32 = 0.8;
/// Factor on a fuzzy pair whose query word is itself a known word of the lists: a real word
/// one edit or one romanization key from another may be another name ("basim"/"qasim").
/// Not for pairs at [`TRANSLIT_SIMILARITY`] or above: words that fold alike ("fawwaz"/
/// "fawaz", "dmitriy"/"dmitry"), carry the article, or are one edit apart in eight letters
/// or more are spellings of one name whoever else uses them.
const KNOWN_WORD_FACTOR: f32 = 0.95;
/// Below this similarity two tokens are not a pair at all.
const MIN_PAIR_SIMILARITY: f32 = 0.75;

/// Edit distance allowed between two tokens, by the longer token's length (DESIGN.md: 0 for
/// up to 3 characters, 1 for 4–7, 2 beyond).
pub fn allowed_distance(len: usize) -> usize {
    match len {
        0..=3 => 0,
        4..=7 => 1,
        _ => 2,
    }
}

/// [`similarity`] of two words given as plain strings (computes their forms).
pub fn token_similarity(a: &str, b: &str) -> f32 {
    similarity(&OwnedForms::new(a).forms(), &OwnedForms::new(b).forms())
}

/// Similarity of two words in [0, 1]: 1 when equal; `1 - 0.6·d/len` within the edit budget
/// (one typo costs 0.15 on a 4-letter word, 0.075 on an 8-letter one); fixed values for
/// transliteration variants (same fold, or same phonetic skeleton); 0 otherwise.
pub fn similarity(x: &TokenForms, y: &TokenForms) -> f32 {
    let (a, b) = (x.text, y.text);
    if a == b {
        return 1.0;
    }
    if x.fold == y.fold {
        return TRANSLIT_SIMILARITY;
    }
    if article_only(a, b) || article_only(b, a) {
        return ARTICLE_SIMILARITY;
    }
    let edit = edit_similarity(a, b);
    if edit > 0.0 && x.spelling != y.spelling {
        return edit;
    }
    // Spelt alike letter class by letter class, the words are one name in two romanizations
    // ("mohammed"/"muhammad", "mehdi"/"mahdi") even when they are also a typo or two apart:
    // the better of the two readings.
    edit.max(phonetic_similarity(x, y))
}

/// Similarity of two words through their phonetic keys: a shared syllable fold (short words)
/// or a shared romanization key whose words, spelt in consonant classes with their vowels,
/// stay close (so "hussein"/"hassan", which share a key, are not taken for one name).
fn phonetic_similarity(x: &TokenForms, y: &TokenForms) -> f32 {
    if x.skeleton.is_empty() || y.skeleton.is_empty() {
        return 0.0;
    }
    let (mut syllable, mut roman, mut longest) = (false, false, 0);
    for k in x.skeleton.split(' ') {
        if y.skeleton.split(' ').any(|o| o == k) {
            if k.starts_with('~') {
                syllable = true;
            } else {
                roman = true;
                longest = longest.max(k.len());
            }
        }
    }
    if syllable {
        return SYLLABLE_SIMILARITY;
    }
    if roman {
        // With and without a joined article on either side ("alrimi"/"rimi").
        let bare = |w: &str| {
            (w.len() >= 5 && (w.starts_with("al") || w.starts_with("el")))
                .then(|| class_spelling(&w[2..]))
        };
        let mut jaro = jaro_winkler(x.spelling, y.spelling);
        if jaro < ROMANIZATION_MIN_JARO + 0.25 {
            // Without the article on either side.
            let (bx, by) = (bare(x.text), bare(y.text));
            for a in [Some(x.spelling), bx.as_deref()].into_iter().flatten() {
                for b in [Some(y.spelling), by.as_deref()].into_iter().flatten() {
                    jaro = jaro.max(jaro_winkler(a, b));
                }
            }
            // An `e` read as the short i it also writes ("nasser"/"nasir",
            // "debbiye"/"dibiya"): one spelling.
            if x.text.contains('e') || y.text.contains('e') {
                let open = |w: &str, bare: bool| {
                    let mut forms =
                        vec![class_spelling_open_e(w).unwrap_or_else(|| class_spelling(w))];
                    if bare {
                        forms.push(
                            class_spelling_open_e(&w[2..])
                                .unwrap_or_else(|| class_spelling(&w[2..])),
                        );
                    }
                    forms
                };
                let (xs, ys) = (open(x.text, bx.is_some()), open(y.text, by.is_some()));
                if xs.iter().any(|a| ys.iter().any(|b| spelt_alike(a, b))) {
                    jaro = 1.0;
                }
            }
        }
        // A key of two consonants is shared by many short names that are no spelling of one
        // another ("lori"/"larry", "luis"/"laiza"): only near-equal class spellings count
        // ("musa"/"moussa", "hadi"/"hady").
        if longest <= SHORT_KEY && jaro < SHORT_KEY_MIN_JARO {
            return 0.0;
        }
        // Graded by how close the vowels keep them: "kasim"/"kasem" 0.88, "husein"/"hasan"
        // (another name with the same consonants) under 0.8.
        let closeness = ((jaro - ROMANIZATION_MIN_JARO) / 0.25).clamp(0.0, 1.0) as f32;
        return ROMANIZATION_SIMILARITY + ROMANIZATION_SPREAD * closeness;
    }
    0.0
}

/// Whether `long` is `short` with the Arabic article joined in front ("alakhras"/"akhras"):
/// lists write the article joined, apart (then the normalizer joins it) or not at all.
fn article_only(long: &str, short: &str) -> bool {
    short.len() >= 3
        && long.len() == short.len() + 2
        && (long.starts_with("al") || long.starts_with("el"))
        && &long[2..] == short
}

/// Similarity of a syllable-per-character query word to a list word (see [`Script`]).
fn syllable_similarity(script: Script, q: &str, c: &str) -> f32 {
    if q == c {
        return 1.0;
    }
    match script {
        Script::Han if wade_giles(q).is_some_and(|w| w == c) => WADE_GILES_SIMILARITY,
        Script::Hangul if syllable_fold(q).is_some() && syllable_fold(q) == syllable_fold(c) => {
            SYLLABLE_SIMILARITY
        }
        _ => 0.0,
    }
}

/// The Wade-Giles spelling (apostrophes dropped, as the normalizer drops them) of a pinyin
/// syllable, by the systems' published correspondence of initials and finals; `None` when it
/// is spelt the same.
pub fn wade_giles(pinyin: &str) -> Option<String> {
    const INITIALS: &[(&str, &str)] = &[
        ("zh", "ch"),
        ("ch", "ch"),
        ("sh", "sh"),
        ("b", "p"),
        ("p", "p"),
        ("d", "t"),
        ("t", "t"),
        ("g", "k"),
        ("k", "k"),
        ("j", "ch"),
        ("q", "ch"),
        ("x", "hs"),
        ("z", "ts"),
        ("c", "ts"),
        ("r", "j"),
    ];
    let (initial, fin) = match INITIALS.iter().find(|(p, _)| pinyin.starts_with(p)) {
        Some((p, w)) => (*w, &pinyin[p.len()..]),
        None => ("", pinyin),
    };
    let retroflex = matches!(initial, "ch" | "sh" | "j") && !pinyin.starts_with(['j', 'q']);
    let fin = match fin {
        "i" if retroflex => "ih".to_string(),
        "i" if matches!(initial, "ts") || pinyin.starts_with('s') => "u".to_string(),
        "ong" => "ung".to_string(),
        "iong" => "iung".to_string(),
        "ie" => "ieh".to_string(),
        "ian" => "ien".to_string(),
        "uo" if !initial.is_empty() => "o".to_string(),
        "e" if initial == "k" || pinyin.starts_with('h') => "o".to_string(),
        "ui" => "uei".to_string(),
        "you" => "yu".to_string(),
        "yan" => "yen".to_string(),
        "ye" => "yeh".to_string(),
        f => f.to_string(),
    };
    let wg = format!("{initial}{fin}");
    (wg != pinyin).then_some(wg)
}

/// `1 - 0.6·d/len` when the OSA distance `d` is within the budget for the longer word's
/// length, else 0. Cheap checks first: most word pairs differ in length or in both their first
/// and last letters, which rules out a single edit without computing the distance.
pub fn edit_similarity(a: &str, b: &str) -> f32 {
    let (ab, bb) = (a.as_bytes(), b.as_bytes());
    let len = ab.len().max(bb.len());
    let shorter = ab.len().min(bb.len());
    let allowed = allowed_distance(len);
    if shorter < 3 || allowed == 0 || len - shorter > allowed {
        return 0.0;
    }
    // One edit keeps the first or the last letter of words of 3+ letters.
    if allowed == 1 && ab[0] != bb[0] && ab[ab.len() - 1] != bb[bb.len() - 1] {
        return 0.0;
    }
    match osa_within(ab, bb, allowed) {
        Some(d) => 1.0 - 0.6 * d as f32 / len as f32,
        None => 0.0,
    }
}

fn pair_similarity(q: &WeightedToken, c: &WeightedToken) -> f32 {
    use TokenClass::*;
    match (q.class, c.class) {
        (Filler, _) | (_, Filler) => {
            if q.text == c.text {
                1.0
            } else {
                0.0
            }
        }
        (Initial, Initial) => {
            if q.text == c.text {
                1.0
            } else {
                0.0
            }
        }
        (Initial, Word) | (Word, Initial) => {
            if q.text.as_bytes()[0] == c.text.as_bytes()[0] {
                INITIAL_SIMILARITY
            } else {
                0.0
            }
        }
        (Word, Word) if q.script != Script::Alphabetic => {
            syllable_similarity(q.script, q.text, c.text)
        }
        (Word, Word) => {
            let mut s = similarity(&q.forms(), &c.forms());
            // Short forms and other-language forms of one given name ("Bill"/"William",
            // "Volodymyr"/"Vladimir"), from the published table in `lexicon`.
            if s < GIVEN_NAME_SIMILARITY && crate::engine::lexicon::same_given_name(q.text, c.text)
            {
                s = GIVEN_NAME_SIMILARITY;
            }
            // A generic word of an organisation's name and its translation, or another
            // word for the kind of body (see `generic_similarity`).
            if s < TRANSLATION_SIMILARITY && q.generic {
                let g = generic_similarity(q.text, c.text);
                if g > s {
                    return g;
                }
            }
            if s < TRANSLIT_SIMILARITY && q.known {
                s * KNOWN_WORD_FACTOR
            } else {
                s
            }
        }
    }
}

/// The similarity of two generic words of organisations' names that are not spellings of one
/// another: a word and its translation ("BURENIE"/"DRILLING", "MELLI"/"NATIONAL", from the
/// table in `lexicon`), or two words that each say what kind of body a name is
/// ("DEPARTMENT"/"DIRECTORATE", "INSTITUTE"/"FOUNDATION"), which translators render one
/// word of the original by; 0 for other words.
fn generic_similarity(q: &str, c: &str) -> f32 {
    if crate::engine::lexicon::same_meaning(q, c) {
        TRANSLATION_SIMILARITY
    } else if q != c && is_designator(q) && is_designator(c) {
        DESIGNATOR_SIMILARITY
    } else {
        0.0
    }
}

/// Whether a query word is a generic word of organisations' names that may pair with its
/// translation or with another word for the kind of body (a designator). Computed once per
/// query word, so that a pair of other words costs nothing more.
pub fn is_generic(token: &str) -> bool {
    is_designator(token) || crate::engine::lexicon::has_meaning(token)
}

impl WeightedToken<'_> {
    fn forms(&self) -> TokenForms<'_> {
        TokenForms {
            text: self.text,
            fold: self.fold,
            skeleton: self.skeleton,
            spelling: self.spelling,
        }
    }
}

/// A possible alignment: query tokens `q` (one, or two adjacent) with candidate tokens `c`
/// (one, or two adjacent).
pub struct Pair {
    sim: f32,
    q: (usize, usize),
    c: (usize, usize),
}

/// Scores `candidate` against `query`; with `explain`, also lists the aligned pairs and the
/// unmatched words (allocations the candidate loop skips).
pub fn score_name(
    query: &[WeightedToken],
    candidate: &[WeightedToken],
    cache: &mut SimCache,
    explain: bool,
) -> NameScore {
    let nq = query.len();
    let nc = candidate.len();
    if nq == 0 || nc == 0 {
        return NameScore::default();
    }
    let SimCache {
        rare_word_weight,
        person_query,
        sims,
        pairs,
        q_sim,
        c_sim,
        q_partner,
    } = cache;
    pairs.clear();
    for (i, q) in query.iter().enumerate() {
        for (j, c) in candidate.iter().enumerate() {
            let sim = *sims
                .entry((q.id, c.id))
                .or_insert_with(|| pair_similarity(q, c));
            if sim >= MIN_PAIR_SIMILARITY {
                pairs.push(Pair {
                    sim,
                    q: (i, i),
                    c: (j, j),
                });
            }
        }
    }
    compound_pairs(query, candidate, pairs);
    // Best pairs first; among equals, the heavier tokens first; then the simpler pairing.
    let weight = |p: &Pair| {
        query[p.q.0].weight
            + query[p.q.1].weight
            + candidate[p.c.0].weight
            + candidate[p.c.1].weight
    };
    pairs.sort_by(|a, b| {
        b.sim
            .total_cmp(&a.sim)
            .then(weight(b).total_cmp(&weight(a)))
    });
    q_sim.clear();
    q_sim.resize(nq, 0.0);
    c_sim.clear();
    c_sim.resize(nc, 0.0);
    q_partner.clear();
    q_partner.resize(nq, None);
    for p in pairs.iter() {
        let free =
            (p.q.0..=p.q.1).all(|i| q_sim[i] == 0.0) && (p.c.0..=p.c.1).all(|j| c_sim[j] == 0.0);
        if free {
            for i in p.q.0..=p.q.1 {
                q_sim[i] = p.sim;
                q_partner[i] = Some(p.c);
            }
            for s in &mut c_sim[p.c.0..=p.c.1] {
                *s = p.sim;
            }
        }
    }

    let org = !*person_query && candidate.iter().all(|t| t.role == Role::Other);
    // An organisation's name holding its own acronym ("INTERNACIONAL DE PROYECTOS
    // INMOBILIARIA IPI S.A."): a query that writes the acronym has written the words it
    // stands for, as initials do.
    if org {
        for j in 0..nc {
            if c_sim[j] > 0.0 {
                if let Some(run) = acronym_expansion(candidate, j) {
                    for k in run {
                        if c_sim[k] == 0.0 {
                            c_sim[k] = c_sim[j].min(INITIAL_SIMILARITY);
                        }
                    }
                }
            }
        }
    }

    // An unmatched legal form or stopword barely counts on either side: lists write "Huawei
    // Cloud Singapore" for the company callers call "Huawei Cloud Singapore Pte. Ltd.".
    // A company's name in a query often carries a word the list leaves out, a descriptor or
    // a place ("Volga Group Investments" for "VOLGA GROUP"): when the query holds every word
    // of an organisation's name, its other words count for less. Not when a word of the name
    // is missing too: a word put in the place of another names another company.
    // Likewise a person's middle names, patronymics and second family name, which lists
    // leave out as often as callers do ("RAZA ZAIDI, Syed Ali" for "RAZA, Syed Ali"); a
    // little less so when every word of the listed name is a common one ("John Doe" inside
    // "John Doe Kowalczyk Wisniewski"): then the query's other words tell its person apart.
    let whole_name_found = candidate
        .iter()
        .zip(c_sim.iter())
        .all(|(t, &s)| s > 0.0 || t.class != TokenClass::Word);
    // A person's one-word name is found inside many a longer one: only a name of two words
    // or more. (A company's one-word name still needs the query's other words to be light:
    // "Profinet Agency" for "PROFINET PTE. LTD.", not "Atlas Copco" for "ATLAS".)
    let names_words = candidate
        .iter()
        .filter(|t| t.class == TokenClass::Word)
        .count();
    let distinctive = |t: &WeightedToken| t.class == TokenClass::Word;
    // Over the matched distinctive query words: their weight, the rarity of the rare ones,
    // the rarest word and the heaviest.
    let (mut matched_weight, mut rare_weight, mut rarest, mut heaviest_match) =
        (0f32, 0f32, 0f32, 0f32);
    let mut rarest_exact = 0f32;
    for (t, &s) in query.iter().zip(q_sim.iter()) {
        if distinctive(t) && s > 0.0 {
            matched_weight += t.weight * s;
            if t.rarity >= *rare_word_weight && s >= SUBSET_MIN_SIMILARITY {
                rare_weight += t.rarity;
            }
            // A number is in no word table, but it is no coined word either.
            if s >= ARTICLE_SIMILARITY && t.text.bytes().all(|b| b.is_ascii_lowercase()) {
                rarest_exact = rarest_exact.max(t.rarity);
            }
            rarest = rarest.max(t.rarity);
            heaviest_match = heaviest_match.max(t.weight);
        }
    }
    // A person's given name and family name both found, and rare enough together to tell
    // someone apart (as the shared words of a longer or shorter form must be): a middle name or second family name of the query that the listed name
    // writes otherwise counts as one the list left out. Spanish and Portuguese names vary
    // the second (maternal, or married: "de Ibarra") family name from one record to the
    // next: "CARDONA DE IBARRA, Mayela" is "CARDONA MARTINEZ, Mayela".
    let core_found = || {
        let core = |r: Role| {
            candidate.iter().any(|t| t.role == r)
                && candidate
                    .iter()
                    .zip(c_sim.iter())
                    .filter(|(t, _)| t.role == r && t.class == TokenClass::Word)
                    .all(|(_, &s)| s >= SUBSET_MIN_SIMILARITY)
        };
        !org && rare_weight >= super::SUBSET_MIN_SHARE && core(Role::Given) && core(Role::Surname)
    };
    // A given name of the table put before a listed name otherwise found whole counts as a
    // middle name: people of Hong Kong, Taiwan or Singapore add an English given name to
    // their own ("Andrew Kan Kai-yan" for "KAN, Kai Yan").
    let unmatched_weight = |t: &WeightedToken, s: f32| {
        if s == 0.0 && t.class == TokenClass::Filler {
            t.weight * UNMATCHED_FILLER_DISCOUNT
        } else if s == 0.0 && whole_name_found && org {
            t.weight * QUERY_ORG_WORD_DISCOUNT
        } else if s == 0.0
            && ((whole_name_found && names_words >= 2 && !org) || core_found())
            && (matches!(t.role, Role::Middle | Role::Patronym)
                || (t.role == Role::Given
                    && whole_name_found
                    && crate::engine::lexicon::is_given_name(t.text)))
        {
            if rarest >= COMMON_INSIDE_RARITY {
                t.weight * QUERY_MIDDLE_NAME_DISCOUNT
            } else {
                t.weight * QUERY_COMMON_MIDDLE_NAME_DISCOUNT
            }
        } else {
            t.weight
        }
    };
    let q_total: f32 = query
        .iter()
        .zip(q_sim.iter())
        .map(|(t, &s)| unmatched_weight(t, s))
        .sum();
    let q_matched: f32 = query
        .iter()
        .zip(q_sim.iter())
        .map(|(t, s)| t.weight * s)
        .sum();
    let query_coverage = q_matched / q_total;

    // A syllable-per-character query names every syllable of a person's name: a listed name
    // with a syllable more is another person ("Hui Chen" is not "Hui-Fen Chen").
    let syllabic = query.iter().any(|t| t.script != Script::Alphabetic);
    // A query of common words found inside a longer listed name ("José García" in "Jose
    // Luis Santos-Garcia") says little about who it is: the listed name's other words are
    // what tell its person apart, so they count as much as any, not as optional middle names.
    let common_inside = rarest < COMMON_INSIDE_RARITY
        && query
            .iter()
            .zip(q_sim.iter())
            .all(|(t, &s)| !distinctive(t) || s >= SUBSET_MIN_SIMILARITY);
    let mut c_matched = 0f32;
    let mut c_missing = 0f32;
    for (t, &s) in candidate.iter().zip(c_sim.iter()) {
        c_matched += t.weight * s;
        let discount = if s > 0.0 {
            1.0
        } else if t.class == TokenClass::Filler {
            UNMATCHED_FILLER_DISCOUNT
        } else {
            match t.role {
                _ if syllabic => 1.0,
                Role::Middle | Role::Patronym | Role::Given if common_inside => {
                    COMMON_INSIDE_DISCOUNT
                }
                Role::Middle | Role::Patronym => MIDDLE_NAME_DISCOUNT,
                Role::Given => GIVEN_NAME_DISCOUNT,
                Role::Surname => 1.0,
                Role::Other => ORG_WORD_DISCOUNT,
            }
        };
        c_missing += t.weight * (1.0 - s) * discount;
    }
    let candidate_coverage = if c_matched + c_missing > 0.0 {
        c_matched / (c_matched + c_missing)
    } else {
        0.0
    };
    let mut score = QUERY_SHARE * query_coverage + (1.0 - QUERY_SHARE) * candidate_coverage;
    // Either way: a listed name with a syllable more, or a query syllable the name lacks
    // ("杨 李", Yang Li, is not "Bin Yang").
    let syllable_missing = candidate
        .iter()
        .zip(c_sim.iter())
        .chain(query.iter().zip(q_sim.iter()))
        .any(|(t, &s)| t.class == TokenClass::Word && s == 0.0);
    if syllabic && syllable_missing {
        score *= SYLLABLE_MISSING_FACTOR;
    }
    // A match resting on one distinctive word that agrees only approximately has nothing to
    // corroborate it: "Wade PLC" against the alias "WAED" is one transposition in a four-letter
    // word. Such matches count for less than the same similarity spread over several words.
    let words: Vec<f32> = query
        .iter()
        .zip(q_sim.iter())
        .filter(|(t, &s)| t.class == TokenClass::Word && s > 0.0)
        .map(|(_, &s)| s)
        .collect();
    let all_fuzzy = !words.is_empty() && words.iter().all(|&s| s < EXACT_ENOUGH);
    if let [only] = words[..] {
        if only < 1.0 {
            score *= LONE_FUZZY_WORD_FACTOR;
        }
    } else if words.len() >= 2 && all_fuzzy {
        // Every word approximate: two names that each resemble a word of the other ("Remmers
        // Groep" and "RAMOR GROUP") rather than one name written another way, which keeps at
        // least one word as it was.
        score *= ALL_FUZZY_FACTOR;
    }

    let q_words = query.iter().filter(|t| distinctive(t)).count();
    let q_found = query
        .iter()
        .zip(q_sim.iter())
        .filter(|(t, &s)| distinctive(t) && s >= SUBSET_MIN_SIMILARITY)
        .count();
    let c_words = candidate.iter().filter(|t| distinctive(t)).count();
    let c_found = candidate
        .iter()
        .zip(c_sim.iter())
        .filter(|(t, &s)| distinctive(t) && s >= SUBSET_MIN_SIMILARITY)
        .count();
    // A one-word query found in a longer name counts as a subset too ("MBADA" for "MBADA
    // DIAMONDS"): whether it identifies anyone is left to the word's rarity.
    let name_found = !syllabic && c_words > 0 && c_found == c_words;
    let half_name_found = !syllabic && c_words > 0 && 2 * c_found >= c_words;
    let phrase_found = name_found
        && c_words >= 2
        && candidate
            .iter()
            .zip(c_sim.iter())
            .all(|(t, &s)| !distinctive(t) || s >= ARTICLE_SIMILARITY)
        && in_order_together(
            candidate
                .iter()
                .enumerate()
                .filter(|(_, t)| distinctive(t))
                .map(|(j, _)| {
                    let holds =
                        |p: &Option<(usize, usize)>| p.is_some_and(|(a, b)| (a..=b).contains(&j));
                    let first = q_partner.iter().position(holds)?;
                    let last = q_partner.iter().rposition(holds)?;
                    Some((first, last))
                }),
            query,
        );
    // The other way round: the query's words written whole inside a longer listed name, whose
    // other words weigh less than those found ("ROYAL PEARLS" for "ROYAL PEARLS GENERAL
    // TRADING"; not "GENERAL TRADING" for it).
    let (c_found_weight, c_other_weight) = candidate
        .iter()
        .zip(c_sim.iter())
        .filter(|(t, _)| distinctive(t))
        .fold((0f32, 0f32), |(f, o), (t, &s)| {
            if s > 0.0 {
                (f + t.weight, o)
            } else {
                (f, o + t.weight)
            }
        });
    let query_phrase_found = q_words >= 2
        && q_found == q_words
        && query
            .iter()
            .zip(q_sim.iter())
            .all(|(t, &s)| !distinctive(t) || s >= ARTICLE_SIMILARITY)
        && c_other_weight < c_found_weight
        && in_order_together(
            query
                .iter()
                .zip(q_partner.iter())
                .filter(|(t, _)| distinctive(t))
                .map(|(_, &p)| p),
            candidate,
        );
    let subset = if syllabic || q_found == 0 {
        Subset::Neither
    } else if q_found >= 2 && c_found == c_words {
        Subset::NameInQuery
    } else if q_found == q_words {
        Subset::QueryInName
    } else {
        Subset::Neither
    };
    // Only between two nasab chains: a patronymic recognised by its ending alone may stand
    // first in a query ("BASOV, VASILEVICH" dropping the given name).
    let chain = |t: &[WeightedToken]| t.iter().any(|t| is_nasab_connector(t.text));
    let order_conflict = chain(query)
        && chain(candidate)
        && query.iter().enumerate().any(|(i, q)| {
            q_partner[i].is_some_and(|(a, b)| {
                a == b
                    && matches!(
                        (q.role, candidate[a].role),
                        (Role::Given, Role::Patronym) | (Role::Patronym, Role::Given)
                    )
            })
        });
    let heaviest = candidate
        .iter()
        .enumerate()
        .filter(|(_, t)| distinctive(t))
        .max_by(|a, b| a.1.weight.total_cmp(&b.1.weight).then(b.0.cmp(&a.0)));
    let heaviest_missing = heaviest.and_then(|(j, t)| {
        (c_sim[j] == 0.0
            && matches!(t.role, Role::Other | Role::Surname)
            && heaviest_match > 0.0
            && t.weight > heaviest_match)
            .then_some(j)
    });
    let mut out = NameScore {
        score,
        heaviest_missing,
        query_coverage,
        candidate_coverage,
        subset,
        name_found,
        half_name_found,
        phrase_found,
        query_phrase_found,
        all_fuzzy,
        matched_weight,
        rare_weight,
        rarest_exact,
        order_conflict,
        ..NameScore::default()
    };
    if !explain {
        return out;
    }
    for (i, q) in query.iter().enumerate() {
        match q_partner[i] {
            Some((a, b)) => {
                let text: Vec<&str> = candidate[a..=b].iter().map(|t| t.text).collect();
                out.pairs.push(TokenPair {
                    query: q.text.to_string(),
                    candidate: text.join(" "),
                    similarity: q_sim[i],
                    contribution: QUERY_SHARE * q.weight * q_sim[i] / q_total,
                })
            }
            None => out.unmatched_query.push(q.text.to_string()),
        }
    }
    for (c, &s) in candidate.iter().zip(c_sim.iter()) {
        if s == 0.0 {
            out.unmatched_candidate.push(c.text.to_string());
        }
    }
    out
}

/// Whether the spans of the other side partnered with one side's distinctive words, taken in
/// that side's order, stand one after the other on the other side with nothing but its
/// fillers between them. A span repeated is two words written together on the other side.
/// `None` (a word without a partner) is no phrase.
fn in_order_together(
    spans: impl Iterator<Item = Option<(usize, usize)>>,
    other: &[WeightedToken],
) -> bool {
    let mut last: Option<(usize, usize)> = None;
    for span in spans {
        let Some((a, b)) = span else {
            return false;
        };
        if let Some((pa, pb)) = last {
            if (a, b) == (pa, pb) {
                continue;
            }
            if a <= pb || other[pb + 1..a].iter().any(|t| t.class == TokenClass::Word) {
                return false;
            }
        }
        last = Some((a, b));
    }
    true
}

/// Similarity of a word and two words written together: exact, or within the edit budget.
fn compound_similarity(a: &str, b: &str) -> f32 {
    if a == b {
        1.0
    } else {
        edit_similarity(a, b)
    }
}

/// Pairs for words written as one on one side and two on the other ("ALQAIDA"/"AL QAIDA",
/// "Yur'evich" transliterated as "Yur Evich"), and for a query word that is the initials of
/// consecutive words of the name (see [`initials_pairs`]).
fn compound_pairs(query: &[WeightedToken], candidate: &[WeightedToken], pairs: &mut Vec<Pair>) {
    initials_pairs(query, candidate, pairs);
    let word = |t: &WeightedToken| t.class != TokenClass::Filler;
    for (i, q) in query.iter().enumerate().filter(|(_, t)| word(t)) {
        for j in 0..candidate.len().saturating_sub(1) {
            if !word(&candidate[j]) || !word(&candidate[j + 1]) {
                continue;
            }
            let joined_len = candidate[j].text.len() + candidate[j + 1].text.len();
            if joined_len.abs_diff(q.text.len()) > 2
                || candidate[j].text.as_bytes()[0] != q.text.as_bytes()[0]
            {
                continue;
            }
            let joined = format!("{}{}", candidate[j].text, candidate[j + 1].text);
            let sim = match q.script {
                Script::Han => f32::from(u8::from(q.text == joined)),
                _ => compound_similarity(q.text, &joined),
            };
            if sim >= MIN_PAIR_SIMILARITY {
                pairs.push(Pair {
                    sim,
                    q: (i, i),
                    c: (j, j + 1),
                });
            }
        }
    }
    for i in 0..query.len().saturating_sub(1) {
        if !word(&query[i]) || !word(&query[i + 1]) {
            continue;
        }
        let joined_len = query[i].text.len() + query[i + 1].text.len();
        let mut joined: Option<String> = None;
        for (j, c) in candidate.iter().enumerate().filter(|(_, t)| word(t)) {
            if joined_len.abs_diff(c.text.len()) > 2
                || query[i].text.as_bytes()[0] != c.text.as_bytes()[0]
            {
                continue;
            }
            let joined =
                joined.get_or_insert_with(|| format!("{}{}", query[i].text, query[i + 1].text));
            let sim = match query[i].script {
                Script::Han => f32::from(u8::from(joined == c.text)),
                _ => compound_similarity(joined, c.text),
            };
            if sim >= MIN_PAIR_SIMILARITY {
                pairs.push(Pair {
                    sim,
                    q: (i, i + 1),
                    c: (j, j),
                });
            }
        }
    }
}

/// The words of a name that its word at `j` abbreviates: as many words as it has letters
/// (three to [`MAX_INITIALS`]), just before it or else just after it, stopwords and legal
/// forms skipped, whose first letters spell it ("ipi" after "internacional de proyectos
/// inmobiliaria").
fn acronym_expansion(name: &[WeightedToken], j: usize) -> Option<Vec<usize>> {
    let acronym = name[j].text.as_bytes();
    if name[j].class != TokenClass::Word
        || !(3..=MAX_INITIALS).contains(&acronym.len())
        || !acronym.iter().all(u8::is_ascii_lowercase)
    {
        return None;
    }
    let spells = |words: &mut dyn Iterator<Item = usize>, backwards: bool| {
        let run: Vec<usize> = words
            .filter(|&k| name[k].class != TokenClass::Filler)
            .take(acronym.len())
            .collect();
        let letters = run.iter().map(|&k| name[k].text.as_bytes()[0]);
        let matches = run.len() == acronym.len()
            && run
                .iter()
                .all(|&k| name[k].class == TokenClass::Word && name[k].text.len() > 1)
            && if backwards {
                letters.rev().eq(acronym.iter().copied())
            } else {
                letters.eq(acronym.iter().copied())
            };
        matches.then_some(run)
    };
    spells(&mut (0..j).rev(), true).or_else(|| spells(&mut (j + 1..name.len()), false))
}

/// Longest query word read as the initials of the name's words.
const MAX_INITIALS: usize = 5;

/// Pairs for a query word of two to [`MAX_INITIALS`] letters that spells the first letters of
/// as many consecutive words of the name: initials written together ("BOYARKIN, V.A." for
/// "BOYARKIN, Victor Alekseyevich", "TSAI, Alex H.T." for "TSAI, Hsein Tai"; the tokenizer
/// joins dotted letters) and an organisation's acronym ("RFA BANK" for "RUSSIAN FINANCIAL
/// ALLIANCE BANK"). They count as initials do ([`INITIAL_SIMILARITY`]), so a word that
/// matches in full still wins.
fn initials_pairs(query: &[WeightedToken], candidate: &[WeightedToken], pairs: &mut Vec<Pair>) {
    for (i, q) in query.iter().enumerate() {
        let n = q.text.len();
        if q.class != TokenClass::Word
            || q.script != Script::Alphabetic
            || !(2..=MAX_INITIALS).contains(&n)
            || n > candidate.len()
        {
            continue;
        }
        for j in 0..=candidate.len() - n {
            let run = &candidate[j..j + n];
            let spelt = run.iter().zip(q.text.bytes()).all(|(c, b)| {
                c.class == TokenClass::Word && c.text.len() > 1 && c.text.as_bytes()[0] == b
            });
            if spelt {
                pairs.push(Pair {
                    sim: INITIAL_SIMILARITY,
                    q: (i, i),
                    c: (j, j + n - 1),
                });
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sn(q: &[WeightedToken], c: &[WeightedToken]) -> NameScore {
        score_name(q, c, &mut SimCache::new(), true)
    }

    fn toks(s: &str) -> Vec<WeightedToken<'static>> {
        with_roles(s, false)
    }

    /// Tokens of a name; `person` gives them roles as in "Given Middle... Surname".
    fn with_roles(s: &str, person: bool) -> Vec<WeightedToken<'static>> {
        let parts: Vec<&str> = s.split(' ').collect();
        let n = parts.len();
        parts
            .iter()
            .enumerate()
            .map(|(i, &t)| WeightedToken {
                id: i as u32 + if person { 1000 } else { 0 },
                text: Box::leak(t.to_string().into_boxed_str()),
                fold: Box::leak(translit_fold(t).into_boxed_str()),
                skeleton: Box::leak(phonetic_keys(t).into_boxed_str()),
                spelling: Box::leak(class_spelling(t).into_boxed_str()),
                weight: if t == "ltd" { 0.4 } else { 5.0 },
                class: TokenClass::of(t, t == "ltd"),
                role: match (person, i) {
                    (false, _) => Role::Other,
                    (true, 0) => Role::Given,
                    (true, i) if i + 1 == n => Role::Surname,
                    _ => Role::Middle,
                },
                known: false,
                rarity: 9.0,
                script: Script::Alphabetic,
                generic: is_generic(t),
            })
            .collect()
    }

    #[test]
    fn a_known_word_is_doubted_only_against_another_word_not_another_spelling() {
        let known = |s: &str| {
            let mut t = toks(s);
            t.iter_mut().for_each(|t| t.known = true);
            t
        };
        let pair = |q: &[WeightedToken], c: &[WeightedToken]| pair_similarity(&q[0], &c[0]);
        // Folded alike: one name however many parties the lists hold under either spelling.
        for (a, b) in [
            ("fawwaz", "fawaz"),
            ("dmitriy", "dmitry"),
            ("melnichuk", "melnychuk"),
        ] {
            assert_eq!(
                pair(&known(a), &toks(b)),
                pair(&toks(a), &toks(b)),
                "{a}/{b}"
            );
        }
        // One letter apart in a short word: a real word there may well be another name.
        let (q, c) = (known("basim"), toks("qasim"));
        assert!(pair(&q, &c) < pair(&toks("basim"), &c), "basim/qasim");
    }

    #[test]
    fn a_second_family_name_written_otherwise_counts_as_one_left_out() {
        // "CARDONA DE IBARRA, Mayela" for "CARDONA MARTINEZ, Mayela": given name and first
        // family name found, the second differs.
        let rarity = |mut t: Vec<WeightedToken<'static>>, r: f32| {
            t.iter_mut().for_each(|t| t.rarity = r);
            t
        };
        let query = with_roles("mayela ibarra cardona", true);
        let listed = with_roles("mayela martinez cardona", true);
        let rare = sn(&rarity(query.clone(), 9.0), &listed).score;
        let common = sn(&rarity(query, 2.0), &listed).score;
        assert!(rare > common + 0.03, "rare {rare}, common {common}");
        // Not when the family name itself is what differs.
        let other = with_roles("mayela ibarra lopez", true);
        let family = sn(
            &rarity(with_roles("mayela ibarra cardona", true), 9.0),
            &other,
        )
        .score;
        assert!(family < common, "{family}");
    }

    #[test]
    fn a_name_is_found_as_a_phrase_only_whole_in_order_and_as_written() {
        let listed = toks("meridian harbour");
        assert!(sn(&toks("meridian harbour lagos"), &listed).phrase_found);
        assert!(sn(&toks("lagos meridian harbour ltd"), &listed).phrase_found);
        for apart in [
            "meridian lagos harbour",
            "harbour meridian lagos",
            "meridian lagos",
        ] {
            assert!(!sn(&toks(apart), &listed).phrase_found, "{apart}");
        }
        assert!(!sn(&toks("remmers groep"), &toks("ramor group")).phrase_found);
        // One word is no phrase.
        assert!(!sn(&toks("meridian lagos"), &toks("meridian")).phrase_found);
    }

    #[test]
    fn a_query_is_found_as_a_phrase_of_a_longer_name_whose_other_words_are_lighter() {
        let mut listed = toks("royal pearls general trading");
        listed[2].weight = 2.0;
        listed[3].weight = 2.0;
        assert!(sn(&toks("royal pearls"), &listed).query_phrase_found);
        assert!(!sn(&toks("pearls royal"), &listed).query_phrase_found);
        // The name's own words weigh more than those found: another company's descriptor.
        assert!(!sn(&toks("general trading"), &listed).query_phrase_found);
        let apart = toks("royal general pearls");
        assert!(!sn(&toks("royal pearls"), &apart).query_phrase_found);
        // Two query words the name writes together are one step of the phrase.
        let mut glued = toks("royalpearls general trading");
        glued[1].weight = 2.0;
        glued[2].weight = 2.0;
        assert!(sn(&toks("royal pearls"), &glued).query_phrase_found);
    }

    #[test]
    fn an_english_given_name_added_to_a_listed_name_counts_as_a_middle_name() {
        // "KAN, Kai Yan" written "Andrew Kan Kai Yan": roles Given, Middle..., Surname.
        let listed = with_roles("kai yan kan", true);
        let english = sn(&with_roles("andrew kai yan kan", true), &listed).score;
        let other = sn(&with_roles("zorbek kai yan kan", true), &listed).score;
        assert!(english > other + 0.03, "andrew {english}, zorbek {other}");
    }

    #[test]
    fn names_alike_only_word_by_word_are_all_fuzzy() {
        assert!(sn(&toks("remmers groep"), &toks("ramor group")).all_fuzzy);
        assert!(!sn(&toks("kassem alrimi"), &toks("alrimi qasim")).all_fuzzy);
        assert!(!sn(&toks("meridian harbour"), &toks("meridian harbour")).all_fuzzy);
    }

    #[test]
    fn identical_names_score_one() {
        let s = sn(&toks("huawei cloud ltd"), &toks("huawei cloud ltd"));
        assert!((s.score - 1.0).abs() < 1e-6, "{s:?}");
    }

    #[test]
    fn order_does_not_matter() {
        let s = sn(&toks("milorad lukovic"), &toks("lukovic milorad"));
        assert!((s.score - 1.0).abs() < 1e-6);
    }

    #[test]
    fn typos_score_high_but_below_one() {
        let s = sn(&toks("victr mhscoso"), &toks("victor moscoso"));
        assert!(s.score > 0.85 && s.score < 1.0, "{s:?}");
    }

    #[test]
    fn extra_distinctive_query_word_scores_low() {
        let s = sn(
            &toks("example cloud singapore"),
            &toks("huawei cloud singapore"),
        );
        assert!(s.score < 0.7, "{s:?}");
    }

    #[test]
    fn an_organisation_name_inside_a_longer_query_keeps_most_of_its_score() {
        let s = sn(&toks("volga group investment"), &toks("volga group"));
        assert!(s.score >= 0.85, "{s:?}");
        // Less so for a person's name: the extra word may be a family name.
        let person = sn(
            &toks("volga group investment"),
            &with_roles("volga group", true),
        );
        assert!(person.score < s.score, "{person:?}");
    }

    #[test]
    fn a_han_query_syllable_the_name_lacks_counts_as_another_person() {
        let han = |s: &str| {
            let mut t = toks(s);
            t.iter_mut().for_each(|t| t.script = Script::Han);
            t
        };
        // "杨 李" (Yang Li) against "Bin Yang", whose "bin" reads as a nasab filler.
        let mut listed = toks("bin yang");
        listed[0].class = TokenClass::Filler;
        listed[0].weight = 0.4;
        let s = sn(&han("yang li"), &listed);
        assert!(s.score < 0.7, "{s:?}");
    }

    #[test]
    fn a_middle_name_the_list_leaves_out_is_tolerated() {
        let listed = with_roles("atul gupta", true);
        let s = sn(&with_roles("atul kumar gupta", true), &listed);
        assert!(s.score >= 0.85, "{s:?}");
        // Not for a one-word listed name, nor for a query word in another place than the
        // middle (a different family name).
        let one = sn(
            &with_roles("atul kumar gupta", true),
            &with_roles("gupta", true),
        );
        assert!(one.score < 0.8, "{one:?}");
        let other_surname = sn(&with_roles("atul gupta sharma", true), &listed);
        assert!(other_surname.score < s.score, "{other_surname:?}");
    }

    #[test]
    fn dropped_middle_name_of_a_person_is_tolerated() {
        let listed = with_roles("saad uwayyid ubayd alshammari", true);
        let s = sn(&toks("saad alshammari"), &listed);
        assert!(s.score >= 0.85, "{s:?}");
        // Dropping the given name costs more than dropping middle names, and dropping the
        // surname more still.
        let no_given = sn(&toks("uwayyid alshammari"), &listed);
        assert!(no_given.score < s.score, "{no_given:?}");
        let no_surname = sn(&toks("saad uwayyid"), &listed);
        assert!(no_surname.score < no_given.score, "{no_surname:?}");
        let org = sn(
            &toks("saad alshammari"),
            &toks("saad uwayyid ubayd alshammari"),
        );
        assert!(org.score < s.score);
    }

    #[test]
    fn joined_and_split_words_align() {
        let s = sn(&toks("hua wei technologies"), &toks("huawei technologies"));
        assert!(s.score > 0.95, "{s:?}");
        let s = sn(&toks("huawei technologies"), &toks("hua wei technologies"));
        assert!(s.score > 0.95, "{s:?}");
        // The exact compound beats a looser single-token pair.
        let s = sn(&toks("pisklin yur evich"), &toks("pisklin yurevich"));
        assert!(s.score > 0.99, "{s:?}");
    }

    #[test]
    fn a_lone_approximate_word_counts_for_less() {
        // One transposition in the only distinctive word: below the same similarity spread
        // over a longer name.
        let lone = sn(&toks("wade ltd"), &toks("waed"));
        assert!(lone.score < 0.85, "{lone:?}");
        let exact = sn(&toks("waed ltd"), &toks("waed"));
        assert!(exact.score > 0.95, "{exact:?}");
        let corroborated = sn(&toks("wade trading"), &toks("waed trading"));
        assert!(corroborated.score > lone.score, "{corroborated:?}");
    }

    #[test]
    fn initials_agree_with_the_words_they_begin() {
        let s = sn(&toks("h farahi"), &toks("hassan farahi"));
        assert!(s.score > 0.85, "{s:?}");
        let s = sn(&toks("k farahi"), &toks("hassan farahi"));
        assert!(s.pairs.len() == 1, "{s:?}");
    }

    #[test]
    fn initials_written_together_spell_consecutive_words() {
        // Dotted initials reach the matcher joined ("V.A." is "va").
        let s = sn(
            &with_roles("va boyarkin", true),
            &with_roles("victor alekseyevich boyarkin", true),
        );
        assert!(s.score > 0.85, "{s:?}");
        assert_eq!(s.pairs[0].candidate, "victor alekseyevich", "{s:?}");
        assert!(s.unmatched_candidate.is_empty(), "{s:?}");
        // An acronym of an organisation's words.
        let s = sn(&toks("rfa bank"), &toks("russian financial alliance bank"));
        assert!(s.score > 0.85, "{s:?}");
        // Letters in another order, or a run broken by a word, are not its initials.
        let s = sn(&toks("fra bank"), &toks("russian financial alliance bank"));
        assert!(s.unmatched_query == ["fra"], "{s:?}");
        let s = sn(
            &toks("rfa bank"),
            &toks("russian financial credit alliance bank"),
        );
        assert!(s.unmatched_query == ["rfa"], "{s:?}");
        // A word that matches in full still wins over a reading as initials.
        let s = sn(&toks("ali farahi"), &toks("ali farahi"));
        assert!(s.score > 0.99, "{s:?}");
    }

    #[test]
    fn a_name_holding_its_own_acronym_is_found_by_it() {
        let s = sn(
            &toks("ipi ltd"),
            &toks("internacional proyectos inmobiliaria ipi ltd"),
        );
        assert!(s.score > 0.85, "{s:?}");
        assert!(s.unmatched_candidate.is_empty(), "{s:?}");
        // After the acronym too.
        let s = sn(
            &toks("ipi"),
            &toks("ipi internacional proyectos inmobiliaria"),
        );
        assert!(s.unmatched_candidate.is_empty(), "{s:?}");
        // Words whose initials do not spell it stay words of their own.
        let s = sn(
            &toks("ipi ltd"),
            &toks("proyectos internacional inmobiliaria ipi ltd"),
        );
        assert!(s.score < 0.85, "{s:?}");
        assert_eq!(s.unmatched_candidate.len(), 3, "{s:?}");
        // Not in a person's name.
        let s = sn(
            &with_roles("ipi", true),
            &with_roles("ivan petrov ivanov ipi", true),
        );
        assert_eq!(s.unmatched_candidate.len(), 3, "{s:?}");
    }

    #[test]
    fn an_e_written_for_a_short_i_is_one_spelling() {
        // "Nasser" and "Nasir" are one name (ناصر), as "Mehdi" and "Mahdi" are.
        for (a, b) in [
            ("nasser", "nasir"),
            ("debbiye", "dibiya"),
            ("aldibiya", "debbiye"),
        ] {
            assert!(token_similarity(a, b) >= 0.9, "{a}/{b}");
        }
        // Not a name whose letters differ otherwise.
        assert!(token_similarity("melanie", "milan") < 0.85);
    }

    #[test]
    fn one_name_in_two_romanizations_is_exact_enough() {
        // Spelt alike by letter class: another romanization, though also two edits apart.
        for (a, b) in [
            ("mohammed", "muhammad"),
            ("mehdi", "mahdi"),
            ("jaafar", "jafar"),
        ] {
            let s = token_similarity(a, b);
            assert!(s >= EXACT_ENOUGH, "{a}/{b}: {s}");
        }
        // A typo between words spelt differently by class keeps its edit similarity.
        assert!(token_similarity("groep", "group") < EXACT_ENOUGH);
        assert!(token_similarity("remmers", "ramor") < EXACT_ENOUGH);
    }

    #[test]
    fn similarity_respects_length_budget() {
        assert_eq!(token_similarity("abc", "abd"), 0.0);
        assert!(token_similarity("victor", "victr") >= 0.9);
        assert_eq!(token_similarity("smith", "jones"), 0.0);
        assert!(token_similarity("mohamed", "muhamad") >= ROMANIZATION_SIMILARITY);
        // Same consonant classes (s-r-s), other vowels: at most a weak pair.
        assert!(token_similarity("suarez", "syriss") < 0.8);
        assert_eq!(token_similarity("ia", "ya"), TRANSLIT_SIMILARITY);
    }
}
