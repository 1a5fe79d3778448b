//! Other readings of a query that may be a disguised listed name.
//!
//! The normalizer already undoes what can be undone symmetrically (invisible characters,
//! look-alike letters, fullwidth forms, marks). What it cannot undo without knowing the list
//! is a word broken into pieces ("Gaz prom", "H u a w e i", "Gaz.prom"), words glued together
//! ("HuaweiTechnologies"), doubled letters ("Huaawei Teechnologies") and digits standing for
//! letters ("Hu4w3i"). Those are read here,
//! on the query side only, against the index's own vocabulary: a reading exists only when
//! it turns the query's pieces into words some listed name actually uses, so an ordinary
//! query costs a few FST lookups and no second search.

use crate::index::Index;
use crate::normalize::{is_filler_word, tokens};

/// Longest run of pieces that may be joined back into one word ("h u a w e i" is six).
const MAX_JOIN: usize = 24;
/// Longest word considered when joining pieces or splitting a glued word, in bytes.
const MAX_WORD: usize = 40;
/// Shortest word a glued token may be split into: shorter pieces ("a", "al") would let
/// almost any unknown word split into known ones.
const MIN_PIECE: usize = 2;
/// Most pieces a glued token may be split into.
const MAX_PIECES: usize = 8;

/// A way of reading the query other than its plain tokens.
#[derive(Debug, Clone, PartialEq)]
pub struct Reading {
    pub tokens: Vec<String>,
    /// What was undone, for the explanation ("pieces joined").
    pub how: &'static str,
}

/// The readings of a query worth searching besides its plain `toks` (the tokens of `raw`):
/// at most one per kind of disguise, none equal to the plain reading.
pub fn readings(index: &Index, raw: &str, toks: &[String]) -> Vec<Reading> {
    let mut out: Vec<Reading> = Vec::new();
    let mut add = |tokens: Vec<String>, how: &'static str| {
        if tokens != toks && !out.iter().any(|r| r.tokens == tokens) {
            out.push(Reading { tokens, how });
        }
    };
    if let Some(t) = join_pieces(index, toks) {
        add(t, "pieces of a word joined");
    }
    if let Some(t) = split_glued(index, toks) {
        add(t, "glued words split");
    }
    if let Some(t) = undouble(index, toks) {
        add(t, "doubled letters undone");
    }
    if let Some(plain) = unleet(raw) {
        let t = tokens(&plain);
        // Digits for letters often come with the other disguises.
        let t = join_pieces(index, &t).unwrap_or(t);
        add(t, "digits read as letters");
    }
    out
}

fn known(index: &Index, word: &str) -> bool {
    index.token_ordinal(word).is_some()
}

/// Joins runs of adjacent tokens whose concatenation is a word of the index ("gaz prom" →
/// "gazprom", "h u a w e i" → "huawei"), longest run first. A run of single letters is
/// joined whole or not at all: "d a n o n e" must not become "d a n o" plus some listed
/// "ne". `None` when nothing joins.
fn join_pieces(index: &Index, toks: &[String]) -> Option<Vec<String>> {
    let single = |k: usize| toks.get(k).is_some_and(|t| t.len() == 1);
    let mut out = Vec::with_capacity(toks.len());
    let mut joined_any = false;
    let mut i = 0;
    let mut word = String::with_capacity(MAX_WORD);
    while i < toks.len() {
        let mut best = None;
        word.clear();
        word.push_str(&toks[i]);
        let starts_run = !(single(i) && i > 0 && single(i - 1));
        for (j, t) in toks.iter().enumerate().skip(i + 1).take(MAX_JOIN - 1) {
            word.push_str(t);
            if word.len() > MAX_WORD {
                break;
            }
            let ends_run = !(single(j) && single(j + 1));
            if starts_run && ends_run && word.len() >= 4 && known(index, &word) {
                best = Some((j + 1, word.clone()));
            }
        }
        match best {
            // Two words the index knows apart and a compound it also knows ("sun rise",
            // "sunrise") are both readings; joining them here costs only a second search.
            Some((end, w)) => {
                out.push(w);
                joined_any = true;
                i = end;
            }
            None => {
                out.push(toks[i].clone());
                i += 1;
            }
        }
    }
    joined_any.then_some(out)
}

