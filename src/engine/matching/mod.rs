//! Fuzzy matching of one query against the index: candidates from the FSTs, then scoring,
//! then the per-entity signals (kind, country, identifiers, alias strength).
//!
//! The score of a hit is in [0, 1]. 1.0 means every token of the query and of the matched name
//! agree exactly (or a strong identifier is identical); about 0.9 means all tokens align with
//! small spelling differences or a dropped middle name; below about 0.8 at least one
//! distinctive word is missing or different. The default review threshold (see
//! [`crate::engine::policy`]) is tuned on the development set to flag real variants while keeping
//! unrelated parties clear.

pub mod candidates;
pub mod facts;
pub mod readings;
pub mod score;

use std::cell::RefCell;

use serde::Serialize;

use crate::engine::index::build::{FILLER_WEIGHT, INITIAL_WEIGHT};
use crate::engine::index::{
    acronym_key, canonical_identifier, person_roles, whole_key, Index, MAX_ACRONYM,
};
use crate::engine::model::{EntityKind, Identifier, NameKind};
use crate::engine::normalize::{self, is_filler, is_legal_form, is_syllabic, tokens};

use candidates::{spellings, Expansion, Votes};
use score::{
    score_name, NameScore, OwnedForms, Role, Script, SimCache, Subset, TokenClass, WeightedToken,
    QUERY_SHARE,
};

/// How many best-voted names go on to full scoring.
const CANDIDATES: usize = 16;
/// Postings longer than this are skipped during voting when the query has other distinctive
/// tokens: such tokens ("mohammad", "trading") rank nothing on their own.
const MAX_VOTING_POSTINGS: usize = 20_000;

/// A screening query, already validated.
#[derive(Debug, Clone, Default)]
pub struct Query {
    pub name: String,
    pub kind: Option<EntityKind>,
    /// ISO 3166-1 alpha-2 codes.
    pub countries: Vec<String>,
    pub identifiers: Vec<Identifier>,
    /// The person's date of birth, compared with the entries' ([`facts`]).
    pub birth_date: Option<facts::BirthDate>,
    /// The person's nationalities, ISO 3166-1 alpha-2 codes.
    pub nationalities: Vec<String>,
}

impl Query {
    /// Whether the caller calls the party an organisation (or a vessel, an aircraft): its
    /// name is then compared as one, and its words are no person's middle names.
    fn names_organisation(&self) -> bool {
        matches!(self.kind, Some(k) if k != EntityKind::Person && k != EntityKind::Unknown)
    }
}

/// A signal that moved the score after name comparison.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Adjustment {
    pub reason: String,
    /// Multiplicative factor applied to the score (1.0 = none).
    pub factor: f32,
}

/// Why a hit scored what it did.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Explanation {
    pub matched_name: String,
    pub name_kind: NameKind,
    pub name_score: NameScore,
    pub adjustments: Vec<Adjustment>,
    /// Set when an identical identifier made this an exact hit.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub identifier: Option<String>,
}

impl Explanation {
    /// One readable paragraph for a reviewer.
    pub fn text(&self, score: f32) -> String {
        let kind = match self.name_kind {
            NameKind::Primary => "primary name",
            NameKind::Alias => "alias",
            NameKind::Weak => "weak alias",
            NameKind::Former => "former name",
        };
        let mut s = format!(
            "score {score:.2}: matched the {kind} \"{}\"",
            self.matched_name
        );
        if let Some(id) = &self.identifier {
            s.push_str(&format!(" and the identical identifier {id}"));
        }
        if !self.name_score.pairs.is_empty() {
            let pairs: Vec<String> = self
                .name_score
                .pairs
                .iter()
                .map(|p| {
                    let op = if p.similarity >= 1.0 { "=" } else { "~" };
                    format!(
                        "{}{op}{} ({:.2}, +{:.2})",
                        p.query, p.candidate, p.similarity, p.contribution
                    )
                })
                .collect();
            s.push_str(&format!("; tokens {}", pairs.join(", ")));
        }
        if !self.name_score.unmatched_query.is_empty() {
            s.push_str(&format!(
                "; query words not in the name: {}",
                self.name_score.unmatched_query.join(" ")
            ));
        }
        if !self.name_score.unmatched_candidate.is_empty() {
            s.push_str(&format!(
                "; name words not in the query: {}",
                self.name_score.unmatched_candidate.join(" ")
            ));
        }
        for a in &self.adjustments {
            s.push_str(&format!("; {} (x{:.2})", a.reason, a.factor));
        }
        s
    }
}

