//! The list data model every loader produces and every later stage reads.
//!
//! Loaders translate each publisher's format into [`Entity`] values; nothing downstream knows
//! which file an entity came from except through [`Entity::dataset`] and [`Entity::id`]. Entity
//! ids follow the contract `<dataset>:<id in the source>` (see `ARCHITECTURE.md`).

use serde::{Deserialize, Serialize};

/// What kind of party a listing describes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum EntityKind {
    Person,
    Organization,
    Vessel,
    Aircraft,
    #[default]
    Unknown,
}

impl EntityKind {
    /// Parses the kind words used by lists, the native format and the CLI. Returns `None` for a
    /// word it does not know, so the caller can name the bad field.
    pub fn parse(word: &str) -> Option<EntityKind> {
        match word.trim().to_ascii_lowercase().as_str() {
            "person" | "individual" | "people" => Some(EntityKind::Person),
            "org" | "organization" | "organisation" | "entity" | "company" | "legalentity" => {
                Some(EntityKind::Organization)
            }
            "vessel" | "ship" => Some(EntityKind::Vessel),
            "aircraft" => Some(EntityKind::Aircraft),
            "" | "unknown" => Some(EntityKind::Unknown),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            EntityKind::Person => "person",
            EntityKind::Organization => "organization",
            EntityKind::Vessel => "vessel",
            EntityKind::Aircraft => "aircraft",
            EntityKind::Unknown => "unknown",
        }
    }
}

/// A listed person's gender, as the publisher states it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Gender {
    Male,
    Female,
}

impl Gender {
    /// Reads the words lists write (`Male`, `female`, `M`, `F`); `None` for anything else,
    /// including an empty or "unknown" value, so the caller can decide whether that is an
    /// error.
    pub fn parse(word: &str) -> Option<Gender> {
        match word.trim().to_ascii_lowercase().as_str() {
            "male" | "m" => Some(Gender::Male),
            "female" | "f" => Some(Gender::Female),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Gender::Male => "male",
            Gender::Female => "female",
        }
    }
}

/// How strongly a name identifies its entity.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum NameKind {
    /// The name the publisher lists the entity under.
    Primary,
    /// A strong alias ("a.k.a." in OFAC's alt file, "Good quality" in UN data).
    Alias,
    /// A weak alias: OFAC's remark-only "a.k.a." and UN "Low quality" aliases. Matches on weak
    /// aliases score lower, as publishers advise.
    Weak,
    /// A former name ("f.k.a.").
    Former,
}

/// One name of an entity, as published.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Name {
    pub value: String,
    pub kind: NameKind,
}

/// An identifying document or registration number.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Identifier {
    /// Lower-case scheme such as `imo`, `passport`, `national_id`, `registration`, `tax_id`,
    /// `lei`, `swift`.
    pub scheme: String,
    pub value: String,
    /// Issuing country, when the publisher says so.
    #[serde(default)]
    pub country: Option<String>,
}

/// A listed party.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct Entity {
    /// `<dataset>:<id in the source>`.
    pub id: String,
    pub dataset: String,
    pub kind: EntityKind,
    pub names: Vec<Name>,
    /// ISO 3166-1 alpha-2 codes where the loader could resolve them, otherwise the country as
    /// published. Union of nationality, citizenship, address and registration countries.
    pub countries: Vec<String>,
    pub addresses: Vec<String>,
    pub identifiers: Vec<Identifier>,
    /// Sanctions programs or list names, e.g. `SDGT`, `Entity List (EL) - Bureau of Industry and
    /// Security`.
    pub programs: Vec<String>,
    /// Dates of birth as published (`1962`, `1971-03-25`, `circa 1960`, `1979 to 1982`);
    /// `crate::engine::matching::facts` reads them.
    pub birth_dates: Vec<String>,
    /// Nationalities and citizenships: ISO 3166-1 alpha-2 codes where
    /// [`crate::engine::countries::to_iso2`] resolves them, otherwise as published. Each is in
    /// `countries` too.
    #[serde(default)]
    pub nationalities: Vec<String>,
    /// The listed person's gender, when the publisher states it.
    #[serde(default)]
    pub gender: Option<Gender>,
    /// Listing date, ISO format, when known.
    pub listed_on: Option<String>,
    pub source_url: Option<String>,
    pub remarks: Option<String>,
    /// Not listed itself: present for the ownership graph (a company in an FtM registry
    /// extract). A hit on it counts only through an ownership finding.
    #[serde(default)]
    pub context_only: bool,
}

impl Entity {
    /// The primary name: the first name of kind `Primary`, or the first name at all.
    pub fn primary_name(&self) -> &str {
        self.names
            .iter()
            .find(|n| n.kind == NameKind::Primary)
            .or_else(|| self.names.first())
            .map(|n| n.value.as_str())
            .unwrap_or("")
    }

    /// Adds a name unless an equal (case-insensitively) name is already present.
    pub fn push_name(&mut self, value: &str, kind: NameKind) {
        let value = value.trim();
        if value.is_empty() {
            return;
        }
        if self
            .names
            .iter()
            .any(|n| n.value.eq_ignore_ascii_case(value))
        {
            return;
        }
        self.names.push(Name {
            value: value.to_string(),
            kind,
        });
    }

    /// Adds a country unless present.
    pub fn push_country(&mut self, country: &str) {
        let country = country.trim();
        if country.is_empty() || self.countries.iter().any(|c| c == country) {
            return;
        }
        self.countries.push(country.to_string());
    }

