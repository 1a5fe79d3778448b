//! The UN Security Council Consolidated List in its XML form (`CONSOLIDATED_LIST`).
//!
//! The file is read with quick-xml's streaming reader. Each `INDIVIDUAL` or `ENTITY` record is
//! gathered into a small element tree (a record is a few dozen elements) and translated into an
//! [`Entity`] once its end tag is seen, so memory holds one record's tree at a time besides the
//! entities built so far, and a field's meaning never depends on the order in which the UN
//! happens to write the elements.
//!
//! What the UN publishes and where it goes:
//! - `FIRST_NAME` … `FOURTH_NAME`, joined → the primary name; `NAME_ORIGINAL_SCRIPT` → an alias.
//! - `*_ALIAS` with `QUALITY` `Good` or `a.k.a.` → alias, `Low`/`Very Low` → weak alias (the UN
//!   itself calls these insufficient for identification), `f.k.a.` → former name.
//! - `NATIONALITY/VALUE` → nationalities, and with address `COUNTRY` → countries (ISO codes
//!   where they resolve); `GENDER` → gender.
//! - `INDIVIDUAL_DATE_OF_BIRTH` (and the odd alias-specific `DATE_OF_BIRTH`) → birth dates as
//!   `1971-03-25` (`EXACT` with a `DATE`), `1971` (`EXACT` with a `YEAR`), `circa 1966`
//!   (`APPROXIMATELY`), or `1973 to 1974` (`BETWEEN` with `FROM_YEAR` and `TO_YEAR`: born in
//!   that range, written as OFAC and the CSL write ranges; a slash would read as two
//!   alternative years).
//! - `INDIVIDUAL_DOCUMENT` with a `NUMBER` → identifiers (`passport`, `national_id`, or the
//!   document type in snake case), with the issuing country.
//! - `UN_LIST_TYPE` → programs, `LISTED_ON` → listing date, `COMMENTS1` → remarks.
//!
//! Entity ids are `<dataset>:<DATAID>`; the root's `dateGenerated` gives the list's as-of date.

use std::collections::HashMap;
use std::fmt::Display;
use std::path::Path;

use quick_xml::events::{BytesStart, Event};
use quick_xml::Reader;

use super::{text, ListError};
use crate::engine::countries;
use crate::engine::model::{Entity, EntityKind, Gender, LoadedList, NameKind};

const ROOT: &str = "CONSOLIDATED_LIST";

/// The record sections of the list: section element, record element, and the kind of party a
/// record describes.
const SECTIONS: [(&str, &str, EntityKind); 2] = [
    ("INDIVIDUALS", "INDIVIDUAL", EntityKind::Person),
    ("ENTITIES", "ENTITY", EntityKind::Organization),
];

/// Loads a UN consolidated list XML file.
///
/// Fails, naming the file, on unreadable or malformed XML (with the byte position and line), on
/// a root element other than `CONSOLIDATED_LIST`, on a record without a `DATAID` or with a
/// `DATAID` seen before, and on a record with no name at all.
pub fn load(path: &Path, dataset: &str) -> Result<LoadedList, ListError> {
    let xml = text::read_utf8(path)?;
    Parser {
        path,
        xml: &xml,
        dataset,
    }
    .run()
}

/// One element of a record: its text and its child elements.
#[derive(Debug, Default)]
struct Node {
    name: String,
    text: String,
    children: Vec<Node>,
}

impl Node {
    fn new(name: String) -> Node {
        Node {
            name,
            ..Node::default()
        }
    }

    fn children<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a Node> + 'a {
        self.children.iter().filter(move |c| c.name == name)
    }

    /// The text of the first child called `name`, whitespace collapsed (the UN wraps long
    /// values over several indented lines), or `None` when absent or blank.
    fn text_of(&self, name: &str) -> Option<String> {
        self.children(name).find_map(|c| collapse(&c.text))
    }
}

/// Trims `s` and replaces each run of whitespace inside it with one space; `None` if blank.
fn collapse(s: &str) -> Option<String> {
    let mut out = String::with_capacity(s.len());
    for word in s.split_whitespace() {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(word);
    }
    (!out.is_empty()).then_some(out)
}

/// A record being read: its open elements, innermost last.
struct OpenRecord {
    open: Vec<Node>,
    kind: EntityKind,
    /// Byte offset of the record's start tag, for error lines.
    start: usize,
}

struct Parser<'a> {
    path: &'a Path,
    xml: &'a str,
    dataset: &'a str,
}