/// One matched entity.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Hit {
    /// Entity ordinal in the index.
    pub entity: u32,
    pub score: f32,
    pub explanation: Explanation,
}

#[derive(Default)]
struct Scratch {
    votes: Votes,
    expansions: Vec<Expansion>,
    similarities: SimCache,
}

thread_local! {
    static SCRATCH: RefCell<Scratch> = RefCell::new(Scratch::default());
}

struct QueryToken {
    /// The token itself (`forms.text`) and its fold and skeleton.
    forms: OwnedForms,
    weight: f32,
    filler: bool,
    /// The token's ordinal when the index knows it.
    known: Option<u32>,
    rarity: f32,
    expansions: Vec<Expansion>,
}

/// Finds the entities whose names match `query`, best first, at most `max_hits`, each scoring
/// at least `min_score`.
///
/// Besides the query's plain tokens, the [`readings`] that undo a disguise (a word broken
/// into pieces, words glued together, digits for letters) are searched too when the index's
/// vocabulary supports them; each entity keeps its best score, and a hit found through such a
/// reading says so in its explanation.
pub fn search(index: &Index, query: &Query, max_hits: usize, min_score: f32) -> Vec<Hit> {
    let mut toks = tokens(&query.name);
    mend_inflections(index, &mut toks);
    let dropped = bound_tokens(index, &mut toks);
    let mut hits = search_tokens(index, query, &query.name, &toks, max_hits, min_score);
    if dropped > 0 {
        for hit in &mut hits {
            hit.explanation.adjustments.push(Adjustment {
                reason: format!(
                    "the query has {} words; the {MAX_QUERY_TOKENS} the lists can match were \
                     compared, {dropped} others left out",
                    toks.len() + dropped
                ),
                factor: 1.0,
            });
        }
    }
    let mut others: Vec<(String, Vec<String>, String)> =
        readings::readings(index, &query.name, &toks)
            .into_iter()
            .map(|r| {
                let how = format!("query read as \"{}\" ({})", r.tokens.join(" "), r.how);
                (query.name.clone(), r.tokens, how)
            })
            .collect();
    for part in readings::script_parts(&query.name).into_iter().flatten() {
        let mut part_tokens = tokens(&part);
        bound_tokens(index, &mut part_tokens);
        let how = format!("the name written in one script: \"{}\"", part.trim());
        others.push((part, part_tokens, how));
    }
    for (raw, reading, how) in others {
        for mut hit in search_tokens(index, query, &raw, &reading, max_hits, min_score) {
            let slot = hits.iter().position(|h| h.entity == hit.entity);
            if slot.is_some_and(|i| hits[i].score >= hit.score) {
                continue;
            }
            hit.explanation.adjustments.insert(
                0,
                Adjustment {
                    reason: how.clone(),
                    factor: 1.0,
                },
            );
            match slot {
                Some(i) => hits[i] = hit,
                None => hits.push(hit),
            }
        }
    }
    identifier_hits(index, query, &mut hits);
    hits.retain(|h| h.score >= min_score);
    hits.sort_by(|a, b| b.score.total_cmp(&a.score).then(a.entity.cmp(&b.entity)));
    hits.truncate(max_hits);
    hits
}

/// Reads a misspelt plural of a generic company word as the word's one form, as the index
/// holds it ([`normalize::near_inflection`]): "SERVCES" for "services", which the index holds
/// as "service", two edits away. Only words the index does not know.
fn mend_inflections(index: &Index, toks: &mut [String]) {
    for t in toks.iter_mut() {
        if let Some(one) = normalize::near_inflection(t) {
            if index.token_ordinal(t).is_none() && index.token_ordinal(one).is_some() {
                *t = one.to_string();
            }
        }
    }
}

/// Most query words compared. No listed name has half as many; a longer query is a document
/// or an attack, and every word costs lookups, votes and pair comparisons (512 Han
/// characters are 512 syllables).
pub const MAX_QUERY_TOKENS: usize = 32;

