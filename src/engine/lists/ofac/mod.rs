//! OFAC legacy CSV: the SDN set (`sdn.csv`, `alt.csv`, `add.csv`, `sdn_comments.csv`) or the
//! consolidated non-SDN set (`cons_prim.csv`, `cons_alt.csv`, `cons_add.csv`,
//! `cons_comments.csv`).
//!
//! The files have no header, are Windows-1252 encoded, write `-0-` for an empty cell and end
//! with a DOS end-of-file character (`\x1a`) on a line of its own. Much of what OFAC knows about
//! a party (dates of birth, passports, nationalities, weak aliases, links to other parties) is
//! only in the free-text Remarks cell, as `;`-separated clauses; this loader lifts the clauses
//! it recognises into structured fields and keeps the whole text in [`Entity::remarks`].
//!
//! OFAC cuts every Remarks cell at 1,000 characters and continues it in the comments file, so
//! the comments are appended (byte for byte, the cut can fall inside a word) before the remarks
//! are parsed; otherwise aliases and identifiers past the cut would be lost.

mod remarks;

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use super::text::{cell, read_windows1252};
use super::ListError;
use crate::engine::model::{Entity, EntityKind, LoadedList, NameKind, Ownership, Relation};
use remarks::parse_remarks;

/// The four file names of one OFAC publication.
struct FileSet {
    primary: &'static str,
    alt: &'static str,
    add: &'static str,
    comments: &'static str,
}

const SDN: FileSet = FileSet {
    primary: "sdn.csv",
    alt: "alt.csv",
    add: "add.csv",
    comments: "sdn_comments.csv",
};

const CONS: FileSet = FileSet {
    primary: "cons_prim.csv",
    alt: "cons_alt.csv",
    add: "cons_add.csv",
    comments: "cons_comments.csv",
};

/// Loads the OFAC set in the folder `path` as dataset `dataset`; entity ids are
/// `<dataset>:<ent_num>`.
///
/// `alt`/`add` rows for an ent_num missing from the primary file are errors, since they show
/// the files come from different publications. Comment rows for unknown ent_nums are skipped
/// instead: they only continue the remarks of an entry that is not there, and the archived 2019
/// SDN set really does ship such a comments file (see the tests).
pub fn load(path: &Path, dataset: &str) -> Result<LoadedList, ListError> {
    let set = detect(path)?;
    let primary = path.join(set.primary);
    let mut entities: Vec<Entity> = Vec::new();
    let mut remarks: Vec<String> = Vec::new();
    let mut by_num: HashMap<u64, usize> = HashMap::new();
    let mut ownership = Vec::new();

    for (line, row) in read_rows(&primary, 12)? {
        let num = ent_num(&primary, line, &row)?;
        if by_num.insert(num, entities.len()).is_some() {
            return Err(field_error(
                &primary,
                line,
                "ent_num",
                format!("duplicate entry {num}"),
            ));
        }
        let name = cell(get(&row, 1)).ok_or_else(|| {
            field_error(
                &primary,
                line,
                "SDN_Name",
                "the primary name is empty".into(),
            )
        })?;
        let id = format!("{dataset}:{num}");
        let mut entity = Entity {
            id: id.clone(),
            dataset: dataset.to_string(),
            kind: kind_of(cell(get(&row, 2))),
            ..Entity::default()
        };
        entity.push_name(name, NameKind::Primary);
        // Rows naming several programs write them as "SDGT] [IRGC": the outer brackets of
        // "[SDGT] [IRGC]" are dropped by OFAC, the inner ones stay.
        for program in get(&row, 3).split(['[', ']']).filter_map(cell) {
            if !entity.programs.iter().any(|p| p == program) {
                entity.programs.push(program.to_string());
            }
        }
        if let Some(call_sign) = cell(get(&row, 5)) {
            entity.push_identifier("call_sign", call_sign, None);
        }
        if let Some(flag) = cell(get(&row, 9)) {
            entity.push_country(&country(flag));
        }
        if let Some(owner) = cell(get(&row, 10)) {
            ownership.push(edge(owner, &id, "ofac vessel owner"));
        }
        // Kept untrimmed: the comments file continues this text exactly where it was cut.
        remarks.push(get(&row, 11).to_string());
        entities.push(entity);
    }

    let alt = path.join(set.alt);
    for (line, row) in read_rows(&alt, 5)? {
        let entity = owner_row(&alt, line, &row, &by_num, set.primary)?;
        let Some(entity) = entities.get_mut(entity) else {
            continue;
        };
        let kind = match cell(get(&row, 2)).map(str::to_ascii_lowercase).as_deref() {
            Some("fka") => NameKind::Former,
            // "nka" (now known as) is a current name, as strong as "aka".
            _ => NameKind::Alias,
        };
        if let Some(name) = cell(get(&row, 3)) {
            entity.push_name(name, kind);
        }
    }

    let add = path.join(set.add);
    for (line, row) in read_rows(&add, 6)? {
        let entity = owner_row(&add, line, &row, &by_num, set.primary)?;
        let Some(entity) = entities.get_mut(entity) else {
            continue;
        };
        let parts: Vec<&str> = [get(&row, 2), get(&row, 3)]
            .into_iter()
            .filter_map(cell)
            .collect();
        if !parts.is_empty() {
            let address = parts.join(", ");
            if !entity.addresses.contains(&address) {
                entity.addresses.push(address);
            }
        }
        if let Some(name) = cell(get(&row, 4)) {
            entity.push_country(&country(name));
        }
    }

    // Older publications predate the comments file, and a publication without long remarks
    // has nothing to put in it, so a missing or empty comments file is no error.
    let comments = path.join(set.comments);
    let comment_rows = match read_rows(&comments, 2) {
        Err(ListError::Empty { .. }) => Vec::new(),
        Err(ListError::Io { source, .. }) if source.kind() == std::io::ErrorKind::NotFound => {
            Vec::new()
        }
        rows => rows?,
    };
    let mut warnings = Vec::new();
    for (line, row) in comment_rows {
        let num = ent_num(&comments, line, &row)?;
        match by_num.get(&num).and_then(|&i| remarks.get_mut(i)) {
            Some(text) => text.push_str(get(&row, 1)),
            None => warnings.push(format!(
                "{}:{line}: remarks continue entry {num}, which {} does not hold; skipped",
                comments.display(),
                set.primary
            )),
        }
    }

    for (entity, text) in entities.iter_mut().zip(&remarks) {
        if let Some(text) = cell(text) {
            parse_remarks(entity, text, &mut ownership);
            entity.remarks = Some(text.to_string());
        }
    }

    Ok(LoadedList {
        dataset: dataset.to_string(),
        entities,
        ownership,
        as_of: None,
        warnings,
    })
}

