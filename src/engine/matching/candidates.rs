//! Candidate generation: which indexed names are worth scoring for a query.
//!
//! Each query token is expanded to the index tokens within its edit-distance budget by running
//! a Levenshtein DFA over the token FST, plus the tokens sharing its phonetic skeleton. The
//! postings of those tokens vote for names, weighted by the token's IDF, and the best-voted
//! names go on to full scoring. DFA builders are expensive to create and are built once per
//! process (they are immutable and shared).

use std::cmp::Reverse;
use std::sync::OnceLock;

use fst::{IntoStreamer, Streamer};
use levenshtein_automata::{Distance, LevenshteinAutomatonBuilder};

use serde::{Deserialize, Serialize};

use crate::engine::index::build::DELETION_KEYS_MAX_LEN;
use crate::engine::index::Index;

use super::score::{allowed_distance, osa_within, OwnedForms};

pub(crate) fn builder(distance: usize) -> &'static LevenshteinAutomatonBuilder {
    static BUILDERS: OnceLock<[LevenshteinAutomatonBuilder; 2]> = OnceLock::new();
    let b = BUILDERS.get_or_init(|| {
        [
            LevenshteinAutomatonBuilder::new(1, true),
            LevenshteinAutomatonBuilder::new(2, true),
        ]
    });
    &b[distance.clamp(1, 2) - 1]
}

/// An index token near a query token.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Expansion {
    pub ordinal: u32,
    /// Edit distance, or `None` for a match by phonetic key only.
    pub distance: Option<u8>,
    /// Shares a phonetic key with the query word (a romanization variant).
    pub keyed: bool,
}

/// Index tokens near `token`: itself when the index knows it, the tokens within its edit
/// budget, and those sharing one of its phonetic keys (romanization variants, see
/// [`crate::engine::normalize::romanization_keys`]).
///
/// Every word is expanded, known or not: a real variant is usually another real word
/// ("Kasim" is listed under one party, "Qasem" under another), so a word the index knows
/// must still reach its neighbours. The cost is bounded by the word itself, not by skipping
/// it: a known word looks up its distance-1 neighbours only (distance 2 is for unknown words
/// of 8+ letters, the typo case), and at most [`MAX_EXPANSIONS`] spellings vote (closest,
/// then rarest, see [`keep_closest`]).
///
/// Words up to `DELETION_KEYS_MAX_LEN` (12) letters look their neighbours up through the index's
/// symmetric-deletion FST, in one walk that shares the steps of keys with a common prefix
/// (`1 + len` keys at distance 1, about `len²/2` at distance 2): a few microseconds either
/// way. Longer unknown words (up to [`MAX_FUZZY_LEN`]) find their one-edit neighbours by the
/// same keys (the index holds every word's one-letter deletions), and only when they have
/// none run a Levenshtein DFA (from builders made once per process) over the token FST, which
/// costs about 0.1 ms; longer words still are looked up exactly only.
///
/// Returns the token's ordinal when the index knows it.
pub fn expand(index: &Index, token: &str, keys: &str, out: &mut Vec<Expansion>) -> Option<u32> {
    out.clear();
    let known = index.token_ordinal(token);
    if let Some(o) = known {
        out.push(Expansion {
            ordinal: o,
            distance: Some(0),
            keyed: true,
        });
    }
    // A word the lists use in many names is common: its one-edit neighbours are other common
    // words whose postings would cost more votes than they find; its romanization variants
    // still vote.
    let common = known.is_some_and(|o| index.postings(o).len() > COMMON_POSTINGS);
    let budget = if common {
        0
    } else {
        allowed_distance(token.chars().count())
    };
    if budget > 0 && token.is_ascii() && token.len() <= DELETION_KEYS_MAX_LEN {
        // Distance 1 first (len + 1 lookups); the two-edit neighbourhood (~len²/2 lookups)
        // only for an unknown word with nothing that close.
        by_deletions(index, token, 1, out);
        if known.is_none() && out.is_empty() && budget > 1 {
            by_deletions(index, token, 2, out);
        }
    } else if budget > 0 && known.is_none() && token.len() <= MAX_FUZZY_LEN {
        // The index holds every word's one-letter deletions whatever its length, so the
        // one-edit neighbours of a long word are found by keys too; the automaton only runs
        // when nothing is that close.
        if token.is_ascii() {
            by_deletions(index, token, 1, out);
        }
        if out.is_empty() {
            fuzzy(index, token, budget, out);
        }
    }
    // Other forms of a given name ("bill" for "william"), as romanization variants.
    for variant in crate::engine::lexicon::given_name_variants(token) {
        if let Some(o) = index.token_ordinal(variant) {
            add_variant(out, o);
        }
    }
    if token.len() <= MAX_FUZZY_LEN {
        for key in keys.split(' ').filter(|k| !k.is_empty()) {
            for &o in index.skeleton_tokens(key) {
                add_variant(out, o);
            }
        }
    }
    known
}