/// Keeps at most [`MAX_QUERY_TOKENS`] words, in their order: first those the index knows or
/// has phonetic neighbours for (so that words padded around a listed name cannot push it
/// out), then the others. Returns how many were left out.
fn bound_tokens(index: &Index, toks: &mut Vec<String>) -> usize {
    if toks.len() <= MAX_QUERY_TOKENS {
        return 0;
    }
    let before = toks.len();
    let matchable = |t: &str| {
        index.token_ordinal(t).is_some()
            || normalize::phonetic_keys(t)
                .split(' ')
                .any(|k| !k.is_empty() && !index.skeleton_tokens(k).is_empty())
    };
    let mut keep: Vec<bool> = toks.iter().map(|t| matchable(t)).collect();
    let mut room = MAX_QUERY_TOKENS;
    for k in keep.iter_mut() {
        if *k && room > 0 {
            room -= 1;
        } else {
            *k = false;
        }
    }
    for k in keep.iter_mut() {
        if !*k && room > 0 {
            *k = true;
            room -= 1;
        }
    }
    let mut it = keep.iter();
    toks.retain(|_| *it.next().unwrap_or(&false));
    before - toks.len()
}

/// Name matches for one reading of the query, best first; no identifier hits.
fn search_tokens(
    index: &Index,
    query: &Query,
    raw: &str,
    toks: &[String],
    max_hits: usize,
    min_score: f32,
) -> Vec<Hit> {
    let mut hits: Vec<Hit> = Vec::new();
    SCRATCH.with(|s| {
        let mut scratch = s.borrow_mut();
        let Scratch {
            votes,
            expansions,
            similarities,
        } = &mut *scratch;
        similarities.clear();
        similarities.rare_word_weight = score::RARE_WORD;
        similarities.person_query = query.kind == Some(EntityKind::Person);
        let qtokens = prepare(index, toks, expansions);
        let roles = person_roles(raw, toks);
        // A person's middle names and ancestors' names are optional: a listed name without
        // them must still reach the minimum vote and rank ("JADHRAN, Ibrahim Saeed Salim"
        // inside a query that adds four more names of the chain).
        let organisation = query.names_organisation();
        let query_weight: f32 = qtokens
            .iter()
            .zip(&roles)
            .filter(|(t, _)| !t.filler)
            .map(|(t, role)| match role {
                // Counted as the score counts it when the name lacks it.
                Role::Middle | Role::Patronym if !organisation => {
                    t.weight * score::QUERY_MIDDLE_NAME_DISCOUNT
                }
                _ => t.weight,
            })
            .sum();
        let min_vote = query_weight * MIN_VOTE_SHARE;
        votes.reset(index.name_count());
        cast_votes(index, &qtokens, votes, min_vote);
        // Rank by a cheap estimate of the final score, so that among names sharing the query's
        // words the ones with fewer other words come first: lists repeat a party under many
        // near-identical names (the CSL and OFAC's own files, aliases), and a plain vote count
        // would cut the candidate list among ties arbitrarily.
        // Names with less than the minimum vote cannot reach a reportable score.
        let mut candidates = votes.top(CANDIDATES, min_vote, |n, v| {
            let name_weight = index.name_weight(n);
            QUERY_SHARE * (v / query_weight.max(1e-6)).min(1.0)
                + (1.0 - QUERY_SHARE) * (v / name_weight.max(1e-6)).min(1.0)
        });
        // Beside the ranked names: the names the query spells whole, and the few names of a
        // rare word found as written, whatever their share of the votes ("M23" holds only the
        // "23" of "March 23 Movement", too small a share of the query's weight to be ranked,
        // yet its initial and number agree with the query).
        let rare_word_names = qtokens
            .iter()
            .filter(|q| !q.filler)
            .filter_map(|q| q.known)
            .map(|o| index.postings(o))
            .filter(|postings| postings.len() <= RARE_WORD_POSTINGS)
            .flatten();
        // And the few organisations' names whose first words a query word of three to five
        // letters spells as an acronym ("RFA BANK" for "RUSSIAN FINANCIAL ALLIANCE BANK").
        let acronym_names = toks
            .iter()
            .zip(&qtokens)
            .filter(|(t, q)| {
                !similarities.person_query
                    && !q.filler
                    && (3..=MAX_ACRONYM).contains(&t.len())
                    && t.bytes().all(|b| b.is_ascii_lowercase())
            })
            .map(|(t, _)| index.whole_name_matches(&acronym_key(t)))
            .filter(|names| names.len() <= ACRONYM_NAMES)
            .flatten();
        for &n in index
            .whole_name_matches(&whole_key(toks))
            .iter()
            .chain(rare_word_names)
            .chain(acronym_names)
        {
            if !candidates.contains(&n) {
                candidates.push(n);
            }
        }
        let script = query_script(raw);
        let weighted: Vec<WeightedToken> = qtokens
            .iter()
            .zip(roles.iter().copied())
            .enumerate()
            .map(|(i, (t, role))| WeightedToken {
                id: i as u32,
                text: &t.forms.text,
                fold: &t.forms.fold,
                skeleton: &t.forms.skeleton,
                spelling: &t.forms.spelling,
                weight: t.weight,
                class: TokenClass::of(&t.forms.text, t.filler),
                role,
                known: t.known.is_some(),
                rarity: t.rarity,
                script,
                generic: score::is_generic(&t.forms.text),
            })
            .collect();
        // Score every candidate cheaply, keep each entity's best name, and build the
        // readable explanation only for the hits that will be returned.
        let mut best: Vec<(u32, u32, f32)> = Vec::with_capacity(candidates.len());
        let mut ctokens = Vec::new();
        for n in candidates {
            let Some(hit) = score_candidate(
                index,
                query,
                &weighted,
                n,
                similarities,
                &mut ctokens,
                false,
            ) else {
                continue;
            };
            match best.iter_mut().find(|b| b.0 == hit.entity) {
                Some(prev) if prev.2 >= hit.score => {}
                Some(prev) => *prev = (hit.entity, n, hit.score),
                None => best.push((hit.entity, n, hit.score)),
            }
        }
        best.retain(|b| b.2 >= min_score);
        best.sort_by(|a, b| b.2.total_cmp(&a.2).then(a.0.cmp(&b.0)));
        best.truncate(max_hits);
        hits = best
            .into_iter()
            .filter_map(|(_, n, _)| {
                score_candidate(index, query, &weighted, n, similarities, &mut ctokens, true)
            })
            .collect();
    });
    hits
}

