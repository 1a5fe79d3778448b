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

use crate::engine::index::Index;
use crate::engine::normalize::{legal_form_words, tokens};

/// Longest run of pieces that may be joined back into one word ("h u a w e i" is six).
const MAX_JOIN: usize = 24;
/// Longest word considered when splitting a glued word, in bytes.
const MAX_WORD: usize = 40;
/// Shortest word pieces may be joined into.
const MIN_JOINED: usize = 4;
/// Shortest word a glued token may be split into: single letters would let any unknown word
/// split into known ones.
const MIN_PIECE: usize = 2;
/// Pieces shorter than this (and not legal-form or filler words) are suspect: see
/// [`word_break`].
const SHORT_PIECE: usize = 4;
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

/// A name written twice, in Latin letters and in another script ("Huawei Technologies (华为技术)",
/// "Name (اسم)"): the two parts, each a name on its own. Matching the whole would leave half
/// the words unmatched against a list that writes one of them; each part is searched alone.
/// `None` unless both parts hold a word and one of them is set apart in brackets (a name
/// that merely mixes scripts, "الحسيني Group", is one name); words mixing Latin with other
/// letters (a disguise the normalizer reads) count as Latin.
pub fn script_parts(raw: &str) -> Option<[String; 2]> {
    if raw.is_ascii() {
        return None;
    }
    let (open, close) = (raw.find(['(', '[']), raw.rfind([')', ']']));
    let bracketed = match (open, close) {
        (Some(o), Some(c)) if o < c => &raw[o + 1..c],
        _ => return None,
    };
    let outside = raw.replace(bracketed, " ");
    let latin_in = |s: &str| s.chars().any(|c| c.is_ascii_alphabetic());
    if latin_in(bracketed) == latin_in(&outside) {
        return None;
    }
    let (mut latin, mut other) = (String::new(), String::new());
    for word in raw.split(|c: char| c.is_whitespace() || "()[]{}/|,;".contains(c)) {
        let letters = word.chars().filter(|c| c.is_alphabetic()).count();
        if letters == 0 {
            continue;
        }
        let part = if word.chars().any(|c| c.is_ascii_alphabetic()) {
            &mut latin
        } else if word
            .chars()
            .all(|c| !c.is_alphabetic() || crate::engine::normalize::is_lookalike(c))
        {
            // Wholly look-alike letters are disguised Latin (see `normalize`).
            &mut latin
        } else {
            &mut other
        };
        part.push_str(word);
        part.push(' ');
    }
    (!latin.trim().is_empty() && !other.trim().is_empty()).then_some([latin, other])
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
    while i < toks.len() {
        let starts_run = !(single(i) && i > 0 && single(i - 1));
        let window = &toks[i..toks.len().min(i + MAX_JOIN)];
        // The run ends at i + n: it must not stop inside a run of single letters.
        let ends_run = |n: usize| !(single(i + n - 1) && single(i + n));
        match starts_run
            .then(|| index.longest_joined(window, MIN_JOINED, ends_run))
            .flatten()
        {
            Some(n) => {
                out.push(window[..n].concat());
                joined_any = true;
                i += n;
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
    for (i, t) in toks.iter().enumerate() {
        if t.len() >= 2 * MIN_PIECE && t.len() <= MAX_WORD && t.is_ascii() && !known(index, t) {
            let edges = (i == 0, i + 1 == toks.len());
            if let Some(pieces) = word_break(index, t, edges) {
                out.extend(pieces);
                split_any = true;
                continue;
            }
        }
        out.push(t.clone());
    }
    split_any.then_some(out)
}

/// The words (at most `MAX_PIECES`) that `word` is made of, by dynamic programming over split
/// points. A piece must be a word of the index or a legal-form word ("co", "limited"), which
/// the index may hold only in canonical form; the pieces are normalized again, so those become
/// canonical.
///
/// Short words are everywhere in a vocabulary of names, so almost any unknown word splits
/// into a few of them ("hoppenbrouwer" → "hop pen brouwer"). A split may therefore hold at
/// most one piece shorter than `SHORT_PIECE` ("jamaat ul dawa"). Legal-form words are free
/// only in a run at the start of the name or at its end ("camelias bar sa de cv"; `first`
/// and `last` say whether `word` begins or ends the name), never between other words. Among
/// the splits allowed the one with the fewest short pieces, then the fewest pieces, wins.
fn word_break(index: &Index, word: &str, (first, last): (bool, bool)) -> Option<Vec<String>> {
    // Where a split is: in the run of legal forms that starts the name, among the words of
    // the name, or in the run of legal forms that ends it.
    const LEAD: usize = 0;
    const BODY: usize = 1;
    const TAIL: usize = 2;
    type Cost = (usize, usize);
    let n = word.len();
    // best[i][mode]: the cheapest (short pieces, pieces) covering word[..i] and ending in
    // `mode`, with where its last piece starts and the mode before it. Pieces only add cost,
    // so best[start] is final when the pieces from it are tried.
    let mut best: Vec<[Option<(Cost, usize, usize)>; 3]> = vec![[None; 3]; n + 1];
    best[0][LEAD] = Some(((0, 0), 0, LEAD));
    let mut ends: Vec<(usize, bool)> = Vec::new();
    for start in 0..n {
        if best[start].iter().all(Option::is_none) {
            continue;
        }
        let rest = &word[start..];
        ends.clear();
        index.token_prefixes(rest, |len| {
            ends.push((start + len, false));
            // The index holds company words in the singular ("airline", "service"): a
            // plural the normalizer folds into that word is the same piece.
            for ending in ["s", "es"] {
                let plural = len + ending.len();
                if rest[len..].starts_with(ending)
                    && crate::engine::normalize::tokens(&rest[..plural]) == [&rest[..len]]
                {
                    ends.push((start + plural, false));
                }
            }
        });
        for w in legal_form_words() {
            if rest.starts_with(w) {
                ends.push((start + w.len(), true));
            }
        }
        for mode in [LEAD, BODY, TAIL] {
            let Some(((shorts, count), _, _)) = best[start][mode] else {
                continue;
            };
            if count >= MAX_PIECES {
                continue;
            }
            for &(end, legal) in &ends {
                let len = end - start;
                if len < MIN_PIECE {
                    continue;
                }
                let next = match (mode, legal) {
                    (LEAD, true) if first => LEAD,
                    (LEAD | BODY, false) => BODY,
                    (BODY | TAIL, true) if last => TAIL,
                    _ => continue,
                };
                let short = next == BODY && len < SHORT_PIECE;
                let cost = (shorts + usize::from(short), count + 1);
                if cost.0 <= 1 && best[end][next].is_none_or(|(c, _, _)| cost < c) {
                    best[end][next] = Some((cost, start, mode));
                }
            }
        }
    }
    // A split must name something: at least one word outside the legal forms.
    let (mut mode, _) = [BODY, TAIL]
        .into_iter()
        .filter_map(|m| best[n][m].map(|(c, _, _)| (m, c)))
        .min_by_key(|&(_, c)| c)?;
    let mut pieces = Vec::new();
    let mut end = n;
    while end > 0 {
        let (_, start, prev) = best[end][mode]?;
        pieces.push(&word[start..end]);
        end = start;
        mode = prev;
    }
    if pieces.len() < 2 {
        return None;
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

/// The query with leetspeak undone ("Hu4w3i" → "Huawei"), or `None` when no run of digits or
/// symbols standing for letters sits between two letters ("H073L"). Numbers written beside
/// letters ("A320", "13TH", "GP21") are not a sign. Once one word is disguised, digits
/// elsewhere are read as letters too ("H3R0 11" → "HERO II", "5.4." → "S.A."): whoever
/// disguised one word disguised the rest the same way.
pub(crate) fn unleet(raw: &str) -> Option<String> {
    let mut after_letter = false;
    let mut in_run = false;
    let mut disguised = false;
    for c in raw.chars() {
        if c.is_alphabetic() {
            disguised |= in_run;
            after_letter = true;
            in_run = false;
        } else if leet_letter(c).is_some() {
            in_run = after_letter;
        } else {
            after_letter = false;
            in_run = false;
        }
    }
    disguised.then(|| raw.chars().map(|c| leet_letter(c).unwrap_or(c)).collect())
}

/// `word` with every run of a repeated letter written once.
pub(crate) fn collapse_runs(word: &str) -> String {
    let mut out = String::with_capacity(word.len());
    for c in word.chars() {
        if !out.ends_with(c) {
            out.push(c);
        }
    }
    out
}

/// Fewest letters of the listed word that a word with doubled letters must become for
/// [`undouble`] to read the query so.
const MIN_UNDOUBLED: usize = 4;

/// The query with every doubled letter written once, when that turns a word the index does
/// not know into one it does ("SOOCIETY" → "society"): a sign that letters were doubled on
/// purpose, so the other words ("ALL" → "al") are undoubled too. Listed words that really
/// have a double letter ("hezbollah") are still found from the collapsed form by fuzzy
/// matching. The word found must have [`MIN_UNDOUBLED`] letters: a short word with a double
/// letter is usually a word of its own ("Ball" is no "BAL", "Hill" no "HIL").
fn undouble(index: &Index, toks: &[String]) -> Option<Vec<String>> {
    let doubled = |t: &String| t.as_bytes().windows(2).any(|w| w[0] == w[1]);
    let telling = toks
        .iter()
        .filter(|t| doubled(t) && !known(index, t))
        .map(|t| collapse_runs(t))
        .any(|c| c.len() >= MIN_UNDOUBLED && known(index, &c));
    if !telling {
        return None;
    }
    let collapsed: Vec<String> = toks.iter().map(|t| collapse_runs(t)).collect();
    Some(tokens(&collapsed.join(" ")))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn index(names: &[&str]) -> Index {
        crate::engine::screen::test_snapshot(names).index
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
        let ix = index(&["Huawei Technology Co Ltd"]);
        let q = "HuaweiTechnologyCoLtd";
        let r = readings(&ix, q, &toks(q));
        assert_eq!(r[0].tokens, ["huawei", "technology", "ltd"]);
    }

    #[test]
    fn leetspeak_is_read_as_letters_but_numbers_are_left() {
        assert_eq!(
            unleet("Hu4w3i T3chn0l0gi3s").unwrap(),
            "Huawei Technologies"
        );
        assert_eq!(unleet("H3R0 11").unwrap(), "HeRo ii");
        assert_eq!(unleet("V35N4 H073L").unwrap(), "VesNa HoteL");
        assert_eq!(unleet("Unit 8200"), None);
        assert_eq!(unleet("A320 Leasing"), None);
        assert_eq!(unleet("760TH Research Institute"), None);
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
        // Nor is a short word's, which is usually a word of its own.
        let ix = index(&["Butembo Airlines (BAL)", "Al-Salah Society"]);
        assert!(readings(&ix, "Ball PLC", &toks("Ball PLC")).is_empty());
    }

    #[test]
    fn an_unknown_word_is_not_split_into_short_words() {
        let ix = index(&["Hop Pen Brouwer", "Jamaat ul Dawa", "Sal"]);
        for q in ["Hoppenbrouwer", "Hoppen Salet", "Petaochemical", "JSC"] {
            assert!(readings(&ix, q, &toks(q)).is_empty(), "{q}");
        }
        let ix2 = index(&["Camelias Bar, S.A. de C.V."]);
        let q = "CameliasBarSAdeCV";
        assert_eq!(
            readings(&ix2, q, &toks(q))[0].tokens,
            ["camelias", "bar", "sa"]
        );
        let q = "JamaatulDawa";
        assert_eq!(
            readings(&ix, q, &toks(q))[0].tokens,
            ["jamaat", "ul", "dawa"]
        );
    }

    #[test]
    fn ordinary_queries_have_no_other_reading() {
        let ix = index(&["Gazprom Neft", "Huawei Technologies"]);
        for q in ["Siemens AG", "Acme Trading LLC", "Neft Huawei"] {
            assert!(readings(&ix, q, &toks(q)).is_empty(), "{q}");
        }
    }
}
