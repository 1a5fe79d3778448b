//! Scoring one candidate name against the query: token alignment with IDF weights.
//!
//! Query tokens are aligned one-to-one with the candidate's tokens, in any order, best pairs
//! first. A pair's similarity is 1 for equal tokens, Jaro-Winkler for tokens within the edit
//! distance their length allows, a fixed 0.85 for tokens with the same phonetic skeleton
//! (transliteration variants), and 0 otherwise. A token the query or the candidate writes as
//! two ("ALQAIDA"/"AL QAIDA", "HUAWEI"/"HUA WEI") is aligned to the joined pair.
//!
//! The score blends how much of the query's weight is explained by the candidate (a name with
//! an extra distinctive word is a different party) with how much of the candidate's weight the
//! query covers (a query may drop a middle name, so a person's unmatched middle tokens count
//! for less than an organisation's unmatched words).

use serde::Serialize;

use crate::normalize::skeleton;

/// A token with its weight, on either side of the comparison.
#[derive(Debug, Clone)]
pub struct WeightedToken<'a> {
    pub text: &'a str,
    pub weight: f32,
    /// Legal form or stopword: compared only for equality.
    pub filler: bool,
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

/// The outcome of comparing one name.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct NameScore {
    pub score: f32,
    pub query_coverage: f32,
    pub candidate_coverage: f32,
    pub pairs: Vec<TokenPair>,
    pub unmatched_query: Vec<String>,
    pub unmatched_candidate: Vec<String>,
}

/// Share of the score from query coverage; the rest comes from candidate coverage.
const QUERY_SHARE: f32 = 0.55;
/// How much an unmatched middle token of a person's name counts against the match.
const PERSON_MIDDLE_DISCOUNT: f32 = 0.35;
/// How much an unmatched token of any other name counts.
const OTHER_UNMATCHED_DISCOUNT: f32 = 0.8;
/// Similarity of two tokens that differ in spelling but share a phonetic skeleton.
const SKELETON_SIMILARITY: f32 = 0.85;
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

/// Similarity of two tokens in [0, 1].
pub fn token_similarity(a: &str, b: &str) -> f32 {
    if a == b {
        return 1.0;
    }
    let len = a.len().max(b.len());
    let shorter = a.len().min(b.len());
    if shorter < 3 {
        return 0.0;
    }
    let d = strsim::osa_distance(a, b);
    // One extra edit is tolerated on tokens of 5+ letters, at a lower similarity, because
    // typists and transliterators do produce two slips in a 6-letter name.
    let allowed = allowed_distance(len);
    let jw = strsim::jaro_winkler(a, b) as f32;
    if d <= allowed {
        return jw.max(MIN_PAIR_SIMILARITY);
    }
    if d == allowed + 1 && len >= 5 && jw >= 0.85 {
        return (jw - 0.08).max(MIN_PAIR_SIMILARITY);
    }
    if let (Some(sa), Some(sb)) = (skeleton(a), skeleton(b)) {
        if sa == sb && a.as_bytes()[0] == b.as_bytes()[0] {
            return SKELETON_SIMILARITY;
        }
    }
    0.0
}

fn pair_similarity(q: &WeightedToken, c: &WeightedToken) -> f32 {
    if q.filler || c.filler {
        return if q.text == c.text { 1.0 } else { 0.0 };
    }
    token_similarity(q.text, c.text)
}

/// Scores `candidate` against `query`. `person` selects the lenient treatment of unmatched
/// middle names.
pub fn score_name(query: &[WeightedToken], candidate: &[WeightedToken], person: bool) -> NameScore {
    let nq = query.len();
    let nc = candidate.len();
    if nq == 0 || nc == 0 {
        return NameScore::default();
    }
    // All pairs worth considering, best first.
    let mut pairs: Vec<(f32, usize, usize)> = Vec::with_capacity(nq * nc);
    for (i, q) in query.iter().enumerate() {
        for (j, c) in candidate.iter().enumerate() {
            let s = pair_similarity(q, c);
            if s >= MIN_PAIR_SIMILARITY {
                pairs.push((s, i, j));
            }
        }
    }
    pairs.sort_by(|a, b| {
        b.0.total_cmp(&a.0).then(
            (query[b.1].weight + candidate[b.2].weight)
                .total_cmp(&(query[a.1].weight + candidate[a.2].weight)),
        )
    });
    let mut q_sim = vec![0f32; nq];
    let mut c_sim = vec![0f32; nc];
    let mut q_partner: Vec<Option<String>> = vec![None; nq];
    for &(s, i, j) in &pairs {
        if q_sim[i] == 0.0 && c_sim[j] == 0.0 {
            q_sim[i] = s;
            c_sim[j] = s;
            q_partner[i] = Some(candidate[j].text.to_string());
        }
    }
    join_split_tokens(query, candidate, &mut q_sim, &mut c_sim, &mut q_partner);

    let q_total: f32 = query.iter().map(|t| t.weight).sum();
    let q_matched: f32 = query.iter().zip(&q_sim).map(|(t, s)| t.weight * s).sum();
    let query_coverage = q_matched / q_total;

    let matched_c = c_sim.iter().filter(|&&s| s > 0.0).count();
    let mut c_matched = 0f32;
    let mut c_missing = 0f32;
    for (j, (t, &s)) in candidate.iter().zip(&c_sim).enumerate() {
        c_matched += t.weight * s;
        let missing = t.weight * (1.0 - s);
        // A person's middle names (neither the first nor the last token) may be dropped by
        // the writer; OFAC's "LAST, First Middle" puts the surname first, so the last token
        // is then a middle name too. We treat any unmatched token as "middle" once two other
        // tokens matched, which covers both orders.
        let discount = if person && matched_c >= 2 && s == 0.0 && nc > 2 && j > 0 {
            PERSON_MIDDLE_DISCOUNT
        } else if s == 0.0 {
            OTHER_UNMATCHED_DISCOUNT
        } else {
            1.0
        };
        c_missing += missing * discount;
    }
    let candidate_coverage = if c_matched + c_missing > 0.0 {
        c_matched / (c_matched + c_missing)
    } else {
        0.0
    };
    let score = QUERY_SHARE * query_coverage + (1.0 - QUERY_SHARE) * candidate_coverage;

    let mut out = NameScore {
        score,
        query_coverage,
        candidate_coverage,
        ..NameScore::default()
    };
    for (i, q) in query.iter().enumerate() {
        match &q_partner[i] {
            Some(c) => out.pairs.push(TokenPair {
                query: q.text.to_string(),
                candidate: c.clone(),
                similarity: q_sim[i],
                contribution: QUERY_SHARE * q.weight * q_sim[i] / q_total,
            }),
            None => out.unmatched_query.push(q.text.to_string()),
        }
    }
    for (c, &s) in candidate.iter().zip(&c_sim) {
        if s == 0.0 {
            out.unmatched_candidate.push(c.text.to_string());
        }
    }
    out
}

