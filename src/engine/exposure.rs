//! Exposure beyond a party's own name: ownership (the policy's 50% rules over the ownership
//! graph), the parents a caller declares, and jurisdictions.
//!
//! [`OwnershipGraph`] resolves the loaders' edges (ids or names) to entity ordinals once per
//! snapshot and evaluates every ownership rule on a date ([`crate::engine::ownership::evaluate`]),
//! caching the result per date. [`annotate_hit`], [`parent_hits`] and [`jurisdiction_hits`]
//! turn the findings into hits for one screening.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};

use jiff::civil::Date;

use crate::engine::index::Index;
use crate::engine::matching::{self, Query};
use crate::engine::model::{published_date, Entity, LoadedList, NameKind, Ownership, Relation};
use crate::engine::normalize;
use crate::engine::ownership::{self, pct, Status};
use crate::engine::policy::{Decision, Inactive, OwnershipRule, Policy};
use crate::engine::screen::{Party, ScreenHit};

/// The ownership edges of a snapshot, resolved to entity ordinals. The rules run on the
/// parties the edges touch only (`nodes`), so a large index without much ownership data costs
/// nothing per entity; edges hold positions in `nodes`.
///
/// A snapshot file stores the resolved graph; evaluations are recomputed (and cached) after
/// loading, since they depend on the date asked.
#[derive(Default, serde::Serialize, serde::Deserialize)]
pub struct OwnershipGraph {
    /// Entity ordinals of every party an edge touches, ascending.
    nodes: Vec<u32>,
    edges: Vec<ownership::Edge>,
    /// Edges whose owner or owned party names no entity of the snapshot.
    pub unresolved: usize,
    /// The evaluation used last (nearly every request asks for today), read without a lock.
    #[serde(skip)]
    last: arc_swap::ArcSwapOption<Evaluation>,
    #[serde(skip)]
    cache: Mutex<HashMap<Date, Arc<Evaluation>>>,
}

/// Every ownership rule of the policy, evaluated on one date.
pub struct Evaluation {
    pub date: Date,
    pub rules: Vec<RuleOutcome>,
}

/// One rule on one date.
pub struct RuleOutcome {
    pub rule: OwnershipRule,
    /// Why the rule does not apply on the date; `None` when it does.
    pub inactive: Option<Inactive>,
    /// Statuses with a finding (blocked, under review, or listed and also owned), by entity
    /// ordinal. Party indices inside a finding are positions in the graph's `nodes`
    /// ([`OwnershipGraph::entity`] turns them into ordinals).
    pub findings: HashMap<u32, Status>,
}

impl RuleOutcome {
    /// The finding on the entity with this ordinal, if any.
    pub fn status(&self, ordinal: u32) -> Option<&Status> {
        self.findings.get(&ordinal)
    }

    /// Whether a listing of `entity` makes it an owner that restricts under this rule.
    pub fn restricting(&self, entity: &Entity) -> bool {
        !entity.context_only && self.rule.restricts(entity)
    }
}

/// Most cached evaluation dates before the cache starts over.
const CACHED_DATES: usize = 64;

/// Normalized name key for resolving edges that name a party instead of giving its id.
fn name_key(name: &str) -> String {
    normalize::tokens(name).join(" ")
}

