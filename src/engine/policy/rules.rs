//! Ownership rules as policy entries: who counts as an owner that restricts, the threshold,
//! when the rule is in force, and the decision it yields. Operators follow a rule's status
//! (a suspension, a new effective date) by editing the policy file, not the code.
//!
//! The defaults:
//! - **`ofac_50_percent`**: OFAC's 50 Percent Rule (revised guidance of 13 August 2014; OFAC
//!   FAQs 398–401). Entities owned 50% or more in the aggregate, directly or indirectly, by
//!   blocked persons are blocked. Owners: the SDN list, and entries of any list whose program
//!   names the SDN list (the CSL's SDN rows). Deny.
//! - **`bis_affiliates`**: BIS's Affiliates Rule (90 FR 47201, effective 29 September 2025).
//!   Entities 50% or more owned by Entity List or Military End-User List parties carry the
//!   owner's restrictions. Owners: entries of any list whose program names the Entity List or
//!   the Military End-User List. Suspended from 10 November 2025 through 9 November 2026.
//!   Deny.
//! - **`eu_50_percent`**: the EU's ownership criterion (2024 Commission guidance: 50% or more,
//!   aggregated). Owners: datasets whose name starts with `eu_`. Off by default.

use jiff::civil::Date;
use serde::{Deserialize, Serialize};

use super::Decision;
use crate::engine::model::Entity;

/// Which listed entries make an owner restricting under a rule: a dataset, and optionally
/// only entries whose programs contain a text (case-insensitive).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OwnerSelector {
    /// A dataset name, or a prefix ending in `*` (`eu_*`; `*` alone: any dataset).
    pub dataset: String,
    #[serde(default)]
    pub program_contains: Option<String>,
}

impl OwnerSelector {
    fn new(dataset: &str, program: Option<&str>) -> Self {
        OwnerSelector {
            dataset: dataset.to_string(),
            program_contains: program.map(str::to_string),
        }
    }

    pub fn matches(&self, entity: &Entity) -> bool {
        let dataset = match self.dataset.strip_suffix('*') {
            Some(prefix) => entity.dataset.starts_with(prefix),
            None => entity.dataset == self.dataset,
        };
        dataset
            && self.program_contains.as_ref().is_none_or(|p| {
                let p = p.to_lowercase();
                entity
                    .programs
                    .iter()
                    .any(|x| x.to_lowercase().contains(&p))
            })
    }
}

/// A period in which a rule is not applied, both days included.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Suspension {
    #[serde(deserialize_with = "toml_date::required")]
    pub from: Date,
    #[serde(deserialize_with = "toml_date::required")]
    pub through: Date,
}

/// Dates in the policy file may be TOML dates (`effective = 2025-09-29`) or strings
/// (`effective = "2025-09-29"`).
mod toml_date {
    use jiff::civil::Date;
    use serde::{de::Error, Deserialize, Deserializer};

    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Written {
        Toml(toml::value::Datetime),
        Text(String),
    }

    fn parse<E: Error>(w: Written) -> Result<Date, E> {
        let text = match w {
            Written::Toml(d) => match (d.date, d.time) {
                (Some(date), None) => date.to_string(),
                _ => return Err(E::custom(format!("{d}: expected a date without a time"))),
            },
            Written::Text(t) => t,
        };
        text.parse()
            .map_err(|e| E::custom(format!("{text:?} is not a date (YYYY-MM-DD): {e}")))
    }

    pub fn required<'de, D: Deserializer<'de>>(d: D) -> Result<Date, D::Error> {
        parse(Written::deserialize(d)?)
    }

    pub fn optional<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Date>, D::Error> {
        Option::<Written>::deserialize(d)?.map(parse).transpose()
    }
}

/// One ownership rule.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OwnershipRule {
    /// Short name shown in hits and explanations (`ofac_50_percent`).
    pub name: String,
    /// The legal source, quoted in explanations.
    pub citation: String,
    #[serde(default = "yes")]
    pub enabled: bool,
    pub owners: Vec<OwnerSelector>,
    /// Aggregate share, in percent, at or above which an owned entity is restricted.
    #[serde(default = "fifty")]
    pub threshold: f32,
    /// First day the rule applies; `None`: always.
    #[serde(default, deserialize_with = "toml_date::optional")]
    pub effective: Option<Date>,
    #[serde(default)]
    pub suspended: Vec<Suspension>,
    /// What a party restricted by this rule gets.
    #[serde(default = "deny")]
    pub decision: Decision,
}

fn yes() -> bool {
    true
}
fn fifty() -> f32 {
    50.0
}
fn deny() -> Decision {
    Decision::Deny
}

/// Why a rule does not apply on a date.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Inactive {
    Disabled,
    NotYetEffective(Date),
    Suspended(Suspension),
}

impl std::fmt::Display for Inactive {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Inactive::Disabled => write!(f, "disabled by policy"),
            Inactive::NotYetEffective(d) => write!(f, "effective only from {d}"),
            Inactive::Suspended(s) => write!(f, "suspended from {} through {}", s.from, s.through),
        }
    }
}

