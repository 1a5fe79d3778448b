//! BIS Denied Persons List, as BIS publishes it: a tab-separated text file with a quoted header
//! (`Name, Street_Address, City, State, Country, Postal_Code, Effective_Date, Expiration_Date,
//! Standard_Order, Last_Update, Action, FR_Citation`), one row per denial order and address.
//!
//! The file has no record id, so the entity id is a hash of who and where: the first 8 bytes of
//! SHA-256 over `NAME|STREET|CITY|STATE|COUNTRY|POSTAL` (each trimmed, inner whitespace runs
//! collapsed, upper-cased), in hex. Collapsing whitespace keeps the id stable when BIS fixes a
//! doubled space (`AL-NASER  AIRLINES`). Rows that hash alike are the same party at the same
//! address listed twice (two such pairs in the 2022 file) and merge into one entity.
//!
//! DPL mixes people and companies without a type column; a row is an organization only when
//! its name carries a legal form or business word (see `lists/names.rs`, `has_company_form`),
//! otherwise its kind is unknown rather than guessed.

use std::collections::HashMap;
use std::path::Path;

use sha2::{Digest, Sha256};

use super::csl::{merge_into, resolve_country};
use super::names::{clean, has_company_form, push_names};
use super::table::read_table;
use super::text::{cell, read_utf8};
use super::ListError;
use crate::engine::model::{Entity, EntityKind, LoadedList, NameKind};

const COLUMNS: [&str; 12] = [
    "Name",
    "Street_Address",
    "City",
    "State",
    "Country",
    "Postal_Code",
    "Effective_Date",
    "Expiration_Date",
    "Standard_Order",
    "Last_Update",
    "Action",
    "FR_Citation",
];

const NAME: usize = 0;
const STREET: usize = 1;
const COUNTRY: usize = 4;
const POSTAL: usize = 5;
const EFFECTIVE: usize = 6;
const EXPIRATION: usize = 7;
const ACTION: usize = 10;
const FR_CITATION: usize = 11;

/// The program every DPL entity carries, worded as the CSL names the same list.
pub const PROGRAM: &str = "Denied Persons List (DPL) - Bureau of Industry and Security";

/// Loads a DPL file. Rows for the same name and address merge (see the module docs).
pub fn load(path: &Path, dataset: &str) -> Result<LoadedList, ListError> {
    let text = read_utf8(path)?;
    let rows = read_table(path, &text, b'\t', &COLUMNS)?;
    let mut list = LoadedList {
        dataset: dataset.to_string(),
        ..LoadedList::default()
    };
    let mut by_id: HashMap<String, usize> = HashMap::new();
    for row in &rows {
        let entity = parse_row(path, dataset, row.line, &row.cells)?;
        match by_id.get(&entity.id) {
            Some(&at) => merge_into(&mut list.entities[at], entity),
            None => {
                by_id.insert(entity.id.clone(), list.entities.len());
                list.entities.push(entity);
            }
        }
    }
    Ok(list)
}

fn parse_row(path: &Path, dataset: &str, line: u64, c: &[String]) -> Result<Entity, ListError> {
    let field_error = |column: usize, message: String| ListError::Field {
        path: path.to_path_buf(),
        line,
        field: COLUMNS[column].to_string(),
        message,
    };
    let name = clean(&c[NAME]);
    if name.is_empty() {
        return Err(field_error(NAME, "empty name".into()));
    }
    let date = |column: usize| match cell(&c[column]) {
        None => Ok(None),
        Some(d) => us_date_to_iso(d)
            .map(Some)
            .ok_or_else(|| field_error(column, format!("{d:?} is not MM/DD/YYYY"))),
    };
    let listed_on = date(EFFECTIVE)?;
    let expires = date(EXPIRATION)?;

    let mut e = Entity {
        id: format!("{dataset}:{}", stable_id(c)),
        dataset: dataset.to_string(),
        kind: if has_company_form(&name) {
            EntityKind::Organization
        } else {
            EntityKind::Unknown
        },
        programs: vec![PROGRAM.to_string()],
        listed_on,
        ..Entity::default()
    };
    push_names(&mut e, &name, NameKind::Primary);
    // Street, city, state, postal code, country: the order the CSL uses for the same rows.
    let address: Vec<String> = [STREET, 2, 3, POSTAL, COUNTRY]
        .iter()
        .map(|&i| clean(&c[i]))
        .filter(|p| !p.is_empty())
        .collect();
    if !address.is_empty() {
        e.addresses.push(address.join(", "));
    }
    if let Some(country) = cell(&c[COUNTRY]) {
        e.push_country(&resolve_country(country));
    }
    // The order's action, citation and end date are what a reviewer checks a hit against.
    let mut remarks = Vec::new();
    if let Some(action) = cell(&c[ACTION]) {
        remarks.push(clean(action));
    }
    if let Some(citation) = cell(&c[FR_CITATION]) {
        remarks.push(clean(citation));
    }
    if let Some(expires) = expires {
        remarks.push(format!("expires {expires}"));
    }
    if !remarks.is_empty() {
        e.remarks = Some(remarks.join("; "));
    }
    Ok(e)
}