impl OwnershipGraph {
    /// Resolves `edges` against the entities of `index`. An endpoint is an entity id, or a
    /// name matched exactly (after normalization) against every name of every entity,
    /// preferring the dataset of the other endpoint. Returns the graph and one warning per
    /// kind of problem.
    pub fn build(index: &Index, edges: Vec<Ownership>) -> (OwnershipGraph, Vec<String>) {
        let mut by_name: HashMap<String, Vec<u32>> = HashMap::new();
        let needs_names = edges
            .iter()
            .any(|e| index.ordinal(&e.owner).is_none() || index.ordinal(&e.owned).is_none());
        if needs_names {
            for (i, e) in index.entities().iter().enumerate() {
                for n in &e.names {
                    let list = by_name.entry(name_key(&n.value)).or_default();
                    if list.last() != Some(&(i as u32)) {
                        list.push(i as u32);
                    }
                }
            }
        }
        let entities = index.entities();
        let resolve = |end: &str, other: Option<u32>| -> Option<u32> {
            if let Some(o) = index.ordinal(end) {
                return Some(o);
            }
            let found = by_name.get(&name_key(end))?;
            let dataset = other.map(|o| entities[o as usize].dataset.as_str());
            found
                .iter()
                .copied()
                .find(|&o| Some(entities[o as usize].dataset.as_str()) == dataset)
                .or_else(|| found.first().copied())
        };
        let mut graph = OwnershipGraph::default();
        let mut bad_dates = 0;
        for e in edges {
            let owned = resolve(&e.owned, index.ordinal(&e.owner));
            let owner = resolve(&e.owner, owned);
            let owned = owned.or_else(|| resolve(&e.owned, owner));
            let (Some(owner), Some(owned)) = (owner, owned) else {
                graph.unresolved += 1;
                continue;
            };
            let mut date = |d: &Option<String>, first: bool| {
                let text = d.as_deref()?;
                let parsed = published_date(text.trim(), first);
                if parsed.is_none() {
                    bad_dates += 1;
                }
                parsed
            };
            let start = date(&e.start, true);
            let end = date(&e.end, false);
            graph.edges.push(ownership::Edge {
                owner: owner as usize,
                owned: owned as usize,
                percent: e.percent,
                relation: e.relation,
                start,
                end,
                source: e.source,
            });
        }
        let mut nodes: Vec<u32> = graph
            .edges
            .iter()
            .flat_map(|e| [e.owner as u32, e.owned as u32])
            .collect();
        nodes.sort_unstable();
        nodes.dedup();
        for e in &mut graph.edges {
            e.owner = nodes.binary_search(&(e.owner as u32)).unwrap_or_default();
            e.owned = nodes.binary_search(&(e.owned as u32)).unwrap_or_default();
        }
        graph.nodes = nodes;
        let mut warnings = Vec::new();
        if graph.unresolved > 0 {
            warnings.push(format!(
                "{} ownership records name a party that no loaded list holds; they are not used",
                graph.unresolved
            ));
        }
        if bad_dates > 0 {
            warnings.push(format!(
                "{bad_dates} ownership dates are not ISO dates; those records are read as undated"
            ));
        }
        (graph, warnings)
    }

    /// Checks that a graph read from a file refers to `entities` entities only, so that no
    /// lookup can go out of bounds; says what is wrong otherwise.
    pub fn check(&self, entities: usize) -> Result<(), String> {
        if let Some(&o) = self.nodes.iter().find(|&&o| o as usize >= entities) {
            return Err(format!(
                "ownership node {o} is beyond the {entities} entities"
            ));
        }
        if !self.nodes.windows(2).all(|w| w[0] < w[1]) {
            return Err("ownership nodes are not strictly ascending".into());
        }
        let n = self.nodes.len();
        if let Some(e) = self.edges.iter().find(|e| e.owner >= n || e.owned >= n) {
            return Err(format!(
                "ownership edge {} → {} refers beyond the {n} parties",
                e.owner, e.owned
            ));
        }
        Ok(())
    }

    /// The resolved records; party indices are positions in the touched parties (see
    /// [`OwnershipGraph::entity`]).
    pub fn edges(&self) -> &[ownership::Edge] {
        &self.edges
    }

    /// The entity ordinal of a party index used in edges and findings.
    pub fn entity(&self, node: usize) -> u32 {
        self.nodes[node]
    }

    /// Every rule of `policy` on `date`, computed once per date.
    pub fn evaluate(&self, index: &Index, policy: &Policy, date: Date) -> Arc<Evaluation> {
        if let Some(e) = self.last.load_full().filter(|e| e.date == date) {
            return e;
        }
        if let Some(e) = self.cache.lock().ok().and_then(|c| c.get(&date).cloned()) {
            self.last.store(Some(e.clone()));
            return e;
        }
        let rules = policy
            .ownership_rules
            .iter()
            .map(|rule| {
                let listed: Vec<bool> = self
                    .nodes
                    .iter()
                    .map(|&o| {
                        let e = index.entity(o);
                        !e.context_only && rule.restricts(e)
                    })
                    .collect();
                let status = ownership::evaluate(
                    self.nodes.len(),
                    &listed,
                    &self.edges,
                    rule.threshold,
                    date,
                );
                let findings = status
                    .into_iter()
                    .enumerate()
                    .filter(|(_, s)| s.finding().is_some())
                    .map(|(i, s)| (self.nodes[i], s))
                    .collect();
                RuleOutcome {
                    rule: rule.clone(),
                    inactive: rule.status_on(date).err(),
                    findings,
                }
            })
            .collect();
        let evaluation = Arc::new(Evaluation { date, rules });
        if let Ok(mut cache) = self.cache.lock() {
            if cache.len() >= CACHED_DATES {
                cache.clear();
            }
            cache.insert(date, evaluation.clone());
        }
        self.last.store(Some(evaluation.clone()));
        evaluation
    }
}