/// Decides which set the folder holds. A folder holding both is refused: the two sets are
/// different datasets, and silently picking one would drop the other.
fn detect(path: &Path) -> Result<&'static FileSet, ListError> {
    let has = |name: &str| path.join(name).is_file();
    let missing = |path: PathBuf, expected: &str| ListError::Missing {
        path,
        expected: expected.to_string(),
    };
    match (has(SDN.primary), has(CONS.primary)) {
        (true, false) => Ok(&SDN),
        (false, true) => Ok(&CONS),
        (true, true) => Err(missing(
            path.to_path_buf(),
            "either the SDN set (sdn.csv) or the consolidated set (cons_prim.csv), not both",
        )),
        (false, false) if has(CONS.alt) || has(CONS.add) => Err(missing(
            path.join(CONS.primary),
            "the consolidated list's primary file",
        )),
        (false, false) if path.is_dir() => Err(missing(
            path.join(SDN.primary),
            "an OFAC legacy CSV folder: sdn.csv (or cons_prim.csv) with its alt, add and \
             comments files",
        )),
        (false, false) => Err(missing(
            path.to_path_buf(),
            "a folder holding OFAC's sdn.csv or cons_prim.csv",
        )),
    }
}

/// Reads a CSV file into `(line, record)` pairs, checking that every record has `columns`
/// cells.
///
/// The csv crate reads an unterminated quote silently to the end of the file, which would
/// merge many rows into one. OFAC never breaks a line inside a cell (every real file has one
/// record per line), so a line with an odd number of quotes is reported as malformed instead.
fn read_rows(path: &Path, columns: usize) -> Result<Vec<(u64, csv::StringRecord)>, ListError> {
    let text = read_windows1252(path)?;
    // The trailing DOS end-of-file marker, and any blank lines around it.
    let body = text
        .trim_end()
        .trim_end_matches('\u{1a}')
        .trim_end_matches(['\r', '\n']);
    if body.trim().is_empty() {
        return Err(ListError::Empty {
            path: path.to_path_buf(),
        });
    }
    let malformed = |line: u64, message: String| ListError::Malformed {
        path: path.to_path_buf(),
        line,
        message,
    };
    for (n, line) in (1u64..).zip(body.split('\n')) {
        if line.matches('"').count() % 2 == 1 {
            return Err(malformed(
                n,
                "unbalanced quote: a quoted cell is not closed on its line".into(),
            ));
        }
    }
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(body.as_bytes());
    let mut lines = LineCounter::new(body);
    let mut rows = Vec::new();
    for record in reader.records() {
        let record = record.map_err(|e| {
            let line = lines.line_at(e.position().map_or(u64::MAX, csv::Position::byte));
            malformed(line, e.to_string())
        })?;
        let line = lines.line_at(record.position().map_or(u64::MAX, csv::Position::byte));
        if record.len() != columns {
            return Err(malformed(
                line,
                format!("expected {columns} columns, found {}", record.len()),
            ));
        }
        rows.push((line, record));
    }
    Ok(rows)
}

