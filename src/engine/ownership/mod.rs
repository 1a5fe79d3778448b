//! The ownership rules engine: which parties are blocked because blocked parties own them.
//!
//! OFAC's 50 Percent Rule (revised guidance of 13 August 2014; OFAC FAQs 398–401): an entity
//! owned 50% or more in the aggregate, directly or indirectly, by one or more blocked persons
//! is itself blocked, named on a list or not. It is a rule about *ownership*, not control
//! (FAQ 398): a listed director or manager does not block the company. Stakes of several
//! blocked persons add up (FAQ 399), and FAQ 401 fixes the arithmetic of indirect ownership:
//! for each entity, add up the *direct* stakes held in it by blocked persons (the listed ones
//! and those blocked by this rule); stakes are not multiplied down a chain. If listed X owns
//! 50% of A, A is blocked; if A owns 50% of B, B is blocked too, since A's whole 50% is now a
//! blocked person's stake. BIS's Affiliates rule and the EU's ownership criterion use the same
//! arithmetic with other owners and thresholds, which the caller chooses (the policy's
//! `OwnershipRule`), so this module knows nothing of lists, policy or I/O: it takes a
//! graph whose nodes are already resolved to indices `0..n` and returns a [`Status`] per node.
//!
//! How the records are read, on the date `as_of` ([`evaluate`]):
//! - A record counts only while it is in force: not ended before `as_of`, not begun after it.
//!   A record that ends before it starts is inconsistent; it counts as undated (the cautious
//!   reading) and the finding says so.
//! - Several records of one owner's stake in one party that disagree (real data has 48, 50 and
//!   51 for one pair) resolve to the highest, and the finding shows the values seen.
//! - [`Relation::Control`] never blocks nor asks for review.
//! - A share nobody states (or that is NaN, negative or over 100) neither blocks nor allows:
//!   it makes the owned party [`Status::Review`], as does a [`Relation::Linked`] edge, when the
//!   owner is blocked.
//! - Review spreads the way blocking does: a party is under review when it would be blocked,
//!   or reviewed for an unstated share or a link, if every party under review were blocked
//!   (X holds an unstated share of A, A owns 60% of B: both are under review).
//!
//! Both sets, blocked and blocked-or-under-review, are least fixpoints of these rules. They are
//! computed by propagation rather than by repeated passes: when a node joins, its holdings are
//! added to the sums of the nodes it owns, once. The sets only grow, so cycles terminate, and
//! the cost is linear in nodes and edges after the edges are sorted by owned node.

use std::collections::VecDeque;
use std::ops::Range;

use jiff::civil::Date;

use crate::engine::model::Relation;

/// Slack, in percentage points, when comparing a sum with the threshold: float sums of stated
/// shares (33.33 + 16.67) must reach 50, and no source states a share to a thousandth of a
/// point.
const EPSILON: f64 = 1e-3;

/// One record of a relation between two resolved parties.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Edge {
    pub owner: usize,
    pub owned: usize,
    /// The share held, 0–100, when the source states it. Read only for [`Relation::Owner`].
    pub percent: Option<f32>,
    pub relation: Relation,
    /// First day the holding is in force, when known.
    pub start: Option<Date>,
    /// Last day the holding is in force, when known.
    pub end: Option<Date>,
    /// Where the record came from, shown in findings.
    pub source: String,
}

/// What the rule says about one node.
#[derive(Debug, Clone, PartialEq)]
pub enum Status {
    /// Not blocked, nothing to review. No finding: conflicting records that block at no value
    /// (30 and 40 against 50) are not reported.
    Clear,
    /// Listed itself. Listing wins; the finding is present when ownership alone blocks the
    /// node as well (in a cycle, possibly through the node itself: the path then shows it).
    Listed(Option<Finding>),
    /// Blocked owners' known stakes reach the threshold.
    Blocked(Finding),
    /// Not blocked by known stakes, but it may be: a blocked owner holds an unstated share or
    /// is linked to it, or owners under review would block it if they were blocked.
    Review(Finding),
}

impl Status {
    /// The ownership finding, for every status but `Clear` and a plain `Listed`.
    pub fn finding(&self) -> Option<&Finding> {
        match self {
            Status::Clear | Status::Listed(None) => None,
            Status::Listed(Some(f)) | Status::Blocked(f) | Status::Review(f) => Some(f),
        }
    }
}

/// Why a node is blocked or under review.
#[derive(Debug, Clone, PartialEq)]
pub struct Finding {
    /// Sum of the known direct stakes held by blocked (or listed) owners. Above 100 only on bad
    /// data; under review, below the threshold.
    pub percent: f32,
    /// The owners that count: blocked ones for `Blocked`, blocked and under review for
    /// `Review`. Blocked first, then by stake, largest first.
    pub owners: Vec<Stake>,
    /// `[listed, ..., this node]`: at each step back, the owner with the largest stake among
    /// those that joined earlier, so it always ends at a listed node.
    pub path: Vec<usize>,
    /// Owners whose records of one stake disagree.
    pub conflicts: Vec<Conflict>,
    /// The main reason first ([`Reason::Owned`] or [`Reason::MayBeOwned`] when stakes reach the
    /// threshold), then one per unstated share, link or inconsistent record, in owner order.
    pub reasons: Vec<Reason>,
}

