//! An entity's ownership neighbourhood, read from the snapshot's resolved graph and drawn as
//! SVG on the server: its owners on the left, the parties it owns on the right, each edge
//! labelled with the share (or why there is none) and dashed when the record is not in
//! force on the date, each party coloured by what the ownership rules make of it. Below the
//! drawing, each rule's finding on the entity at that date, suspended rules included (they
//! are evaluated and shown with "no effect on the decision", as hits show them).
//!
//! The drawing is a picture of the table beside it, which carries the same facts for
//! screen readers and for copying.

use jiff::civil::Date;
use maud::{html, Markup};

use super::segment;
use crate::engine::exposure::Evaluation;
use crate::engine::model::Relation;
use crate::engine::ownership::{pct, Status};
use crate::engine::screen::Snapshot;

/// Most owners or owned parties drawn on one side; the table lists them all.
const DRAWN: usize = 24;
const WIDTH: u32 = 960;
const BOX_W: u32 = 250;
const BOX_H: u32 = 40;
const ROW: u32 = 56;

/// What the rules make of a party on the date, worst first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Standing {
    Clear,
    Review,
    Blocked,
    Listed,
}

impl Standing {
    pub fn as_str(self) -> &'static str {
        match self {
            Standing::Clear => "clear",
            Standing::Review => "review",
            Standing::Blocked => "blocked",
            Standing::Listed => "listed",
        }
    }
}

/// One record of a holding between the entity and a neighbour.
#[derive(Debug, Clone)]
pub struct Link {
    /// The other party's entity ordinal.
    pub other: u32,
    pub percent: Option<f32>,
    pub relation: Relation,
    pub start: Option<Date>,
    pub end: Option<Date>,
    pub source: String,
    /// In force on the date.
    pub in_force: bool,
}

impl Link {
    /// The edge's label: the share, or what the record says instead.
    pub fn label(&self) -> String {
        let what = match (self.relation, self.percent) {
            (Relation::Owner, Some(p)) => format!("{}%", pct(p)),
            (Relation::Owner, None) => "share unstated".into(),
            (Relation::Linked, _) => "linked".into(),
            (Relation::Control, _) => "controls".into(),
        };
        match (self.in_force, self.end) {
            (false, Some(end)) => format!("{what} (ended {end})"),
            (false, None) => format!("{what} (not yet in force)"),
            _ => what,
        }
    }
}

/// One rule's view of the entity.
pub struct RuleLine {
    pub name: String,
    pub citation: String,
    /// Why the rule does not apply on the date (a suspension, ...); `None`: it applies.
    pub inactive: Option<String>,
    pub standing: Standing,
    /// The finding in sentences.
    pub reasons: Vec<String>,
}

/// The entity's owners, the parties it owns, and the rules' findings on one date.
pub struct Neighbourhood {
    pub date: Date,
    pub owners: Vec<Link>,
    pub owned: Vec<Link>,
    pub rules: Vec<RuleLine>,
}

fn in_force(start: Option<Date>, end: Option<Date>, date: Date) -> bool {
    // A record that ends before it starts counts as undated, as the rules engine reads it.
    if matches!((start, end), (Some(s), Some(t)) if t < s) {
        return true;
    }
    start.is_none_or(|s| s <= date) && end.is_none_or(|t| t >= date)
}

/// What the rules make of the entity with `ordinal`, worst over the rules in force (all
/// rules when none is).
pub fn standing(s: &Snapshot, evaluation: &Evaluation, ordinal: u32) -> Standing {
    let entity = s.index.entity(ordinal);
    let of = |r: &crate::engine::exposure::RuleOutcome| match r.status(ordinal) {
        Some(Status::Listed(_)) => Standing::Listed,
        Some(Status::Blocked(_)) => Standing::Blocked,
        Some(Status::Review(_)) => Standing::Review,
        Some(Status::Clear) | None if r.restricting(entity) => Standing::Listed,
        Some(Status::Clear) | None => Standing::Clear,
    };
    let active = evaluation
        .rules
        .iter()
        .filter(|r| r.inactive.is_none())
        .map(of)
        .max();
    let listed = if entity.context_only {
        Standing::Clear
    } else {
        Standing::Listed
    };
    // An entity on a list is listed whatever a rule says of its owners.
    active
        .or_else(|| evaluation.rules.iter().map(of).max())
        .unwrap_or(Standing::Clear)
        .max(listed)
}