fn prepare(index: &Index, toks: &[String], buf: &mut Vec<Expansion>) -> Vec<QueryToken> {
    toks.iter()
        .map(|t| {
            let filler = is_filler(t);
            let known = index.token_ordinal(t);
            // A word the index knows has its spellings and rarity in the index's tables; an
            // unknown one (a typo, a new name) is expanded here.
            let (forms, rarity) = match known {
                Some(o) => {
                    buf.clear();
                    buf.extend(index.neighbours(o));
                    (index.token_forms(o).owned(), index.rarity(o))
                }
                None => {
                    let forms = OwnedForms::new(t);
                    spellings(index, t, &forms, buf);
                    (forms, token_rarity(index, t, None))
                }
            };
            let weight = if filler {
                FILLER_WEIGHT
            } else if t.len() == 1 {
                INITIAL_WEIGHT
            } else if let Some(o) = known {
                index.weight(o)
            } else if buf.is_empty() {
                // A word no list uses: as distinctive as a word in one name, unless the
                // world uses it widely.
                crate::engine::index::build::world_weight(t)
                    .map_or(index.novel_weight, |w| w.min(index.novel_weight))
            } else {
                // A misspelt word weighs what the words it may stand for weigh.
                buf.iter()
                    .map(|e| index.weight(e.ordinal))
                    .fold(0.0, f32::max)
            };
            QueryToken {
                rarity: if filler { 0.0 } else { rarity },
                forms,
                weight,
                filler,
                known,
                expansions: buf.clone(),
            }
        })
        .collect()
}

/// Most names a query word may be in for all of them to be candidates whatever their rank.
const RARE_WORD_POSTINGS: usize = 4;