/// One owner's holding in the node, after merging its records.
#[derive(Debug, Clone, PartialEq)]
pub struct Stake {
    pub owner: usize,
    pub standing: Standing,
    /// [`Relation::Owner`] or [`Relation::Linked`]; an owner can hold both.
    pub relation: Relation,
    /// The stake used: the highest valid stated share, `None` when no record states one.
    pub percent: Option<f32>,
    /// The sources of the records, each once.
    pub sources: Vec<String>,
}

/// What an owner is under the rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Standing {
    Listed,
    Blocked,
    Review,
}

impl Standing {
    fn as_str(self) -> &'static str {
        match self {
            Standing::Listed => "listed",
            Standing::Blocked => "blocked",
            Standing::Review => "under review",
        }
    }
}

/// Records of one owner's stake that state different shares.
#[derive(Debug, Clone, PartialEq)]
pub struct Conflict {
    pub owner: usize,
    /// The distinct valid values, ascending.
    pub values: Vec<f32>,
    /// The one used: the highest.
    pub used: f32,
}

/// One reason in a [`Finding`]; [`Reason::describe`] renders it with the caller's names.
#[derive(Debug, Clone, PartialEq)]
pub enum Reason {
    /// Blocked owners' known stakes, summed, reach the threshold.
    Owned { percent: f32 },
    /// Known stakes reach the threshold only counting owners under review as blocked.
    MayBeOwned { percent: f32 },
    /// `owner` holds a share that no record states.
    UnstatedShare { owner: usize, standing: Standing },
    /// A record of `owner`'s share is NaN, negative or over 100; read as unstated.
    InvalidShare {
        owner: usize,
        standing: Standing,
        value: f32,
    },
    /// `owner` is linked to the node, in a way the source does not state.
    Linked { owner: usize, standing: Standing },
    /// A record of `owner`'s holding ends before it starts; counted as undated.
    InconsistentDates { owner: usize },
}

impl Reason {
    /// A sentence for an explanation, naming nodes through `name`.
    pub fn describe<'a>(&self, name: impl Fn(usize) -> &'a str) -> String {
        match *self {
            Reason::Owned { percent } => {
                format!("{}% owned in aggregate by blocked parties", pct(percent))
            }
            Reason::MayBeOwned { percent } => format!(
                "may be blocked: {}% owned in aggregate counting owners under review",
                pct(percent)
            ),
            Reason::UnstatedShare { owner, standing } => format!(
                "owned by {} ({}) with an unstated share",
                name(owner),
                standing.as_str()
            ),
            Reason::InvalidShare {
                owner,
                standing,
                value,
            } => format!(
                "owned by {} ({}) with an unusable share ({value}), read as unstated",
                name(owner),
                standing.as_str()
            ),
            Reason::Linked { owner, standing } => {
                format!("linked to {} ({})", name(owner), standing.as_str())
            }
            Reason::InconsistentDates { owner } => format!(
                "a record of {}'s holding ends before it starts; counted as undated",
                name(owner)
            ),
        }
    }
}

/// A percentage with at most two decimals and no trailing zeros.
pub(crate) fn pct(p: f32) -> String {
    let s = format!("{p:.2}");
    s.trim_end_matches('0').trim_end_matches('.').to_string()
}

/// Applies the rule to `nodes` parties on `as_of`. `listed[i]` says whether node `i` is listed
/// (a missing entry: not listed); `threshold` is the aggregate share, in percent, at or above
/// which an owned party is blocked (50 for OFAC; a NaN threshold is read as 0, the cautious
/// end). Edges naming a node outside `0..nodes`, and an owner's edge to itself, are ignored.
///
/// # Example
/// ```
/// use clearance::engine::model::Relation;
/// use clearance::engine::ownership::{evaluate, Edge, Status};
/// use jiff::civil::date;
///
/// // Listed X owns 50% of A, which owns 50% of B (OFAC FAQ 401).
/// let edge = |owner, owned| Edge {
///     owner,
///     owned,
///     percent: Some(50.0),
///     relation: Relation::Owner,
///     start: None,
///     end: None,
///     source: "registry".into(),
/// };
/// let listed = [true, false, false];
/// let status = evaluate(3, &listed, &[edge(0, 1), edge(1, 2)], 50.0, date(2025, 1, 1));
/// let Status::Blocked(finding) = &status[2] else { panic!("B is blocked") };
/// assert_eq!(finding.path, [0, 1, 2]);
/// ```
pub fn evaluate(
    nodes: usize,
    listed: &[bool],
    edges: &[Edge],
    threshold: f32,
    as_of: Date,
) -> Vec<Status> {
    let threshold = if threshold.is_nan() {
        0.0
    } else {
        f64::from(threshold)
    };
    let graph = Graph::new(nodes, listed, edges, as_of);
    let blocked = graph.spread(threshold, false);
    let possible = graph.spread(threshold, true);
    let rule = Rule {
        threshold,
        blocked: &blocked,
    };
    (0..nodes)
        .map(|v| {
            if graph.listed[v] {
                Status::Listed(blocked.also[v].map(|d| graph.finding(v, d, &blocked, false, &rule)))
            } else if let Some(d) = blocked.depth[v] {
                Status::Blocked(graph.finding(v, d, &blocked, false, &rule))
            } else if let Some(d) = possible.depth[v] {
                Status::Review(graph.finding(v, d, &possible, true, &rule))
            } else {
                Status::Clear
            }
        })
        .collect()
}

