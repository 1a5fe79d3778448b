//! trade.gov Consolidated Screening List (CSL) CSV: one file that concatenates eleven US export
//! and sanctions lists (BIS Entity List, Denied Persons, Unverified and Military End-User lists,
//! State's ITAR debarments and nonproliferation sanctions, and Treasury's SDN and non-SDN lists).
//!
//! The file is RFC 4180 CSV with a 29-column header. A handful of cells (two names, two
//! addresses) contain line breaks inside quotes; a reader that splits on newlines first sees
//! "rows" whose `source` is ` Shanghai` and the like. Read with a real CSV parser the published
//! May 2022 file has 14,160 well-formed rows and none is dropped or repaired.
//!
//! One row is one listing, not one party: Treasury parties on several Treasury lists (SDN and
//! SSI, SDN and CAPTA, ...) appear once per list under the same `_id` (71 ids, 183 rows in the
//! 2022 file). The entity id contract is `<dataset>:<_id>`, so such rows are merged into one
//! entity whose `programs` name every list, instead of yielding duplicate ids.
//!
//! The `ids` cell has a language of its own (`csl/ids.rs`); the table reader and the name
//! handling are shared with the DPL loader (`lists/table.rs`, `lists/names.rs`), since both
//! formats are tabular US government exports.

mod ids;

use std::collections::HashMap;
use std::path::Path;

use super::names::{clean, has_company_form, push_names, strip_marker};
use super::table::{read_table, Row};
use super::text::{cell, read_utf8, split_multi};
use super::{ListError, LoadOptions};
use crate::engine::model::{Entity, EntityKind, LoadedList, NameKind, Ownership, Relation};
use ids::{parse_id_item, IdItem};

/// The CSL header, in published order.
const COLUMNS: [&str; 29] = [
    "_id",
    "source",
    "entity_number",
    "type",
    "programs",
    "name",
    "title",
    "addresses",
    "federal_register_notice",
    "start_date",
    "end_date",
    "standard_order",
    "license_requirement",
    "license_policy",
    "call_sign",
    "vessel_type",
    "gross_tonnage",
    "gross_registered_tonnage",
    "vessel_flag",
    "vessel_owner",
    "remarks",
    "source_list_url",
    "alt_names",
    "citizenships",
    "dates_of_birth",
    "nationalities",
    "places_of_birth",
    "source_information_url",
    "ids",
];

// Column positions in `COLUMNS` (rows are reordered to this order by `read_table`).
const ID: usize = 0;
const SOURCE: usize = 1;
const TYPE: usize = 3;
const PROGRAMS: usize = 4;
const NAME: usize = 5;
const ADDRESSES: usize = 7;
const START_DATE: usize = 9;
const CALL_SIGN: usize = 14;
const VESSEL_FLAG: usize = 18;
const REMARKS: usize = 20;
const SOURCE_LIST_URL: usize = 21;
const ALT_NAMES: usize = 22;
const CITIZENSHIPS: usize = 23;
const DATES_OF_BIRTH: usize = 24;
const NATIONALITIES: usize = 25;
const PLACES_OF_BIRTH: usize = 26;
const IDS: usize = 28;

/// The `source` value of rows that repeat the OFAC SDN file (dropped with `skip_sdn_rows`).
pub const SDN_SOURCE: &str = "Specially Designated Nationals (SDN) - Treasury Department";

/// Remark markers that name a related party. The 2022 file only uses `Linked To:`; the other
/// two are OFAC's wording elsewhere and are recognised so a newer file does not lose them.
const RELATION_MARKERS: [&str; 3] = ["Linked To:", "Subsidiary Of:", "Owned or Controlled By:"];