/// Most names whose initials a query word may spell for all of them to be candidates: an
/// acronym shared by more names identifies none of them.
const ACRONYM_NAMES: usize = 8;

/// What matching reads of an indexed word beyond its text, which the other words of the
/// index decide: its weight (which also ranks it among a query word's spellings) and which
/// side of each limit on its count of names it is on (rare-word candidates, common words,
/// voting). A word with the same print in two snapshots is read the same way in both;
/// re-screening by difference re-screens the parties with a word whose print changed.
pub fn word_print(index: &Index, ordinal: u32) -> u64 {
    let df = index.postings(ordinal).len();
    (u64::from(index.weight(ordinal).to_bits()) << 3)
        | u64::from(df > RARE_WORD_POSTINGS)
        | (u64::from(df > candidates::COMMON_POSTINGS) << 1)
        | (u64::from(df > MAX_VOTING_POSTINGS) << 2)
}

/// What matching reads of an acronym key (a query word looked up as the initials of
/// organisations' names, as `search_tokens` does) shared by `names`: whether more names
/// share it than are all taken as candidates.
pub fn acronym_print(names: &[u32]) -> u64 {
    u64::from(names.len() > ACRONYM_NAMES)
}

/// Share of the query's weight a name must collect in votes to be ranked at all. Query
/// coverage carries most of the score, and a name holding under this share of the query's
/// distinctive weight cannot reach a reportable score.
const MIN_VOTE_SHARE: f32 = 0.4;

/// Votes for names, rarest query word first. Once the words still to come weigh too little
/// for a name first seen in them to reach the minimum vote, they only add to names already
/// voted for (max-score pruning): common words ("mohammad", "trading") then cost a lookup per
/// live candidate instead of a vote per posting.
fn cast_votes(index: &Index, qtokens: &[QueryToken], votes: &mut Votes, min_vote: f32) {
    let has_distinctive = qtokens.iter().any(|t| !t.filler);
    let distinctive_postings = qtokens
        .iter()
        .filter(|t| !t.filler)
        .flat_map(|t| &t.expansions)
        .any(|e| index.postings(e.ordinal).len() <= MAX_VOTING_POSTINGS);
    let mut order: Vec<&QueryToken> = qtokens
        .iter()
        .filter(|t| !(t.filler && has_distinctive))
        .collect();
    order.sort_by(|a, b| b.weight.total_cmp(&a.weight));
    let mut remaining: f32 = order.iter().map(|t| t.weight).sum();
    for t in order {
        let only_existing = remaining < min_vote;
        remaining -= t.weight;
        for e in &t.expansions {
            let postings = index.postings(e.ordinal);
            if postings.len() > MAX_VOTING_POSTINGS && distinctive_postings {
                continue;
            }
            let closeness = match e.distance {
                Some(d) => 1.0 - 0.15 * d as f32,
                None => 0.7,
            };
            let w = t.weight.min(index.weight(e.ordinal)) * closeness;
            if only_existing {
                votes.add_to_voted(postings, w);
            } else {
                for &n in postings {
                    votes.vote(n, w);
                }
            }
        }
    }
}