/// A share usable as a stake: finite and within 0–100 (with the comparison's slack).
fn valid_share(p: Option<f32>) -> Option<f32> {
    p.filter(|&p| p >= 0.0 && f64::from(p) <= 100.0 + EPSILON)
}

fn reaches(sum: f64, threshold: f64) -> bool {
    sum + EPSILON >= threshold
}

fn inconsistent(e: &Edge) -> bool {
    matches!((e.start, e.end), (Some(s), Some(t)) if t < s)
}

fn in_force(e: &Edge, as_of: Date) -> bool {
    inconsistent(e) || (e.start.is_none_or(|s| s <= as_of) && e.end.is_none_or(|t| t >= as_of))
}

/// The records of one (owner, owned, relation) triple, merged.
struct Holding {
    owner: usize,
    owned: usize,
    linked: bool,
    /// The highest valid stated share.
    known: Option<f32>,
    /// Some record states no share, or an invalid one.
    unstated: bool,
    /// The records: `Graph::order[records]`.
    records: Range<usize>,
}

/// The edges in force, merged into holdings and indexed both ways.
struct Graph<'a> {
    edges: &'a [Edge],
    listed: Vec<bool>,
    /// Indices into `edges`, grouped by holding.
    order: Vec<usize>,
    /// Sorted by (owned, owner, relation): a node's holdings are `holdings[into[v]..into[v + 1]]`.
    holdings: Vec<Holding>,
    into: Vec<usize>,
    /// Holding indices by owner: `out[out_start[v]..out_start[v + 1]]`.
    out: Vec<usize>,
    out_start: Vec<usize>,
}

/// What every finding reads: the threshold and who is blocked.
struct Rule<'r> {
    threshold: f64,
    blocked: &'r Reach,
}

/// The result of one propagation: the round each node joined in (0: listed).
struct Reach {
    depth: Vec<Option<u32>>,
    /// For a listed node, the round in which ownership reached it as well.
    also: Vec<Option<u32>>,
}