/// Turns the byte offsets of records, met in increasing order, into 1-based line numbers.
///
/// `csv::Position::line()` cannot be used: with CRLF line ends (which OFAC writes) the reader
/// stops a record at the `\r` and counts the `\n` only when it reads the next record, so every
/// record after the first would be reported one line too early.
struct LineCounter<'a> {
    bytes: &'a [u8],
    at: usize,
    line: u64,
}

impl<'a> LineCounter<'a> {
    fn new(text: &'a str) -> Self {
        LineCounter {
            bytes: text.as_bytes(),
            at: 0,
            line: 1,
        }
    }

    /// The line of the first character at or after `byte` that is not a line break.
    fn line_at(&mut self, byte: u64) -> u64 {
        let len = self.bytes.len();
        let start = usize::try_from(byte).unwrap_or(len).clamp(self.at, len);
        let rest = self.bytes.get(start..).unwrap_or_default();
        let target = start
            + rest
                .iter()
                .take_while(|&&b| b == b'\r' || b == b'\n')
                .count();
        let skipped = self.bytes.get(self.at..target).unwrap_or_default();
        self.line += skipped.iter().filter(|&&b| b == b'\n').count() as u64;
        self.at = target;
        self.line
    }
}

/// A cell by index, `""` when absent (rows are length-checked, so this never hides data).
fn get(row: &csv::StringRecord, index: usize) -> &str {
    row.get(index).unwrap_or("")
}

fn field_error(path: &Path, line: u64, field: &str, message: String) -> ListError {
    ListError::Field {
        path: path.to_path_buf(),
        line,
        field: field.to_string(),
        message,
    }
}

fn ent_num(path: &Path, line: u64, row: &csv::StringRecord) -> Result<u64, ListError> {
    let raw = get(row, 0).trim();
    raw.parse()
        .map_err(|_| field_error(path, line, "ent_num", format!("not an integer: {raw:?}")))
}

/// The index of the primary entry an `alt`/`add` row belongs to.
fn owner_row(
    path: &Path,
    line: u64,
    row: &csv::StringRecord,
    by_num: &HashMap<u64, usize>,
    primary: &str,
) -> Result<usize, ListError> {
    let num = ent_num(path, line, row)?;
    by_num.get(&num).copied().ok_or_else(|| {
        field_error(
            path,
            line,
            "ent_num",
            format!("no entry {num} in {primary}"),
        )
    })
}

fn kind_of(sdn_type: Option<&str>) -> EntityKind {
    match sdn_type {
        Some(t) if t.eq_ignore_ascii_case("individual") => EntityKind::Person,
        Some(t) if t.eq_ignore_ascii_case("vessel") => EntityKind::Vessel,
        Some(t) if t.eq_ignore_ascii_case("aircraft") => EntityKind::Aircraft,
        // OFAC leaves the type empty (`-0-`) for organizations.
        _ => EntityKind::Organization,
    }
}

/// ISO alpha-2 code of a country name when known, otherwise the name as published.
fn country(name: &str) -> String {
    let name = name.trim();
    crate::engine::countries::to_iso2(name).map_or_else(|| name.to_string(), str::to_string)
}