/// The ids and normalized names of every entity of `lists`.
pub fn known_names<'a>(lists: impl Iterator<Item = &'a LoadedList>) -> HashSet<String> {
    let mut known = HashSet::new();
    for list in lists {
        for e in &list.entities {
            known.insert(e.id.clone());
            for n in &e.names {
                known.insert(name_key(&n.value));
            }
        }
    }
    known
}

/// Adds to an edge file's list an unlisted context entity for every owned party it names
/// that is neither an entity id nor a name in `known`: the operator's own ownership data
/// ("our supplier X Ltd is 60% owned by Y") makes X screenable. Its id is
/// `<dataset>:<normalized name, words joined by '-'>`.
pub fn add_owned_parties(list: &mut LoadedList, known: &HashSet<String>) {
    let mut added: HashSet<String> = HashSet::new();
    for edge in &list.ownership {
        if edge.relation == Relation::Control {
            continue;
        }
        let key = name_key(&edge.owned);
        let looks_like_id = !edge.owned.contains(' ') && edge.owned.contains(':');
        if key.is_empty() || looks_like_id || known.contains(&key) {
            continue;
        }
        if !added.insert(key.clone()) {
            continue;
        }
        let mut entity = Entity {
            id: format!("{}:{}", list.dataset, key.replace(' ', "-")),
            dataset: list.dataset.clone(),
            context_only: true,
            ..Entity::default()
        };
        entity.push_name(&edge.owned, NameKind::Primary);
        list.entities.push(entity);
    }
}

/// "NAME [id]" for paths.
fn label(e: &Entity) -> String {
    format!("{} [{}]", e.primary_name(), e.id)
}

/// The owners from `path` (`[listed, ..., node]`), nearest first, as labels.
fn via_of(index: &Index, graph: &OwnershipGraph, path: &[usize]) -> Vec<String> {
    path.iter()
        .rev()
        .skip(1)
        .map(|&n| label(index.entity(graph.entity(n))))
        .collect()
}

/// The decision a finding under `outcome` calls for, at match score `score`.
fn rule_decision(outcome: &RuleOutcome, status: &Status, score: f32, policy: &Policy) -> Decision {
    if outcome.inactive.is_some() {
        return Decision::Allow;
    }
    match status {
        Status::Blocked(_) | Status::Listed(Some(_)) if score >= policy.deny_threshold => {
            outcome.rule.decision
        }
        Status::Blocked(_) | Status::Listed(Some(_)) | Status::Review(_) => {
            Decision::Review.min(outcome.rule.decision)
        }
        Status::Clear | Status::Listed(None) => Decision::Allow,
    }
}

/// The sentence for a rule's finding on `entity`.
fn finding_text(
    index: &Index,
    graph: &OwnershipGraph,
    outcome: &RuleOutcome,
    status: &Status,
    entity: &Entity,
    date: Date,
) -> Option<String> {
    let finding = status.finding()?;
    let name = |n: usize| index.entity(graph.entity(n)).primary_name();
    let reasons: Vec<String> = finding.reasons.iter().map(|r| r.describe(name)).collect();
    let mut text = format!(
        "{} {}: {}",
        entity.primary_name(),
        match (status, outcome.inactive.is_some()) {
            (Status::Blocked(_) | Status::Listed(Some(_)), false) => {
                "is restricted through ownership"
            }
            (Status::Blocked(_) | Status::Listed(Some(_)), true) => {
                "would be restricted through ownership"
            }
            _ => "may be restricted through ownership",
        },
        reasons.join("; ")
    );
    if let Some(&owner) = finding.path.first() {
        text.push_str(&format!(
            " (path from the listed {})",
            label(index.entity(graph.entity(owner)))
        ));
    }
    for c in &finding.conflicts {
        let values: Vec<String> = c.values.iter().map(|v| format!("{}%", pct(*v))).collect();
        text.push_str(&format!(
            "; records of {}'s share disagree ({}), the highest, {}%, is used",
            name(c.owner),
            values.join(", "),
            pct(c.used)
        ));
    }
    text.push_str(&format!(
        "; under the {} rule ({}), as of {date}",
        outcome.rule.name, outcome.rule.citation
    ));
    if let Some(why) = &outcome.inactive {
        text.push_str(&format!(", which is {why}: no effect on the decision"));
    }
    Some(text)
}