impl<'a> Graph<'a> {
    fn new(nodes: usize, listed: &[bool], edges: &'a [Edge], as_of: Date) -> Graph<'a> {
        let listed: Vec<bool> = (0..nodes)
            .map(|v| listed.get(v).copied().unwrap_or(false))
            .collect();
        let key = |e: &Edge| (e.owned, e.owner, e.relation == Relation::Linked);
        let mut order: Vec<usize> = (0..edges.len())
            .filter(|&i| {
                let e = &edges[i];
                e.owner < nodes
                    && e.owned < nodes
                    && e.owner != e.owned
                    && e.relation != Relation::Control
                    && in_force(e, as_of)
            })
            .collect();
        // Stable, so a holding's records keep the caller's order (and its sources theirs).
        order.sort_by_key(|&i| key(&edges[i]));

        let mut holdings = Vec::new();
        let mut i = 0;
        while i < order.len() {
            let first = &edges[order[i]];
            let linked = first.relation == Relation::Linked;
            let (mut known, mut unstated) = (None::<f32>, false);
            let mut j = i;
            while j < order.len() && key(&edges[order[j]]) == key(first) {
                if !linked {
                    match valid_share(edges[order[j]].percent) {
                        Some(p) => known = Some(known.map_or(p, |k| k.max(p))),
                        None => unstated = true,
                    }
                }
                j += 1;
            }
            holdings.push(Holding {
                owner: first.owner,
                owned: first.owned,
                linked,
                known,
                unstated,
                records: i..j,
            });
            i = j;
        }

        let mut into = vec![0; nodes + 1];
        let mut out_start = vec![0; nodes + 1];
        for h in &holdings {
            into[h.owned + 1] += 1;
            out_start[h.owner + 1] += 1;
        }
        for v in 0..nodes {
            into[v + 1] += into[v];
            out_start[v + 1] += out_start[v];
        }
        let mut next = out_start.clone();
        let mut out = vec![0; holdings.len()];
        for (k, h) in holdings.iter().enumerate() {
            out[next[h.owner]] = k;
            next[h.owner] += 1;
        }
        Graph {
            edges,
            listed,
            order,
            holdings,
            into,
            out,
            out_start,
        }
    }

    fn holdings_into(&self, v: usize) -> &[Holding] {
        &self.holdings[self.into[v]..self.into[v + 1]]
    }

    /// Whether a holding moves its owned node when its owner has joined: known stakes add up
    /// to the threshold; with `possible`, an unstated share or a link is enough.
    fn counts(h: &Holding, possible: bool) -> bool {
        h.known.is_some() || (possible && (h.unstated || h.linked))
    }

    /// The least set holding the listed nodes and every node its members' holdings reach
    /// (blocked with `possible` false; blocked or under review with it true). Breadth first, so
    /// a node's round exceeds that of some owner that counts.
    fn spread(&self, threshold: f64, possible: bool) -> Reach {
        let n = self.listed.len();
        let mut depth = vec![None; n];
        let mut also = vec![None; n];
        let mut sum = vec![0.0f64; n];
        let mut queue = VecDeque::new();
        for v in (0..n).filter(|&v| self.listed[v]) {
            depth[v] = Some(0u32);
            queue.push_back(v);
        }
        while let Some(u) = queue.pop_front() {
            let round = depth[u].map_or(0, |d| d + 1);
            for &k in &self.out[self.out_start[u]..self.out_start[u + 1]] {
                let h = &self.holdings[k];
                if !Self::counts(h, possible) {
                    continue;
                }
                let v = h.owned;
                if let Some(p) = h.known {
                    sum[v] += f64::from(p);
                }
                let joins = (possible && (h.unstated || h.linked))
                    || (h.known.is_some() && reaches(sum[v], threshold));
                if !joins {
                    continue;
                }
                if depth[v].is_none() {
                    depth[v] = Some(round);
                    queue.push_back(v);
                } else if self.listed[v] && also[v].is_none() {
                    also[v] = Some(round);
                }
            }
        }
        Reach { depth, also }
    }

    /// The owner `v` is reached through, among those that joined before `round`: the largest
    /// known stake, else an unstated share or link (only counted under review); on a tie, the
    /// owner that joined first, for the shorter path.
    fn parent(&self, v: usize, round: u32, reach: &Reach, possible: bool) -> Option<usize> {
        let mut best: Option<(f32, u32, usize)> = None;
        for h in self.holdings_into(v) {
            let Some(joined) = reach.depth[h.owner].filter(|&d| d < round) else {
                continue;
            };
            if !Self::counts(h, possible) {
                continue;
            }
            let stake = h.known.unwrap_or(-1.0);
            let better = best.is_none_or(|(s, j, _)| stake > s || (stake == s && joined < j));
            if better {
                best = Some((stake, joined, h.owner));
            }
        }
        best.map(|(_, _, owner)| owner)
    }

    fn path(&self, v: usize, round: u32, reach: &Reach, possible: bool) -> Vec<usize> {
        let mut path = vec![v];
        let (mut at, mut round) = (v, round);
        while round > 0 {
            let Some(p) = self.parent(at, round, reach, possible) else {
                break;
            };
            path.push(p);
            at = p;
            round = reach.depth[p].unwrap_or(0);
        }
        path.reverse();
        path
    }

    /// The finding for `v`, which joined `reach` in `round` (`possible`: the under-review
    /// propagation); owners count when in `reach`.
    fn finding(&self, v: usize, round: u32, reach: &Reach, possible: bool, rule: &Rule) -> Finding {
        let blocked = rule.blocked;
        let standing = |o: usize| {
            if self.listed[o] {
                Standing::Listed
            } else if blocked.depth[o].is_some() {
                Standing::Blocked
            } else {
                Standing::Review
            }
        };
        let mut held: Vec<&Holding> = self
            .holdings_into(v)
            .iter()
            .filter(|h| reach.depth[h.owner].is_some())
            .collect();
        held.sort_by(|a, b| {
            let by_stake = b.known.unwrap_or(-1.0).total_cmp(&a.known.unwrap_or(-1.0));
            let blocked_first = (standing(a.owner) == Standing::Review)
                .cmp(&(standing(b.owner) == Standing::Review));
            blocked_first.then(by_stake).then(a.owner.cmp(&b.owner))
        });

        let mut finding = Finding {
            percent: 0.0,
            owners: Vec::with_capacity(held.len()),
            path: self.path(v, round, reach, possible),
            conflicts: Vec::new(),
            reasons: Vec::new(),
        };
        // Known stakes of blocked owners, and of every owner that counts; `None` until one.
        let (mut percent, mut counted) = (None::<f64>, None::<f64>);
        for h in held {
            let (owner, standing) = (h.owner, standing(h.owner));
            let records = self.order[h.records.clone()]
                .iter()
                .map(|&i| &self.edges[i]);
            if let Some(p) = h.known.map(f64::from) {
                counted = Some(counted.unwrap_or(0.0) + p);
                if standing != Standing::Review {
                    percent = Some(percent.unwrap_or(0.0) + p);
                }
            }
            let mut sources: Vec<String> = Vec::new();
            let mut values: Vec<f32> = Vec::new();
            let mut silent = false;
            let mut dates = false;
            for e in records {
                if !sources.contains(&e.source) {
                    sources.push(e.source.clone());
                }
                dates |= inconsistent(e);
                if h.linked {
                    continue;
                }
                match (e.percent, valid_share(e.percent)) {
                    (_, Some(p)) => values.push(p),
                    (None, None) => silent = true,
                    (Some(value), None) => finding.reasons.push(Reason::InvalidShare {
                        owner,
                        standing,
                        value,
                    }),
                }
            }
            if silent {
                finding
                    .reasons
                    .push(Reason::UnstatedShare { owner, standing });
            }
            if h.linked {
                finding.reasons.push(Reason::Linked { owner, standing });
            }
            if dates {
                finding.reasons.push(Reason::InconsistentDates { owner });
            }
            values.sort_by(f32::total_cmp);
            values.dedup();
            if let (true, Some(used)) = (values.len() > 1, h.known) {
                finding.conflicts.push(Conflict {
                    owner,
                    values,
                    used,
                });
            }
            finding.owners.push(Stake {
                owner,
                standing,
                relation: if h.linked {
                    Relation::Linked
                } else {
                    Relation::Owner
                },
                percent: h.known,
                sources,
            });
        }
        let main = match (percent, counted) {
            (Some(p), _) if reaches(p, rule.threshold) => Some(Reason::Owned { percent: p as f32 }),
            (_, Some(p)) if possible && reaches(p, rule.threshold) => {
                Some(Reason::MayBeOwned { percent: p as f32 })
            }
            _ => None,
        };
        finding.reasons.splice(0..0, main);
        finding.percent = percent.unwrap_or(0.0) as f32;
        finding
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;
    use proptest::prelude::*;

    const AS_OF: Date = date(2025, 6, 1);

    /// Nodes are capital letters, index = letter - 'A'.
    fn node(name: &str) -> usize {
        usize::from(name.as_bytes()[0] - b'A')
    }

    fn name(v: usize) -> &'static str {
        const NAMES: &str = "ABCDEFGHIJKLMNOPQRSTUVWXYZ";
        &NAMES[v..v + 1]
    }

    /// `"X 50 A"` (a stake), `"X ? A"` (unstated), `"X ctl A"`, `"X link A"`, optionally
    /// followed by `from YYYY-MM-DD` and/or `until YYYY-MM-DD`. The source is `r<index>`.
    fn edges(specs: &[&str]) -> Vec<Edge> {
        specs
            .iter()
            .enumerate()
            .map(|(i, spec)| {
                let words: Vec<&str> = spec.split_whitespace().collect();
                let (percent, relation) = match words[1] {
                    "?" => (None, Relation::Owner),
                    "ctl" => (None, Relation::Control),
                    "link" => (None, Relation::Linked),
                    p => (Some(p.parse().unwrap()), Relation::Owner),
                };
                let day = |word: &str| {
                    let at = words.iter().position(|w| *w == word)?;
                    Some(words[at + 1].parse::<Date>().unwrap())
                };
                Edge {
                    owner: node(words[0]),
                    owned: node(words[2]),
                    percent,
                    relation,
                    start: day("from"),
                    end: day("until"),
                    source: format!("r{i}"),
                }
            })
            .collect()
    }

    fn run(listed: &str, specs: &[&str], threshold: f32, as_of: Date) -> Vec<Status> {
        let mut is_listed = vec![false; 26];
        for v in listed.split_whitespace() {
            is_listed[node(v)] = true;
        }
        evaluate(26, &is_listed, &edges(specs), threshold, as_of)
    }

    fn render_finding(f: &Finding) -> String {
        let path: Vec<&str> = f.path.iter().map(|&v| name(v)).collect();
        let owners: Vec<String> = f
            .owners
            .iter()
            .map(|s| {
                let share = s.percent.map_or("?".to_string(), pct);
                let link = if s.relation == Relation::Linked {
                    " link"
                } else {
                    ""
                };
                let standing = s.standing.as_str();
                format!("{}{link} {share} ({standing})", name(s.owner))
            })
            .collect();
        let mut out = format!(
            " {} via {}; owners {}",
            pct(f.percent),
            path.join(">"),
            owners.join(", ")
        );
        for r in &f.reasons {
            out += &format!("; {}", r.describe(name));
        }
        for c in &f.conflicts {
            let values: Vec<String> = c.values.iter().map(|&v| pct(v)).collect();
            out += &format!(
                "; conflict {}: {} -> {}",
                name(c.owner),
                values.join("/"),
                pct(c.used)
            );
        }
        out
    }

    /// One line per node named in the case, alphabetically.
    fn render(listed: &str, specs: &[&str], status: &[Status]) -> String {
        let mut named: Vec<usize> = listed.split_whitespace().map(node).collect();
        for spec in specs {
            let words: Vec<&str> = spec.split_whitespace().collect();
            named.extend([node(words[0]), node(words[2])]);
        }
        named.sort_unstable();
        named.dedup();
        let lines: Vec<String> = named
            .into_iter()
            .map(|v| {
                let (word, finding) = match &status[v] {
                    Status::Clear => ("clear", None),
                    Status::Listed(f) => ("listed", f.as_ref()),
                    Status::Blocked(f) => ("blocked", Some(f)),
                    Status::Review(f) => ("review", Some(f)),
                };
                format!(
                    "{} {word}{}",
                    name(v),
                    finding.map_or(String::new(), render_finding)
                )
            })
            .collect();
        lines.join("\n")
    }

    struct Case {
        name: &'static str,
        listed: &'static str,
        edges: &'static [&'static str],
        as_of: Date,
        want: &'static str,
    }