/// Splits each token the index does not know into the fewest words it does know
/// ("huaweitechnologies" → "huawei technologies"). `None` when nothing splits.
fn split_glued(index: &Index, toks: &[String]) -> Option<Vec<String>> {
    let mut out = Vec::with_capacity(toks.len() + 2);
    let mut split_any = false;
    for t in toks {
        if t.len() >= 2 * MIN_PIECE && t.len() <= MAX_WORD && t.is_ascii() && !known(index, t) {
            if let Some(pieces) = word_break(index, t) {
                out.extend(pieces);
                split_any = true;
                continue;
            }
        }
        out.push(t.clone());
    }
    split_any.then_some(out)
}

/// The fewest words (each at least `MIN_PIECE` long, at most `MAX_PIECES`) that `word` is
/// made of, by dynamic programming over split points. A piece must be a word of the index or
/// a legal-form or filler word ("co", "limited", "of"), which the index may hold only in
/// canonical form; the pieces are normalized again, so those become canonical.
fn word_break(index: &Index, word: &str) -> Option<Vec<String>> {
    let n = word.len();
    // best[i]: fewest pieces covering word[..i], and where the last piece starts.
    let mut best: Vec<Option<(usize, usize)>> = vec![None; n + 1];
    best[0] = Some((0, 0));
    for end in MIN_PIECE..=n {
        for start in (0..=end - MIN_PIECE).rev() {
            let Some((count, _)) = best[start] else {
                continue;
            };
            let piece = &word[start..end];
            if count >= MAX_PIECES || !(known(index, piece) || is_filler_word(piece)) {
                continue;
            }
            if best[end].is_none_or(|(c, _)| count + 1 < c) {
                best[end] = Some((count + 1, start));
            }
        }
    }
    let (count, _) = best[n]?;
    if count < 2 {
        return None;
    }
    let mut pieces = Vec::with_capacity(count);
    let mut end = n;
    while end > 0 {
        let (_, start) = best[end]?;
        pieces.push(&word[start..end]);
        end = start;
    }
    pieces.reverse();
    Some(tokens(&pieces.join(" ")))
}

/// The letter a digit or symbol stands for in leetspeak.
fn leet_letter(c: char) -> Option<char> {
    Some(match c {
        '0' => 'o',
        '1' | '!' | '|' => 'i',
        '2' => 'z',
        '3' => 'e',
        '4' | '@' => 'a',
        '5' | '$' => 's',
        '6' | '9' => 'g',
        '7' | '+' => 't',
        '8' => 'b',
        _ => return None,
    })
}

/// The query with leetspeak undone ("Hu4w3i" → "Huawei"), or `None` when no word mixes
/// letters with digits or symbols standing for letters. Once one word does, digits elsewhere
/// are read as letters too ("H3R0 11" → "HERO II", "5.4." → "S.A."): whoever disguised one
/// word disguised the rest the same way.
fn unleet(raw: &str) -> Option<String> {
    let disguised = raw
        .split_whitespace()
        .any(|w| w.chars().any(char::is_alphabetic) && w.chars().any(|c| leet_letter(c).is_some()));
    disguised.then(|| raw.chars().map(|c| leet_letter(c).unwrap_or(c)).collect())
}

/// `word` with every run of a repeated letter written once.
fn collapse_runs(word: &str) -> String {
    let mut out = String::with_capacity(word.len());
    for c in word.chars() {
        if !out.ends_with(c) {
            out.push(c);
        }
    }
    out
}