/// The spellings a query word stands for: [`expand`], then [`keep_closest`]. The index
/// holds the result for every word it knows (`neighbour_table`); this is the work for a
/// word it does not. Returns the word's ordinal when the index knows it.
pub fn spellings(
    index: &Index,
    token: &str,
    forms: &OwnedForms,
    out: &mut Vec<Expansion>,
) -> Option<u32> {
    let known = expand(index, token, &forms.skeleton, out);
    keep_closest(index, &forms.spelling, known.is_some(), out);
    known
}

/// Keeps the spellings that vote for a query word. In a dense vocabulary a word has dozens of
/// neighbours within its edit budget and among its romanization variants; voting for all of
/// their postings would cost more than it finds, so only [`MAX_EXPANSIONS`] vote, in tiers:
/// the word itself; words one edit away that also share a phonetic key; then, for a word the
/// index knows, its romanization variants before its other one-edit neighbours (those are
/// mostly other names: "qasim" is one edit from "basim", "nasim", "qarim"), and for an
/// unknown word (likelier a typo) the other way round; two edits last. Within a tier the
/// variants whose class spellings are closest go first, then the heaviest (rarest) words.
/// Closeness is only computed for the tier that the limit cuts.
pub fn keep_closest(index: &Index, spelling: &str, known: bool, expansions: &mut Vec<Expansion>) {
    if expansions.len() <= MAX_EXPANSIONS {
        return;
    }
    let tier = |e: &Expansion| match (e.distance, e.keyed) {
        (Some(0), _) => 0u8,
        (Some(1), true) => 1,
        (None, _) if known => 2,
        (Some(1), false) if known => 3,
        (Some(1), false) => 2,
        (None, _) => 3,
        _ => 4,
    };
    // (tier, closer first, heavier first, ordinal, the spelling).
    type Keyed = (u8, Reverse<u32>, Reverse<u32>, u32, Expansion);
    let mut keyed: Vec<Keyed> = expansions
        .iter()
        .map(|e| {
            (
                tier(e),
                Reverse(0),
                // The heaviest (rarest) first: by weight, which moves less often than the
                // count of names (see `index::build::token_weight_for`).
                Reverse(index.weight(e.ordinal).to_bits()),
                e.ordinal,
                *e,
            )
        })
        .collect();
    // The tier that the limit cuts: the tiers before it are kept whole, those after it not at
    // all, so only its members need ranking by closeness.
    let mut tiers = [0usize; 5];
    for k in &keyed {
        tiers[k.0 as usize] += 1;
    }
    let mut kept = 0;
    let cut = tiers
        .iter()
        .position(|&n| {
            kept += n;
            kept > MAX_EXPANSIONS
        })
        .unwrap_or(4) as u8;
    for k in keyed
        .iter_mut()
        .filter(|k| k.0 == cut && k.4.distance.is_none())
    {
        let other = index.token_forms(k.3).spelling;
        k.1 = Reverse((super::score::jaro_winkler(spelling, other) * 1000.0) as u32);
    }
    keyed.sort_unstable_by_key(|k| (k.0, k.1, k.2, k.3));
    expansions.clear();
    expansions.extend(keyed.into_iter().take(MAX_EXPANSIONS).map(|k| k.4));
}

/// The spellings of every token of `index` (see [`spellings`]), as offsets into one list, for
/// the index to hold: a query word the index knows then costs one lookup instead of dozens.
/// Computed on all cores; the index must hold everything else already.
pub(crate) fn neighbour_table(index: &Index) -> (Vec<u32>, Vec<Expansion>) {
    let tokens = index.token_count();
    let threads = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .clamp(1, 8);
    let chunk = tokens.div_ceil(threads).max(1);
    let parts: Vec<Vec<(u32, Vec<Expansion>)>> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..tokens)
            .step_by(chunk)
            .map(|from| {
                scope.spawn(move || {
                    let mut buf = Vec::new();
                    (from..(from + chunk).min(tokens))
                        .map(|o| {
                            let forms = index.token_forms(o as u32);
                            expand(index, forms.text, forms.skeleton, &mut buf);
                            keep_closest(index, forms.spelling, true, &mut buf);
                            (o as u32, buf.clone())
                        })
                        .collect()
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().unwrap_or_else(|e| std::panic::resume_unwind(e)))
            .collect()
    });
    let mut start = Vec::with_capacity(tokens + 1);
    let mut all = Vec::new();
    for (_, list) in parts.into_iter().flatten() {
        start.push(all.len() as u32);
        all.extend(list);
    }
    start.push(all.len() as u32);
    (start, all)
}

