//! FollowTheMoney (FtM) JSON lines, the format OpenSanctions publishes: one entity per line,
//! `{"id", "schema", "properties": {"name": ["..."], ...}, ...}`, every property a list of
//! strings.
//!
//! Parties (`Person`, `Company`, `Organization`, `PublicBody`, `LegalEntity`, `Vessel`,
//! `Airplane`) become [`Entity`] values with the id `<dataset>:<FtM id>`. `Ownership` and
//! `Directorship` records become [`Ownership`] edges between those ids, one edge per record:
//! publishers disagree (one file says 48%, 50% and 51% for the same pair), and the ownership
//! rules, not the loader, decide what to believe. `Sanction` records add their program to the
//! party they name, wherever in the file that party's line is. Other known FtM schemas
//! (addresses, family links, payments, ...) carry nothing to screen and are skipped; a schema
//! this loader does not know, a party without a name, or a percentage written in words is left
//! out with a warning, so nothing is dropped silently.
//!
//! A party with no listing topic (`sanction` and its subtopics other than `sanction.linked`
//! and `sanction.counter`, `debarment`, `export.control`) that no `Sanction` record names is
//! in the file for its relations, an owner's unlisted company: it is loaded as
//! `context_only`, and a hit on it counts only through the ownership rules.

use std::collections::{BTreeMap, HashMap};
use std::path::Path;

use serde_json::{Map, Value};

use super::{text, ListError};
use crate::engine::countries;
use crate::engine::model::{Entity, EntityKind, Gender, LoadedList, NameKind, Ownership, Relation};

/// FtM schemas that are neither parties nor records this loader reads: skipped without a
/// warning (FollowTheMoney 3.x schema list).
const NON_PARTY_SCHEMAS: &[&str] = &[
    "Address",
    "Analyzable",
    "Article",
    "Assessment",
    "Asset",
    "Associate",
    "Audio",
    "BankAccount",
    "Call",
    "CallForTenders",
    "Contract",
    "ContractAward",
    "CourtCase",
    "CourtCaseParty",
    "CryptoWallet",
    "Debt",
    "Document",
    "Documentation",
    "EconomicActivity",
    "Email",
    "Employment",
    "Event",
    "Family",
    "Folder",
    "HyperText",
    "Identification",
    "Image",
    "Interest",
    "Interval",
    "License",
    "Membership",
    "Mention",
    "Message",
    "Note",
    "Occupancy",
    "Package",
    "Page",
    "Pages",
    "Passport",
    "Payment",
    "PlainText",
    "Position",
    "Post",
    "Project",
    "ProjectParticipant",
    "RealEstate",
    "Representation",
    "Security",
    "Similar",
    "Succession",
    "Table",
    "TaxRoll",
    "Thing",
    "Trip",
    "UnknownLink",
    "UserAccount",
    "Value",
    "Vehicle",
    "Video",
    "Workbook",
];

/// Properties holding countries (lower-case ISO codes in FtM).
const COUNTRY_PROPS: [&str; 7] = [
    "country",
    "nationality",
    "citizenship",
    "jurisdiction",
    "mainCountry",
    "registrationCountry",
    "flag",
];

/// Of [`COUNTRY_PROPS`], those that are a person's nationality.
const NATIONALITY_PROPS: [&str; 2] = ["nationality", "citizenship"];

/// Identifier properties and the scheme each becomes. `kppCode` is left out on purpose: a
/// Russian KPP is shared by every company registered at one tax office.
const ID_PROPS: &[(&str, &str)] = &[
    ("registrationNumber", "registration"),
    ("taxNumber", "tax_id"),
    ("vatCode", "vat"),
    ("innCode", "inn"),
    ("ogrnCode", "ogrn"),
    ("okpoCode", "okpo"),
    ("leiCode", "lei"),
    ("dunsCode", "duns"),
    ("permId", "perm_id"),
    ("uniqueEntityId", "uei"),
    ("swiftBic", "swift"),
    ("bikCode", "bik"),
    ("imoNumber", "imo"),
    ("mmsi", "mmsi"),
    ("callSign", "call_sign"),
    ("idNumber", "national_id"),
    ("passportNumber", "passport"),
    ("socialSecurityNumber", "ssn"),
];

/// The entity kind of a party schema, `None` for every other schema.
/// FtM topics that mean the party itself is listed: sanctioned (not merely linked to a
/// sanctioned party, nor the target of counter-sanctions), debarred or export-controlled.
fn listing_topic(topic: &str) -> bool {
    match topic {
        "sanction.linked" | "sanction.counter" => false,
        t => {
            t == "sanction"
                || t.starts_with("sanction.")
                || t == "debarment"
                || t == "export.control"
        }
    }
}