/// Loads a CSL CSV file. Rows sharing an `_id` merge into one entity (see the module docs).
pub fn load(path: &Path, dataset: &str, options: &LoadOptions) -> Result<LoadedList, ListError> {
    let text = read_utf8(path)?;
    let rows = read_table(path, &text, b',', &COLUMNS)?;
    let mut list = LoadedList {
        dataset: dataset.to_string(),
        ..LoadedList::default()
    };
    let mut by_id: HashMap<String, usize> = HashMap::new();
    for row in &rows {
        let source = row.cells[SOURCE].trim();
        if options.skip_sdn_rows && source == SDN_SOURCE {
            continue;
        }
        let entity = parse_row(path, dataset, row)?;
        let edges = relations(&row.cells[REMARKS], &entity.id);
        match by_id.get(&entity.id) {
            Some(&at) => merge_into(&mut list.entities[at], entity),
            None => {
                by_id.insert(entity.id.clone(), list.entities.len());
                list.entities.push(entity);
            }
        }
        for edge in edges {
            if !list.ownership.contains(&edge) {
                list.ownership.push(edge);
            }
        }
    }
    Ok(list)
}

/// Builds the entity of one row.
fn parse_row(path: &Path, dataset: &str, row: &Row) -> Result<Entity, ListError> {
    let c = &row.cells;
    let field_error = |column: usize, message: String| ListError::Field {
        path: path.to_path_buf(),
        line: row.line,
        field: COLUMNS[column].to_string(),
        message,
    };
    let id = cell(&c[ID]).ok_or_else(|| field_error(ID, "empty id".into()))?;
    let source = cell(&c[SOURCE]).ok_or_else(|| field_error(SOURCE, "empty list name".into()))?;
    let name = clean(&c[NAME]);
    if name.is_empty() {
        return Err(field_error(NAME, "empty name".into()));
    }
    let kind = EntityKind::parse(&c[TYPE]).ok_or_else(|| {
        field_error(
            TYPE,
            format!(
                "unknown type {:?} (expected Individual, Entity, Vessel, Aircraft or empty)",
                c[TYPE].trim()
            ),
        )
    })?;
    let listed_on = match cell(&c[START_DATE]) {
        Some(d) if is_iso_date(d) => Some(d.to_string()),
        Some(d) => return Err(field_error(START_DATE, format!("{d:?} is not YYYY-MM-DD"))),
        None => None,
    };

    let mut e = Entity {
        id: format!("{dataset}:{id}"),
        dataset: dataset.to_string(),
        listed_on,
        source_url: cell(&c[SOURCE_LIST_URL]).map(str::to_string),
        remarks: cell(&c[REMARKS]).map(clean),
        ..Entity::default()
    };
    push_names(&mut e, &name, NameKind::Primary);
    for alias in split_multi(&c[ALT_NAMES]) {
        push_alt_name(&mut e, alias);
    }
    e.kind = if kind == EntityKind::Unknown {
        infer_kind(&name, c)
    } else {
        kind
    };

    e.programs.push(source.to_string());
    for program in split_multi(&c[PROGRAMS]) {
        if !e.programs.iter().any(|p| p == program) {
            e.programs.push(program.to_string());
        }
    }
    for country in split_multi(&c[NATIONALITIES]).chain(split_multi(&c[CITIZENSHIPS])) {
        e.push_nationality(&resolve_country(country));
    }
    for address in split_addresses(&c[ADDRESSES]) {
        if let Some(country) = address_country(&address) {
            e.push_country(&country);
        }
        if !e.addresses.contains(&address) {
            e.addresses.push(address);
        }
    }
    // The flag is the vessel's registration country, which the model counts as a country.
    if let Some(flag) = cell(&c[VESSEL_FLAG]) {
        e.push_country(&resolve_country(flag));
    }
    for dob in split_multi(&c[DATES_OF_BIRTH]) {
        e.push_birth_date(dob);
    }
    if let Some(call_sign) = cell(&c[CALL_SIGN]) {
        e.push_identifier("call_sign", call_sign, None);
    }
    for item in split_multi(&c[IDS]) {
        match parse_id_item(item) {
            Some(IdItem::Identifier {
                scheme,
                value,
                country,
            }) => e.push_identifier(&scheme, &value, country.as_deref()),
            Some(IdItem::Country(country)) => e.push_country(&country),
            None => {}
        }
    }
    Ok(e)
}

