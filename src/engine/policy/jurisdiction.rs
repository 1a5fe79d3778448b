//! Jurisdiction policy: a party in a comprehensively sanctioned jurisdiction is denied; an
//! optional review list marks others for review.
//!
//! Places are ISO 3166-1 alpha-2 country codes, matched against the party's countries, or the
//! region keys `crimea`, `dnr` and `lnr` (the Crimea region and the so-called Donetsk and
//! Luhansk People's Republics of Ukraine, E.O. 13685 and E.O. 14065), matched against the
//! words of the party's addresses. The defaults deny Cuba, Iran, North Korea, Syria and those
//! three regions (31 CFR parts 515, 560, 510, 542, 589 and E.O. 14065). A review list such as
//! the "foreign adversaries" of 15 CFR 791.4 (China including Hong Kong and Macau, Cuba, Iran,
//! North Korea, Russia, Venezuela under Maduro) is a one-line policy entry:
//!
//! ```toml
//! [policy.jurisdictions]
//! review = ["CN", "HK", "MO", "RU", "VE"]
//! ```

use serde::{Deserialize, Serialize};

use super::Decision;
use crate::engine::countries;

/// The jurisdiction section of the policy.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Jurisdictions {
    /// Comprehensively sanctioned places: a party there is denied.
    pub deny: Vec<String>,
    /// Places whose parties need a reviewer's look.
    pub review: Vec<String>,
}

impl Default for Jurisdictions {
    fn default() -> Self {
        Jurisdictions {
            deny: ["CU", "IR", "KP", "SY", "crimea", "dnr", "lnr"]
                .map(String::from)
                .to_vec(),
            review: Vec::new(),
        }
    }
}

/// A region that is not a country, and the address words that place a party in it.
struct Region {
    key: &'static str,
    name: &'static str,
    words: &'static [&'static str],
}

const REGIONS: [Region; 3] = [
    Region {
        key: "crimea",
        name: "the Crimea region of Ukraine",
        words: &[
            "crimea",
            "crimean",
            "krym",
            "sevastopol",
            "simferopol",
            "kerch",
            "yalta",
            "feodosia",
            "yevpatoria",
        ],
    },
    Region {
        key: "dnr",
        name: "the so-called Donetsk People's Republic region of Ukraine",
        words: &["donetsk", "dnr", "makiivka", "horlivka", "gorlovka"],
    },
    Region {
        key: "lnr",
        name: "the so-called Luhansk People's Republic region of Ukraine",
        words: &["luhansk", "lugansk", "lnr", "alchevsk"],
    },
];

/// A party's place that the policy names.
#[derive(Debug, Clone, PartialEq)]
pub struct PlaceHit {
    /// The code or region key as configured (`IR`, `crimea`).
    pub place: String,
    /// A readable name ("Iran", "the Crimea region of Ukraine").
    pub name: String,
    pub decision: Decision,
    /// What placed the party there: the country given, or the address word.
    pub evidence: String,
}

impl Jurisdictions {
    /// Checks codes and region keys; the error names the bad entry.
    pub fn validate(&self) -> Result<(), String> {
        for (list, places) in [("deny", &self.deny), ("review", &self.review)] {
            for p in places.iter() {
                let known = REGIONS.iter().any(|r| r.key == p.as_str())
                    || (p.len() == 2 && countries::name_of(p).is_some());
                if !known {
                    return Err(format!(
                        "policy.jurisdictions.{list}: {p:?} is neither an ISO 3166-1 alpha-2 \
                         code nor one of crimea, dnr, lnr"
                    ));
                }
            }
        }
        Ok(())
    }

    /// The configured places a party is in, by its countries (ISO codes) and its addresses.
    /// Deny entries come first.
    pub fn check(&self, countries: &[String], addresses: &[String]) -> Vec<PlaceHit> {
        let words: Vec<String> = addresses
            .iter()
            .flat_map(|a| {
                any_ascii::any_ascii(a)
                    .to_lowercase()
                    .split(|c: char| !c.is_ascii_alphanumeric())
                    .filter(|w| !w.is_empty())
                    .map(str::to_string)
                    .collect::<Vec<_>>()
            })
            .collect();
        let mut hits = Vec::new();
        for (places, decision) in [
            (&self.deny, Decision::Deny),
            (&self.review, Decision::Review),
        ] {
            for place in places.iter() {
                if hits.iter().any(|h: &PlaceHit| &h.place == place) {
                    continue;
                }
                if let Some(region) = REGIONS.iter().find(|r| r.key == place.as_str()) {
                    if let Some(w) = words.iter().find(|w| region.words.contains(&w.as_str())) {
                        hits.push(PlaceHit {
                            place: place.clone(),
                            name: region.name.to_string(),
                            decision,
                            evidence: format!("address word {w:?}"),
                        });
                    }
                } else if countries.iter().any(|c| c.eq_ignore_ascii_case(place)) {
                    hits.push(PlaceHit {
                        place: place.clone(),
                        name: countries::name_of(place).unwrap_or(place).to_string(),
                        decision,
                        evidence: format!("country {place}"),
                    });
                }
            }
        }
        hits
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn owned(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn embargoed_countries_and_regions_deny_by_default() {
        let j = Jurisdictions::default();
        j.validate().unwrap();
        let hits = j.check(&owned(&["SG", "IR"]), &[]);
        assert_eq!(hits.len(), 1);
        assert_eq!(
            (hits[0].place.as_str(), hits[0].decision),
            ("IR", Decision::Deny)
        );
        assert_eq!(hits[0].name, "Iran");
        let crimea = j.check(
            &owned(&["UA"]),
            &owned(&["ul. Lenina 5, Simferopol, 295000"]),
        );
        assert_eq!(crimea[0].place, "crimea");
        assert_eq!(crimea[0].evidence, "address word \"simferopol\"");
        let cyrillic = j.check(&[], &owned(&["г. Донецк"]));
        assert_eq!(cyrillic[0].place, "dnr");
        assert!(j.check(&owned(&["UA"]), &owned(&["Kyiv"])).is_empty());
        assert!(j.check(&owned(&["SG"]), &[]).is_empty());
    }

    #[test]
    fn a_review_list_and_bad_entries() {
        let j = Jurisdictions {
            review: owned(&["CN", "RU"]),
            ..Jurisdictions::default()
        };
        let hits = j.check(&owned(&["CN"]), &[]);
        assert_eq!(hits[0].decision, Decision::Review);
        let bad = Jurisdictions {
            review: owned(&["Atlantis"]),
            ..Jurisdictions::default()
        };
        assert!(bad.validate().unwrap_err().contains("Atlantis"));
    }
}