/// Second pass for tokens written as one word on one side and two on the other.
fn join_split_tokens(
    query: &[WeightedToken],
    candidate: &[WeightedToken],
    q_sim: &mut [f32],
    c_sim: &mut [f32],
    q_partner: &mut [Option<String>],
) {
    // One query token against two adjacent candidate tokens.
    for (i, q) in query.iter().enumerate() {
        if q_sim[i] > 0.0 || q.filler {
            continue;
        }
        for j in 0..candidate.len().saturating_sub(1) {
            if c_sim[j] > 0.0 || c_sim[j + 1] > 0.0 {
                continue;
            }
            let joined = format!("{}{}", candidate[j].text, candidate[j + 1].text);
            let s = token_similarity(q.text, &joined);
            if s >= MIN_PAIR_SIMILARITY {
                q_sim[i] = s;
                c_sim[j] = s;
                c_sim[j + 1] = s;
                q_partner[i] = Some(format!("{} {}", candidate[j].text, candidate[j + 1].text));
                break;
            }
        }
    }
    // Two adjacent query tokens against one candidate token.
    for j in 0..candidate.len() {
        if c_sim[j] > 0.0 || candidate[j].filler {
            continue;
        }
        for i in 0..query.len().saturating_sub(1) {
            if q_sim[i] > 0.0 || q_sim[i + 1] > 0.0 {
                continue;
            }
            let joined = format!("{}{}", query[i].text, query[i + 1].text);
            let s = token_similarity(&joined, candidate[j].text);
            if s >= MIN_PAIR_SIMILARITY {
                q_sim[i] = s;
                q_sim[i + 1] = s;
                c_sim[j] = s;
                q_partner[i] = Some(candidate[j].text.to_string());
                q_partner[i + 1] = Some(candidate[j].text.to_string());
                break;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn toks(s: &str) -> Vec<WeightedToken<'_>> {
        s.split(' ')
            .map(|t| WeightedToken {
                text: t,
                weight: if t == "ltd" { 0.4 } else { 5.0 },
                filler: t == "ltd",
            })
            .collect()
    }

    #[test]
    fn identical_names_score_one() {
        let s = score_name(&toks("huawei cloud ltd"), &toks("huawei cloud ltd"), false);
        assert!((s.score - 1.0).abs() < 1e-6, "{s:?}");
    }

    #[test]
    fn order_does_not_matter() {
        let s = score_name(&toks("milorad lukovic"), &toks("lukovic milorad"), true);
        assert!((s.score - 1.0).abs() < 1e-6);
    }

    #[test]
    fn typos_score_high_but_below_one() {
        let s = score_name(&toks("victr mhscoso"), &toks("victor moscoso"), true);
        assert!(s.score > 0.85 && s.score < 1.0, "{s:?}");
    }

    #[test]
    fn extra_distinctive_query_word_scores_low() {
        let s = score_name(
            &toks("example cloud singapore"),
            &toks("huawei cloud singapore"),
            false,
        );
        assert!(s.score < 0.7, "{s:?}");
    }

    #[test]
    fn dropped_middle_name_of_a_person_is_tolerated() {
        let s = score_name(
            &toks("saad alshammari"),
            &toks("alshammari saad uwayyid ubayd"),
            true,
        );
        assert!(s.score >= 0.8, "{s:?}");
        let org = score_name(
            &toks("saad alshammari"),
            &toks("alshammari saad uwayyid ubayd"),
            false,
        );
        assert!(org.score < s.score);
    }

    #[test]
    fn joined_and_split_words_align() {
        let s = score_name(
            &toks("hua wei technologies"),
            &toks("huawei technologies"),
            false,
        );
        assert!(s.score > 0.95, "{s:?}");
        let s = score_name(
            &toks("huawei technologies"),
            &toks("hua wei technologies"),
            false,
        );
        assert!(s.score > 0.95, "{s:?}");
    }

    #[test]
    fn similarity_respects_length_budget() {
        assert_eq!(token_similarity("abc", "abd"), 0.0);
        assert!(token_similarity("victor", "victr") > 0.9);
        assert_eq!(token_similarity("smith", "jones"), 0.0);
        assert!(token_similarity("mohamed", "muhamad") >= SKELETON_SIMILARITY);
    }
}