/// Decides the kind of a row whose `type` cell is empty (every BIS and State row).
///
/// Evidence first: personal data (birth date, birthplace, nationality, citizenship) or a name
/// the publisher marks "(... individual)" means a person; a legal form or business word in the
/// name means an organization. Without evidence the kind stays unknown: even the Entity List,
/// mostly companies, lists individuals with bare names ("Hamid Reza Ansarian"), and a wrong
/// kind would count against a correct match.
fn infer_kind(name: &str, c: &[String]) -> EntityKind {
    let personal = [DATES_OF_BIRTH, PLACES_OF_BIRTH, NATIONALITIES, CITIZENSHIPS];
    let lower = name.to_ascii_lowercase();
    if personal.iter().any(|&i| cell(&c[i]).is_some())
        || lower.contains(" individual)")
        || lower.contains(" individual in ")
    {
        EntityKind::Person
    } else if has_company_form(name) {
        EntityKind::Organization
    } else {
        EntityKind::Unknown
    }
}

/// Folds a later row with the same `_id` into the entity built from the first one: the same
/// party listed on another list adds that list's name and anything it states differently.
pub(super) fn merge_into(into: &mut Entity, from: Entity) {
    if into.kind == EntityKind::Unknown {
        into.kind = from.kind;
    }
    for name in from.names {
        let kind = if name.kind == NameKind::Primary {
            NameKind::Alias
        } else {
            name.kind
        };
        into.push_name(&name.value, kind);
    }
    for country in &from.nationalities {
        into.push_nationality(country);
    }
    for country in &from.countries {
        into.push_country(country);
    }
    if into.gender.is_none() {
        into.gender = from.gender;
    }
    for id in from.identifiers {
        into.push_identifier(&id.scheme, &id.value, id.country.as_deref());
    }
    for (target, values) in [
        (&mut into.addresses, from.addresses),
        (&mut into.programs, from.programs),
        (&mut into.birth_dates, from.birth_dates),
    ] {
        for v in values {
            if !target.contains(&v) {
                target.push(v);
            }
        }
    }
    // The earliest listing date is when the party first became restricted.
    if let Some(date) = from.listed_on {
        match &into.listed_on {
            Some(existing) if *existing <= date => {}
            _ => into.listed_on = Some(date),
        }
    }
    if into.source_url.is_none() {
        into.source_url = from.source_url;
    }
    if let Some(r) = from.remarks {
        match &mut into.remarks {
            Some(existing) if !existing.contains(r.as_str()) => {
                existing.push_str("; ");
                existing.push_str(&r);
            }
            Some(_) => {}
            None => into.remarks = Some(r),
        }
    }
}

/// Related-party edges from a remarks cell: `(Linked To: NAME; Linked To: OTHER)`. The named
/// party becomes the `owner` (CSL gives no id for it) and the listed entity the `owned` side.
fn relations(remarks: &str, entity_id: &str) -> Vec<Ownership> {
    let mut edges = Vec::new();
    let lower = remarks.to_ascii_lowercase();
    for marker in RELATION_MARKERS {
        let needle = marker.to_ascii_lowercase();
        let mut from = 0;
        while let Some(found) = lower[from..].find(&needle) {
            let start = from + found + needle.len();
            let end = relation_end(&remarks[start..]) + start;
            let owner = clean(&remarks[start..end]);
            if !owner.is_empty() {
                let relation = if marker == "Linked To:" {
                    Relation::Linked
                } else {
                    Relation::Owner
                };
                let source = format!("csl remark: {}", marker.trim_end_matches(':'));
                edges.push(Ownership::remark(&owner, entity_id, relation, &source));
            }
            from = end;
        }
    }
    edges
}