fn score_candidate<'a>(
    index: &'a Index,
    query: &Query,
    qtokens: &[WeightedToken],
    n: u32,
    similarities: &mut SimCache,
    ctokens: &mut Vec<WeightedToken<'a>>,
    explain: bool,
) -> Option<Hit> {
    let name = index.name(n);
    let entity = index.entity(name.entity);
    // A party the caller calls an organisation is compared as one, whatever the list's guess.
    let org_query = query.names_organisation();
    ctokens.clear();
    let as_org = org_query && entity.kind != EntityKind::Person;
    ctokens.extend(
        index
            .name_token_ids(name)
            .iter()
            .zip(index.name_token_roles(name))
            .map(|(&o, &role)| {
                let forms = index.token_forms(o);
                WeightedToken {
                    id: o,
                    text: forms.text,
                    fold: forms.fold,
                    skeleton: forms.skeleton,
                    spelling: forms.spelling,
                    weight: index.weight(o),
                    class: index.token_class(o),
                    role: if as_org { Role::Other } else { role },
                    known: false,
                    rarity: 0.0,
                    script: Script::Alphabetic,
                    generic: false,
                }
            }),
    );
    let ns = score_name(qtokens, ctokens, similarities, explain);
    if ns.score <= 0.0 {
        return None;
    }
    // Reasons are only spelled out when explaining; the candidate loop needs the factors.
    let mut adjustments = Vec::new();

    match name.kind {
        NameKind::Weak => adjust(&mut adjustments, explain, 0.95, &|| "weak alias".into()),
        NameKind::Former => adjust(&mut adjustments, explain, 0.98, &|| "former name".into()),
        _ => {}
    }
    if let Some(k) = query.kind {
        if k != EntityKind::Unknown && entity.kind != EntityKind::Unknown && k != entity.kind {
            adjust(&mut adjustments, explain, 0.9, &|| {
                format!(
                    "party is a {} but the entry is a {}",
                    k.as_str(),
                    entity.kind.as_str()
                )
            });
        }
    }
    if !query.countries.is_empty() && !entity.countries.is_empty() {
        let shared = query
            .countries
            .iter()
            .find(|c| entity.countries.iter().any(|e| e.eq_ignore_ascii_case(c)));
        match shared {
            Some(c) => adjust(&mut adjustments, explain, 1.03, &|| {
                format!("country {c} matches")
            }),
            None => adjust(&mut adjustments, explain, 0.95, &|| {
                format!(
                    "country {} not among the entry's ({})",
                    query.countries.join(","),
                    entity.countries.join(",")
                )
            }),
        }
    }
    adjustments.extend(facts::fact_adjustments(query, entity, explain));
    if numbers_disagree(qtokens, ctokens) {
        adjust(&mut adjustments, explain, 0.8, &|| {
            "numbers in the names differ".into()
        });
    }
    if let Some(j) = ns.heaviest_missing {
        adjust(&mut adjustments, explain, HEAVIEST_MISSING_FACTOR, &|| {
            format!(
                "the name's most distinctive word, \"{}\", is not in the query",
                ctokens[j].text
            )
        });
    }
    if ns.order_conflict {
        adjust(&mut adjustments, explain, NASAB_ORDER_FACTOR, &|| {
            "a given name matched a father's name (bin/ibn, patronymic)".into()
        });
    }
    let penalised = adjustments.iter().filter(|a| a.factor < 1.0).count();
    let mut score = adjustments
        .iter()
        .fold(ns.score, |s, a| s * a.factor)
        .clamp(0.0, 1.0);
    // A longer or shorter form of a name ("Oleg Deripaska" for "DERIPASKA, Oleg
    // Vladimirovich", "GUPTA, Atul Kumar" for "GUPTA, Atul") reaches review when the words
    // both share are rare enough to identify someone.
    // A company's coined word ("MBADA" for "MBADA DIAMONDS", "EDBI EXCHANGE" for "EDBI
    // EXCHANGE BROKERAGE", "CVG MINERVEN" for "MINERVEN") names it as a rare surname names a
    // family: one word the world does not use, found as written, is enough for a shorter or
    // longer form of an organisation's name. A shorter form keeps at least half the name's
    // words: a brand alone ("Accenture plc") is not "ACCENTURE BUILDING MATERIALS", which
    // borrowed it.
    let organisation_form =
        entity.kind == EntityKind::Organization && !matches!(query.kind, Some(EntityKind::Person));
    let coined = ((ns.subset == Subset::QueryInName && ns.half_name_found) || ns.name_found)
        && organisation_form
        && ns.rarest_exact >= COINED_WORD_RARITY;
    // An organisation's whole name, two words or more, written word for word inside a longer
    // one: the company with its place or trade added ("GRAND CASINO" in "Grand Casino
    // Zapopan", "YAS AIR" in "Yas Air Kish"), or its descriptors left out ("Royal Pearls" for
    // "ROYAL PEARLS GENERAL TRADING").
    let phrase = (ns.phrase_found || ns.query_phrase_found) && organisation_form;
    let rare_enough = match ns.subset {
        Subset::Neither => f32::INFINITY,
        Subset::NameInQuery => SUBSET_MIN_SHARE,
        Subset::QueryInName => SUBSET_OF_NAME_MIN_SHARE,
    };
    if (SUBSET_MIN_BASE..SUBSET_FLOOR).contains(&score)
        && (ns.rare_weight >= rare_enough || coined || phrase)
        && !ns.all_fuzzy
        && penalised == 0
    {
        adjust(
            &mut adjustments,
            explain,
            SUBSET_FLOOR / score.max(1e-6),
            &|| {
                if phrase && !coined && ns.rare_weight < rare_enough {
                    "the shorter name is written whole, word for word, inside the longer one".into()
                } else {
                    "every distinctive word of the shorter name is in the longer one".into()
                }
            },
        );
        score = SUBSET_FLOOR;
    }
    // Weak evidence never denies, whatever the words' similarity.
    if score > WEAK_EVIDENCE_CAP {
        if let Some(why) = weak_evidence(query, qtokens, ctokens, entity.kind) {
            adjust(
                &mut adjustments,
                explain,
                WEAK_EVIDENCE_CAP / score,
                &|| why.to_string(),
            );
            score = WEAK_EVIDENCE_CAP;
        }
    }
    Some(Hit {
        entity: name.entity,
        score,
        explanation: Explanation {
            matched_name: if explain {
                entity.names[name.source as usize].value.clone()
            } else {
                String::new()
            },
            name_kind: name.kind,
            name_score: ns,
            adjustments,
            identifier: None,
        },
    })
}