/// Reads the entity's neighbourhood from the snapshot's graph on `date`.
pub fn neighbourhood(s: &Snapshot, ordinal: u32, date: Date) -> Neighbourhood {
    let graph = &s.ownership;
    let mut owners = Vec::new();
    let mut owned = Vec::new();
    for e in graph.edges() {
        let (owner, held) = (graph.entity(e.owner), graph.entity(e.owned));
        let link = |other| Link {
            other,
            percent: e.percent,
            relation: e.relation,
            start: e.start,
            end: e.end,
            source: e.source.clone(),
            in_force: in_force(e.start, e.end, date),
        };
        if held == ordinal && owner != ordinal {
            owners.push(link(owner));
        }
        if owner == ordinal && held != ordinal {
            owned.push(link(held));
        }
    }
    // Largest stakes first, records in force before ended ones.
    let order = |a: &Link, b: &Link| {
        b.in_force.cmp(&a.in_force).then(
            b.percent
                .unwrap_or(-1.0)
                .total_cmp(&a.percent.unwrap_or(-1.0)),
        )
    };
    owners.sort_by(order);
    owned.sort_by(order);
    let evaluation = graph.evaluate(&s.index, &s.policy, date);
    let name = |node: usize| s.index.entity(graph.entity(node)).primary_name();
    let rules = evaluation
        .rules
        .iter()
        .map(|r| {
            let (standing, reasons) = match r.status(ordinal) {
                Some(st) => {
                    let standing = match st {
                        Status::Listed(_) => Standing::Listed,
                        Status::Blocked(_) => Standing::Blocked,
                        Status::Review(_) => Standing::Review,
                        Status::Clear => Standing::Clear,
                    };
                    let reasons = st
                        .finding()
                        .map(|f| f.reasons.iter().map(|x| x.describe(name)).collect())
                        .unwrap_or_default();
                    (standing, reasons)
                }
                None if r.restricting(s.index.entity(ordinal)) => (
                    Standing::Listed,
                    vec!["a listed owner under this rule: parties it owns are counted".into()],
                ),
                None => (Standing::Clear, Vec::new()),
            };
            RuleLine {
                name: r.rule.name.clone(),
                citation: r.rule.citation.clone(),
                inactive: r.inactive.map(|i| i.to_string()),
                standing,
                reasons,
            }
        })
        .collect();
    Neighbourhood {
        date,
        owners,
        owned,
        rules,
    }
}

/// A name cut to fit a box, by characters.
fn fit(name: &str, chars: usize) -> String {
    if name.chars().count() <= chars {
        return name.to_string();
    }
    let mut cut: String = name.chars().take(chars.saturating_sub(1)).collect();
    cut.push('…');
    cut
}

/// One party's box at (x, y), linking to its page.
fn node(s: &Snapshot, evaluation: &Evaluation, ordinal: u32, x: u32, y: u32) -> Markup {
    let e = s.index.entity(ordinal);
    let st = standing(s, evaluation, ordinal);
    html! {
        a href={ "/ui/entity/" (segment(&e.id)) } {
            g class={ "node " (st.as_str()) } {
                title { (e.primary_name()) " [" (e.id) "]: " (st.as_str()) }
                rect x=(x) y=(y) width=(BOX_W) height=(BOX_H) rx="6" {}
                text x=(x + 10) y=(y + 17) { (fit(e.primary_name(), 30)) }
                text.sub x=(x + 10) y=(y + 32) { (st.as_str()) " · " (fit(&e.dataset, 30)) }
            }
        }
    }
}