/// Applies ownership findings to a direct hit: a hit on an entity restricted through
/// ownership gets the rule, the path and the stronger decision. Returns `false` when the hit
/// should be dropped (an unlisted context entity with no finding).
pub fn annotate_hit(
    index: &Index,
    graph: &OwnershipGraph,
    policy: &Policy,
    evaluation: &Evaluation,
    hit: &mut ScreenHit,
    ordinal: u32,
) -> bool {
    let entity = index.entity(ordinal);
    let mut best: Option<(Decision, &RuleOutcome, &Status)> = None;
    for outcome in &evaluation.rules {
        let Some(status) = outcome.status(ordinal) else {
            continue;
        };
        let d = rule_decision(outcome, status, hit.score, policy);
        if best.as_ref().is_none_or(|(b, _, _)| d > *b) {
            best = Some((d, outcome, status));
        }
    }
    let Some((decision, outcome, status)) = best else {
        return !entity.context_only;
    };
    let finding = status.finding().expect("filtered above");
    hit.decision = if entity.context_only {
        decision
    } else {
        hit.decision.max(decision)
    };
    hit.rule = Some(outcome.rule.name.clone());
    hit.ownership_percent = Some(finding.percent);
    hit.via = via_of(index, graph, &finding.path);
    if let Some(text) = finding_text(index, graph, outcome, status, entity, evaluation.date) {
        hit.explanation = if entity.context_only {
            format!("{}; {} is not listed itself", text, entity.primary_name())
        } else {
            format!("{}; also: {text}", hit.explanation)
        };
    }
    true
}

/// What one declared parent means for the party under the strongest rule.
struct ParentFinding {
    decision: Decision,
    rule: String,
    via: Vec<String>,
    text: String,
}

/// Most parents screened per request.
pub const MAX_PARENTS: usize = 16;

/// Hits for the parents a caller declared: each parent is resolved (entity id, identifier or
/// name) and, when it is listed or restricted through ownership, the party is restricted
/// under each rule whose threshold the declared parents' shares reach.
pub fn parent_hits(
    index: &Index,
    graph: &OwnershipGraph,
    policy: &Policy,
    evaluation: &Evaluation,
    party: &Party,
) -> Vec<ScreenHit> {
    // (parent as declared, entity ordinal, match score, matched name)
    let mut parents: Vec<(&str, u32, f32, String)> = Vec::new();
    for p in party.parents.iter().take(MAX_PARENTS) {
        if let Some(o) = index.ordinal(p.trim()) {
            parents.push((p, o, 1.0, index.entity(o).primary_name().to_string()));
            continue;
        }
        // An identifier (registration number, LEI, IMO) always has a digit; a name rarely.
        // It may come with its scheme in front ("IMO 9116412", "lei:5493...").
        let by_id = if p.chars().any(|c| c.is_ascii_digit()) {
            let bare = p
                .split_once([':', ' '])
                .map_or(p.as_str(), |(_, rest)| rest.trim());
            [p.as_str(), bare]
                .into_iter()
                .map(|v| {
                    index.entities_with_identifier(&crate::engine::index::canonical_identifier(v))
                })
                .find(|found| !found.is_empty())
                .unwrap_or(&[])
        } else {
            &[]
        };
        if by_id.len() == 1 {
            parents.push((p, by_id[0], 1.0, format!("identifier {p}")));
            continue;
        }
        let query = Query {
            name: p.clone(),
            ..Query::default()
        };
        for h in matching::search(index, &query, 5, policy.review_threshold) {
            parents.push((p, h.entity, h.score, h.explanation.matched_name.clone()));
        }
    }
    let mut hits = Vec::new();
    for (declared, ordinal, score, matched) in parents {
        let entity = index.entity(ordinal);
        let share = policy.declared_parent_percent;
        let head = format!(
            "declared parent {declared:?} matched {} at {score:.2}",
            label(entity)
        );
        let mut best: Option<ParentFinding> = None;
        for outcome in &evaluation.rules {
            let listed = outcome.restricting(entity);
            let status = outcome.status(ordinal);
            let blocked = matches!(status, Some(Status::Blocked(_)));
            if !(listed || blocked || matches!(status, Some(Status::Review(_)))) {
                continue;
            }
            let reaches = share + 1e-3 >= outcome.rule.threshold;
            let decision = match (&outcome.inactive, listed || blocked, reaches) {
                (Some(_), _, _) => Decision::Allow,
                (None, true, true) if score >= policy.deny_threshold => outcome.rule.decision,
                _ => Decision::Review.min(outcome.rule.decision),
            };
            let standing = if listed {
                format!("is listed ({})", entity.programs.join(", "))
            } else if blocked {
                "is restricted through ownership".to_string()
            } else {
                "may be restricted through ownership".to_string()
            };
            let mut via = vec![format!("{declared} (declared parent)"), label(entity)];
            if let Some(f) = status.and_then(Status::finding) {
                via.extend(via_of(index, graph, &f.path));
            }
            let mut text = format!(
                "{head}; it {standing}; a party {}% or more owned by it is restricted under \
                 the {} rule ({}); the declared parent is taken to hold {}%",
                pct(outcome.rule.threshold),
                outcome.rule.name,
                outcome.rule.citation,
                pct(share)
            );
            if !reaches {
                text.push_str(", below the threshold: review the actual share");
            }
            text.push_str(&format!(", as of {}", evaluation.date));
            if let Some(why) = &outcome.inactive {
                text.push_str(&format!("; the rule is {why}: no effect on the decision"));
            }
            if best.as_ref().is_none_or(|b| decision > b.decision) {
                best = Some(ParentFinding {
                    decision,
                    rule: outcome.rule.name.clone(),
                    via,
                    text,
                });
            }
        }
        let finding = match best {
            Some(b) => b,
            // Listed, but no ownership rule covers its list: a reviewer decides.
            None if !entity.context_only => ParentFinding {
                decision: Decision::Review,
                rule: "declared_parent".into(),
                via: vec![format!("{declared} (declared parent)"), label(entity)],
                text: format!(
                    "{head}, listed on {}; no ownership rule of the policy covers that list, \
                     as of {}",
                    entity.programs.join(", "),
                    evaluation.date
                ),
            },
            None => continue,
        };
        hits.push(ScreenHit {
            entity_id: entity.id.clone(),
            dataset: entity.dataset.clone(),
            name: entity.primary_name().to_string(),
            matched_name: matched,
            score,
            kind: entity.kind,
            programs: entity.programs.clone(),
            severity: policy.severity(entity),
            decision: finding.decision,
            explanation: finding.text,
            via: finding.via,
            rule: Some(finding.rule),
            ownership_percent: Some(share),
            detail: None,
            suppressed: false,
        });
    }
    hits
}

