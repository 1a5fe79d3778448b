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

/// Tokens of the index within the edit-distance budget of `token`, plus skeleton matches.
pub fn expand(index: &Index, token: &str, out: &mut Vec<Expansion>) {
    out.clear();
    let d = allowed_distance(token.chars().count());
    if d == 0 {
        if let Some(o) = index.token_ordinal(token) {
            out.push(Expansion {
                ordinal: o,
                distance: Some(0),
            });
        }
    } else {
        let dfa = builder(d).build_dfa(token);
        let mut stream = index.token_fst.search(&dfa).into_stream();
        while let Some((key, ordinal)) = stream.next() {
            let distance = match dfa.eval(key) {
                Distance::Exact(d) => d,
                Distance::AtLeast(d) => d,
            };
            out.push(Expansion {
                ordinal: ordinal as u32,
                distance: Some(distance),
            });
        }
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
