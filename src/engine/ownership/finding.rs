//! What the rule says about a party: its [`Status`] and, when it is blocked or under review,
//! the [`Finding`] that explains why (the owners that count, the path from a listed party,
//! conflicting records, and the reasons, rendered with the caller's names).

use crate::engine::model::Relation;

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
    pub(super) fn as_str(self) -> &'static str {
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
