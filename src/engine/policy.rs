//! The decision contract: allow, review or deny, from the hits and the operator's policy.
//!
//! - `ALLOW` when no hit reaches `review_threshold`;
//! - `REVIEW` when one does;
//! - `DENY` when a hit on a *blocking* entry reaches `deny_threshold` (exact or near-exact).
//!
//! Whether an entry blocks depends on its list: OFAC SDN, UN Security Council and the BIS
//! Denied Persons, Entity and Military End-User lists block transactions outright or by
//! presumption of denial; OFAC's non-SDN lists (sectoral, menu-based, CMIC) and the BIS
//! Unverified List restrict rather than forbid, so a hit on them asks for review. Operators
//! override this per dataset and per program with `[[policy.severity]]` rules.

mod jurisdiction;
mod rules;

use serde::{Deserialize, Serialize};

use crate::engine::model::Entity;
pub use jurisdiction::{Jurisdictions, PlaceHit};
pub use rules::{default_rules, Inactive, OwnerSelector, OwnershipRule, Suspension};

/// The answer to "may we transact with this party?".
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Decision {
    Allow,
    Review,
    Deny,
}

impl Decision {
    pub fn as_str(self) -> &'static str {
        match self {
            Decision::Allow => "allow",
            Decision::Review => "review",
            Decision::Deny => "deny",
        }
    }
}

/// What a hit on an entry means.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// A near-exact hit denies.
    Block,
    /// Any hit asks for review, never more.
    Review,
}

/// One severity rule: entries of `dataset` (and, if set, whose programs contain
/// `program_contains`, case-insensitively) have `severity`. The first matching rule wins.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SeverityRule {
    pub dataset: String,
    #[serde(default)]
    pub program_contains: Option<String>,
    pub severity: Severity,
}

/// Decision thresholds and list severities. Defaults are documented on each field.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Policy {
    /// A hit at or above this score makes the decision at least `review`. Default 0.85: on
    /// the development set this flags typos, transliterations, dropped middle names and
    /// legal-form variants while unrelated parties stay below it.
    pub review_threshold: f32,
    /// A hit on a blocking entry at or above this score denies. Default 0.95: exact names,
    /// legal-form and punctuation variants, single typos.
    pub deny_threshold: f32,
    /// Hits scoring below this are not reported at all. Default 0.70.
    pub min_score: f32,
    /// At most this many hits per response. Default 10.
    pub max_hits: usize,
    /// Rules tried before the built-in ones.
    pub severity: Vec<SeverityRule>,
    /// Severity of entries no rule covers. Default `block`.
    pub default_severity: Severity,
    /// Ownership rules (`[[policy.ownership]]`); a list given here replaces the defaults
    /// (OFAC 50% and BIS Affiliates on, EU 50% off; see `policy::rules`).
    #[serde(rename = "ownership")]
    pub ownership_rules: Vec<OwnershipRule>,
    /// Embargoed and review jurisdictions.
    pub jurisdictions: Jurisdictions,
    /// The share a parent named in a request is taken to hold in the party, in percent.
    /// Default 50: a parent company is a majority owner unless the caller says otherwise.
    /// Set it below the rules' thresholds to have declared parents yield review instead.
    pub declared_parent_percent: f32,
}

impl Default for Policy {
    fn default() -> Self {
        Policy {
            review_threshold: 0.85,
            deny_threshold: 0.95,
            min_score: 0.70,
            max_hits: 10,
            severity: Vec::new(),
            default_severity: Severity::Block,
            ownership_rules: default_rules(),
            jurisdictions: Jurisdictions::default(),
            declared_parent_percent: 50.0,
        }
    }
}

/// Built-in severity rules (after the operator's own).
fn builtin_rules() -> Vec<SeverityRule> {
    let rule = |dataset: &str, program: Option<&str>, severity| SeverityRule {
        dataset: dataset.to_string(),
        program_contains: program.map(str::to_string),
        severity,
    };
    use Severity::{Block, Review};
    vec![
        rule("us_ofac_cons", None, Review),
        rule("us_trade_csl", Some("Unverified List"), Review),
        rule("us_trade_csl", Some("Sectoral Sanctions"), Review),
        rule("us_trade_csl", Some("Menu-Based"), Review),
        rule("us_trade_csl", Some("Chinese Military-Industrial"), Review),
        rule("us_trade_csl", Some("Capta List"), Review),
        rule(
            "us_trade_csl",
            Some("Palestinian Legislative Council"),
            Review,
        ),
        rule("us_trade_csl", None, Block),
    ]
}