/// Records a signal; its reason is spelled out only when explaining (the candidate loop needs
/// the factors alone).
fn adjust(
    adjustments: &mut Vec<Adjustment>,
    explain: bool,
    factor: f32,
    reason: &dyn Fn() -> String,
) {
    adjustments.push(Adjustment {
        reason: if explain { reason() } else { String::new() },
        factor,
    })
}

/// Factor on a match that misses the listed name's heaviest word (see
/// [`NameScore::heaviest_missing`]).
const HEAVIEST_MISSING_FACTOR: f32 = 0.85;
/// Factor on a match that aligns a given name with a patronymic of the other name.
const NASAB_ORDER_FACTOR: f32 = 0.85;
/// Score a longer or shorter form of a name is raised to: just above the default review
/// threshold (0.85), so it asks for a reviewer but never denies by itself.
const SUBSET_FLOOR: f32 = 0.86;
/// Least score the subset floor raises: a name whose shared words matched so loosely, or
/// whose other words weigh so much, that it scores under this is not a longer or shorter
/// form of the query but another name that shares a word or two with it.
const SUBSET_MIN_BASE: f32 = 0.7;
/// The least summed rarity of the rare shared words (see [`score::RARE_WORD`] and
/// [`token_rarity`]) for [`SUBSET_FLOOR`]: two uncommon words, or one the world hardly uses.
const SUBSET_MIN_SHARE: f32 = 12.0;
/// The same for a query whose words are all in a longer listed name: stricter, since short
/// common names are inside many long ones ("James Peterson" in "John James Peterson").
const SUBSET_OF_NAME_MIN_SHARE: f32 = 15.0;
/// Rarity of a word too rare for the world's word table (see [`token_rarity`]): a query
/// inside an organisation's longer name, or holding all of a shorter one, is a form of that
/// name when such a word of it is found as written.
const COINED_WORD_RARITY: f32 = 9.0;

/// How rare a query word is in the world, in weight units: its world weight
/// (`index::build::world_weight`), or 9 for a word too rare for the world's table; a word
/// the lists themselves use widely (in more names than the square root of their number:
/// "mohammed") at most two above its weight there. Unlike IDF it does not grow with the
/// index, so "rare enough" means the same on a list of ten names and on a million.
pub(crate) fn token_rarity(index: &Index, token: &str, known: Option<u32>) -> f32 {
    let world = crate::engine::index::build::world_weight(token).unwrap_or(9.0);
    match known.map(|o| index.weight(o)) {
        Some(w) if w < index.novel_weight / 2.0 => world.min(w + 2.0),
        _ => world,
    }
}
/// Highest score of a match resting on weak evidence: below the default deny threshold
/// (0.95), so such a match is reviewed, never denied.
const WEAK_EVIDENCE_CAP: f32 = 0.94;