fn party_kind(schema: &str) -> Option<EntityKind> {
    match schema {
        "Person" => Some(EntityKind::Person),
        "Company" | "Organization" | "PublicBody" => Some(EntityKind::Organization),
        // FtM uses LegalEntity when the publisher does not say person or company; a guessed
        // kind would count against matches of the other kind.
        "LegalEntity" => Some(EntityKind::Unknown),
        "Vessel" => Some(EntityKind::Vessel),
        "Airplane" => Some(EntityKind::Aircraft),
        _ => None,
    }
}

/// Loads an FtM JSON-lines file. Blank lines are skipped.
pub fn load(path: &Path, dataset: &str) -> Result<LoadedList, ListError> {
    let content = text::read_utf8(path)?;
    let mut loader = Loader {
        path,
        dataset,
        list: LoadedList {
            dataset: dataset.to_string(),
            ..LoadedList::default()
        },
        parties: HashMap::new(),
        sanctions: Vec::new(),
        skipped: BTreeMap::new(),
    };
    for (index, raw) in content.lines().enumerate() {
        if raw.trim().is_empty() {
            continue;
        }
        let record = Record::parse(raw, index as u64 + 1, path)?;
        loader.add(&record)?;
    }
    Ok(loader.finish())
}

/// One parsed line.
struct Record<'a> {
    path: &'a Path,
    line: u64,
    id: String,
    schema: String,
    properties: Map<String, Value>,
}

impl<'a> Record<'a> {
    fn parse(raw: &str, line: u64, path: &'a Path) -> Result<Record<'a>, ListError> {
        let malformed = |message: String| ListError::Malformed {
            path: path.to_path_buf(),
            line,
            message,
        };
        let value: Value = serde_json::from_str(raw).map_err(|e| {
            // Each line is parsed on its own, so serde's "at line 1" would mislead.
            let text = e.to_string();
            let reason = text
                .rsplit_once(" at line ")
                .map_or(text.as_str(), |(r, _)| r);
            malformed(format!("not valid JSON at column {}: {reason}", e.column()))
        })?;
        let Value::Object(mut map) = value else {
            return Err(malformed("expected one JSON object per line".to_string()));
        };
        let field = |name: &str, message: &str| ListError::Field {
            path: path.to_path_buf(),
            line,
            field: name.to_string(),
            message: message.to_string(),
        };
        let mut required = |name: &str| match map.remove(name) {
            Some(Value::String(s)) if !s.trim().is_empty() => Ok(s.trim().to_string()),
            Some(Value::String(_)) => Err(field(name, "empty")),
            None | Some(Value::Null) => Err(field(name, "missing; every FtM line needs it")),
            Some(_) => Err(field(name, "expected a string")),
        };
        let id = required("id")?;
        let schema = required("schema")?;
        let properties = match map.remove("properties") {
            None | Some(Value::Null) => Map::new(),
            Some(Value::Object(p)) => p,
            Some(_) => return Err(field("properties", "expected an object")),
        };
        Ok(Record {
            path,
            line,
            id,
            schema,
            properties,
        })
    }

    /// The trimmed, non-empty values of a property; a missing property has none.
    fn values(&self, name: &str) -> Result<Vec<&str>, ListError> {
        let error = |message: &str| ListError::Field {
            path: self.path.to_path_buf(),
            line: self.line,
            field: format!("properties.{name}"),
            message: message.to_string(),
        };
        match self.properties.get(name) {
            None | Some(Value::Null) => Ok(Vec::new()),
            Some(Value::Array(items)) => {
                let mut values = Vec::with_capacity(items.len());
                for item in items {
                    let Value::String(s) = item else {
                        return Err(error("expected a list of strings"));
                    };
                    if !s.trim().is_empty() {
                        values.push(s.trim());
                    }
                }
                Ok(values)
            }
            Some(_) => Err(error("expected a list of strings")),
        }
    }

    /// The first value of a property.
    fn first(&self, name: &str) -> Result<Option<String>, ListError> {
        Ok(self.values(name)?.first().map(|v| v.to_string()))
    }

    /// `path:line: schema id`, the start of a warning about this record.
    fn at(&self) -> String {
        format!(
            "{}:{}: {} {}",
            self.path.display(),
            self.line,
            self.schema,
            self.id
        )
    }
}

/// What a `Sanction` line adds to the party it names, kept until every line is read.
struct PendingSanction {
    at: String,
    targets: Vec<String>,
    programs: Vec<String>,
    listed_on: Option<String>,
}

struct Loader<'a> {
    path: &'a Path,
    dataset: &'a str,
    list: LoadedList,
    /// FtM id of each party read so far: its index in `list.entities` and its line.
    parties: HashMap<String, (usize, u64)>,
    sanctions: Vec<PendingSanction>,
    /// Records of known non-party schemas, by schema.
    skipped: BTreeMap<String, usize>,
}