    const fn case(
        name: &'static str,
        listed: &'static str,
        edges: &'static [&'static str],
        want: &'static str,
    ) -> Case {
        Case {
            name,
            listed,
            edges,
            as_of: AS_OF,
            want,
        }
    }

    const CASES: &[Case] = &[
        // OFAC FAQ 401, example 1.
        case(
            "faq401_chain",
            "X",
            &["X 50 A", "A 50 B"],
            "A blocked 50 via X>A; owners X 50 (listed); 50% owned in aggregate by blocked parties
B blocked 50 via X>A>B; owners A 50 (blocked); 50% owned in aggregate by blocked parties
X listed",
        ),
        // FAQ 401, example 2.
        case(
            "faq401_two_subsidiaries",
            "X",
            &["X 50 A", "X 50 B", "A 25 C", "B 25 C"],
            "A blocked 50 via X>A; owners X 50 (listed); 50% owned in aggregate by blocked parties
B blocked 50 via X>B; owners X 50 (listed); 50% owned in aggregate by blocked parties
C blocked 50 via X>A>C; owners A 25 (blocked), B 25 (blocked); 50% owned in aggregate by blocked parties
X listed",
        ),
        // FAQ 401, example 3.
        case(
            "faq401_direct_plus_indirect",
            "X",
            &["X 50 A", "X 10 B", "A 40 B"],
            "A blocked 50 via X>A; owners X 50 (listed); 50% owned in aggregate by blocked parties
B blocked 50 via X>A>B; owners A 40 (blocked), X 10 (listed); 50% owned in aggregate by blocked parties
X listed",
        ),
        case("under_threshold", "X", &["X 49 A"], "A clear\nX listed"),
        case("control_is_not_ownership", "X", &["X ctl A"], "A clear\nX listed"),
        case(
            "unlisted_co_owner_does_not_count",
            "X",
            &["X 49 A", "Y 49 A"],
            "A clear\nX listed\nY clear",
        ),
        case("ended_edge", "X", &["X 60 A until 2025-05-31"], "A clear\nX listed"),
        Case {
            as_of: date(2025, 5, 31),
            ..case(
                "edge_on_its_last_day",
                "X",
                &["X 60 A until 2025-05-31"],
                "A blocked 60 via X>A; owners X 60 (listed); 60% owned in aggregate by blocked parties
X listed",
            )
        },
        case("not_yet_begun", "X", &["X 60 A from 2025-06-02"], "A clear\nX listed"),
        case(
            "inconsistent_dates_count",
            "X",
            &["X 60 A from 2025-07-01 until 2024-01-01"],
            "A blocked 60 via X>A; owners X 60 (listed); 60% owned in aggregate by blocked parties; a record of X's holding ends before it starts; counted as undated
X listed",
        ),
        case(
            "conflicting_records_take_the_highest",
            "X",
            &["X 48 A", "X 50 A", "X 51 A", "X 50 A"],
            "A blocked 51 via X>A; owners X 51 (listed); 51% owned in aggregate by blocked parties; conflict X: 48/50/51 -> 51
X listed",
        ),
        case(
            "conflicting_records_under_threshold",
            "X",
            &["X 30 A", "X 40 A"],
            "A clear\nX listed",
        ),
        case(
            "unstated_share",
            "X",
            &["X ? A"],
            "A review 0 via X>A; owners X ? (listed); owned by X (listed) with an unstated share
X listed",
        ),
        case(
            "known_stake_plus_unstated_share",
            "X Y",
            &["X 30 A", "Y ? A"],
            "A review 30 via X>A; owners X 30 (listed), Y ? (listed); owned by Y (listed) with an unstated share
X listed
Y listed",
        ),
        case(
            "unstated_record_beside_a_stated_one",
            "X",
            &["X 30 A", "X ? A"],
            "A review 30 via X>A; owners X 30 (listed); owned by X (listed) with an unstated share
X listed",
        ),
        case(
            "unstated_share_beside_a_blocking_stake",
            "X Y",
            &["X 50 A", "Y ? A"],
            "A blocked 50 via X>A; owners X 50 (listed), Y ? (listed); 50% owned in aggregate by blocked parties; owned by Y (listed) with an unstated share
X listed
Y listed",
        ),
        case(
            "linked",
            "X",
            &["X link A"],
            "A review 0 via X>A; owners X link ? (listed); linked to X (listed)
X listed",
        ),
        case(
            "invalid_shares_are_unstated",
            "X",
            &["X NaN A", "X -5 B", "X 150 C"],
            "A review 0 via X>A; owners X ? (listed); owned by X (listed) with an unusable share (NaN), read as unstated
B review 0 via X>B; owners X ? (listed); owned by X (listed) with an unusable share (-5), read as unstated
C review 0 via X>C; owners X ? (listed); owned by X (listed) with an unusable share (150), read as unstated
X listed",
        ),
        case(
            "review_propagates",
            "X",
            &["X ? A", "A 60 B"],
            "A review 0 via X>A; owners X ? (listed); owned by X (listed) with an unstated share
B review 0 via X>A>B; owners A 60 (under review); may be blocked: 60% owned in aggregate counting owners under review
X listed",
        ),
        case(
            "review_and_blocked_owners_together",
            "X",
            &["X ? A", "X 30 C", "A 30 C"],
            "A review 0 via X>A; owners X ? (listed); owned by X (listed) with an unstated share
C review 30 via X>C; owners X 30 (listed), A 30 (under review); may be blocked: 60% owned in aggregate counting owners under review
X listed",
        ),
        case(
            "unlisted_cycle",
            "",
            &["A 50 B", "B 50 A"],
            "A clear\nB clear",
        ),
        case(
            "cycle_reached_from_a_listed_owner",
            "X",
            &["A 50 B", "B 50 A", "X 50 A"],
            "A blocked 100 via X>A; owners B 50 (blocked), X 50 (listed); 100% owned in aggregate by blocked parties
B blocked 50 via X>A>B; owners A 50 (blocked); 50% owned in aggregate by blocked parties
X listed",
        ),
        case(
            "long_chain_path",
            "X",
            &["X 100 A", "A 60 B", "B 50 C"],
            "A blocked 100 via X>A; owners X 100 (listed); 100% owned in aggregate by blocked parties
B blocked 60 via X>A>B; owners A 60 (blocked); 60% owned in aggregate by blocked parties
C blocked 50 via X>A>B>C; owners B 50 (blocked); 50% owned in aggregate by blocked parties
X listed",
        ),
        case(
            "path_follows_the_largest_stake",
            "X Y",
            &["X 20 A", "Y 35 A"],
            "A blocked 55 via Y>A; owners Y 35 (listed), X 20 (listed); 55% owned in aggregate by blocked parties
X listed
Y listed",
        ),
        case(
            "listed_and_owned",
            "X Y",
            &["X 70 Y"],
            "X listed
Y listed 70 via X>Y; owners X 70 (listed); 70% owned in aggregate by blocked parties",
        ),
        case(
            "stakes_over_100_in_sum",
            "X Y",
            &["X 80 A", "Y 70 A"],
            "A blocked 150 via X>A; owners X 80 (listed), Y 70 (listed); 150% owned in aggregate by blocked parties
X listed
Y listed",
        ),
        case(
            "thirds_reach_the_threshold",
            "X Y",
            &["X 33.33 A", "Y 16.67 A"],
            "A blocked 50 via X>A; owners X 33.33 (listed), Y 16.67 (listed); 50% owned in aggregate by blocked parties
X listed
Y listed",
        ),
    ];

    #[test]
    fn cases() {
        let mut failed = Vec::new();
        for c in CASES {
            let status = run(c.listed, c.edges, 50.0, c.as_of);
            let got = render(c.listed, c.edges, &status);
            if got != c.want {
                failed.push(format!(
                    "== {}\n-- want\n{}\n-- got\n{got}\n",
                    c.name, c.want
                ));
            }
        }
        assert!(failed.is_empty(), "\n{}", failed.join("\n"));
    }

    #[test]
    fn the_threshold_is_inclusive_up_to_float_error() {
        let status = run("X Y", &["X 25 A", "Y 25 A"], 50.0, AS_OF);
        assert!(matches!(status[node("A")], Status::Blocked(_)));
        let status = run("X Y", &["X 25 A", "Y 24.99 A"], 50.0, AS_OF);
        assert_eq!(status[node("A")], Status::Clear);
        // The threshold is the caller's: 25 blocks under a 25% rule.
        let status = run("X", &["X 25 A"], 25.0, AS_OF);
        assert!(matches!(status[node("A")], Status::Blocked(_)));
    }

    #[test]
    fn sources_are_kept_once_each() {
        let mut e = edges(&["X 50 A", "X 51 A", "X 50 A"]);
        e[2].source = "r0".into();
        let status = evaluate(26, &listed_x(), &e, 50.0, AS_OF);
        let Status::Blocked(f) = &status[node("A")] else {
            panic!("A is blocked: {status:?}")
        };
        assert_eq!(f.owners[0].sources, ["r0", "r1"]);
    }

    fn listed_x() -> Vec<bool> {
        let mut listed = vec![false; 26];
        listed[node("X")] = true;
        listed
    }

    #[test]
    fn bad_input_does_not_panic() {
        let mut e = edges(&["X 50 A", "A 50 A"]);
        e.push(Edge {
            owner: 99,
            owned: 0,
            ..e[0].clone()
        });
        e.push(Edge {
            owner: 0,
            owned: 99,
            ..e[0].clone()
        });
        // A short `listed`, edges out of range, a self-loop, a NaN threshold.
        let status = evaluate(26, &[], &e, f32::NAN, AS_OF);
        assert!(status.iter().all(|s| *s == Status::Clear));
        let status = evaluate(26, &listed_x(), &e, f32::NAN, AS_OF);
        assert!(matches!(status[node("A")], Status::Blocked(_)));
        assert!(evaluate(0, &[true], &e, 50.0, AS_OF).is_empty());
    }

    /// A long chain: linear propagation, paths as long as the chain.
    #[test]
    fn a_long_chain() {
        let n = 2_000;
        let chain: Vec<Edge> = (0..n - 1)
            .map(|v| Edge {
                owner: v,
                owned: v + 1,
                percent: Some(50.0),
                relation: Relation::Owner,
                start: None,
                end: None,
                source: String::new(),
            })
            .collect();
        let mut listed = vec![false; n];
        listed[0] = true;
        let status = evaluate(n, &listed, &chain, 50.0, AS_OF);
        let Status::Blocked(f) = &status[n - 1] else {
            panic!("the end of the chain is blocked")
        };
        assert_eq!(f.path, (0..n).collect::<Vec<_>>());
    }

    /// The rule as written: repeat passes over every edge until nothing changes.
    fn naive(n: usize, listed: &[bool], edges: &[Edge], threshold: f64) -> Vec<u8> {
        let active: Vec<&Edge> = edges
            .iter()
            .filter(|e| e.owner != e.owned && e.relation != Relation::Control)
            .filter(|e| {
                let dated = e.start.is_none_or(|s| s <= AS_OF) && e.end.is_none_or(|t| t >= AS_OF);
                dated || matches!((e.start, e.end), (Some(s), Some(t)) if t < s)
            })
            .collect();
        let closure = |possible: bool| {
            let mut member = listed.to_vec();
            loop {
                let mut changed = false;
                for v in 0..n {
                    if member[v] {
                        continue;
                    }
                    let mut best: std::collections::BTreeMap<usize, f32> = Default::default();
                    let mut hint = false;
                    for e in active.iter().filter(|e| e.owned == v && member[e.owner]) {
                        let valid = e.percent.filter(|p| (0.0..=100.0).contains(p));
                        match (e.relation, valid) {
                            (Relation::Owner, Some(p)) => {
                                let b = best.entry(e.owner).or_insert(p);
                                *b = b.max(p);
                            }
                            _ => hint = true,
                        }
                    }
                    let sum: f64 = best.values().map(|&p| f64::from(p)).sum();
                    let joins = (!best.is_empty() && sum + 1e-3 >= threshold) || (possible && hint);
                    if joins {
                        member[v] = true;
                        changed = true;
                    }
                }
                if !changed {
                    return member;
                }
            }
        };
        let (blocked, possible) = (closure(false), closure(true));
        (0..n)
            .map(|v| match () {
                _ if listed[v] => 3,
                _ if blocked[v] => 2,
                _ if possible[v] => 1,
                _ => 0,
            })
            .collect()
    }

    fn arb_edge(n: usize) -> impl Strategy<Value = Edge> {
        let percent = prop_oneof![
            4 => (0u8..=100).prop_map(|p| Some(f32::from(p))),
            1 => Just(None),
            1 => prop::sample::select(vec![f32::NAN, -1.0, 101.0, f32::INFINITY]).prop_map(Some),
        ];
        let relation = prop::sample::select(vec![
            Relation::Owner,
            Relation::Owner,
            Relation::Owner,
            Relation::Control,
            Relation::Linked,
        ]);
        let day = prop::option::weighted(
            0.3,
            prop::sample::select(vec![date(2024, 1, 1), AS_OF, date(2026, 1, 1)]),
        );
        (0..n, 0..n, percent, relation, day.clone(), day).prop_map(
            |(owner, owned, percent, relation, start, end)| Edge {
                owner,
                owned,
                percent,
                relation,
                start,
                end,
                source: String::new(),
            },
        )
    }

    fn arb_graph() -> impl Strategy<Value = (usize, Vec<bool>, Vec<Edge>)> {
        (1usize..10).prop_flat_map(|n| {
            (
                Just(n),
                prop::collection::vec(prop::bool::weighted(0.25), n),
                prop::collection::vec(arb_edge(n), 0..30),
            )
        })
    }

    proptest! {
        /// Propagation agrees with repeated passes, and every path is a chain of edges in force
        /// from a listed node to the node, without repeats.
        #[test]
        fn agrees_with_repeated_passes((n, listed, edges) in arb_graph(), threshold in 1u8..=100) {
            let status = evaluate(n, &listed, &edges, f32::from(threshold), AS_OF);
            let kinds: Vec<u8> = status
                .iter()
                .map(|s| match s {
                    Status::Listed(_) => 3,
                    Status::Blocked(_) => 2,
                    Status::Review(_) => 1,
                    Status::Clear => 0,
                })
                .collect();
            prop_assert_eq!(kinds, naive(n, &listed, &edges, f64::from(threshold)));
            for (v, s) in status.iter().enumerate() {
                let Some(f) = s.finding() else { continue };
                prop_assert_eq!(f.path.last(), Some(&v));
                prop_assert!(listed[f.path[0]]);
                let mut inner = f.path[1..].to_vec();
                inner.sort_unstable();
                inner.dedup();
                prop_assert_eq!(inner.len(), f.path.len() - 1);
                for pair in f.path.windows(2) {
                    prop_assert!(edges.iter().any(|e| e.owner == pair[0]
                        && e.owned == pair[1]
                        && e.relation != Relation::Control));
                }
                if let Status::Blocked(f) = s {
                    prop_assert!(f64::from(f.percent) + EPSILON >= f64::from(threshold));
                }
            }
        }
    }
}