/// Marks `ordinal` as a variant of the query word (a shared phonetic key or given name),
/// adding it when no edit distance found it.
fn add_variant(out: &mut Vec<Expansion>, ordinal: u32) {
    match out.iter_mut().find(|e| e.ordinal == ordinal) {
        Some(e) => e.keyed = true,
        None => out.push(Expansion {
            ordinal,
            distance: None,
            keyed: true,
        }),
    }
}

/// Longest word that is expanded at all: no listed name word is longer, and a Levenshtein
/// automaton over a long word costs in proportion to its length.
pub const MAX_FUZZY_LEN: usize = 32;

/// Postings beyond which a known word is not expanded by edit distance, see [`expand`].
pub const COMMON_POSTINGS: usize = 100;

/// Most spellings a query word may stand for, see [`expand`].
pub const MAX_EXPANSIONS: usize = 16;

/// Tokens within `budget` (1 or 2) edits of `token`, found through shared deletion keys and
/// then verified with the OSA distance (a transposition counts as one edit).
fn by_deletions(index: &Index, token: &str, budget: usize, out: &mut Vec<Expansion>) {
    index
        .deletions
        .deleted_groups(token.as_bytes(), budget, |group| {
            for &o in group {
                if out.iter().any(|e| e.ordinal == o) {
                    continue;
                }
                let t = index.token_forms(o).text;
                if let Some(d) = osa_within(t.as_bytes(), token.as_bytes(), budget) {
                    out.push(Expansion {
                        ordinal: o,
                        distance: Some(d as u8),
                        keyed: false,
                    });
                }
            }
        });
}

fn fuzzy(index: &Index, token: &str, distance: usize, out: &mut Vec<Expansion>) {
    let dfa = builder(distance).build_dfa(token);
    let mut stream = index.token_fst.search(&dfa).into_stream();
    while let Some((key, ordinal)) = stream.next() {
        let d = match dfa.eval(key) {
            Distance::Exact(d) | Distance::AtLeast(d) => d,
        };
        out.push(Expansion {
            ordinal: ordinal as u32,
            distance: Some(d),
            keyed: false,
        });
    }
}

/// Reusable per-thread buffers for candidate voting: a dense score array over all names,
/// reset through the list of touched slots so a query costs what it touches, not the index
/// size.
#[derive(Default)]
pub struct Votes {
    score: Vec<f32>,
    touched: Vec<u32>,
    keyed: Vec<(f32, u32)>,
}

impl Votes {
    pub fn reset(&mut self, names: usize) {
        if self.score.len() != names {
            self.score = vec![0.0; names];
            self.touched.clear();
        }
        for &t in &self.touched {
            self.score[t as usize] = 0.0;
        }
        self.touched.clear();
    }

    /// Adds `weight` to `name`. Votes only rank candidates for full scoring, so a name that
    /// holds two near spellings of one query token may be counted twice without harm.
    pub fn vote(&mut self, name: u32, weight: f32) {
        let s = &mut self.score[name as usize];
        if *s == 0.0 {
            self.touched.push(name);
        }
        *s += weight;
    }

    /// Adds `weight` to the names of `postings` (sorted name ids) that already have votes,
    /// without voting for new ones: by walking the shorter of the two lists.
    pub fn add_to_voted(&mut self, postings: &[u32], weight: f32) {
        if self.touched.len() * 8 < postings.len() {
            for &n in &self.touched {
                if postings.binary_search(&n).is_ok() {
                    self.score[n as usize] += weight;
                }
            }
        } else {
            for &n in postings {
                let s = &mut self.score[n as usize];
                if *s > 0.0 {
                    *s += weight;
                }
            }
        }
    }

    /// The `n` names ranked best by `rank(name, votes)`, best first (ties: lower name id),
    /// among those with at least `min` votes.
    pub fn top(&mut self, n: usize, min: f32, rank: impl Fn(u32, f32) -> f32) -> Vec<u32> {
        let Votes {
            score,
            touched,
            keyed,
        } = self;
        // Rank keys computed once per name, not once per comparison.
        keyed.clear();
        keyed.extend(
            touched
                .iter()
                .map(|&x| (x, score[x as usize]))
                .filter(|&(_, v)| v >= min)
                .map(|(x, v)| (rank(x, v), x)),
        );
        let order = |a: &(f32, u32), b: &(f32, u32)| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1));
        if keyed.len() > n {
            keyed.select_nth_unstable_by(n, order);
            keyed.truncate(n);
        }
        keyed.sort_by(order);
        keyed.iter().map(|&(_, x)| x).collect()
    }
}