impl Loader<'_> {
    fn add(&mut self, record: &Record) -> Result<(), ListError> {
        if let Some(kind) = party_kind(&record.schema) {
            return self.add_party(record, kind);
        }
        match record.schema.as_str() {
            "Ownership" => self.add_edges(record, "owner", "asset", Relation::Owner),
            "Directorship" => self.add_edges(record, "director", "organization", Relation::Control),
            "Sanction" => {
                let mut programs = record.values("program")?;
                if programs.is_empty() {
                    programs = record.values("authority")?;
                }
                self.sanctions.push(PendingSanction {
                    at: record.at(),
                    targets: record
                        .values("entity")?
                        .into_iter()
                        .map(str::to_string)
                        .collect(),
                    programs: programs.into_iter().map(str::to_string).collect(),
                    listed_on: record
                        .values("listingDate")?
                        .into_iter()
                        .min()
                        .map(str::to_string),
                });
                Ok(())
            }
            schema if NON_PARTY_SCHEMAS.contains(&schema) => {
                *self.skipped.entry(schema.to_string()).or_default() += 1;
                Ok(())
            }
            _ => {
                self.list.warnings.push(format!(
                    "{}: unknown FtM schema; the record is left out",
                    record.at()
                ));
                Ok(())
            }
        }
    }

    fn add_party(&mut self, record: &Record, kind: EntityKind) -> Result<(), ListError> {
        if let Some((_, first)) = self.parties.get(&record.id) {
            return Err(ListError::Field {
                path: self.path.to_path_buf(),
                line: record.line,
                field: "id".to_string(),
                message: format!("duplicate id `{}` (first on line {first})", record.id),
            });
        }
        let mut entity = Entity {
            id: format!("{}:{}", self.dataset, record.id),
            dataset: self.dataset.to_string(),
            kind,
            ..Entity::default()
        };
        for name in record.values("name")? {
            let kind = if entity.names.is_empty() {
                NameKind::Primary
            } else {
                NameKind::Alias
            };
            entity.push_name(name, kind);
        }
        for (prop, kind) in [
            ("alias", NameKind::Alias),
            ("weakAlias", NameKind::Weak),
            ("previousName", NameKind::Former),
        ] {
            for name in record.values(prop)? {
                entity.push_name(name, kind);
            }
        }
        if entity.names.is_empty() {
            self.list
                .warnings
                .push(format!("{}: no name; the party is left out", record.at()));
            return Ok(());
        }
        for prop in COUNTRY_PROPS {
            for country in record.values(prop)? {
                let iso = countries::to_iso2(country)
                    .map_or_else(|| country.to_uppercase(), str::to_string);
                if NATIONALITY_PROPS.contains(&prop) {
                    entity.push_nationality(&iso);
                } else {
                    entity.push_country(&iso);
                }
            }
        }
        // FtM also allows "other"; only what the model holds is kept.
        entity.gender = record.values("gender")?.into_iter().find_map(Gender::parse);
        for &(prop, scheme) in ID_PROPS {
            for value in record.values(prop)? {
                entity.push_identifier(scheme, value, None);
            }
        }
        for address in record.values("address")? {
            if !entity.addresses.iter().any(|a| a == address) {
                entity.addresses.push(address.to_string());
            }
        }
        for prop in ["topics", "program", "programId"] {
            for program in record.values(prop)? {
                push_program(&mut entity, program);
            }
        }
        // A party with no listing topic is in the file for its relations (an owner's
        // unlisted company): it counts only through ownership. A Sanction line naming it
        // lists it (below).
        entity.context_only = !record.values("topics")?.iter().any(|t| listing_topic(t));
        entity.birth_dates = record
            .values("birthDate")?
            .into_iter()
            .map(str::to_string)
            .collect();
        entity.source_url = record.first("sourceUrl")?;
        let notes = record.values("notes")?;
        if !notes.is_empty() {
            entity.remarks = Some(notes.join("; "));
        }
        self.parties
            .insert(record.id.clone(), (self.list.entities.len(), record.line));
        self.list.entities.push(entity);
        Ok(())
    }

    /// One edge per `from` × `to` pair of an `Ownership` or `Directorship` record.
    fn add_edges(
        &mut self,
        record: &Record,
        from: &str,
        to: &str,
        relation: Relation,
    ) -> Result<(), ListError> {
        let (owners, owned) = (record.values(from)?, record.values(to)?);
        if owners.is_empty() || owned.is_empty() {
            self.list.warnings.push(format!(
                "{}: no `{from}` or no `{to}`; the edge is left out",
                record.at()
            ));
            return Ok(());
        }
        let percent = if relation == Relation::Owner {
            self.percent(record)?
        } else {
            None
        };
        let mut source = format!("ftm {} {}", record.schema, record.id);
        let roles = record.values("role")?;
        if !roles.is_empty() {
            source.push_str(&format!(" ({})", roles.join("; ")));
        }
        let (start, end) = (record.first("startDate")?, record.first("endDate")?);
        for owner in &owners {
            for asset in &owned {
                self.list.ownership.push(Ownership {
                    owner: format!("{}:{owner}", self.dataset),
                    owned: format!("{}:{asset}", self.dataset),
                    percent,
                    relation,
                    start: start.clone(),
                    end: end.clone(),
                    source: source.clone(),
                });
            }
        }
        Ok(())
    }

    /// The `percentage` of an `Ownership` record. Words ("majority") and extra values leave a
    /// warning; a number out of 0–100, or digits that do not form a number, are errors.
    fn percent(&mut self, record: &Record) -> Result<Option<f32>, ListError> {
        let mut found: Vec<(f32, &str)> = Vec::new();
        for raw in record.values("percentage")? {
            match parse_percent(raw) {
                Ok(Some(value)) => found.push((value, raw)),
                Ok(None) => self.list.warnings.push(format!(
                    "{}: `percentage` {raw:?} is not a number; the edge is kept without one",
                    record.at()
                )),
                Err(message) => {
                    return Err(ListError::Field {
                        path: self.path.to_path_buf(),
                        line: record.line,
                        field: "properties.percentage".to_string(),
                        message,
                    })
                }
            }
        }
        let first = found.first().map(|&(value, _)| value);
        if found.iter().any(|&(value, _)| Some(value) != first) {
            let all: Vec<&str> = found.iter().map(|&(_, raw)| raw).collect();
            self.list.warnings.push(format!(
                "{}: several percentages ({}); the edge keeps the first",
                record.at(),
                all.join(", ")
            ));
        }
        Ok(first)
    }

    /// Attaches sanctions to their parties and logs what was skipped.
    fn finish(mut self) -> LoadedList {
        for sanction in &self.sanctions {
            for target in &sanction.targets {
                let Some(&(index, _)) = self.parties.get(target) else {
                    self.list.warnings.push(format!(
                        "{}: names `{target}`, which is no party in this file; its program \
                         is not attached",
                        sanction.at
                    ));
                    continue;
                };
                let entity = &mut self.list.entities[index];
                entity.context_only = false;
                for program in &sanction.programs {
                    push_program(entity, program);
                }
                // The earliest listing date, whatever the order of the Sanction lines.
                if let Some(date) = &sanction.listed_on {
                    if entity.listed_on.as_ref().is_none_or(|d| date < d) {
                        entity.listed_on = Some(date.clone());
                    }
                }
            }
        }
        if !self.skipped.is_empty() {
            tracing::debug!(path = %self.path.display(), skipped = ?self.skipped, "FtM records that are not parties");
        }
        self.list
    }
}