impl OwnershipRule {
    /// Whether the rule applies on `date`, and if not, why.
    pub fn status_on(&self, date: Date) -> Result<(), Inactive> {
        if !self.enabled {
            return Err(Inactive::Disabled);
        }
        if let Some(from) = self.effective.filter(|&from| date < from) {
            return Err(Inactive::NotYetEffective(from));
        }
        match self
            .suspended
            .iter()
            .find(|s| s.from <= date && date <= s.through)
        {
            Some(s) => Err(Inactive::Suspended(*s)),
            None => Ok(()),
        }
    }

    /// Whether a listing of `entity` makes it a restricting owner under this rule.
    pub fn restricts(&self, entity: &Entity) -> bool {
        self.owners.iter().any(|o| o.matches(entity))
    }

    pub fn validate(&self) -> Result<(), String> {
        if self.name.is_empty() {
            return Err("an ownership rule needs a name".into());
        }
        if !(self.threshold > 0.0 && self.threshold <= 100.0) {
            return Err(format!(
                "ownership rule {}: threshold {} must be in (0, 100]",
                self.name, self.threshold
            ));
        }
        if self.owners.is_empty() {
            return Err(format!("ownership rule {}: no owners", self.name));
        }
        if let Some(s) = self.suspended.iter().find(|s| s.through < s.from) {
            return Err(format!(
                "ownership rule {}: suspension ends ({}) before it starts ({})",
                self.name, s.through, s.from
            ));
        }
        Ok(())
    }
}

/// The shipped rules, with the dates above.
pub fn default_rules() -> Vec<OwnershipRule> {
    let date = |y, m, d| Date::new(y, m, d).expect("a valid constant date");
    vec![
        OwnershipRule {
            name: "ofac_50_percent".into(),
            citation: "OFAC 50 Percent Rule (revised guidance of 13 August 2014; FAQs 398-401)"
                .into(),
            enabled: true,
            owners: vec![
                OwnerSelector::new("us_ofac_sdn", None),
                OwnerSelector::new("*", Some("Specially Designated Nationals")),
            ],
            threshold: 50.0,
            effective: Some(date(2014, 8, 13)),
            suspended: Vec::new(),
            decision: Decision::Deny,
        },
        OwnershipRule {
            name: "bis_affiliates".into(),
            citation: "BIS Affiliates Rule (90 FR 47201, effective 29 September 2025)".into(),
            enabled: true,
            owners: vec![
                OwnerSelector::new("*", Some("Entity List")),
                OwnerSelector::new("*", Some("Military End User")),
            ],
            threshold: 50.0,
            effective: Some(date(2025, 9, 29)),
            suspended: vec![Suspension {
                from: date(2025, 11, 10),
                through: date(2026, 11, 9),
            }],
            decision: Decision::Deny,
        },
        OwnershipRule {
            name: "eu_50_percent".into(),
            citation: "EU ownership and control criterion (Commission guidance, 2024)".into(),
            enabled: false,
            owners: vec![OwnerSelector::new("eu_*", None)],
            threshold: 50.0,
            effective: None,
            suspended: Vec::new(),
            decision: Decision::Deny,
        },
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rule(name: &str) -> OwnershipRule {
        default_rules()
            .into_iter()
            .find(|r| r.name == name)
            .unwrap()
    }

    #[test]
    fn the_bis_suspension_window() {
        let bis = rule("bis_affiliates");
        let d = |y, m, dd| Date::new(y, m, dd).unwrap();
        assert!(matches!(
            bis.status_on(d(2025, 9, 28)),
            Err(Inactive::NotYetEffective(_))
        ));
        assert_eq!(bis.status_on(d(2025, 9, 29)), Ok(()));
        assert_eq!(bis.status_on(d(2025, 11, 9)), Ok(()));
        assert!(matches!(
            bis.status_on(d(2025, 11, 10)),
            Err(Inactive::Suspended(_))
        ));
        assert!(matches!(
            bis.status_on(d(2026, 11, 9)),
            Err(Inactive::Suspended(_))
        ));
        assert_eq!(bis.status_on(d(2026, 11, 10)), Ok(()));
        assert_eq!(
            rule("eu_50_percent").status_on(d(2026, 1, 1)),
            Err(Inactive::Disabled)
        );
    }

    #[test]
    fn owners_by_dataset_and_program() {
        let el = Entity {
            dataset: "us_trade_csl".into(),
            programs: vec!["Entity List (EL) - Bureau of Industry and Security".into()],
            ..Entity::default()
        };
        let uvl = Entity {
            programs: vec!["Unverified List (UVL) - Bureau of Industry and Security".into()],
            ..el.clone()
        };
        assert!(rule("bis_affiliates").restricts(&el));
        assert!(!rule("bis_affiliates").restricts(&uvl));
        assert!(!rule("ofac_50_percent").restricts(&el));
        let eu = Entity {
            dataset: "eu_fsf".into(),
            ..Entity::default()
        };
        assert!(rule("eu_50_percent").restricts(&eu));
        for r in default_rules() {
            r.validate().unwrap();
        }
    }
}