/// Hex of the first 8 bytes of SHA-256 over the normalised name and address cells.
fn stable_id(c: &[String]) -> String {
    let key = c[NAME..=POSTAL]
        .iter()
        .map(|v| clean(v).to_uppercase())
        .collect::<Vec<_>>()
        .join("|");
    Sha256::digest(key.as_bytes())[..8]
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// `MM/DD/YYYY` to `YYYY-MM-DD`, or `None` when the value is not a plausible date.
fn us_date_to_iso(value: &str) -> Option<String> {
    let mut parts = value.split('/');
    let (m, d, y) = (parts.next()?, parts.next()?, parts.next()?);
    let digits = |s: &str, len: usize| s.len() == len && s.bytes().all(|b| b.is_ascii_digit());
    if parts.next().is_some() || !digits(m, 2) || !digits(d, 2) || !digits(y, 4) {
        return None;
    }
    let (month, day): (u32, u32) = (m.parse().ok()?, d.parse().ok()?);
    if !(1..=12).contains(&month) || !(1..=31).contains(&day) {
        return None;
    }
    Some(format!("{y}-{m}-{d}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn load_real() -> Option<LoadedList> {
        let dir = crate::engine::testing::shared_data()?;
        Some(load(&dir.join("bis-dpl-2022/dpl.txt"), "us_bis_dpl").unwrap())
    }

    // Counts computed independently with Python's csv module (tab delimiter) and hashlib:
    // 581 rows, 579 distinct name+address hashes (DAQING ZHOU and NEI-CHIEN CHU are each
    // listed twice with identical rows).
    #[test]
    fn real_file_counts() {
        let Some(list) = load_real() else { return };
        assert_eq!(list.entities.len(), 579);
        let orgs = list
            .entities
            .iter()
            .filter(|e| e.kind == EntityKind::Organization)
            .count();
        let unknown = list
            .entities
            .iter()
            .filter(|e| e.kind == EntityKind::Unknown)
            .count();
        assert_eq!((orgs, unknown), (EXPECTED_ORGS, 579 - EXPECTED_ORGS));
        let names: usize = list.entities.iter().map(|e| e.names.len()).sum();
        assert_eq!(names, EXPECTED_NAMES);
        assert!(list.entities.iter().all(|e| e.programs == [PROGRAM]));
        assert!(list.ownership.is_empty());
    }
    const EXPECTED_ORGS: usize = 119;
    // 581 published names, plus 3 without a trailing parenthetical abbreviation
    // ("SOCCER ZONE (...)", "SPORTS ZONE (...)", "APPLIED SYSTEMS METHODS AND TECHNOLOGY (ASMAT)").
    const EXPECTED_NAMES: usize = 584;

    #[test]
    fn aaron_abraham_villa() {
        let Some(list) = load_real() else { return };
        let e = list
            .entities
            .iter()
            .find(|e| e.primary_name() == "AARON ABRAHAM VILLA")
            .unwrap();
        assert_eq!(e.id, format!("us_bis_dpl:{AARON_ID}"));
        assert_eq!(e.dataset, "us_bis_dpl");
        assert_eq!(e.kind, EntityKind::Unknown);
        assert_eq!(e.names.len(), 1);
        assert_eq!(e.addresses, ["3415 RIVERA AVENUE, EL PASO, TX, 79905"]);
        assert!(e.countries.is_empty(), "the row leaves Country empty");
        assert_eq!(e.listed_on.as_deref(), Some("2022-08-24"));
        assert_eq!(
            e.remarks.as_deref(),
            Some("F.R. NOTICE ADDED; 87 F.R. 52741 8/29/2022; expires 2026-01-14")
        );
        assert!(e.identifiers.is_empty() && e.birth_dates.is_empty());
    }
    const AARON_ID: &str = "7dbf8259fb14b730";

    #[test]
    fn company_rows_and_duplicates() {
        let Some(list) = load_real() else { return };
        let e = list
            .entities
            .iter()
            .find(|e| e.primary_name() == "AIR FREIGHT LTD")
            .unwrap();
        assert_eq!(e.kind, EntityKind::Organization);
        let zhou: Vec<&Entity> = list
            .entities
            .iter()
            .filter(|e| e.primary_name() == "DAQING ZHOU")
            .collect();
        assert_eq!(zhou.len(), 1);
        assert_eq!(zhou[0].countries, ["CN"]);
    }

    #[test]
    fn dates() {
        assert_eq!(us_date_to_iso("08/24/2022").as_deref(), Some("2022-08-24"));
        for bad in [
            "8/24/2022",
            "13/01/2022",
            "08/24/22",
            "08-24-2022",
            "aa/bb/cccc",
            "//",
        ] {
            assert_eq!(us_date_to_iso(bad), None, "{bad}");
        }
    }

    const HEADER: &str = "\"Name\"\t\"Street_Address\"\t\"City\"\t\"State\"\t\"Country\"\t\"Postal_Code\"\t\"Effective_Date\"\t\"Expiration_Date\"\t\"Standard_Order\"\t\"Last_Update\"\t\"Action\"\t\"FR_Citation\"";
    const ROW: &str = "\"ACME, INC.\"\t\"1 MAIN ST\"\t\"TOWN\"\t\"\"\t\"DE\"\t\"123\"\t\"01/02/2003\"\t\"\"\t\"Y\"\t\"2003-01-02\"\t\"ADDED\"\t\"1 F.R. 2\"";

    fn load_text(content: &[u8]) -> Result<LoadedList, String> {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("dpl.txt");
        std::fs::write(&path, content).unwrap();
        load(&path, "t").map_err(|e| e.to_string())
    }

    #[test]
    fn small_file() {
        let list = load_text(format!("{HEADER}\n{ROW}\n{ROW}\n").as_bytes()).unwrap();
        assert_eq!(list.entities.len(), 1);
        let e = &list.entities[0];
        assert_eq!(e.kind, EntityKind::Organization);
        assert_eq!(e.countries, ["DE"]);
        assert_eq!(e.addresses, ["1 MAIN ST, TOWN, 123, DE"]);
        assert_eq!(e.listed_on.as_deref(), Some("2003-01-02"));
        assert!(e.id.starts_with("t:") && e.id.len() == 2 + 16);
    }

    #[test]
    fn malformed_inputs_name_file_and_line() {
        let unterminated = ROW.replacen("\"1 MAIN ST\"", "\"1 MAIN ST", 1);
        let err =
            load_text(format!("{HEADER}\n{ROW}\n{unterminated}\n{ROW}\n").as_bytes()).unwrap_err();
        assert!(err.contains("dpl.txt:3"), "{err}");
        let err = load_text(format!("{HEADER}\n{ROW}\t\"x\"\n").as_bytes()).unwrap_err();
        assert!(
            err.contains("dpl.txt:2") && err.contains("found 13"),
            "{err}"
        );
        let err = load_text(HEADER.replace("\t\"FR_Citation\"", "").as_bytes()).unwrap_err();
        assert!(
            err.contains("dpl.txt:1") && err.contains("`FR_Citation`"),
            "{err}"
        );
        let bad_date = ROW.replace("01/02/2003", "2003-01-02");
        let err = load_text(format!("{HEADER}\n{bad_date}\n").as_bytes()).unwrap_err();
        assert!(
            err.contains("dpl.txt:2") && err.contains("`Effective_Date`"),
            "{err}"
        );
        let err = load_text(b"").unwrap_err();
        assert!(err.contains("dpl.txt: the file is empty"), "{err}");
        let err = load_text([HEADER.as_bytes(), b"\n\"\xff\"\n"].concat().as_slice()).unwrap_err();
        assert!(err.contains("dpl.txt:2") && err.contains("UTF-8"), "{err}");
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(64))]
        /// Whatever follows a valid header, the loader returns a value or an error.
        #[test]
        fn never_panics(body in "[\\PC\n\t\"/0-9]{0,300}") {
            let _ = load_text(format!("{HEADER}\n{body}").as_bytes());
            let _ = us_date_to_iso(&body);
        }
    }
}