fn edge(owner: &str, owned: &str, source: &str) -> Ownership {
    let relation = if source.ends_with("Linked To") {
        Relation::Linked
    } else {
        Relation::Owner
    };
    Ownership::remark(owner, owned, relation, source)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::model::{Gender, Identifier};

    fn load_shared(folder: &str, dataset: &str) -> Option<LoadedList> {
        let dir = crate::engine::testing::shared_data()?;
        Some(load(&dir.join(folder), dataset).unwrap())
    }

    fn entity<'a>(list: &'a LoadedList, id: &str) -> &'a Entity {
        list.entities.iter().find(|e| e.id == id).unwrap()
    }

    fn names(e: &Entity, kind: NameKind) -> Vec<&str> {
        e.names
            .iter()
            .filter(|n| n.kind == kind)
            .map(|n| n.value.as_str())
            .collect()
    }

    fn ident(scheme: &str, value: &str, country: Option<&str>) -> Identifier {
        Identifier {
            scheme: scheme.into(),
            value: value.into(),
            country: country.map(str::to_string),
        }
    }

    /// (entries, strong aliases, persons, organizations, vessels, aircraft, ownership
    /// edges) of a loaded list.
    fn counts(list: &LoadedList) -> [usize; 7] {
        let kind = |k| list.entities.iter().filter(|e| e.kind == k).count();
        let aliases = list
            .entities
            .iter()
            .flat_map(|e| &e.names)
            .filter(|n| n.kind == NameKind::Alias)
            .count();
        [
            list.entities.len(),
            aliases,
            kind(EntityKind::Person),
            kind(EntityKind::Organization),
            kind(EntityKind::Vessel),
            kind(EntityKind::Aircraft),
            list.ownership.len(),
        ]
    }

    // Expected counts were computed once with Python's csv module (and the entry and kind
    // counts again with awk) over the shared files. Strong aliases are the "aka" + "nka" rows
    // of alt.csv (11,910 rows in 2021: 11,523 aka, 369 fka, 18 nka) less those equal (ASCII
    // case-insensitively) to a name the entry already has: 6 in 2021, 7 in 2019, 2 in the
    // consolidated list, all "aka". Ownership counts are "Linked To:" clauses in the
    // remarks (continuations included) plus filled Vess_owner cells.
    #[test]
    fn sdn_2021_counts() {
        let Some(list) = load_shared("ofac-sdn-2021", "us_ofac_sdn") else {
            return;
        };
        assert_eq!(
            counts(&list),
            [8976, 11517 + 18, 4620, 3673, 406, 277, 3408 + 10]
        );
        assert_eq!(list.dataset, "us_ofac_sdn");
    }

    /// The 2019 folder holds 7,379 rows (the README's 7,378 is `wc -l`: the last row lacks its
    /// newline), and its sdn_comments.csv continues 10 entries that are not in this sdn.csv.
    #[test]
    fn sdn_2019_counts() {
        let Some(list) = load_shared("ofac-sdn-2019", "us_ofac_sdn") else {
            return;
        };
        assert_eq!(
            counts(&list),
            [7379, 9328 + 16, 3845, 2994, 323, 217, 2427 + 9]
        );
        // The 10 orphan comment rows are reported, not dropped silently.
        assert_eq!(list.warnings.len(), 10, "{:?}", list.warnings);
        assert!(
            list.warnings[0].contains("sdn_comments.csv:"),
            "{}",
            list.warnings[0]
        );
        let last = entity(&list, "us_ofac_sdn:26235");
        assert_eq!(last.primary_name(), "MALKEVICH, Alexander Aleksandrovich");
        assert_eq!(last.birth_dates, ["1975-06-14"]);
    }

    /// The README's 443 counts the end-of-file marker line; there are 442 entries.
    #[test]
    fn consolidated_2025_counts() {
        let Some(list) = load_shared("ofac-consolidated-2025", "us_ofac_cons") else {
            return;
        };
        assert_eq!(counts(&list), [442, 930, 79, 363, 0, 0, 283]);
        let gazprom = entity(&list, "us_ofac_cons:17250");
        assert_eq!(gazprom.primary_name(), "PUBLIC JOINT STOCK COMPANY GAZPROM");
        // Split across cons_prim.csv and cons_comments.csv.
        assert!(gazprom
            .identifiers
            .contains(&ident("registration", "1027700070518", Some("RU"))));
        let sberbank = entity(&list, "us_ofac_cons:17018");
        assert_eq!(sberbank.programs, ["UKRAINE-EO13662", "RUSSIA-EO14024"]);
    }

    #[test]
    fn banco_nacional_de_cuba() {
        let Some(list) = load_shared("ofac-sdn-2021", "us_ofac_sdn") else {
            return;
        };
        let e = entity(&list, "us_ofac_sdn:306");
        assert_eq!(e.dataset, "us_ofac_sdn");
        assert_eq!(e.kind, EntityKind::Organization);
        assert_eq!(names(e, NameKind::Primary), ["BANCO NACIONAL DE CUBA"]);
        assert_eq!(names(e, NameKind::Alias), ["NATIONAL BANK OF CUBA"]);
        assert_eq!(names(e, NameKind::Weak), ["BNC"]);
        assert_eq!(e.programs, ["CUBA"]);
        assert_eq!(
            e.addresses.first().unwrap(),
            "Zweierstrasse 35, Zurich CH-8022"
        );
        assert_eq!(e.addresses.len(), 4);
        assert_eq!(e.countries, ["CH", "ES", "JP", "PA"]);
        assert_eq!(e.remarks.as_deref(), Some("a.k.a. 'BNC'."));
        assert!(e.identifiers.is_empty() && e.birth_dates.is_empty());
    }

    #[test]
    fn person_with_dob_passport_and_nationality() {
        let Some(list) = load_shared("ofac-sdn-2021", "us_ofac_sdn") else {
            return;
        };
        let e = entity(&list, "us_ofac_sdn:6944");
        assert_eq!(e.kind, EntityKind::Person);
        assert_eq!(e.primary_name(), "AL-SHARIF, Sa'd Abdullah Hussein");
        assert_eq!(e.birth_dates, ["1969", "1963", "1964-02-11"]);
        assert_eq!(e.countries, ["SA"]);
        assert_eq!(
            e.identifiers,
            [
                ident("passport", "B 960789", None),
                ident("passport", "G 649385", None)
            ]
        );
        let e = entity(&list, "us_ofac_sdn:7150");
        // The address country comes first: add.csv is read before the remarks are parsed.
        assert_eq!(e.countries, ["ZA", "LY"]);
        assert_eq!(e.identifiers, [ident("passport", "203037", Some("LY"))]);
        assert_eq!(
            names(e, NameKind::Weak),
            ["ABU ANAS", "'ABD AL-MUHSI", "'ABD AL-RAHMAN"]
        );
    }

    #[test]
    fn vessel_with_imo_and_link() {
        let Some(list) = load_shared("ofac-sdn-2021", "us_ofac_sdn") else {
            return;
        };
        let e = entity(&list, "us_ofac_sdn:15036");
        assert_eq!(e.kind, EntityKind::Vessel);
        assert_eq!(e.primary_name(), "ARTAVIL");
        assert_eq!(names(e, NameKind::Former), ["ABADAN", "SHONA", "ALPHA"]);
        assert_eq!(e.countries, ["IR"]);
        assert_eq!(
            e.identifiers,
            [
                ident("call_sign", "T2EU4", None),
                ident("imo", "9187629", None),
                ident("mmsi", "572469210", None)
            ]
        );
        let links: Vec<&Ownership> = list
            .ownership
            .iter()
            .filter(|o| o.owned == "us_ofac_sdn:15036")
            .collect();
        assert_eq!(
            links,
            [&edge(
                "NATIONAL IRANIAN TANKER COMPANY",
                "us_ofac_sdn:15036",
                "ofac remark: Linked To"
            )]
        );
    }

    /// ent_num 28264's remarks are cut at 1,000 characters inside "Phone Number"; the rest,
    /// with an identifier, two aliases and a link, is in sdn_comments.csv.
    #[test]
    fn remarks_continue_in_comments() {
        let Some(list) = load_shared("ofac-sdn-2021", "us_ofac_sdn") else {
            return;
        };
        let e = entity(&list, "us_ofac_sdn:28264");
        assert_eq!(e.programs, ["DPRK3", "CYBER2"]);
        assert_eq!(e.birth_dates, ["1987-01-10"]);
        assert_eq!(e.addresses, ["Anshan, Liaoning"]);
        assert_eq!(e.countries, ["CN"]);
        let remarks = e.remarks.as_deref().unwrap();
        assert!(
            remarks.contains("510.210; Phone Number 8613314257947;"),
            "{remarks}"
        );
        assert!(remarks.ends_with("Linked To: LAZARUS GROUP."), "{remarks}");
        assert_eq!(names(e, NameKind::Weak), ["blackjack1987", "khaleesi"]);
        assert!(e
            .identifiers
            .contains(&ident("identification", "210302198701102136", Some("CN"))));
        assert!(e.identifiers.contains(&ident(
            "digital_currency_xbt",
            "1EfMVkxQQuZfBdocpJu6RUsCJvenQWbQyE",
            None
        )));
        assert!(list
            .ownership
            .contains(&edge("LAZARUS GROUP", &e.id, "ofac remark: Linked To")));
    }

    /// Writes an SDN folder; `None` leaves a file out.
    fn folder(files: &[(&str, &[u8])]) -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        for (name, body) in files {
            std::fs::write(dir.path().join(name), body).unwrap();
        }
        dir
    }

    const SDN_ROW: &[u8] = b"10,\"DOE, John\",\"individual\",\"SDGT] [IRGC\",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,\"DOB 12 Mar 1962; alt. DOB circa 1960; nationality Iran; alt. Passport A123 (Iran) issued 2001; Subsidiary Of: ACME CORP.; a.k.a. ''JD''; f.k.a. 'JOHNNY'; Tax ID No. 99-1\"\r\n";
    const ALT_ROW: &[u8] = b"10,1,\"nka\",\"DOE, J.\",-0- \r\n";
    const ADD_ROW: &[u8] = b"10,1,-0- ,\"Tehran\",\"Iran\",-0- \r\n";

    fn error(files: &[(&str, &[u8])]) -> String {
        let dir = folder(files);
        load(dir.path(), "t").unwrap_err().to_string()
    }

    #[test]
    fn synthetic_folder_parses_every_part() {
        let sdn = [SDN_ROW, b"11,\"SHIP\",\"vessel\",\"IRAN\",-0- ,\"ABC1\",-0- ,-0- ,-0- ,\"Panama\",\"OWNER CO\",\"IMO 1234567; \"".as_slice(), b"\r\n\x1a"].concat();
        let dir = folder(&[
            ("sdn.csv", &sdn),
            ("alt.csv", ALT_ROW),
            ("add.csv", ADD_ROW),
            ("sdn_comments.csv", b"11,\"Registration ID 7 (Panama).\""),
        ]);
        let list = load(dir.path(), "t").unwrap();
        let [doe, ship] = list.entities.as_slice() else {
            panic!("{:?}", list.entities);
        };
        assert_eq!(doe.id, "t:10");
        assert_eq!(doe.programs, ["SDGT", "IRGC"]);
        assert_eq!(doe.birth_dates, ["1962-03-12", "circa 1960"]);
        assert_eq!(names(doe, NameKind::Alias), ["DOE, J."]);
        assert_eq!(names(doe, NameKind::Weak), ["JD"]);
        assert_eq!(names(doe, NameKind::Former), ["JOHNNY"]);
        assert_eq!(doe.countries, ["IR"]);
        assert_eq!(doe.addresses, ["Tehran"]);
        assert_eq!(
            doe.identifiers,
            [
                ident("passport", "A123", Some("IR")),
                ident("tax_id", "99-1", None)
            ]
        );
        assert_eq!(ship.kind, EntityKind::Vessel);
        assert_eq!(ship.countries, ["PA"]);
        assert_eq!(
            ship.identifiers,
            [
                ident("call_sign", "ABC1", None),
                ident("imo", "1234567", None),
                ident("registration", "7", Some("PA"))
            ]
        );
        assert_eq!(
            list.ownership,
            [
                edge("OWNER CO", "t:11", "ofac vessel owner"),
                edge("ACME CORP", "t:10", "ofac remark: Subsidiary Of"),
            ]
        );
    }

    #[test]
    fn consolidated_set_is_detected_and_comments_are_optional() {
        let dir = folder(&[
            ("cons_prim.csv", SDN_ROW),
            ("cons_alt.csv", ALT_ROW),
            ("cons_add.csv", ADD_ROW),
        ]);
        let list = load(dir.path(), "us_ofac_cons").unwrap();
        assert_eq!(list.entities.len(), 1);
        assert_eq!(list.entities[0].id, "us_ofac_cons:10");
    }

    #[test]
    fn bad_input_names_file_line_and_field() {
        let ok = [("alt.csv", ALT_ROW), ("add.csv", ADD_ROW)];
        let with_sdn = |sdn: &'static [u8]| {
            let mut files = vec![("sdn.csv", sdn)];
            files.extend(ok);
            error(&files)
        };
        let unterminated = [
            SDN_ROW,
            b"12,\"OPEN,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- \r\n".as_slice(),
            SDN_ROW,
        ]
        .concat();
        let unterminated: &'static [u8] = Box::leak(unterminated.into_boxed_slice());
        let err = with_sdn(unterminated);
        assert!(err.contains("sdn.csv:2: unbalanced quote"), "{err}");

        let err = with_sdn(b"10,\"A\",-0- \r\n");
        assert!(
            err.contains("sdn.csv:1: expected 12 columns, found 3"),
            "{err}"
        );

        let err = with_sdn(b"x1,\"A\",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- \r\n");
        assert!(
            err.contains("sdn.csv:1: field `ent_num`: not an integer"),
            "{err}"
        );

        let err = with_sdn(b"10,\"A\",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- \r\n10,\"B\",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- \r\n");
        assert!(
            err.contains("sdn.csv:2: field `ent_num`: duplicate entry 10"),
            "{err}"
        );

        let err = with_sdn(b"10,\"A\",-0- ,-0- ,-0- ,-0- ,-0- ,\0,-0- ,-0- ,-0- ,-0- \r\n");
        assert!(err.contains("sdn.csv:1: not valid Windows-1252"), "{err}");

        let err = with_sdn(b"");
        assert!(err.contains("sdn.csv: the file is empty"), "{err}");
        let err = with_sdn(b"\r\n\x1a");
        assert!(err.contains("sdn.csv: the file is empty"), "{err}");

        let alt = b"10,1,\"aka\",\"X\",-0- \r\n11,2,\"aka\",\"Y\",-0- \r\n";
        let err = error(&[("sdn.csv", SDN_ROW), ("alt.csv", alt), ("add.csv", ADD_ROW)]);
        assert!(
            err.contains("alt.csv:2: field `ent_num`: no entry 11 in sdn.csv"),
            "{err}"
        );

        let err = error(&[
            ("sdn.csv", SDN_ROW),
            ("alt.csv", ALT_ROW),
            ("add.csv", b"10,1,\"x\"\r\n"),
        ]);
        assert!(
            err.contains("add.csv:1: expected 6 columns, found 3"),
            "{err}"
        );

        let err = error(&[("alt.csv", ALT_ROW), ("add.csv", ADD_ROW)]);
        assert!(err.contains("sdn.csv: expected"), "{err}");
        let err = error(&[("sdn.csv", SDN_ROW), ("add.csv", ADD_ROW)]);
        assert!(err.contains("alt.csv: cannot read"), "{err}");
        let err = error(&[("sdn.csv", SDN_ROW), ("cons_prim.csv", SDN_ROW)]);
        assert!(err.contains("not both"), "{err}");
    }

    /// Counts over the 2021 SDN file (grep over sdn.csv and sdn_comments.csv): 1,384 "Gender
    /// Male" and 129 "Gender Female" clauses, one per person.
    #[test]
    fn sdn_2021_genders() {
        let Some(list) = load_shared("ofac-sdn-2021", "us_ofac_sdn") else {
            return;
        };
        let gender = |g| list.entities.iter().filter(|e| e.gender == Some(g)).count();
        assert_eq!((gender(Gender::Male), gender(Gender::Female)), (1384, 129));
        let maduro = entity(&list, "us_ofac_sdn:22790");
        assert_eq!(maduro.birth_dates, ["1962-11-23"]);
        assert_eq!(maduro.nationalities, ["VE"]);
        assert_eq!(maduro.gender, Some(Gender::Male));
        let deripaska = entity(&list, "us_ofac_sdn:24283");
        assert_eq!(deripaska.nationalities, ["RU", "CY"]);
    }
}