impl Parser<'_> {
    fn run(self) -> Result<LoadedList, ListError> {
        let mut reader = Reader::from_str(self.xml);
        let mut list = LoadedList {
            dataset: self.dataset.to_string(),
            ..LoadedList::default()
        };
        // Element names outside records, outermost first.
        let mut stack: Vec<String> = Vec::new();
        let mut record: Option<OpenRecord> = None;
        let mut seen_root = false;
        let mut records = 0usize;
        // DATAID → byte offset of the record that had it.
        let mut ids: HashMap<String, usize> = HashMap::new();
        loop {
            let before = to_usize(reader.buffer_position());
            let event = reader
                .read_event()
                .map_err(|e| self.xml_error(to_usize(reader.error_position()), e))?;
            let (start, empty) = match event {
                Event::Start(e) => (e, false),
                Event::Empty(e) => (e, true),
                Event::End(_) => {
                    if let Some(mut open) = record.take() {
                        let node = open.open.pop().unwrap_or_default();
                        match open.open.last_mut() {
                            Some(parent) => {
                                parent.children.push(node);
                                record = Some(open);
                            }
                            None => {
                                records += 1;
                                let entity = self.entity(&node, &open, records, &mut ids)?;
                                list.entities.push(entity);
                            }
                        }
                    } else {
                        stack.pop();
                    }
                    continue;
                }
                Event::Text(t) => {
                    if let Some(node) = record.as_mut().and_then(|r| r.open.last_mut()) {
                        let text = t
                            .unescape()
                            .map_err(|e| self.xml_error(to_usize(reader.buffer_position()), e))?;
                        node.text.push_str(&text);
                    }
                    continue;
                }
                Event::CData(c) => {
                    if let Some(node) = record.as_mut().and_then(|r| r.open.last_mut()) {
                        node.text.push_str(&String::from_utf8_lossy(&c));
                    }
                    continue;
                }
                Event::Eof => break,
                _ => continue,
            };
            let name = element_name(&start);
            if let Some(open) = record.as_mut() {
                if empty {
                    if let Some(parent) = open.open.last_mut() {
                        parent.children.push(Node::new(name));
                    }
                } else {
                    open.open.push(Node::new(name));
                }
                continue;
            }
            if !seen_root {
                if name != ROOT {
                    return Err(self.not_a_un_list(&format!("found <{name}>")));
                }
                seen_root = true;
                list.as_of = as_of(&start);
            }
            let section = match stack.as_slice() {
                [root, section] if root == ROOT => SECTIONS
                    .iter()
                    .find(|(s, r, _)| s == section && *r == name)
                    .map(|(_, _, kind)| *kind),
                _ => None,
            };
            match (section, empty) {
                (Some(kind), true) => {
                    // `<INDIVIDUAL/>`: a record with nothing in it, hence no DATAID.
                    records += 1;
                    let open = OpenRecord {
                        open: Vec::new(),
                        kind,
                        start: before,
                    };
                    let entity = self.entity(&Node::new(name), &open, records, &mut ids)?;
                    list.entities.push(entity);
                }
                (Some(kind), false) => {
                    record = Some(OpenRecord {
                        open: vec![Node::new(name)],
                        kind,
                        start: before,
                    });
                }
                (None, true) => {}
                (None, false) => stack.push(name),
            }
        }
        let unclosed = record
            .as_ref()
            .and_then(|r| r.open.last())
            .map(|n| n.name.as_str())
            .or(stack.last().map(String::as_str));
        if let Some(name) = unclosed {
            return Err(self.xml_error(
                self.xml.len(),
                format!("unexpected end of file: <{name}> is not closed (is the file truncated?)"),
            ));
        }
        if !seen_root {
            return Err(self.not_a_un_list("found no XML element"));
        }
        Ok(list)
    }

    /// Translates one finished record.
    fn entity(
        &self,
        node: &Node,
        open: &OpenRecord,
        index: usize,
        ids: &mut HashMap<String, usize>,
    ) -> Result<Entity, ListError> {
        // Lines are counted only for an error: counting them for every record would rescan
        // the file from the start each time.
        let line_of = |at: usize| text::line_of(self.xml.as_bytes(), at);
        let field_error = |field: &str, message: String| ListError::Field {
            path: self.path.to_path_buf(),
            line: line_of(open.start),
            field: field.to_string(),
            message,
        };
        let Some(data_id) = node.text_of("DATAID") else {
            return Err(field_error(
                "DATAID",
                format!("{} record #{index} has no DATAID", node.name),
            ));
        };
        if let Some(first) = ids.insert(data_id.clone(), open.start) {
            return Err(field_error(
                "DATAID",
                format!(
                    "DATAID {data_id} appears twice (first on line {})",
                    line_of(first)
                ),
            ));
        }
        let mut entity = Entity {
            id: format!("{}:{data_id}", self.dataset),
            dataset: self.dataset.to_string(),
            kind: open.kind,
            listed_on: node.text_of("LISTED_ON"),
            remarks: node.text_of("COMMENTS1"),
            ..Entity::default()
        };

        // Entities only have FIRST_NAME; the join covers both kinds.
        let parts: Vec<String> = ["FIRST_NAME", "SECOND_NAME", "THIRD_NAME", "FOURTH_NAME"]
            .iter()
            .filter_map(|tag| node.text_of(tag))
            .collect();
        entity.push_name(&parts.join(" "), NameKind::Primary);
        if let Some(original) = node.text_of("NAME_ORIGINAL_SCRIPT") {
            entity.push_name(&original, NameKind::Alias);
        }
        for alias in node.children.iter().filter(|c| c.name.ends_with("_ALIAS")) {
            if let Some(name) = alias.text_of("ALIAS_NAME") {
                let quality = alias.text_of("QUALITY").unwrap_or_default();
                for one in alias_names(&name) {
                    entity.push_name(&one, alias_kind(&quality));
                }
            }
            if let Some(date) = alias.text_of("DATE_OF_BIRTH") {
                push_unique(&mut entity.birth_dates, date);
            }
        }
        if entity.names.is_empty() {
            return Err(field_error(
                "FIRST_NAME",
                format!("record DATAID {data_id} has no name and no alias"),
            ));
        }
        // A record listed only under aliases still needs a primary name for display: promote
        // the first strong one.
        if parts.is_empty() {
            let best = entity
                .names
                .iter()
                .position(|n| n.kind == NameKind::Alias)
                .unwrap_or(0);
            entity.names[best].kind = NameKind::Primary;
        }

        for nationality in node.children("NATIONALITY") {
            for value in nationality.children("VALUE") {
                if let Some(country) = collapse(&value.text).and_then(|c| resolve_country(&c)) {
                    entity.push_nationality(&country);
                }
            }
        }
        for address in node
            .children
            .iter()
            .filter(|c| c.name.ends_with("_ADDRESS"))
        {
            let country = address.text_of("COUNTRY");
            if let Some(resolved) = country.as_deref().and_then(resolve_country) {
                entity.push_country(&resolved);
            }
            let lines: Vec<String> = ["STREET", "CITY", "STATE_PROVINCE", "ZIP_CODE"]
                .iter()
                .filter_map(|tag| address.text_of(tag))
                .collect();
            // An address that is only a country adds nothing the country list lacks.
            if !lines.is_empty() {
                let full = lines.into_iter().chain(country).collect::<Vec<_>>();
                push_unique(&mut entity.addresses, full.join(", "));
            }
        }
        for dob in node.children("INDIVIDUAL_DATE_OF_BIRTH") {
            if let Some(date) = birth_date(dob) {
                push_unique(&mut entity.birth_dates, date);
            }
        }
        for document in node.children("INDIVIDUAL_DOCUMENT") {
            let Some(number) = document.text_of("NUMBER") else {
                continue;
            };
            let doc_type = document
                .text_of("TYPE_OF_DOCUMENT")
                .or_else(|| document.text_of("TYPE_OF_DOCUMENT2"));
            let country = document
                .text_of("ISSUING_COUNTRY")
                .or_else(|| document.text_of("COUNTRY_OF_ISSUE"))
                .and_then(|c| resolve_country(&c));
            entity.push_identifier(
                &document_scheme(doc_type.as_deref()),
                &number,
                country.as_deref(),
            );
        }
        entity.gender = node.text_of("GENDER").and_then(|g| Gender::parse(&g));
        if let Some(program) = node.text_of("UN_LIST_TYPE") {
            push_unique(&mut entity.programs, program);
        }
        Ok(entity)
    }

    fn xml_error(&self, position: usize, err: impl Display) -> ListError {
        let line = text::line_of(self.xml.as_bytes(), position);
        ListError::Xml {
            path: self.path.to_path_buf(),
            position: position as u64,
            message: format!("line {line}: {err}"),
        }
    }

    fn not_a_un_list(&self, found: &str) -> ListError {
        ListError::Missing {
            path: self.path.to_path_buf(),
            expected: format!(
                "a UN consolidated list (root element <{ROOT}>), but {found}; is this the right \
                 file and format?"
            ),
        }
    }
}