#[derive(Debug, thiserror::Error, PartialEq)]
pub enum PolicyError {
    #[error("policy.{field} = {value}: must be between 0 and 1")]
    OutOfRange { field: &'static str, value: f32 },
    #[error("policy.review_threshold ({review}) must not exceed policy.deny_threshold ({deny})")]
    Order { review: f32, deny: f32 },
    #[error("policy.min_score ({min}) must not exceed policy.review_threshold ({review})")]
    MinScore { min: f32, review: f32 },
    #[error("policy.max_hits must be at least 1")]
    MaxHits,
    #[error("policy.ownership: {0}")]
    Ownership(String),
    #[error("{0}")]
    Jurisdiction(String),
    #[error("policy.declared_parent_percent = {0}: must be between 0 and 100")]
    ParentPercent(f32),
}

impl Policy {
    pub fn validate(&self) -> Result<(), PolicyError> {
        for (field, value) in [
            ("review_threshold", self.review_threshold),
            ("deny_threshold", self.deny_threshold),
            ("min_score", self.min_score),
        ] {
            if !(0.0..=1.0).contains(&value) {
                return Err(PolicyError::OutOfRange { field, value });
            }
        }
        if self.review_threshold > self.deny_threshold {
            return Err(PolicyError::Order {
                review: self.review_threshold,
                deny: self.deny_threshold,
            });
        }
        if self.min_score > self.review_threshold {
            return Err(PolicyError::MinScore {
                min: self.min_score,
                review: self.review_threshold,
            });
        }
        if self.max_hits == 0 {
            return Err(PolicyError::MaxHits);
        }
        for (i, r) in self.ownership_rules.iter().enumerate() {
            r.validate().map_err(PolicyError::Ownership)?;
            if self.ownership_rules[..i].iter().any(|p| p.name == r.name) {
                return Err(PolicyError::Ownership(format!(
                    "rule {} is defined twice",
                    r.name
                )));
            }
        }
        self.jurisdictions
            .validate()
            .map_err(PolicyError::Jurisdiction)?;
        if !(0.0..=100.0).contains(&self.declared_parent_percent) {
            return Err(PolicyError::ParentPercent(self.declared_parent_percent));
        }
        Ok(())
    }

    /// The severity of a hit on `entity`.
    pub fn severity(&self, entity: &Entity) -> Severity {
        let builtin = builtin_rules();
        self.severity
            .iter()
            .chain(builtin.iter())
            .find(|r| {
                r.dataset == entity.dataset
                    && r.program_contains.as_ref().is_none_or(|p| {
                        let p = p.to_lowercase();
                        entity
                            .programs
                            .iter()
                            .any(|x| x.to_lowercase().contains(&p))
                    })
            })
            .map_or(self.default_severity, |r| r.severity)
    }

    /// The decision a single hit calls for.
    pub fn decide_hit(&self, score: f32, severity: Severity) -> Decision {
        if score >= self.deny_threshold && severity == Severity::Block {
            Decision::Deny
        } else if score >= self.review_threshold {
            Decision::Review
        } else {
            Decision::Allow
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entity(dataset: &str, program: &str) -> Entity {
        Entity {
            dataset: dataset.into(),
            programs: vec![program.into()],
            ..Entity::default()
        }
    }

    #[test]
    fn decisions_follow_thresholds_and_severity() {
        let p = Policy::default();
        assert_eq!(p.decide_hit(0.99, Severity::Block), Decision::Deny);
        assert_eq!(p.decide_hit(0.99, Severity::Review), Decision::Review);
        assert_eq!(p.decide_hit(0.90, Severity::Block), Decision::Review);
        assert_eq!(p.decide_hit(0.50, Severity::Block), Decision::Allow);
    }

    #[test]
    fn severity_rules() {
        let p = Policy::default();
        let el = entity(
            "us_trade_csl",
            "Entity List (EL) - Bureau of Industry and Security",
        );
        let uvl = entity(
            "us_trade_csl",
            "Unverified List (UVL) - Bureau of Industry and Security",
        );
        assert_eq!(p.severity(&el), Severity::Block);
        assert_eq!(p.severity(&uvl), Severity::Review);
        assert_eq!(p.severity(&entity("us_ofac_cons", "SSI")), Severity::Review);
        assert_eq!(p.severity(&entity("us_ofac_sdn", "SDGT")), Severity::Block);
        let custom = Policy {
            severity: vec![SeverityRule {
                dataset: "us_ofac_sdn".into(),
                program_contains: None,
                severity: Severity::Review,
            }],
            ..Policy::default()
        };
        assert_eq!(
            custom.severity(&entity("us_ofac_sdn", "SDGT")),
            Severity::Review
        );
    }

    #[test]
    fn validation_names_the_field() {
        let bad = Policy {
            review_threshold: 1.5,
            ..Policy::default()
        };
        assert!(bad
            .validate()
            .unwrap_err()
            .to_string()
            .contains("review_threshold"));
        let inverted = Policy {
            review_threshold: 0.9,
            deny_threshold: 0.8,
            ..Policy::default()
        };
        assert!(matches!(
            inverted.validate(),
            Err(PolicyError::Order { .. })
        ));
    }
}