/// Hits for the policy's jurisdictions the party is in (by its countries and addresses).
pub fn jurisdiction_hits(policy: &Policy, party: &Party, date: Date) -> Vec<ScreenHit> {
    policy
        .jurisdictions
        .check(&party.countries, &party.addresses)
        .into_iter()
        .map(|p| {
            let (rule, what) = match p.decision {
                Decision::Deny => (
                    "embargoed_jurisdiction",
                    "a comprehensively sanctioned jurisdiction",
                ),
                _ => ("review_jurisdiction", "a jurisdiction the policy reviews"),
            };
            ScreenHit {
                entity_id: format!("policy:jurisdiction:{}", p.place),
                dataset: "policy".into(),
                name: p.name.clone(),
                matched_name: p.evidence.clone(),
                score: 1.0,
                kind: crate::engine::model::EntityKind::Unknown,
                programs: Vec::new(),
                severity: crate::engine::policy::Severity::Block,
                decision: p.decision,
                explanation: format!(
                    "the party is in {} ({}), {what} under policy rule {rule}, as of {date}",
                    p.name, p.evidence
                ),
                via: Vec::new(),
                rule: Some(rule.into()),
                ownership_percent: None,
                detail: None,
                suppressed: false,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn owned_parties_no_list_holds_become_context_entities() {
        let listed = LoadedList {
            dataset: "sample".into(),
            entities: vec![Entity {
                id: "sample:1".into(),
                names: vec![crate::engine::model::Name {
                    value: "Acme Holdings Ltd".into(),
                    kind: NameKind::Primary,
                }],
                ..Entity::default()
            }],
            ..LoadedList::default()
        };
        let known = known_names([&listed].into_iter());
        let edge = |owned: &str, relation| Ownership {
            relation,
            ..Ownership::remark("sample:1", owned, Relation::Owner, "test")
        };
        let mut edges = LoadedList {
            dataset: "own".into(),
            ownership: vec![
                edge("Beta Trading Co., Ltd.", Relation::Owner),
                edge("BETA TRADING COMPANY LIMITED", Relation::Owner),
                edge("ACME HOLDINGS LIMITED", Relation::Owner),
                edge("sample:404", Relation::Owner),
                edge("Gamma Director Services", Relation::Control),
            ],
            ..LoadedList::default()
        };
        add_owned_parties(&mut edges, &known);
        let ids: Vec<(&str, bool)> = edges
            .entities
            .iter()
            .map(|e| (e.id.as_str(), e.context_only))
            .collect();
        assert_eq!(ids, [("own:beta-trading-ltd", true)]);
        assert_eq!(edges.entities[0].primary_name(), "Beta Trading Co., Ltd.");
    }
}