/// quick-xml counts in `u64`; the input is a `&str` in memory, so the offset fits `usize`.
fn to_usize(position: u64) -> usize {
    usize::try_from(position).unwrap_or(usize::MAX)
}

fn element_name(start: &BytesStart) -> String {
    String::from_utf8_lossy(start.local_name().as_ref()).into_owned()
}

/// The date part of the root's `dateGenerated="2026-02-27T00:00:09.554Z"`.
fn as_of(root: &BytesStart) -> Option<String> {
    let attribute = root.try_get_attribute("dateGenerated").ok().flatten()?;
    let value = attribute.unescape_value().ok()?;
    let date = value.split('T').next().unwrap_or("").trim();
    (!date.is_empty()).then(|| date.to_string())
}

/// The names one `ALIAS_NAME` holds, each to be an alias of its own. The UN's field is free
/// text, and besides one name it may hold:
/// - several spellings, separated by semicolons ("Kasim Sulaymani; Qasem Soleimani") or
///   enumerated ("a) Javad Karimi b) Jawad Kareemi");
/// - the reading of an original-script alias in brackets, also separated by semicolons
///   ("<Arabic> (Abu Bakr; Abu Bakr al-Husayni)"), or an original script named as such
///   ("Abu Muhammad (original script: <Cyrillic>)");
/// - remarks: ", born 1 Jan. 1953 (… passport no. …)", "(false identity related to …)".
///
/// Left as one name, such a field reads as a name of a dozen words, which a query matches
/// only in part, and its remark's words ("date", "issue", "passport") match names they are
/// not. Remarks are dropped: a bracket that holds a digit or five words or more, and what
/// follows "born". Other brackets ("(Private) Limited") stay in the name.
pub(crate) fn alias_names(raw: &str) -> Vec<String> {
    let mut names = Vec::new();
    let mut outer = String::with_capacity(raw.len());
    let mut rest = raw;
    while let Some(open) = rest.find('(') {
        let Some(len) = rest[open..].find(')') else {
            break;
        };
        outer.push_str(&rest[..open]);
        let inside = &rest[open + 1..open + len];
        let lower = inside.trim().to_lowercase();
        if let Some(script) = lower
            .strip_prefix("original script:")
            .map(|_| &inside.trim()["original script:".len()..])
        {
            names.push(script.to_string());
        } else if inside.contains(';') {
            names.extend(inside.split(';').map(str::to_string));
        } else if inside.chars().any(|c| c.is_ascii_digit())
            || inside.split_whitespace().count() >= 5
        {
            // A remark: dropped.
        } else {
            outer.push('(');
            outer.push_str(inside);
            outer.push(')');
        }
        rest = &rest[open + len + 1..];
    }
    outer.push_str(rest);
    let outer = cut_remark(&outer);
    let mut own = Vec::new();
    for part in outer.split(';') {
        own.extend(split_enumeration(part));
    }
    own.extend(names);
    own.into_iter()
        .map(|n| {
            n.trim()
                .trim_matches(|c: char| c == ',' || c == '.' || c.is_whitespace())
                .to_string()
        })
        .filter(|n| n.chars().any(char::is_alphabetic))
        .collect()
}