/// Length of a related party's name: it ends at a `;` or at the `)` closing the remark group,
/// while parentheses inside the name (`ISLAMIC REVOLUTIONARY GUARD CORPS (IRGC)-QODS FORCE`)
/// are kept.
fn relation_end(s: &str) -> usize {
    let mut depth = 0usize;
    for (i, ch) in s.char_indices() {
        match ch {
            '(' => depth += 1,
            ')' if depth == 0 => return i,
            ')' => depth -= 1,
            ';' if depth == 0 => return i,
            _ => {}
        }
    }
    s.len()
}

/// Splits the `addresses` cell. Addresses are `;`-separated, but some publishers also use `;`
/// inside one address (`Tehran-Qom Highway; Shams Abad; ...; No. 1, IR`), and the Entity List
/// joins addresses with `; and`. A fragment without a comma is never a whole CSL address (those
/// always end `, <country code>`) unless it is a bare country code, so it is joined to the next
/// fragment instead of becoming an address of its own.
fn split_addresses(value: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut pending = String::new();
    let parts: Vec<&str> = split_multi(value).collect();
    for (i, part) in parts.iter().enumerate() {
        let part = clean(part.strip_prefix("and ").unwrap_or(part));
        if !pending.is_empty() {
            pending.push_str("; ");
        }
        pending.push_str(&part);
        let last = i + 1 == parts.len();
        if last || part.contains(',') || is_country_code(&part) {
            out.push(std::mem::take(&mut pending));
        }
    }
    out
}

/// The country at the end of an address: a two-letter code as CSL writes it, or a country
/// name the country table knows (`..., Hong Kong`). Postal codes and cities yield nothing.
fn address_country(address: &str) -> Option<String> {
    let last = address.rsplit(',').next()?.trim();
    if is_country_code(last) {
        Some(resolve_country(last))
    } else {
        crate::engine::countries::to_iso2(last).map(str::to_string)
    }
}

/// A country as the model stores it: the ISO code when the table resolves it, a two-letter
/// code upper-cased, otherwise the value as published.
pub(super) fn resolve_country(value: &str) -> String {
    let value = value.trim();
    if let Some(code) = crate::engine::countries::to_iso2(value) {
        code.to_string()
    } else if value.len() == 2 && value.bytes().all(|b| b.is_ascii_alphabetic()) {
        value.to_ascii_uppercase()
    } else {
        value.to_string()
    }
}

fn is_country_code(s: &str) -> bool {
    s.len() == 2 && s.bytes().all(|b| b.is_ascii_uppercase())
}

fn is_iso_date(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 10
        && b[4] == b'-'
        && b[7] == b'-'
        && b.iter()
            .enumerate()
            .all(|(i, c)| i == 4 || i == 7 || c.is_ascii_digit())
}