/// Why a match is weak evidence, if it is:
/// - an organisation (by the caller's kind or a legal form in the query) against a person's
///   one-word name;
/// - a one-word name against a query with other distinctive words;
/// - legal forms that conflict ("Schneider SARL" is not "Schneider GmbH");
/// - words for the kind of body that differ ("Organization" for "GROUP").
fn weak_evidence(
    query: &Query,
    q: &[WeightedToken],
    c: &[WeightedToken],
    entity_kind: EntityKind,
) -> Option<&'static str> {
    let words = |t: &[WeightedToken]| t.iter().filter(|t| t.class != TokenClass::Filler).count();
    // Both names hold words of a kind (`of`), and share none of them.
    let differ = |of: &dyn Fn(&str) -> bool| {
        let mut qs = q.iter().map(|t| t.text).filter(|w| of(w)).peekable();
        let cs = c.iter().map(|t| t.text).filter(|w| of(w));
        qs.peek().is_some()
            && cs.clone().next().is_some()
            && !qs.any(|w| cs.clone().any(|x| x == w))
    };
    let org_query = matches!(query.kind, Some(EntityKind::Organization))
        || q.iter().any(|t| is_legal_form(t.text));
    if words(c) == 1 && entity_kind == EntityKind::Person && org_query {
        return Some("an organisation matched a person's one-word name");
    }
    if words(c) == 1 && words(q) > 1 {
        return Some("a one-word name matched a query with other distinctive words");
    }
    if differ(&|w| is_legal_form(w) && !GENERIC_FORMS.contains(&w)) {
        return Some("the legal forms differ");
    }
    // Another word for the kind of body ("Organization" for "GROUP") may stand for the
    // listed one, as another legal form may, but it confirms nothing.
    if differ(&normalize::is_designator) {
        return Some("the words for the kind of body differ");
    }
    None
}

/// Legal-form words that say nothing of a jurisdiction, so they never conflict.
const GENERIC_FORMS: &[&str] = &["co", "holding", "corp", "inc", "ltd"];

/// How the words of a query compare (see [`Script`]): syllable by syllable when it is written
/// in Han or Hangul characters and in no Latin letters.
fn query_script(name: &str) -> Script {
    if name.is_ascii() || name.chars().any(|c| c.is_ascii_alphabetic()) {
        return Script::Alphabetic;
    }
    let hangul = |c: char| ('\u{ac00}'..='\u{d7af}').contains(&c);
    if name.chars().any(hangul) {
        Script::Hangul
    } else if name.chars().any(is_syllabic) {
        Script::Han
    } else {
        Script::Alphabetic
    }
}

fn numbers_disagree(q: &[WeightedToken], c: &[WeightedToken]) -> bool {
    let numeric = |t: &&WeightedToken| t.text.bytes().any(|b| b.is_ascii_digit());
    let mut cn = c.iter().filter(numeric).peekable();
    if cn.peek().is_none() {
        return false;
    }
    let mut qn = q.iter().filter(numeric).peekable();
    qn.peek().is_some() && qn.all(|x| !c.iter().filter(numeric).any(|y| y.text == x.text))
}

/// An identical strong identifier makes an exact hit, whatever the name says.
fn identifier_hits(index: &Index, query: &Query, hits: &mut Vec<Hit>) {
    for q in &query.identifiers {
        let value = canonical_identifier(&q.value);
        for &ei in index.entities_with_identifier(&value) {
            let e = index.entity(ei);
            let Some(found) = e.identifiers.iter().find(|id| {
                canonical_identifier(&id.value) == value
                    && (q.scheme.is_empty() || q.scheme.eq_ignore_ascii_case(&id.scheme))
            }) else {
                continue;
            };
            let label = format!("{} {}", found.scheme, found.value);
            match hits.iter_mut().find(|h| h.entity == ei) {
                Some(h) => {
                    h.score = 1.0;
                    h.explanation.identifier = Some(label);
                }
                None => hits.push(Hit {
                    entity: ei,
                    score: 1.0,
                    explanation: Explanation {
                        matched_name: e.primary_name().to_string(),
                        name_kind: NameKind::Primary,
                        name_score: NameScore::default(),
                        adjustments: Vec::new(),
                        identifier: Some(label),
                    },
                }),
            }
        }
    }
}

#[cfg(test)]
mod structure_tests;