/// The neighbourhood as an SVG drawing.
pub fn svg(s: &Snapshot, n: &Neighbourhood, ordinal: u32) -> Markup {
    let evaluation = s.ownership.evaluate(&s.index, &s.policy, n.date);
    let left: Vec<&Link> = n.owners.iter().take(DRAWN).collect();
    let right: Vec<&Link> = n.owned.iter().take(DRAWN).collect();
    let rows = left.len().max(right.len()).max(1) as u32;
    let height = rows * ROW + 40;
    let centre_y = height / 2 - BOX_H / 2;
    let (lx, cx, rx) = (10, WIDTH / 2 - BOX_W / 2, WIDTH - BOX_W - 10);
    let row_y = |i: usize, count: usize| {
        let top = (height - count as u32 * ROW) / 2;
        top + i as u32 * ROW + (ROW - BOX_H) / 2
    };
    let entity = s.index.entity(ordinal);
    html! {
        svg.graph xmlns="http://www.w3.org/2000/svg" viewBox={ "0 0 " (WIDTH) " " (height) } role="img"
            aria-labelledby="graph-title" {
            title id="graph-title" { "Ownership of " (entity.primary_name()) " on " (n.date) ": "
                (n.owners.len()) " owner record(s), " (n.owned.len()) " owned record(s)" }
            @for (i, l) in left.iter().enumerate() {
                @let y = row_y(i, left.len()) + BOX_H / 2;
                @let (x1, x2) = (lx + BOX_W, cx);
                line class=(if l.in_force { "edge" } else { "edge ended" }) x1=(x1) y1=(y) x2=(x2) y2=(centre_y + BOX_H / 2) {}
                text.label x=((x1 + x2) / 2) y=((y + centre_y + BOX_H / 2) / 2 - 4) text-anchor="middle" { (l.label()) }
            }
            @for (i, l) in right.iter().enumerate() {
                @let y = row_y(i, right.len()) + BOX_H / 2;
                @let (x1, x2) = (cx + BOX_W, rx);
                line class=(if l.in_force { "edge" } else { "edge ended" }) x1=(x1) y1=(centre_y + BOX_H / 2) x2=(x2) y2=(y) {}
                text.label x=((x1 + x2) / 2) y=((y + centre_y + BOX_H / 2) / 2 - 4) text-anchor="middle" { (l.label()) }
            }
            @for (i, l) in left.iter().enumerate() { (node(s, &evaluation, l.other, lx, row_y(i, left.len()))) }
            @for (i, l) in right.iter().enumerate() { (node(s, &evaluation, l.other, rx, row_y(i, right.len()))) }
            g.centre { (node(s, &evaluation, ordinal, cx, centre_y)) }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_are_in_force_between_their_dates() {
        let d = |s: &str| s.parse::<Date>().unwrap();
        let on = d("2024-06-01");
        assert!(in_force(None, None, on));
        assert!(in_force(Some(d("2024-01-01")), Some(d("2024-06-01")), on));
        assert!(!in_force(None, Some(d("2024-05-31")), on));
        assert!(!in_force(Some(d("2024-06-02")), None, on));
        // Inconsistent: read as undated.
        assert!(in_force(Some(d("2025-01-01")), Some(d("2020-01-01")), on));
    }

    #[test]
    fn labels_say_the_share_or_why_there_is_none() {
        let link = |percent, relation, in_force, end: Option<&str>| Link {
            other: 0,
            percent,
            relation,
            start: None,
            end: end.map(|e| e.parse().unwrap()),
            source: String::new(),
            in_force,
        };
        assert_eq!(
            link(Some(50.5), Relation::Owner, true, None).label(),
            "50.5%"
        );
        assert_eq!(
            link(None, Relation::Owner, true, None).label(),
            "share unstated"
        );
        assert_eq!(link(None, Relation::Linked, true, None).label(), "linked");
        assert_eq!(
            link(Some(51.0), Relation::Owner, false, Some("2020-01-01")).label(),
            "51% (ended 2020-01-01)"
        );
        assert_eq!(fit("abcdef", 4), "abc…");
        assert_eq!(fit("abc", 4), "abc");
    }
}
