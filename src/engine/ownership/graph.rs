//! The graph the rule runs on: the edges in force on the date, merged per owner, owned party
//! and relation into holdings and indexed both ways; the propagation that computes the
//! blocked and blocked-or-under-review sets (see the module docs of [`super`]); and the
//! findings read back from it.

use std::collections::VecDeque;
use std::ops::Range;

use jiff::civil::Date;

use super::{in_force, inconsistent, reaches, valid_share, Edge};
use super::{Conflict, Finding, Reason, Stake, Standing};
use crate::engine::model::Relation;

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
pub(super) struct Graph<'a> {
    edges: &'a [Edge],
    pub(super) listed: Vec<bool>,
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
pub(super) struct Rule<'r> {
    pub(super) threshold: f64,
    pub(super) blocked: &'r Reach,
}

/// The result of one propagation: the round each node joined in (0: listed).
pub(super) struct Reach {
    pub(super) depth: Vec<Option<u32>>,
    /// For a listed node, the round in which ownership reached it as well.
    pub(super) also: Vec<Option<u32>>,
}

impl<'a> Graph<'a> {
    pub(super) fn new(nodes: usize, listed: &[bool], edges: &'a [Edge], as_of: Date) -> Graph<'a> {
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
    pub(super) fn spread(&self, threshold: f64, possible: bool) -> Reach {
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
    pub(super) fn finding(
        &self,
        v: usize,
        round: u32,
        reach: &Reach,
        possible: bool,
        rule: &Rule,
    ) -> Finding {
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