/// `text` up to a remark on birth (", born …", " born in …", " born 1963").
fn cut_remark(text: &str) -> &str {
    let lower = text.to_ascii_lowercase();
    let at = lower.match_indices("born").find(|&(i, _)| {
        let before = lower[..i].trim_end();
        let after = lower[i + 4..].trim_start();
        lower[..i].ends_with(' ')
            && (before.ends_with(',')
                || after.starts_with("in ")
                || after.starts_with("on ")
                || after.starts_with(|c: char| c.is_ascii_digit()))
    });
    match at {
        Some((i, _)) => &text[..i],
        None => text,
    }
}

/// The names of an enumeration "a) X b) Y" (or one name when there is none): a single
/// lower-case letter and ")" at the start or after a space.
fn split_enumeration(text: &str) -> Vec<String> {
    let bytes = text.as_bytes();
    let mut names = Vec::new();
    let mut from = 0;
    for i in 0..bytes.len().saturating_sub(1) {
        let marker = bytes[i].is_ascii_lowercase()
            && bytes[i + 1] == b')'
            && (i == 0 || bytes[i - 1] == b' ')
            && bytes.get(i + 2).is_none_or(|&b| b == b' ');
        if marker {
            names.push(text[from..i].to_string());
            from = i + 2;
        }
    }
    names.push(text[from..].to_string());
    names
}

/// Maps the UN's alias `QUALITY` to a name kind. An unknown or blank quality counts as a full
/// alias: the UN listed the name, and dropping or weakening it could hide a true match.
fn alias_kind(quality: &str) -> NameKind {
    match quality.trim().to_ascii_lowercase().as_str() {
        "low" | "very low" => NameKind::Weak,
        "f.k.a." | "fka" => NameKind::Former,
        _ => NameKind::Alias,
    }
}

/// One `INDIVIDUAL_DATE_OF_BIRTH` as a string, or `None` when it holds no date.
fn birth_date(dob: &Node) -> Option<String> {
    let kind = dob.text_of("TYPE_OF_DATE").unwrap_or_default();
    let date = dob.text_of("DATE").or_else(|| dob.text_of("YEAR"));
    if kind.eq_ignore_ascii_case("BETWEEN") {
        match (dob.text_of("FROM_YEAR"), dob.text_of("TO_YEAR")) {
            (Some(from), Some(to)) => return Some(format!("{from} to {to}")),
            (Some(year), None) | (None, Some(year)) => return Some(year),
            (None, None) => {}
        }
    }
    match date {
        Some(date) if kind.eq_ignore_ascii_case("APPROXIMATELY") => Some(format!("circa {date}")),
        Some(date) => Some(date),
        // Some records give the date only as a note ("Nov. 1973", "August 1961"). Keep a note
        // that names a year; drop the rest ("30-35 years old" is not a date).
        None => dob.text_of("NOTE").filter(|note| has_year(note)),
    }
}

/// Whether `s` contains four digits in a row.
fn has_year(s: &str) -> bool {
    s.as_bytes()
        .windows(4)
        .any(|w| w.iter().all(u8::is_ascii_digit))
}

/// The identifier scheme for a UN document type. The UN uses two types, written in English and
/// sometimes in French or Spanish; anything else becomes its snake-case form.
fn document_scheme(doc_type: Option<&str>) -> String {
    let mut key = String::new();
    for c in any_ascii::any_ascii(doc_type.unwrap_or("")).chars() {
        if c.is_ascii_alphanumeric() {
            key.push(c.to_ascii_lowercase());
        } else if !key.is_empty() && !key.ends_with('_') {
            key.push('_');
        }
    }
    let key = key.trim_end_matches('_');
    if ["passport", "passeport", "pasaporte"]
        .iter()
        .any(|word| key.contains(word))
    {
        "passport".to_string()
    } else if key.starts_with("national_identification") || key.starts_with("national_id") {
        "national_id".to_string()
    } else if key.is_empty() {
        "other".to_string()
    } else {
        key.to_string()
    }
}

/// The ISO code of a country as the UN writes it, or the text itself when it does not resolve;
/// `None` for the UN's "na" ("not available"), which as a code would read as Namibia.
fn resolve_country(country: &str) -> Option<String> {
    let country = country.trim();
    if country.is_empty() || country.eq_ignore_ascii_case("na") {
        return None;
    }
    Some(countries::to_iso2(country).map_or_else(|| country.to_string(), str::to_string))
}

