//! Candidate generation: which indexed names are worth scoring for a query.
//!
//! Each query token is expanded to the index tokens within its edit-distance budget by running
//! a Levenshtein DFA over the token FST, plus the tokens sharing its phonetic skeleton. The
//! postings of those tokens vote for names, weighted by the token's IDF, and the best-voted
//! names go on to full scoring. DFA builders are expensive to create and are built once per
//! process (they are immutable and shared).

use std::sync::OnceLock;

use fst::{IntoStreamer, Streamer};
use levenshtein_automata::{Distance, LevenshteinAutomatonBuilder};

use crate::index::Index;
use crate::normalize::skeleton;

use super::score::allowed_distance;

fn builder(distance: usize) -> &'static LevenshteinAutomatonBuilder {
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
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Expansion {
    pub ordinal: u32,
    /// Edit distance, or `None` for a skeleton (transliteration) match.
    pub distance: Option<u8>,
}

/// Index tokens near `token`: itself, the tokens sharing its phonetic skeleton, and, for a
/// word the index does not know (most likely a typo or an unusual spelling), the tokens within
/// its edit budget.
///
/// A word the index knows is not expanded by edit distance: running a Levenshtein DFA over the
/// token FST is the dominant cost of a query (~0.1 ms at distance 2), and a known word's
/// near neighbours are mostly other real words ("martins"/"martinez"), while the other words
/// of the query still bring the right names in. Scoring compares every candidate token
/// fuzzily either way. Long unknown words try distance 1 first and widen to 2 only when
/// nothing is that close.
pub fn expand(index: &Index, token: &str, out: &mut Vec<Expansion>) {
    out.clear();
    let budget = allowed_distance(token.chars().count());
    match index.token_ordinal(token) {
        Some(o) => out.push(Expansion {
            ordinal: o,
            distance: Some(0),
        }),
        None if budget > 0 => {
            fuzzy(index, token, 1, out);
            if out.is_empty() && budget > 1 {
                fuzzy(index, token, 2, out);
            }
        }
        None => {}
    }
    if let Some(s) = skeleton(token) {
        for &o in index.skeleton_tokens(&s) {
            if !out.iter().any(|e| e.ordinal == o) {
                out.push(Expansion {
                    ordinal: o,
                    distance: None,
                });
            }
        }
    }
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

    /// The `n` best-voted names, best first.
    pub fn top(&self, n: usize) -> Vec<u32> {
        let mut names: Vec<u32> = self.touched.clone();
        let key = |x: &u32| self.score[*x as usize];
        if names.len() > n {
            names.select_nth_unstable_by(n, |a, b| key(b).total_cmp(&key(a)));
            names.truncate(n);
        }
        names.sort_by(|a, b| key(b).total_cmp(&key(a)).then(a.cmp(b)));
        names
    }
}