/// Adds one alternative name. The Entity List writes some as `and X` (its own enumeration) or
/// `f.k.a. X` (a former name).
fn push_alt_name(e: &mut Entity, alias: &str) {
    let alias = clean(alias);
    let alias = alias.strip_prefix("and ").unwrap_or(&alias);
    match strip_marker(alias) {
        Some((kind, rest)) => push_names(e, rest, kind),
        None => push_names(e, alias, NameKind::Alias),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    fn load_real(skip_sdn_rows: bool) -> Option<LoadedList> {
        let dir = crate::engine::testing::shared_data()?;
        let path = dir.join("trade-csl-2022/consolidated.csv");
        Some(load(&path, "us_trade_csl", &LoadOptions { skip_sdn_rows }).unwrap())
    }

    fn find<'a>(list: &'a LoadedList, name: &str) -> &'a Entity {
        list.entities
            .iter()
            .find(|e| e.primary_name() == name)
            .unwrap_or_else(|| panic!("{name} not loaded"))
    }

    // Expected counts below were computed independently in Python (its csv module, and a
    // separate implementation of the kind, alias and remark rules) over the published file:
    // 14,160 rows of 29 fields, 14,048 distinct `_id`s, 10,026 SDN rows.
    #[test]
    fn real_file_counts() {
        let Some(list) = load_real(false) else { return };
        assert_eq!(list.entities.len(), 14_048);
        let ids: std::collections::HashSet<&str> =
            list.entities.iter().map(|e| e.id.as_str()).collect();
        assert_eq!(ids.len(), list.entities.len(), "ids must be unique");
        let mut per_source: BTreeMap<&str, usize> = BTreeMap::new();
        for e in &list.entities {
            for p in e.programs.iter().filter(|p| p.contains(" - ")) {
                *per_source.entry(p.as_str()).or_default() += 1;
            }
        }
        // Every row's list survives the merge of shared `_id`s.
        assert_eq!(per_source[SDN_SOURCE], 10_026);
        assert_eq!(
            per_source["Entity List (EL) - Bureau of Industry and Security"],
            2_001
        );
        assert_eq!(
            per_source["Denied Persons List (DPL) - Bureau of Industry and Security"],
            462
        );
        // 53 CAPTA rows, but `_id` 15268 appears twice on CAPTA itself.
        assert_eq!(per_source["Capta List (CAP) - Treasury Department"], 52);
        let mut kinds: BTreeMap<&str, usize> = BTreeMap::new();
        for e in &list.entities {
            *kinds.entry(e.kind.as_str()).or_default() += 1;
        }
        assert_eq!(kinds, EXPECTED_KINDS.into_iter().collect());
        let names: usize = list.entities.iter().map(|e| e.names.len()).sum();
        assert_eq!(names, EXPECTED_NAMES);
        assert_eq!(list.ownership.len(), EXPECTED_EDGES);
    }

    const EXPECTED_KINDS: [(&str, usize); 5] = [
        ("aircraft", 283),
        ("organization", 5_823),
        ("person", 5_287),
        ("unknown", 2_222),
        ("vessel", 433),
    ];
    // 33,534 published names and aliases, plus 232 names without a trailing parenthetical
    // abbreviation (`Huawei Technologies Co., Ltd. (Huawei)`). A separate Python pass over the
    // file finds 229 such names among those without an a.k.a. marker; the loader adds the
    // few more that appear once an embedded a.k.a. part is split off.
    const EXPECTED_NAMES: usize = 33_766;
    const EXPECTED_EDGES: usize = 4_251;

    #[test]
    fn real_file_without_sdn_rows() {
        let Some(list) = load_real(true) else { return };
        // 14,160 rows - 10,026 SDN rows = 4,134 rows, of which 47 repeat an `_id` already seen.
        assert_eq!(list.entities.len(), SKIPPED_ENTITIES);
        let names: usize = list.entities.iter().map(|e| e.names.len()).sum();
        // 7,605 published names, plus 193 without a trailing parenthetical abbreviation.
        assert_eq!(names, 7_798);
        assert_eq!(list.ownership.len(), 296);
        let people = list
            .entities
            .iter()
            .filter(|e| e.kind == EntityKind::Person);
        assert_eq!(people.count(), 83);
        assert!(list
            .entities
            .iter()
            .all(|e| !e.programs.iter().any(|p| p == SDN_SOURCE)));
    }
    const SKIPPED_ENTITIES: usize = 4_087;

    #[test]
    fn huawei_cloud_singapore() {
        let Some(list) = load_real(true) else { return };
        let e = find(&list, "Huawei Cloud Singapore");
        assert_eq!(
            e.id,
            "us_trade_csl:08cb0578708554f7cd3d2afcb97a5c07b7c74551"
        );
        assert_eq!(e.dataset, "us_trade_csl");
        // No legal form and no personal data: the Entity List also lists bare-named people.
        assert_eq!(e.kind, EntityKind::Unknown);
        assert_eq!(e.names.len(), 1);
        assert_eq!(e.addresses, ["Singapore, SG"]);
        assert_eq!(e.countries, ["SG"]);
        assert_eq!(
            e.programs,
            ["Entity List (EL) - Bureau of Industry and Security"]
        );
        assert_eq!(e.listed_on.as_deref(), Some("2020-08-20"));
        assert_eq!(e.source_url.as_deref(), Some("http://bit.ly/1L47xrV"));
        assert!(e.identifiers.is_empty() && e.birth_dates.is_empty());
    }

    #[test]
    fn entity_with_alt_names_and_former_name() {
        let Some(list) = load_real(true) else { return };
        let e = find(
            &list,
            "Gazprom Promgaz, AO (f.k.a. Otkrytoe Aktsionernoe Obshchestvo Gazprom Promgaz)",
        );
        assert_eq!(e.kind, EntityKind::Unknown);
        let names: Vec<(&str, NameKind)> =
            e.names.iter().map(|n| (n.value.as_str(), n.kind)).collect();
        assert!(
            names.contains(&("Gazprom Promgaz, AO", NameKind::Alias)),
            "{names:?}"
        );
        assert!(
            names.contains(&(
                "Otkrytoe Aktsionernoe Obshchestvo Gazprom Promgaz",
                NameKind::Former
            )),
            "{names:?}"
        );
    }

    #[test]
    fn person_with_birth_dates_and_nationalities() {
        let Some(list) = load_real(false) else { return };
        let e = list
            .entities
            .iter()
            .find(|e| e.id == "us_trade_csl:9935")
            .unwrap();
        assert_eq!(
            e.primary_name(),
            "'ABD AL-RAZZIQ, Abu Sufian al-Salamabi Muhammed Ahmed"
        );
        assert_eq!(e.kind, EntityKind::Person);
        assert_eq!(e.names.len(), 15);
        assert_eq!(e.birth_dates, ["1962-08-06"]);
        assert_eq!(e.countries, ["CA", "SD"]);
        assert_eq!(e.nationalities, ["CA", "SD"]);
        assert_eq!(e.programs, [SDN_SOURCE, "SDGT"]);
        assert_eq!(e.identifiers.len(), 1);
        assert_eq!(e.identifiers[0].scheme, "passport");
        assert_eq!(e.identifiers[0].value, "BC166787");
        assert_eq!(e.identifiers[0].country.as_deref(), Some("CA"));
    }

    #[test]
    fn vessel() {
        let Some(list) = load_real(false) else { return };
        let e = find(&list, "AKADEMIK CHERSKIY");
        assert_eq!(e.id, "us_trade_csl:31920");
        assert_eq!(e.kind, EntityKind::Vessel);
        let aliases: Vec<&str> = e.names[1..].iter().map(|n| n.value.as_str()).collect();
        assert_eq!(aliases, ["AKADEMIK CHERSKY", "AKADEMIK CZERSKY"]);
        assert_eq!(e.programs, [SDN_SOURCE, "PEESA-EO14039"]);
        let ids: Vec<(&str, &str)> = e
            .identifiers
            .iter()
            .map(|i| (i.scheme.as_str(), i.value.as_str()))
            .collect();
        assert_eq!(ids, [("call_sign", "UDQB"), ("imo", "8770261")]);
        assert_eq!(e.countries, [resolve_country("Russia")]);
        let edge = list.ownership.iter().find(|o| o.owned == e.id).unwrap();
        assert_eq!(edge.owner, "SAMARA HEAT AND ENERGY PROPERTY FUND");
        assert_eq!(edge.source, "csl remark: Linked To");
    }

    #[test]
    fn rows_listed_twice_merge() {
        let Some(list) = load_real(false) else { return };
        let e = list
            .entities
            .iter()
            .find(|e| e.id == "us_trade_csl:18725")
            .unwrap();
        assert_eq!(e.primary_name(), "BANCO VTB AFRICA SA");
        assert_eq!(
            &e.programs[..3],
            [
                "Capta List (CAP) - Treasury Department",
                "UKRAINE-EO13662",
                "RUSSIA-EO14024"
            ]
        );
        assert!(e.programs.iter().any(|p| p == SDN_SOURCE));
        assert!(e
            .programs
            .iter()
            .any(|p| p.starts_with("Sectoral Sanctions")));
    }

    #[test]
    fn multi_line_cells_are_one_row() {
        let Some(list) = load_real(true) else { return };
        let e = list
            .entities
            .iter()
            .find(|e| e.primary_name() == "Government Flying Service")
            .unwrap();
        assert_eq!(e.kind, EntityKind::Unknown);
        assert!(list
            .entities
            .iter()
            .all(|e| e.programs.iter().all(|p| !p.trim().eq("Shanghai"))));
    }

    #[test]
    fn addresses_and_relations() {
        assert_eq!(
            split_addresses("Tehran-Qom Highway; Shams Abad; No. 1, IR; Qom Highway, Tehran, IR"),
            [
                "Tehran-Qom Highway; Shams Abad; No. 1, IR",
                "Qom Highway, Tehran, IR"
            ]
        );
        assert_eq!(split_addresses("RU; IR"), ["RU", "IR"]);
        assert_eq!(split_addresses("a, b; and c, CN"), ["a, b", "c, CN"]);
        assert_eq!(address_country("a, b, 79720"), None);
        assert_eq!(address_country("Beijing, CN").as_deref(), Some("CN"));
        assert_eq!(
            relations("(Linked To: A (B)-C; Linked To: D)", "x").len(),
            2
        );
        assert_eq!(
            relations("(Linked To: A (B)-C; Linked To: D)", "x")[0].owner,
            "A (B)-C"
        );
        assert!(relations("Linked To:", "x").is_empty());
    }

    fn write(name: &str, content: &[u8]) -> (tempfile::TempDir, std::path::PathBuf) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(name);
        std::fs::write(&path, content).unwrap();
        (dir, path)
    }

    fn header() -> String {
        COLUMNS.join(",")
    }

    fn row(id: &str, source: &str, kind: &str, name: &str) -> String {
        let mut cells = vec![String::new(); 29];
        cells[ID] = id.into();
        cells[SOURCE] = source.into();
        cells[TYPE] = kind.into();
        cells[NAME] = format!("\"{name}\"");
        cells.join(",")
    }

    fn load_text(content: &str) -> Result<LoadedList, String> {
        let (_dir, path) = write("csl.csv", content.as_bytes());
        load(&path, "t", &LoadOptions::default()).map_err(|e| e.to_string())
    }

    #[test]
    fn small_file_and_kind_rules() {
        let text = [
            header(),
            row(
                "1",
                "ITAR Debarred (DTC) - State Department",
                "",
                "Joe Smith",
            ),
            row(
                "2",
                "ITAR Debarred (DTC) - State Department",
                "",
                "Acme, Inc.",
            ),
            row(
                "3",
                "Entity List (EL) - Bureau of Industry and Security",
                "",
                "Hamid Reza Ansarian",
            ),
            row("4", SDN_SOURCE, "Individual", "DOE, John"),
        ]
        .join("\n");
        let list = load_text(&text).unwrap();
        let kinds: Vec<EntityKind> = list.entities.iter().map(|e| e.kind).collect();
        use EntityKind::*;
        assert_eq!(kinds, [Unknown, Organization, Unknown, Person]);
        assert_eq!(list.entities[0].id, "t:1");
        let (_dir, path) = write("csl.csv", text.as_bytes());
        let options = LoadOptions {
            skip_sdn_rows: true,
        };
        assert_eq!(load(&path, "t", &options).unwrap().entities.len(), 3);
    }

    #[test]
    fn birth_dates_nationalities_and_citizenships() {
        // Names without commas: the cells are patched by splitting the row at commas.
        let mut first = row("7", SDN_SOURCE, "Individual", "John Doe");
        let mut second = row("7", "Sectoral Sanctions Identifications List", "", "J. Doe");
        for (line, dobs, nationalities, citizenships) in [
            (&mut first, "1962-03-12; circa 1960", "IQ; Syria", "TR"),
            (&mut second, "1979 to 1982; 1962-03-12", "", "Atlantis; iq"),
        ] {
            let mut cells: Vec<String> = line.split(',').map(str::to_string).collect();
            cells[DATES_OF_BIRTH] = dobs.into();
            cells[NATIONALITIES] = nationalities.into();
            cells[CITIZENSHIPS] = citizenships.into();
            *line = cells.join(",");
        }
        let list = load_text(&[header(), first, second].join("\n")).unwrap();
        let [e] = list.entities.as_slice() else {
            panic!("{:?}", list.entities)
        };
        assert_eq!(e.birth_dates, ["1962-03-12", "circa 1960", "1979 to 1982"]);
        // Nationalities then citizenships, as codes where they resolve; each a country too.
        assert_eq!(e.nationalities, ["IQ", "SY", "TR", "Atlantis"]);
        assert_eq!(e.countries, ["IQ", "SY", "TR", "Atlantis"]);
        // The CSL has no gender column.
        assert_eq!(e.gender, None);
    }

    #[test]
    fn malformed_inputs_name_file_and_line() {
        let good = row("1", SDN_SOURCE, "Entity", "A");
        // Unterminated quote on line 3 swallows the rest of the file.
        let text = format!(
            "{}\n{good}\n{}\n{good}\n",
            header(),
            row("2", "x", "", "B,C")
        );
        let text = text.replacen("\"B,C\"", "\"B,C", 1);
        let err = load_text(&text).unwrap_err();
        assert!(err.contains("csl.csv:3"), "{err}");
        // Wrong column count.
        let err = load_text(&format!("{}\n{good}\n{good},extra\n", header())).unwrap_err();
        assert!(
            err.contains("csl.csv:3") && err.contains("found 30"),
            "{err}"
        );
        // Missing and unexpected header columns.
        let err = load_text(&format!("{}\n", header().replace(",ids", ""))).unwrap_err();
        assert!(err.contains("csl.csv:1") && err.contains("`ids`"), "{err}");
        let err = load_text(&format!("{}\n", header().replace(",ids", ",idz"))).unwrap_err();
        assert!(err.contains("csl.csv:1") && err.contains("`idz`"), "{err}");
        // Bad field values.
        let err =
            load_text(&format!("{}\n{}\n", header(), row("1", "x", "Robot", "A"))).unwrap_err();
        assert!(err.contains("csl.csv:2") && err.contains("`type`"), "{err}");
        let err = load_text(&format!("{}\n{}\n", header(), row("", "x", "", "A"))).unwrap_err();
        assert!(err.contains("csl.csv:2") && err.contains("`_id`"), "{err}");
        // Header only, empty file, invalid UTF-8.
        let err = load_text(&format!("{}\n", header())).unwrap_err();
        assert!(
            err.contains("csl.csv") && err.contains("at least one record"),
            "{err}"
        );
        let err = load_text("").unwrap_err();
        assert!(err.contains("csl.csv: the file is empty"), "{err}");
        let (_dir, path) = write("csl.csv", &[header().as_bytes(), b"\n1,\xff\n"].concat());
        let err = load(&path, "t", &LoadOptions::default())
            .unwrap_err()
            .to_string();
        assert!(err.contains("csl.csv:2") && err.contains("UTF-8"), "{err}");
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(64))]
        /// Whatever follows a valid header, the loader returns a value or an error.
        #[test]
        fn never_panics(body in "[\\PC\n\",;()\\[\\]a-kA-K]{0,300}") {
            let _ = load_text(&format!("{}\n{body}", header()));
            let mut e = Entity::default();
            push_names(&mut e, &body, NameKind::Primary);
            let _ = relations(&body, "x");
            let _ = split_addresses(&body);
            let _ = parse_id_item(&body);
        }
    }
}