/// The query with every doubled letter written once, when that turns a word the index does
/// not know into one it does ("SOOCIETY" → "society"): a sign that letters were doubled on
/// purpose, so the other words ("ALL" → "al") are undoubled too. Listed words that really
/// have a double letter ("hezbollah") are still found from the collapsed form by fuzzy
/// matching.
fn undouble(index: &Index, toks: &[String]) -> Option<Vec<String>> {
    let doubled = |t: &String| t.as_bytes().windows(2).any(|w| w[0] == w[1]);
    let telling = toks
        .iter()
        .filter(|t| doubled(t) && !known(index, t))
        .any(|t| known(index, &collapse_runs(t)));
    if !telling {
        return None;
    }
    let collapsed: Vec<String> = toks.iter().map(|t| collapse_runs(t)).collect();
    Some(tokens(&collapsed.join(" ")))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::index::IndexBuilder;
    use crate::model::{Entity, EntityKind, LoadedList, Name, NameKind};

    fn index(names: &[&str]) -> Index {
        let entities = names
            .iter()
            .enumerate()
            .map(|(i, n)| Entity {
                id: format!("t:{i}"),
                dataset: "t".into(),
                kind: EntityKind::Organization,
                names: vec![Name {
                    value: n.to_string(),
                    kind: NameKind::Primary,
                }],
                ..Entity::default()
            })
            .collect();
        let mut b = IndexBuilder::new();
        b.add_list(
            LoadedList {
                dataset: "t".into(),
                entities,
                ..LoadedList::default()
            },
            None,
        );
        b.build().unwrap()
    }

    fn toks(s: &str) -> Vec<String> {
        tokens(s)
    }

    #[test]
    fn pieces_of_a_listed_word_are_joined() {
        let ix = index(&["Gazprom Neft", "Huawei Technologies"]);
        let r = readings(&ix, "Gaz prom Neft", &toks("Gaz prom Neft"));
        assert_eq!(r[0].tokens, ["gazprom", "neft"]);
        let r = readings(&ix, "H u a w e i", &toks("H u a w e i"));
        assert_eq!(r[0].tokens, ["huawei"]);
    }

    #[test]
    fn spaced_letters_join_whole_or_not_at_all() {
        let ix = index(&["Nesa"]);
        let q = "D a n o n e S.A.";
        assert!(readings(&ix, q, &toks(q)).is_empty());
        let q = "N e s a";
        assert_eq!(readings(&ix, q, &toks(q))[0].tokens, ["nesa"]);
    }

    #[test]
    fn glued_words_are_split_into_listed_words() {
        let ix = index(&["Huawei Technologies Co Ltd"]);
        let q = "HuaweiTechnologiesCoLtd";
        let r = readings(&ix, q, &toks(q));
        assert_eq!(r[0].tokens, ["huawei", "technologies", "ltd"]);
    }

    #[test]
    fn leetspeak_is_read_as_letters_but_numbers_are_left() {
        assert_eq!(
            unleet("Hu4w3i T3chn0l0gi3s").unwrap(),
            "Huawei Technologies"
        );
        assert_eq!(unleet("H3R0 11").unwrap(), "HeRo ii");
        assert_eq!(unleet("Unit 8200"), None);
        // A model number is read too; the reading only costs a second search, and scoring
        // decides whether it matches anything.
        assert_eq!(unleet("A320 Leasing").unwrap(), "Aezo Leasing");
    }

    #[test]
    fn doubled_letters_are_undone_when_that_finds_a_listed_word() {
        let ix = index(&["Al-Salah Society", "Hezbollah"]);
        let q = "ALL-SALAH SOOCIETY";
        let r = readings(&ix, q, &toks(q));
        assert_eq!(r[0].tokens, ["alsalah", "society"]);
        assert_eq!(r[0].how, "doubled letters undone");
        // A listed double letter is not a sign of anything.
        assert!(readings(&ix, "Hezbollah", &toks("Hezbollah")).is_empty());
    }

    #[test]
    fn ordinary_queries_have_no_other_reading() {
        let ix = index(&["Gazprom Neft", "Huawei Technologies"]);
        for q in ["Siemens AG", "Acme Trading LLC", "Neft Huawei"] {
            assert!(readings(&ix, q, &toks(q)).is_empty(), "{q}");
        }
    }
}