fn push_unique(values: &mut Vec<String>, value: String) {
    if !values.contains(&value) {
        values.push(value);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::model::Identifier;
    use std::path::PathBuf;

    const DATASET: &str = "un_sc_sanctions";

    /// Two records in the UN's layout, small enough to read at a glance.
    const SAMPLE: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<CONSOLIDATED_LIST dateGenerated="2026-02-27T00:00:09.554Z">
  <INDIVIDUALS>
    <INDIVIDUAL>
      <DATAID>1</DATAID>
      <FIRST_NAME>JOHN</FIRST_NAME>
      <SECOND_NAME>  DOE </SECOND_NAME>
      <THIRD_NAME/>
      <UN_LIST_TYPE>Al-Qaida</UN_LIST_TYPE>
      <LISTED_ON>2001-01-25</LISTED_ON>
      <COMMENTS1>Long
        comment &amp; more</COMMENTS1>
      <NATIONALITY><VALUE>Iran (Islamic Republic of)</VALUE><VALUE>na</VALUE><VALUE>Iraq</VALUE></NATIONALITY><GENDER>Male</GENDER>
      <INDIVIDUAL_ALIAS><QUALITY>Good</QUALITY><ALIAS_NAME>Johnny Doe</ALIAS_NAME></INDIVIDUAL_ALIAS>
      <INDIVIDUAL_ALIAS><QUALITY>Low</QUALITY><ALIAS_NAME>JD</ALIAS_NAME></INDIVIDUAL_ALIAS>
      <INDIVIDUAL_ALIAS><QUALITY/><ALIAS_NAME/></INDIVIDUAL_ALIAS>
      <INDIVIDUAL_ADDRESS><CITY>Tehran</CITY><COUNTRY>Iran</COUNTRY></INDIVIDUAL_ADDRESS>
      <INDIVIDUAL_ADDRESS><COUNTRY>Atlantis</COUNTRY></INDIVIDUAL_ADDRESS>
      <INDIVIDUAL_DATE_OF_BIRTH><TYPE_OF_DATE>APPROXIMATELY</TYPE_OF_DATE><YEAR>1966</YEAR></INDIVIDUAL_DATE_OF_BIRTH><INDIVIDUAL_DATE_OF_BIRTH><TYPE_OF_DATE>BETWEEN</TYPE_OF_DATE><FROM_YEAR>1958</FROM_YEAR><TO_YEAR>1963</TO_YEAR></INDIVIDUAL_DATE_OF_BIRTH><INDIVIDUAL_DATE_OF_BIRTH><TYPE_OF_DATE>EXACT</TYPE_OF_DATE><DATE>1964-06-18</DATE></INDIVIDUAL_DATE_OF_BIRTH>
      <INDIVIDUAL_DATE_OF_BIRTH><TYPE_OF_DATE>EXACT</TYPE_OF_DATE><NOTE>30-35 years old</NOTE></INDIVIDUAL_DATE_OF_BIRTH>
      <INDIVIDUAL_DOCUMENT><TYPE_OF_DOCUMENT>Driver's Permit</TYPE_OF_DOCUMENT><NUMBER>X 1</NUMBER><ISSUING_COUNTRY>Türkiye</ISSUING_COUNTRY></INDIVIDUAL_DOCUMENT>
      <INDIVIDUAL_DOCUMENT><TYPE_OF_DOCUMENT>Passport</TYPE_OF_DOCUMENT></INDIVIDUAL_DOCUMENT>
    </INDIVIDUAL>
  </INDIVIDUALS>
  <ENTITIES>
    <ENTITY>
      <DATAID>2</DATAID>
      <FIRST_NAME><![CDATA[ACME & CO]]></FIRST_NAME>
      <ENTITY_ALIAS><QUALITY>f.k.a.</QUALITY><ALIAS_NAME>OLD ACME</ALIAS_NAME></ENTITY_ALIAS>
    </ENTITY>
  </ENTITIES>
</CONSOLIDATED_LIST>
"#;

    fn write(content: &[u8]) -> (tempfile::TempDir, PathBuf) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("consolidated.xml");
        std::fs::write(&path, content).unwrap();
        (dir, path)
    }

    fn names(entity: &Entity, kind: NameKind) -> Vec<&str> {
        entity
            .names
            .iter()
            .filter(|n| n.kind == kind)
            .map(|n| n.value.as_str())
            .collect()
    }

    fn count_kind(list: &LoadedList, kind: NameKind) -> usize {
        list.entities
            .iter()
            .flat_map(|e| &e.names)
            .filter(|n| n.kind == kind)
            .count()
    }

    #[test]
    fn sample_fields() {
        let (_dir, path) = write(SAMPLE.as_bytes());
        let list = load(&path, DATASET).unwrap();
        assert_eq!(list.as_of.as_deref(), Some("2026-02-27"));
        assert_eq!(list.entities.len(), 2);
        let john = &list.entities[0];
        assert_eq!(john.id, "un_sc_sanctions:1");
        assert_eq!(john.dataset, DATASET);
        assert_eq!(john.kind, EntityKind::Person);
        assert_eq!(names(john, NameKind::Primary), ["JOHN DOE"]);
        assert_eq!(names(john, NameKind::Alias), ["Johnny Doe"]);
        assert_eq!(names(john, NameKind::Weak), ["JD"]);
        // "na" is skipped, Iran appears once, an unknown country is kept as written.
        assert_eq!(john.countries, ["IR", "IQ", "Atlantis"]);
        assert_eq!(john.nationalities, ["IR", "IQ"]);
        assert_eq!(john.gender, Some(Gender::Male));
        assert_eq!(john.addresses, ["Tehran, Iran"]);
        assert_eq!(
            john.birth_dates,
            ["circa 1966", "1958 to 1963", "1964-06-18"]
        );
        assert_eq!(
            john.identifiers,
            [Identifier {
                scheme: "driver_s_permit".into(),
                value: "X 1".into(),
                country: Some("TR".into()),
            }]
        );
        assert_eq!(john.programs, ["Al-Qaida"]);
        assert_eq!(john.listed_on.as_deref(), Some("2001-01-25"));
        assert_eq!(john.remarks.as_deref(), Some("Long comment & more"));

        let acme = &list.entities[1];
        assert_eq!(acme.id, "un_sc_sanctions:2");
        assert_eq!(acme.kind, EntityKind::Organization);
        assert!(acme.nationalities.is_empty() && acme.gender.is_none());
        assert_eq!(names(acme, NameKind::Primary), ["ACME & CO"]);
        assert_eq!(names(acme, NameKind::Former), ["OLD ACME"]);
    }

    #[test]
    fn helpers() {
        assert_eq!(alias_kind("Good"), NameKind::Alias);
        assert_eq!(alias_kind("a.k.a."), NameKind::Alias);
        assert_eq!(alias_kind("Very Low"), NameKind::Weak);
        assert_eq!(alias_kind("f.k.a."), NameKind::Former);
        assert_eq!(document_scheme(Some("Passport")), "passport");
        assert_eq!(document_scheme(Some("Numéro de passeport ")), "passport");
        assert_eq!(document_scheme(Some("Número de pasaporte")), "passport");
        assert_eq!(
            document_scheme(Some("National Identification\n   Number")),
            "national_id"
        );
        assert_eq!(document_scheme(Some("Ration Card no.")), "ration_card_no");
        assert_eq!(document_scheme(Some(" ")), "other");
        assert_eq!(document_scheme(None), "other");
    }

    fn load_err(content: &[u8]) -> (ListError, String) {
        let (_dir, path) = write(content);
        let err = load(&path, DATASET).unwrap_err();
        let message = err.to_string();
        assert!(message.contains("consolidated.xml"), "{message}");
        (err, message)
    }

    #[test]
    fn truncated_xml_is_an_xml_error() {
        let cut = &SAMPLE[..SAMPLE.find("<ENTITY_ALIAS>").unwrap()];
        let (err, message) = load_err(cut.as_bytes());
        match err {
            ListError::Xml { position, .. } => assert_eq!(position, cut.len() as u64),
            other => panic!("{other:?}"),
        }
        assert!(message.contains("<ENTITY> is not closed"), "{message}");
        assert!(message.contains("line 29"), "{message}");

        // Cut inside a tag: quick-xml's own syntax error.
        let cut = &SAMPLE[..SAMPLE.find("<ENTITY_ALIAS>").unwrap() + 5];
        let (err, message) = load_err(cut.as_bytes());
        assert!(matches!(err, ListError::Xml { .. }), "{message}");
    }

    #[test]
    fn invalid_xml_is_an_xml_error() {
        let bad = SAMPLE.replace("</SECOND_NAME>", "</SECOND>");
        let (err, message) = load_err(bad.as_bytes());
        match err {
            ListError::Xml { position, .. } => {
                let at = bad.find("</SECOND>").unwrap() as u64;
                assert!(position >= at && position <= at + 10, "{position} vs {at}");
            }
            other => panic!("{other:?}"),
        }
        assert!(message.contains("line 7"), "{message}");

        let bad = SAMPLE.replace("&amp;", "&bogus;");
        let (err, message) = load_err(bad.as_bytes());
        assert!(matches!(err, ListError::Xml { .. }), "{message}");
    }

    #[test]
    fn empty_file_is_empty() {
        let (err, _) = load_err(b"");
        assert!(matches!(err, ListError::Empty { .. }));
        let (err, _) = load_err(b" \n\t\n");
        assert!(matches!(err, ListError::Empty { .. }));
    }

    #[test]
    fn other_root_is_missing() {
        let (err, message) = load_err(b"<?xml version=\"1.0\"?>\n<sanctionsData/>\n");
        assert!(matches!(err, ListError::Missing { .. }), "{message}");
        assert!(message.contains("<sanctionsData>"), "{message}");
        let (err, message) = load_err(b"just text, no XML at all");
        assert!(matches!(err, ListError::Missing { .. }), "{message}");
    }

    #[test]
    fn record_without_dataid_names_the_line() {
        let bad = SAMPLE.replace("<DATAID>2</DATAID>", "");
        let (err, message) = load_err(bad.as_bytes());
        match err {
            ListError::Field { line, field, .. } => {
                assert_eq!((line, field.as_str()), (26, "DATAID"));
            }
            other => panic!("{other:?}"),
        }
        assert!(
            message.contains("ENTITY record #2 has no DATAID"),
            "{message}"
        );

        let bad = SAMPLE.replace("<INDIVIDUALS>", "<INDIVIDUALS>\n    <INDIVIDUAL/>");
        let (err, message) = load_err(bad.as_bytes());
        assert!(matches!(err, ListError::Field { line: 4, .. }), "{message}");
    }

    #[test]
    fn duplicate_dataid_and_nameless_records_are_errors() {
        let bad = SAMPLE.replace("<DATAID>2</DATAID>", "<DATAID>1</DATAID>");
        let (_, message) = load_err(bad.as_bytes());
        assert!(
            message.contains("DATAID 1 appears twice (first on line 4)"),
            "{message}"
        );

        let bad = SAMPLE
            .replace("<FIRST_NAME><![CDATA[ACME & CO]]></FIRST_NAME>", "")
            .replace("<ALIAS_NAME>OLD ACME</ALIAS_NAME>", "");
        let (_, message) = load_err(bad.as_bytes());
        assert!(message.contains("has no name"), "{message}");
    }

    #[test]
    fn an_alias_field_holding_several_names_and_remarks_gives_each_name() {
        assert_eq!(
            alias_names("Kasim Sulaymani; Qasem Soleimani;  Qasim Sulaimani"),
            ["Kasim Sulaymani", "Qasem Soleimani", "Qasim Sulaimani"]
        );
        assert_eq!(
            alias_names("Javad Karimi b) M. Jawad Kareemi; J. Karimi"),
            ["Javad Karimi", "M. Jawad Kareemi", "J. Karimi"]
        );
        assert_eq!(
            alias_names("a) Ali Hasan b) Ali Hassan"),
            ["Ali Hasan", "Ali Hassan"]
        );
        assert_eq!(
            alias_names("Abu Salim Al-Hadi, born 3 Mar. 1961 (Yemen passport no.01234567, issued 2 May 2010)"),
            ["Abu Salim Al-Hadi"]
        );
        assert_eq!(
            alias_names("Wali Khan born in Herat on 01 Jan.1970"),
            ["Wali Khan"]
        );
        assert_eq!(alias_names("Wali Khan born 1963"), ["Wali Khan"]);
        assert_eq!(
            alias_names("Abdul Rahman (false identity linked to passport number 123456)"),
            ["Abdul Rahman"]
        );
        assert_eq!(
            alias_names("عبد الله (Abdallah Ahmad; Abdullah Ahmed)"),
            ["عبد الله", "Abdallah Ahmad", "Abdullah Ahmed"]
        );
        assert_eq!(
            alias_names("Abu Umar Al-Shishani (original script: Абу Умар)"),
            ["Abu Umar Al-Shishani", "Абу Умар"]
        );
        // A name with "born" inside a word, a bracket that belongs to the name, an
        // unclosed bracket and a plain name are left as they are.
        assert_eq!(alias_names("Osborne Trading"), ["Osborne Trading"]);
        assert_eq!(alias_names("Hawthorn Born Ltd"), ["Hawthorn Born Ltd"]);
        assert_eq!(
            alias_names("Mbada Diamonds (Private) Limited"),
            ["Mbada Diamonds (Private) Limited"]
        );
        assert_eq!(alias_names("Acme (Holdings"), ["Acme (Holdings"]);
        assert_eq!(alias_names("  "), Vec::<String>::new());
    }

    #[test]
    fn alias_only_record_gets_a_primary_name() {
        let only_alias = SAMPLE.replace("<FIRST_NAME><![CDATA[ACME & CO]]></FIRST_NAME>", "");
        let (_dir, path) = write(only_alias.as_bytes());
        let list = load(&path, DATASET).unwrap();
        assert_eq!(list.entities[1].primary_name(), "OLD ACME");
        assert_eq!(list.entities[1].names[0].kind, NameKind::Primary);
    }

    /// The real list. Expected numbers were computed independently with Python's
    /// `xml.etree.ElementTree` over the same file, applying the rules in the module doc
    /// (whitespace collapsed, names de-duplicated case-insensitively per entity, identifiers
    /// de-duplicated per entity).
    #[test]
    fn real_un_list() {
        let Some(dir) = crate::engine::testing::shared_data() else {
            return;
        };
        let path = dir.join("un-2026/consolidated.xml");
        let list = load(&path, DATASET).unwrap();
        assert_eq!(list.as_of.as_deref(), Some("2026-02-27"));
        let persons = list
            .entities
            .iter()
            .filter(|e| e.kind == EntityKind::Person)
            .count();
        let organizations = list
            .entities
            .iter()
            .filter(|e| e.kind == EntityKind::Organization)
            .count();
        assert_eq!((persons, organizations), (730, 273));
        assert_eq!(count_kind(&list, NameKind::Primary), 1003);
        // 651 distinct NATIONALITY values other than "na" on 624 individuals; 52 GENDER Male
        // and 2 Female.
        let nationalities: usize = list.entities.iter().map(|e| e.nationalities.len()).sum();
        assert_eq!(nationalities, 651);
        let gender = |g| list.entities.iter().filter(|e| e.gender == Some(g)).count();
        assert_eq!((gender(Gender::Male), gender(Gender::Female)), (52, 2));
        // 1,524 "Good" + 594 "a.k.a." aliases + 378 original-script names, less duplicates
        // (2,480), and 72 more from fields holding several names (semicolons, one "b)").
        assert_eq!(count_kind(&list, NameKind::Alias), 2552);
        // 615 before fields holding several names were split.
        assert_eq!(count_kind(&list, NameKind::Weak), 626);
        // 19 "f.k.a." names, one of which repeats another name of its entity.
        assert_eq!(count_kind(&list, NameKind::Former), 18);
        // 454 documents carry a number; 6 repeat a document of the same person.
        let identifiers: usize = list.entities.iter().map(|e| e.identifiers.len()).sum();
        assert_eq!(identifiers, 448);
        let in_program = |p: &str| {
            list.entities
                .iter()
                .filter(|e| e.programs.iter().any(|x| x == p))
                .count()
        };
        assert_eq!(in_program("Al-Qaida"), 341);
        assert_eq!(in_program("DPRK"), 155);
        let mut ids: Vec<&str> = list.entities.iter().map(|e| e.id.as_str()).collect();
        ids.sort_unstable();
        ids.dedup();
        assert_eq!(ids.len(), 1003);

        let by_id = |id: &str| {
            list.entities
                .iter()
                .find(|e| e.id == format!("{DATASET}:{id}"))
                .unwrap_or_else(|| panic!("no {id}"))
        };
        let badege = &list.entities[0];
        assert_eq!(badege.id, "un_sc_sanctions:6907993");
        assert_eq!(badege.primary_name(), "ERIC BADEGE");
        assert_eq!(badege.names.len(), 1);
        assert_eq!(badege.birth_dates, ["1971"]);
        assert_eq!(badege.countries, ["CD", "RW"]);
        // Nationality DRC; Rwanda is only an address.
        assert_eq!(badege.nationalities, ["CD"]);
        assert_eq!(badege.gender, Some(Gender::Male));
        assert!(badege.addresses.is_empty());
        assert_eq!(badege.programs, ["DRC"]);
        assert_eq!(badege.listed_on.as_deref(), Some("2012-12-31"));
        assert!(badege
            .remarks
            .as_deref()
            .unwrap()
            .starts_with("He fled to Rwanda in March 2013"));

        // A DPRK official whose one passport is listed three times, in French, Spanish and
        // English.
        let paek = by_id("690747");
        assert_eq!(paek.primary_name(), "PAEK CHANG-HO");
        assert_eq!(
            names(paek, NameKind::Alias),
            ["Pak Chang-Ho", "Paek Ch'ang-Ho"]
        );
        assert_eq!(paek.countries, ["KP"]);
        assert_eq!(paek.birth_dates, ["1964-06-18"]);
        assert_eq!(
            paek.identifiers,
            [Identifier {
                scheme: "passport".into(),
                value: "381420754".into(),
                country: None,
            }]
        );
        assert_eq!(paek.programs, ["DPRK"]);

        let ministry = by_id("6908657");
        assert_eq!(ministry.kind, EntityKind::Organization);
        assert_eq!(ministry.primary_name(), "MINISTRY OF NATIONAL DEFENCE");
        assert_eq!(
            names(ministry, NameKind::Alias),
            [
                "MINISTRY OF NATIONAL DEFENSE",
                "MINISTRY OF DEFENCE",
                "MINISTRY OF DEFENSE"
            ]
        );
        assert_eq!(
            names(ministry, NameKind::Former),
            ["MINISTRY OF THE PEOPLE’S ARMED FORCES (MPAF)"]
        );
        assert_eq!(
            ministry.addresses,
            ["Pyongyang, Democratic People's Republic of Korea"]
        );
        assert_eq!(ministry.countries, ["KP"]);

        let khadem = by_id("111041");
        assert_eq!(khadem.birth_dates, ["1958 to 1963", "circa 1970"]);
        assert_eq!(
            names(khadem, NameKind::Alias),
            ["عبدالروف خادم", "Mullah Abdul Rauf Aliza"]
        );
    }

    /// Cutting the real file anywhere gives an error, never a short list or a panic.
    #[test]
    fn real_list_cut_short_fails() {
        let Some(dir) = crate::engine::testing::shared_data() else {
            return;
        };
        let full = std::fs::read(dir.join("un-2026/consolidated.xml")).unwrap();
        for fraction in [1, 3, 5, 7, 9] {
            let mut at = full.len() * fraction / 10;
            while std::str::from_utf8(&full[..at]).is_err() {
                at -= 1;
            }
            let (_dir, path) = write(&full[..at]);
            let err = load(&path, DATASET).unwrap_err();
            assert!(matches!(err, ListError::Xml { .. }), "{err}");
        }
    }

    proptest::proptest! {
        /// Any cut of a valid file, with any text spliced in, loads or fails: it never panics.
        #[test]
        fn damaged_files_never_panic(cut in 0usize..2000, insert in "\\PC{0,12}") {
            let mut at = cut.min(SAMPLE.len());
            while !SAMPLE.is_char_boundary(at) {
                at -= 1;
            }
            let xml = format!("{}{insert}{}", &SAMPLE[..at], &SAMPLE[at..]);
            let parser = Parser { path: Path::new("x.xml"), xml: &xml, dataset: DATASET };
            let _ = parser.run();
            let parser = Parser { path: Path::new("x.xml"), xml: &SAMPLE[..at], dataset: DATASET };
            let _ = parser.run();
        }
    }
}