    /// Adds a nationality (or citizenship) unless present, and the country to `countries`.
    /// `country` is an ISO code or the country as published.
    pub fn push_nationality(&mut self, country: &str) {
        let country = country.trim();
        if country.is_empty() {
            return;
        }
        if !self.nationalities.iter().any(|c| c == country) {
            self.nationalities.push(country.to_string());
        }
        self.push_country(country);
    }

    /// Adds a date of birth as published unless present.
    pub fn push_birth_date(&mut self, date: &str) {
        let date = date.trim();
        if !date.is_empty() && !self.birth_dates.iter().any(|d| d == date) {
            self.birth_dates.push(date.to_string());
        }
    }

    /// Adds an identifier unless an identical one is present.
    pub fn push_identifier(&mut self, scheme: &str, value: &str, country: Option<&str>) {
        let value = value.trim();
        if value.is_empty() {
            return;
        }
        let id = Identifier {
            scheme: scheme.to_string(),
            value: value.to_string(),
            country: country.map(str::to_string).filter(|c| !c.is_empty()),
        };
        if !self.identifiers.contains(&id) {
            self.identifiers.push(id);
        }
    }
}

/// What an edge between two parties says.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Relation {
    /// The owner holds a share of the owned party (`percent` when the source states it):
    /// FtM `Ownership`, edge files, OFAC/CSL "Subsidiary Of:" and "Owned or Controlled By:".
    #[default]
    Owner,
    /// Control without ownership (a director, a manager): never blocks under a 50% rule.
    Control,
    /// An association of unstated nature (OFAC/CSL "Linked To:").
    Linked,
}

/// An ownership or control edge between two parties, as loaders find them; the ownership
/// rules (`crate::engine::ownership`) read them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Ownership {
    /// Entity id of the owner, or the owner's name when the source gives no id.
    pub owner: String,
    /// Entity id of the owned party, or its name.
    pub owned: String,
    /// The share held, 0–100, when the source states it.
    pub percent: Option<f32>,
    pub relation: Relation,
    /// ISO date the holding began, when known.
    pub start: Option<String>,
    /// ISO date the holding ended, when known: an ended holding no longer counts.
    pub end: Option<String>,
    /// Free text naming where the edge came from (`Subsidiary Of:` remark, FtM id, ...).
    pub source: String,
}

impl Ownership {
    /// An edge with no percentage and no dates, as list remarks give them.
    pub fn remark(owner: &str, owned: &str, relation: Relation, source: &str) -> Ownership {
        Ownership {
            owner: owner.to_string(),
            owned: owned.to_string(),
            percent: None,
            relation,
            start: None,
            end: None,
            source: source.to_string(),
        }
    }
}

/// Reads a date as lists publish them, `YYYY`, `YYYY-MM` or `YYYY-MM-DD` (zero-padded, a real
/// month and day), as the first (`first`) or the last day it covers; `None` when it is not
/// one. Ownership records keep their dates in this form.
pub fn published_date(text: &str, first: bool) -> Option<jiff::civil::Date> {
    use jiff::civil::Date;
    let digits = |s: &str, n: usize| s.len() == n && s.bytes().all(|b| b.is_ascii_digit());
    let parts: Vec<&str> = text.split('-').collect();
    let (y, m, d) = match parts.as_slice() {
        [y] if digits(y, 4) => (*y, None, None),
        [y, m] if digits(y, 4) && digits(m, 2) => (*y, Some(*m), None),
        [y, m, d] if digits(y, 4) && digits(m, 2) && digits(d, 2) => (*y, Some(*m), Some(*d)),
        _ => return None,
    };
    let y: i16 = y.parse().ok()?;
    let m: Option<i8> = m.map(str::parse).transpose().ok()?;
    let d: Option<i8> = d.map(str::parse).transpose().ok()?;
    match (m, d) {
        (Some(m), Some(d)) => Date::new(y, m, d).ok(),
        (Some(m), None) => {
            let start = Date::new(y, m, 1).ok()?;
            Some(if first { start } else { start.last_of_month() })
        }
        (None, _) if first => Date::new(y, 1, 1).ok(),
        (None, _) => Date::new(y, 12, 31).ok(),
    }
}

/// Everything one source file (or folder) yields.
#[derive(Debug, Clone, Default)]
pub struct LoadedList {
    pub dataset: String,
    pub entities: Vec<Entity>,
    pub ownership: Vec<Ownership>,
    /// The publisher's own date for this version of the list, if it states one.
    pub as_of: Option<String>,
    /// Data the loader could not use and left out, each naming the file and line, so that
    /// nothing is dropped silently (e.g. OFAC comment rows continuing an entry that is not in
    /// the primary file).
    pub warnings: Vec<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn published_dates_cover_their_whole_period() {
        let d = |s: &str| s.parse::<jiff::civil::Date>().unwrap();
        assert_eq!(published_date("2005-09-16", true), Some(d("2005-09-16")));
        assert_eq!(published_date("2005", true), Some(d("2005-01-01")));
        assert_eq!(published_date("2005", false), Some(d("2005-12-31")));
        assert_eq!(published_date("2024-02", false), Some(d("2024-02-29")));
        assert_eq!(published_date("2024-02", true), Some(d("2024-02-01")));
        for bad in [
            "",
            "16/09/2005",
            "2005-13-01",
            "05-09-16",
            "2005-02-30",
            "2005-257",
        ] {
            assert_eq!(published_date(bad, true), None, "{bad:?}");
        }
    }
}
