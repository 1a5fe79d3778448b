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

mod finding;
mod graph;

use jiff::civil::Date;

use crate::engine::model::Relation;
pub(crate) use finding::pct;
pub use finding::{Conflict, Finding, Reason, Stake, Standing, Status};
use graph::{Graph, Rule};

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