fn push_program(entity: &mut Entity, program: &str) {
    if !entity.programs.iter().any(|p| p == program) {
        entity.programs.push(program.to_string());
    }
}

/// Reads an FtM percentage: `51`, `51.0`, `51%`, `50,5`. `Ok(None)` when the value is not
/// written as a number at all ("majority", "25-50"); `Err` when it is a number outside 0–100
/// or digits that do not form one ("5.1.2").
fn parse_percent(raw: &str) -> Result<Option<f32>, String> {
    let number = raw.strip_suffix('%').unwrap_or(raw).trim();
    let body = number.strip_prefix(['-', '+']).unwrap_or(number);
    let numeric = body.chars().any(|c| c.is_ascii_digit())
        && body
            .chars()
            .all(|c| c.is_ascii_digit() || c == '.' || c == ',');
    if !numeric {
        return Ok(None);
    }
    let value: f32 = number
        .replace(',', ".")
        .parse()
        .map_err(|_| format!("{raw:?} is not a number"))?;
    if !(0.0..=100.0).contains(&value) {
        return Err(format!("{raw:?} is outside 0 to 100"));
    }
    Ok(Some(value))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::model::Identifier;
    use std::path::PathBuf;

    const DATASET: &str = "zala";

    fn fixture(name: &str) -> Option<LoadedList> {
        let dir = crate::engine::testing::shared_data()?;
        Some(load(&dir.join("ftm-fixtures").join(name), DATASET).unwrap())
    }

    fn write(content: &str) -> (tempfile::TempDir, PathBuf) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("list.ftm.json");
        std::fs::write(&path, content).unwrap();
        (dir, path)
    }

    fn count<T>(items: &[T], pred: impl Fn(&T) -> bool) -> usize {
        items.iter().filter(|i| pred(i)).count()
    }

    // The expected numbers below were computed independently with python3 over the fixtures:
    // parties are the Person/Company/Organization/... lines with at least one name; names are
    // `name` (first Primary, rest Alias), `alias`, `weakAlias`, `previousName`, each dropped when
    // equal, ignoring ASCII case, to a name already kept (as `Entity::push_name` does); edges
    // are len(owner) x len(asset) per Ownership and len(director) x len(organization) per
    // Directorship; programs are topics + program + programId, then each Sanction's program
    // (or authority) in file order, without repeats; listed_on the earliest listingDate.
    //
    //   for line in open(f):
    //       e = json.loads(line); p = e["properties"]
    //       if e["schema"] in KIND: ... kinds[KIND[e["schema"]]] += 1; names.update(...)
    //       elif e["schema"] == "Ownership": owner += len(p["owner"]) * len(p["asset"])
    //       ...
    //
    // zala: 6 persons, 11 organizations; names 17 primary, 195 alias, 7 weak, 1 former (220);
    // 14 Owner edges (10 with a percentage, 13 with a start, 11 with an end), 3 Control edges
    // (2 with a start);
    // 57 other records (41 Sanction, 11 Address, 4 Family, 1 Passport); no warnings.
    // donations: 22 persons, 73 organizations (56 Company + 17 Organization), 95 names, all
    // primary; no edges; 379 other records (290 Payment, 89 Address); no warnings.

    #[test]
    fn zala_counts() {
        let Some(list) = fixture("zala.ftm.json") else {
            return;
        };
        let e = &list.entities;
        assert_eq!(list.dataset, DATASET);
        assert_eq!(count(e, |e| e.kind == EntityKind::Person), 6);
        assert_eq!(count(e, |e| e.kind == EntityKind::Organization), 11);
        assert_eq!(e.len(), 17);
        let names: Vec<NameKind> = e
            .iter()
            .flat_map(|e| e.names.iter().map(|n| n.kind))
            .collect();
        assert_eq!(count(&names, |k| *k == NameKind::Primary), 17);
        assert_eq!(count(&names, |k| *k == NameKind::Alias), 195);
        assert_eq!(count(&names, |k| *k == NameKind::Weak), 7);
        assert_eq!(count(&names, |k| *k == NameKind::Former), 1);
        assert_eq!(names.len(), 220);
        let o = &list.ownership;
        assert_eq!(count(o, |o| o.relation == Relation::Owner), 14);
        assert_eq!(count(o, |o| o.relation == Relation::Control), 3);
        assert_eq!(o.len(), 17);
        let owner = |o: &Ownership| o.relation == Relation::Owner;
        assert_eq!(count(o, |o| owner(o) && o.percent.is_some()), 10);
        assert_eq!(count(o, |o| owner(o) && o.start.is_some()), 13);
        assert_eq!(count(o, |o| owner(o) && o.end.is_some()), 11);
        // Directorships: 2 of 3 state a start, none an end or a percentage.
        assert_eq!(count(o, |o| !owner(o) && o.start.is_some()), 2);
        assert_eq!(
            count(o, |o| !owner(o) && (o.end.is_some() || o.percent.is_some())),
            0
        );
        assert!(list.warnings.is_empty(), "{:?}", list.warnings);
        assert!(e
            .iter()
            .all(|e| e.id.starts_with("zala:") && e.dataset == DATASET));
        // Unlisted, there for their relations: three companies with no topics and the
        // partnership whose only topic is `sanction.linked` (python: no listing topic and no
        // Sanction line naming them).
        let mut context: Vec<&str> = e
            .iter()
            .filter(|e| e.context_only)
            .map(|e| e.id.as_str())
            .collect();
        context.sort_unstable();
        assert_eq!(
            context,
            [
                "zala:NK-56Edov9bas9puzaChH5pBy",
                "zala:NK-9Xa4Kg7Y7nfccE7VcZt6Q6",
                "zala:NK-SiYwWfxwLVrVeFswsvAvsm",
                "zala:ru-inn-5920040846",
            ]
        );
    }

    #[test]
    fn zala_company_field_by_field() {
        let Some(list) = fixture("zala.ftm.json") else {
            return;
        };
        let zala = list
            .entities
            .iter()
            .find(|e| e.id == "zala:NK-cPks3aTbes8k4aCerfBAzN")
            .unwrap();
        let names: Vec<(&str, NameKind)> = zala
            .names
            .iter()
            .map(|n| (n.value.as_str(), n.kind))
            .collect();
        assert_eq!(
            names,
            [
                ("ZALA AERO JSC", NameKind::Primary),
                ("Joint-Stock Company \"Zala Aero\"", NameKind::Alias),
                ("Акціонерне товариство \"Зала Аеро\"", NameKind::Alias),
                ("JOINT-STOCK COMPANY ZALA AERO", NameKind::Alias),
                ("Акционерное общество \"Зала Аэро\"", NameKind::Alias),
                ("Aktsionerne tovarystvo \"Zala Aero\"", NameKind::Alias),
            ]
        );
        assert_eq!(zala.kind, EntityKind::Organization);
        assert_eq!(zala.dataset, DATASET);
        assert_eq!(zala.countries, ["RU"]);
        let id = |scheme: &str, value: &str| Identifier {
            scheme: scheme.into(),
            value: value.into(),
            country: None,
        };
        // kppCode 771501001 is deliberately not an identifier.
        assert_eq!(
            zala.identifiers,
            [id("inn", "9715478507"), id("ogrn", "1247700258651")]
        );
        assert_eq!(zala.addresses.len(), 5);
        assert_eq!(
            zala.addresses[1],
            "127055, Moscow, Perunovsky per. 3, building 2"
        );
        // No Sanction line names this company: its programs are its own topics and programId.
        assert_eq!(
            zala.programs,
            ["sanction", "poi", "UA-WS-MILIND", "UA-SA1644", "UA-WS-UAVS"]
        );
        assert_eq!(
            zala.source_url.as_deref(),
            Some("https://war-sanctions.gur.gov.ua/uav/companies/14265")
        );
        assert!(zala.birth_dates.is_empty());
        assert_eq!(zala.listed_on, None);
        assert_eq!(zala.remarks, None);

        // CST is named by 27 Sanction lines, before and after its own line (12): 36 programs
        // in all, listed since the earliest listingDate.
        let cst = list
            .entities
            .iter()
            .find(|e| e.id == "zala:NK-abdzbEBkqyT29GyREbiURZ")
            .unwrap();
        assert_eq!(cst.programs.len(), 36);
        assert_eq!(
            cst.programs[..3],
            ["sanction", "debarment", "export.control"]
        );
        assert!(cst.programs.iter().any(|p| p == "Reciprocal"));
        // A Sanction without `program` contributes its authority.
        assert!(cst.programs.iter().any(|p| p == "La Principauté de Monaco"));
        assert_eq!(cst.listed_on.as_deref(), Some("2022-03-01"));

        let person = list
            .entities
            .iter()
            .find(|e| e.id == "zala:NK-aU5ybkbRFJucf8YMwsJvDw")
            .unwrap();
        assert_eq!(person.kind, EntityKind::Person);
        assert_eq!(person.primary_name(), "Aleksandr Vyacheslavovich Zakharov");
        assert_eq!(person.programs.len(), 21);
        assert_eq!(person.listed_on.as_deref(), Some("2025-02-13"));
        assert_eq!(person.birth_dates, ["1965-09-21"]);
        assert_eq!(person.nationalities, ["RU"]);
        assert_eq!(person.gender, Some(Gender::Male));
        assert!(zala.nationalities.is_empty() && zala.gender.is_none());
        assert!(person.remarks.is_some());
    }

    #[test]
    fn zala_edges_field_by_field() {
        let Some(list) = fixture("zala.ftm.json") else {
            return;
        };
        // Zakharov -> CST: three records disagree (50%, 48%, 51%); all three are kept, in file
        // order (lines 73, 74, 79).
        let pair: Vec<&Ownership> = list
            .ownership
            .iter()
            .filter(|o| {
                o.owner == "zala:NK-aU5ybkbRFJucf8YMwsJvDw"
                    && o.owned == "zala:NK-abdzbEBkqyT29GyREbiURZ"
                    && o.relation == Relation::Owner
            })
            .collect();
        let edge = |percent: f32, end: Option<&str>, id: &str| Ownership {
            owner: "zala:NK-aU5ybkbRFJucf8YMwsJvDw".into(),
            owned: "zala:NK-abdzbEBkqyT29GyREbiURZ".into(),
            percent: Some(percent),
            relation: Relation::Owner,
            start: Some("2015-11-25".into()),
            end: end.map(str::to_string),
            source: format!("ftm Ownership {id}"),
        };
        assert_eq!(
            pair,
            [
                &edge(
                    50.0,
                    Some("2023-03-02"),
                    "ru-770bdf5f22537fa2a94176f53fa87fe28ecf94fa"
                ),
                &edge(
                    48.0,
                    Some("2023-12-21"),
                    "ru-7f202fd87a7ec03404a36667672156628713531c"
                ),
                &edge(51.0, None, "ru-dfe0a021cb69f99e198bb8cbbcb93e81130b32a7"),
            ]
        );
        // The role goes into the source; this record has no percentage and no dates.
        assert_eq!(
            list.ownership[0],
            Ownership::remark(
                "zala:NK-nR5AXM9AVPq4pQaSPSaVam",
                "zala:NK-abdzbEBkqyT29GyREbiURZ",
                Relation::Owner,
                "ftm Ownership NK-3NyeuT6JeJDLhGEyH3JD52 (subsidiary of)"
            )
        );
        let director = list
            .ownership
            .iter()
            .find(|o| {
                o.source
                    .contains("ru-a3e0c9ed6b5611383fdcd0fe8c8f100e6d31cadb")
            })
            .unwrap();
        assert_eq!(
            *director,
            Ownership {
                owner: "zala:NK-aU5ybkbRFJucf8YMwsJvDw".into(),
                owned: "zala:NK-SiYwWfxwLVrVeFswsvAvsm".into(),
                percent: None,
                relation: Relation::Control,
                start: Some("2005-07-11".into()),
                end: None,
                source: "ftm Directorship ru-a3e0c9ed6b5611383fdcd0fe8c8f100e6d31cadb \
                         (Исполнительный директор)"
                    .into(),
            }
        );
    }

    #[test]
    fn donations_load() {
        let Some(list) = fixture("donations.ftm.json") else {
            return;
        };
        let e = &list.entities;
        assert_eq!(count(e, |e| e.kind == EntityKind::Person), 22);
        assert_eq!(count(e, |e| e.kind == EntityKind::Organization), 73);
        assert_eq!(e.len(), 95);
        assert!(e
            .iter()
            .all(|e| e.names.len() == 1 && e.names[0].kind == NameKind::Primary));
        assert!(list.ownership.is_empty());
        assert!(list.warnings.is_empty(), "{:?}", list.warnings);
    }

    /// The six persons of the zala fixture (python over the file): every one is Russian by
    /// `nationality` or `citizenship`, five state a gender (two female, three male), all a
    /// birth date.
    #[test]
    fn zala_person_facts() {
        let Some(list) = fixture("zala.ftm.json") else {
            return;
        };
        let persons: Vec<&Entity> = list
            .entities
            .iter()
            .filter(|e| e.kind == EntityKind::Person)
            .collect();
        assert_eq!(persons.len(), 6);
        assert!(persons.iter().all(|p| p.nationalities == ["RU"]));
        assert!(persons.iter().all(|p| p.birth_dates.len() == 1));
        let gender = |g| persons.iter().filter(|p| p.gender == Some(g)).count();
        assert_eq!((gender(Gender::Female), gender(Gender::Male)), (2, 3));
    }

    #[test]
    fn person_facts() {
        let content = r#"{"id": "p1", "schema": "Person", "properties": {"name": ["Jane Doe"], "birthDate": ["1962-03-12", "1963"], "nationality": ["iq", "Turkey"], "citizenship": ["sy", "iq"], "country": ["de"], "gender": ["female"]}}
{"id": "p2", "schema": "Person", "properties": {"name": ["Alex Roe"], "gender": ["other"], "nationality": ["suhh"]}}
"#;
        let (_dir, path) = write(content);
        let list = load(&path, "t").unwrap();
        let [jane, alex] = list.entities.as_slice() else {
            panic!("{:?}", list.entities)
        };
        assert_eq!(jane.birth_dates, ["1962-03-12", "1963"]);
        assert_eq!(jane.nationalities, ["IQ", "TR", "SY"]);
        assert_eq!(jane.countries, ["DE", "IQ", "TR", "SY"]);
        assert_eq!(jane.gender, Some(Gender::Female));
        assert_eq!(alex.gender, None);
        assert_eq!(alex.nationalities, ["SUHH"]);
    }

    #[test]
    fn sanction_before_its_party_and_warnings() {
        let content = r#"{"id": "s1", "schema": "Sanction", "properties": {"entity": ["p1"], "authority": ["OFAC"], "listingDate": ["2020-05-01"]}}
{"id": "s2", "schema": "Sanction", "properties": {"entity": ["gone"], "program": ["SDGT"]}}

{"id": "p1", "schema": "LegalEntity", "properties": {"name": ["Acme", "ACME"], "weakAlias": ["AC"], "previousName": ["Old Acme"], "country": ["ru", "suhh"], "leiCode": ["5493001KJTIIGC8Y1R12"]}}
{"id": "p2", "schema": "Person", "properties": {"firstName": ["Nobody"]}}
{"id": "x1", "schema": "Spaceship", "properties": {}}
{"id": "o1", "schema": "Ownership", "properties": {"owner": ["p2"], "asset": ["p1"], "percentage": ["majority"], "startDate": ["2005"], "endDate": ["2006-09"]}}
{"id": "o2", "schema": "Ownership", "properties": {"owner": ["p2"]}}
{"id": "o3", "schema": "Ownership", "properties": {"owner": ["p2"], "asset": ["p1"], "percentage": ["50,5", "51%"]}}
"#;
        let (_dir, path) = write(content);
        let list = load(&path, "t").unwrap();
        let [acme] = list.entities.as_slice() else {
            panic!("{:?}", list.entities)
        };
        assert_eq!(acme.id, "t:p1");
        assert_eq!(acme.kind, EntityKind::Unknown);
        let names: Vec<(&str, NameKind)> = acme
            .names
            .iter()
            .map(|n| (n.value.as_str(), n.kind))
            .collect();
        assert_eq!(
            names,
            [
                ("Acme", NameKind::Primary),
                ("AC", NameKind::Weak),
                ("Old Acme", NameKind::Former)
            ]
        );
        assert_eq!(acme.countries, ["RU", "SUHH"]);
        assert!(acme.nationalities.is_empty());
        assert_eq!(acme.identifiers[0].scheme, "lei");
        assert_eq!(acme.programs, ["OFAC"]);
        assert_eq!(acme.listed_on.as_deref(), Some("2020-05-01"));
        let edges: Vec<(Option<f32>, Option<&str>, Option<&str>)> = list
            .ownership
            .iter()
            .map(|o| (o.percent, o.start.as_deref(), o.end.as_deref()))
            .collect();
        assert_eq!(
            edges,
            [
                (None, Some("2005"), Some("2006-09")),
                (Some(50.5), None, None)
            ]
        );
        let expected = [
            ":5: Person p2: no name",
            ":6: Spaceship x1: unknown FtM schema",
            ":7: Ownership o1: `percentage` \"majority\" is not a number",
            ":8: Ownership o2: no `owner` or no `asset`",
            ":9: Ownership o3: several percentages (50,5, 51%)",
            ":2: Sanction s2: names `gone`",
        ];
        assert_eq!(list.warnings.len(), expected.len(), "{:?}", list.warnings);
        for (warning, want) in list.warnings.iter().zip(expected) {
            assert!(warning.contains("list.ftm.json"), "{warning}");
            assert!(warning.contains(want), "{warning} lacks {want}");
        }
    }

    #[test]
    fn percentages() {
        for (raw, want) in [
            ("51", Some(51.0)),
            ("51.0", Some(51.0)),
            ("51%", Some(51.0)),
            ("50,5", Some(50.5)),
            ("0", Some(0.0)),
            ("100", Some(100.0)),
            ("majority", None),
            ("25-50", None),
            ("NaN", None),
            ("%", None),
        ] {
            assert_eq!(parse_percent(raw), Ok(want), "{raw}");
        }
        for raw in ["150", "-5", "100.5", "5.1.2", "1,2,3"] {
            assert!(parse_percent(raw).is_err(), "{raw}");
        }
    }

    #[test]
    fn errors_name_file_line_and_field() {
        let ok = r#"{"id": "p1", "schema": "Person", "properties": {"name": ["A"]}}"#;
        let own = |percent: &str| {
            format!(
                r#"{{"id": "o1", "schema": "Ownership", "properties": {{"owner": ["a"], "asset": ["b"], "percentage": ["{percent}"]}}}}"#
            )
        };
        let cases: [(String, u64, &str); 9] = [
            (format!("{ok}\n{{\"schema\": \"Person\"}}\n"), 2, "id"),
            (
                format!("{ok}\n{{\"id\": \" \", \"schema\": \"Person\"}}\n"),
                2,
                "id",
            ),
            (format!("{ok}\n\n{{\"id\": \"p2\"}}\n"), 3, "schema"),
            (r#"{"id": 7, "schema": "Person"}"#.to_string(), 1, "id"),
            (format!("{ok}\n{ok}\n"), 2, "id"),
            (own("150"), 1, "properties.percentage"),
            (own("-1"), 1, "properties.percentage"),
            (
                r#"{"id": "p1", "schema": "Person", "properties": {"name": "A"}}"#.to_string(),
                1,
                "properties.name",
            ),
            (
                r#"{"id": "p1", "schema": "Person", "properties": ["A"]}"#.to_string(),
                1,
                "properties",
            ),
        ];
        for (content, want_line, want_field) in cases {
            let (_dir, path) = write(&content);
            let err = load(&path, "t").unwrap_err();
            let message = err.to_string();
            assert!(message.contains("list.ftm.json"), "{message}");
            crate::engine::lists::assert_field_error(&err, want_line, want_field);
        }
        for (content, want_line) in [
            (format!("{ok}\n{{\"id\": \"p2\", \"schema\""), 2),
            ("[1, 2]".to_string(), 1),
            (format!("{ok}\nnot json\n"), 2),
        ] {
            let (_dir, path) = write(&content);
            let err = load(&path, "t").unwrap_err();
            assert!(
                matches!(err, ListError::Malformed { line, .. } if line == want_line),
                "{err}"
            );
            assert!(err.to_string().contains("list.ftm.json"), "{err}");
        }
        for content in ["", " \n\n"] {
            let (_dir, path) = write(content);
            let err = load(&path, "t").unwrap_err();
            assert!(matches!(err, ListError::Empty { .. }), "{err}");
            assert!(err.to_string().contains("list.ftm.json"), "{err}");
        }
    }

    proptest::proptest! {
        /// Arbitrary content, alone or inside an FtM line, loads or fails: it never panics.
        #[test]
        fn arbitrary_content_never_panics(content in "(\\PC|\n|\r){0,80}", prefix in 0usize..3) {
            let content = match prefix {
                0 => content,
                1 => format!(r#"{{"id": "o", "schema": "Ownership", "properties": {{"owner": ["a"], "asset": ["b"], "percentage": [{content:?}]}}}}"#),
                _ => format!(r#"{{"id": "p", "schema": "Person", "properties": {content}"#),
            };
            let (_dir, path) = write(&content);
            let _ = load(&path, "t");
        }
    }
}
