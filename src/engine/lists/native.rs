//! The native list format: a company's own deny or allow list (**contract**, see `DESIGN.md`).
//!
//! JSON lines, one entity per line; blank lines are skipped:
//!
//! ```text
//! {"id": "c-1", "name": "Acme Trading", "aliases": ["Acme"], "kind": "organization",
//!  "countries": ["CN"], "identifiers": [{"scheme": "lei", "value": "..."}], "programs": ["own"]}
//! {"id": "p-1", "name": "John Doe", "kind": "person", "birth_dates": ["1962-03-12", "circa 1970"],
//!  "nationalities": ["IQ", "Syria"], "gender": "male"}
//! ```
//!
//! Only `id` and `name` are required. `birth_dates` are written as lists publish them
//! (`1962-03-12`, `1962-03`, `1962`, `circa 1960`, `1979 to 1982`; see
//! [`crate::engine::matching::facts`]); `nationalities` are ISO codes or English country names, and
//! count as countries too; `gender` is `male` or `female`. A file whose name ends in `.csv` is
//! read as CSV instead, with a header naming the columns
//! `id,name,aliases,kind,countries,birth_dates,nationalities,gender` (`aliases`, `countries`,
//! `birth_dates` and `nationalities` `;`-separated; only `id` and `name` required).
//!
//! These files are written by hand or by a company's own scripts, so the loader is strict where
//! a mistake would silently change screening: an unknown field or column (a typo such as
//! `alias` would otherwise drop every alias), an unknown kind, an empty id or name, and an id
//! used twice are all errors naming the file, the line and the field. Unknown fields are found
//! by checking each object's keys against the contract rather than with serde's
//! `deny_unknown_fields`, because serde's own messages cannot name the field of a wrong-typed
//! value; this way every error names its field.

use std::collections::HashMap;
use std::path::Path;

use serde_json::{Map, Value};

use super::{text, ListError};
use crate::engine::countries;
use crate::engine::matching::facts;
use crate::engine::model::{Entity, EntityKind, Gender, LoadedList, NameKind};

/// The fields of a JSON-lines record.
const FIELDS: [&str; 10] = [
    "id",
    "name",
    "aliases",
    "kind",
    "countries",
    "identifiers",
    "programs",
    "birth_dates",
    "nationalities",
    "gender",
];

/// The fields of one entry of `identifiers`.
const IDENTIFIER_FIELDS: [&str; 3] = ["scheme", "value", "country"];

/// The columns of the CSV form.
const COLUMNS: [&str; 8] = [
    "id",
    "name",
    "aliases",
    "kind",
    "countries",
    "birth_dates",
    "nationalities",
    "gender",
];

/// Loads a native list: CSV when the file name ends in `.csv` (any case), JSON lines otherwise.
pub fn load(path: &Path, dataset: &str) -> Result<LoadedList, ListError> {
    let content = text::read_utf8(path)?;
    let is_csv = path
        .extension()
        .is_some_and(|ext| ext.eq_ignore_ascii_case("csv"));
    let mut builder = Builder {
        path,
        dataset,
        entities: Vec::new(),
        first_line: HashMap::new(),
    };
    if is_csv {
        read_csv(&content, &mut builder)?;
    } else {
        read_jsonl(&content, &mut builder)?;
    }
    Ok(LoadedList {
        dataset: dataset.to_string(),
        entities: builder.entities,
        ..LoadedList::default()
    })
}

/// One record as read from either form, before validation.
#[derive(Debug, Default)]
struct Draft {
    id: Option<String>,
    name: Option<String>,
    aliases: Vec<String>,
    kind: Option<String>,
    countries: Vec<String>,
    identifiers: Vec<DraftIdentifier>,
    programs: Vec<String>,
    birth_dates: Vec<String>,
    nationalities: Vec<String>,
    gender: Option<String>,
}

#[derive(Debug)]
struct DraftIdentifier {
    scheme: String,
    value: String,
    country: Option<String>,
}

/// Validates drafts and collects entities, remembering where each id was first seen.
struct Builder<'a> {
    path: &'a Path,
    dataset: &'a str,
    entities: Vec<Entity>,
    first_line: HashMap<String, u64>,
}

impl Builder<'_> {
    fn field_error(&self, line: u64, field: &str, message: impl Into<String>) -> ListError {
        ListError::Field {
            path: self.path.to_path_buf(),
            line,
            field: field.to_string(),
            message: message.into(),
        }
    }

    fn add(&mut self, line: u64, draft: Draft) -> Result<(), ListError> {
        let id = draft.id.map(|s| s.trim().to_string()).unwrap_or_default();
        if id.is_empty() {
            return Err(self.field_error(line, "id", "missing or empty; every entry needs an id"));
        }
        let name = draft.name.map(|s| s.trim().to_string()).unwrap_or_default();
        if name.is_empty() {
            return Err(self.field_error(
                line,
                "name",
                "missing or empty; every entry needs a name",
            ));
        }
        let kind_word = draft.kind.unwrap_or_default();
        let Some(kind) = EntityKind::parse(&kind_word) else {
            return Err(self.field_error(
                line,
                "kind",
                format!(
                    "unknown kind `{}`; expected person, organization, vessel or aircraft",
                    kind_word.trim()
                ),
            ));
        };
        if let Some(first) = self.first_line.get(&id) {
            return Err(self.field_error(
                line,
                "id",
                format!("duplicate id `{id}` (first on line {first})"),
            ));
        }
        let mut entity = Entity {
            id: format!("{}:{id}", self.dataset),
            dataset: self.dataset.to_string(),
            kind,
            ..Entity::default()
        };
        entity.push_name(&name, NameKind::Primary);
        for alias in &draft.aliases {
            entity.push_name(alias, NameKind::Alias);
        }
        for country in &draft.countries {
            entity.push_country(&resolve_country(country));
        }
        for country in &draft.nationalities {
            entity.push_nationality(&resolve_country(country));
        }
        for (i, date) in draft.birth_dates.iter().enumerate() {
            // A date the matcher cannot read would silently confirm or contradict nothing.
            if facts::listed_spans(date).is_empty() {
                return Err(self.field_error(
                    line,
                    &format!("birth_dates[{i}]"),
                    format!(
                        "cannot read `{}` as a date of birth; write YYYY-MM-DD, YYYY-MM, YYYY, \
                         circa YYYY or YYYY to YYYY",
                        date.trim()
                    ),
                ));
            }
            entity.push_birth_date(date);
        }
        let gender_word = draft.gender.unwrap_or_default();
        entity.gender = match gender_word.trim() {
            "" => None,
            word => Some(Gender::parse(word).ok_or_else(|| {
                self.field_error(
                    line,
                    "gender",
                    format!("unknown gender `{word}`; expected male or female"),
                )
            })?),
        };
        for (i, identifier) in draft.identifiers.iter().enumerate() {
            let scheme = identifier.scheme.trim().to_ascii_lowercase();
            if scheme.is_empty() {
                return Err(self.field_error(line, &format!("identifiers[{i}].scheme"), "empty"));
            }
            if identifier.value.trim().is_empty() {
                return Err(self.field_error(line, &format!("identifiers[{i}].value"), "empty"));
            }
            let country = identifier.country.as_deref().map(resolve_country);
            entity.push_identifier(&scheme, &identifier.value, country.as_deref());
        }
        for program in &draft.programs {
            let program = program.trim();
            if !program.is_empty() && !entity.programs.iter().any(|p| p == program) {
                entity.programs.push(program.to_string());
            }
        }
        self.first_line.insert(id, line);
        self.entities.push(entity);
        Ok(())
    }
}

fn resolve_country(country: &str) -> String {
    countries::to_iso2(country)
        .map(str::to_string)
        .unwrap_or_else(|| country.trim().to_string())
}

fn read_jsonl(content: &str, builder: &mut Builder) -> Result<(), ListError> {
    for (index, raw) in content.lines().enumerate() {
        let line = index as u64 + 1;
        if raw.trim().is_empty() {
            continue;
        }
        let draft = parse_json_record(raw, line, builder)?;
        builder.add(line, draft)?;
    }
    Ok(())
}

fn parse_json_record(raw: &str, line: u64, builder: &Builder) -> Result<Draft, ListError> {
    let value: Value = serde_json::from_str(raw).map_err(|e| ListError::Malformed {
        path: builder.path.to_path_buf(),
        line,
        // Each line is parsed on its own, so serde's "at line 1" would mislead: keep the column.
        message: {
            let text = e.to_string();
            let reason = text
                .rsplit_once(" at line ")
                .map_or(text.as_str(), |(r, _)| r);
            format!("not valid JSON at column {}: {reason}", e.column())
        },
    })?;
    let Value::Object(map) = value else {
        return Err(ListError::Malformed {
            path: builder.path.to_path_buf(),
            line,
            message: format!(
                "expected one JSON object per line, found {}",
                type_name(&value)
            ),
        });
    };
    let field = |name: &'static str| Field {
        map: &map,
        name,
        line,
        builder,
    };
    check_keys(&map, &FIELDS, "", line, builder)?;
    let mut identifiers = Vec::new();
    for (i, item) in field("identifiers").list()?.into_iter().enumerate() {
        let at = format!("identifiers[{i}]");
        let Value::Object(entry) = item else {
            return Err(builder.field_error(
                line,
                &at,
                format!(
                    "expected an object like {{\"scheme\": \"lei\", \"value\": \"...\"}}, found {}",
                    type_name(item)
                ),
            ));
        };
        check_keys(entry, &IDENTIFIER_FIELDS, &format!("{at}."), line, builder)?;
        let part = |name: &'static str| Field {
            map: entry,
            name,
            line,
            builder,
        };
        let required = |name: &'static str| {
            part(name).string()?.ok_or_else(|| {
                builder.field_error(line, &format!("{at}.{name}"), "missing; it is required")
            })
        };
        identifiers.push(DraftIdentifier {
            scheme: required("scheme")?,
            value: required("value")?,
            country: part("country").string()?,
        });
    }
    Ok(Draft {
        id: field("id").string()?,
        name: field("name").string()?,
        aliases: field("aliases").strings()?,
        kind: field("kind").string()?,
        countries: field("countries").strings()?,
        identifiers,
        programs: field("programs").strings()?,
        birth_dates: field("birth_dates").strings()?,
        nationalities: field("nationalities").strings()?,
        gender: field("gender").string()?,
    })
}

/// Rejects keys of `map` outside `known`, naming the first one (`prefix` places nested keys).
fn check_keys(
    map: &Map<String, Value>,
    known: &[&str],
    prefix: &str,
    line: u64,
    builder: &Builder,
) -> Result<(), ListError> {
    match map.keys().find(|k| !known.contains(&k.as_str())) {
        Some(key) => Err(builder.field_error(
            line,
            &format!("{prefix}{key}"),
            format!("unknown field; expected one of {}", known.join(", ")),
        )),
        None => Ok(()),
    }
}

/// One field of a JSON object, with what it takes to report an error about it. A missing field
/// and `null` both read as absent.
struct Field<'a> {
    map: &'a Map<String, Value>,
    name: &'static str,
    line: u64,
    builder: &'a Builder<'a>,
}

impl<'a> Field<'a> {
    fn error(&self, at: &str, expected: &str, found: &Value) -> ListError {
        self.builder.field_error(
            self.line,
            at,
            format!("expected {expected}, found {}", type_name(found)),
        )
    }

    fn string(&self) -> Result<Option<String>, ListError> {
        match self.map.get(self.name) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(s)) => Ok(Some(s.clone())),
            Some(other) => Err(self.error(self.name, "a string", other)),
        }
    }

    fn list(&self) -> Result<Vec<&'a Value>, ListError> {
        match self.map.get(self.name) {
            None | Some(Value::Null) => Ok(Vec::new()),
            Some(Value::Array(items)) => Ok(items.iter().collect()),
            Some(other) => Err(self.error(self.name, "a list", other)),
        }
    }

    fn strings(&self) -> Result<Vec<String>, ListError> {
        let mut out = Vec::new();
        for (i, item) in self.list()?.into_iter().enumerate() {
            match item {
                Value::String(s) => out.push(s.clone()),
                other => return Err(self.error(&format!("{}[{i}]", self.name), "a string", other)),
            }
        }
        Ok(out)
    }
}

fn type_name(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "a list",
        Value::Object(_) => "an object",
    }
}

fn read_csv(content: &str, builder: &mut Builder) -> Result<(), ListError> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(true)
        .from_reader(content.as_bytes());
    let csv_error = |e: csv::Error, builder: &Builder| {
        let line = e.position().map_or(1, |p| {
            text::line_of(
                content.as_bytes(),
                past_blank_lines(content, to_usize(p.byte())),
            )
        });
        let message = match e.kind() {
            csv::ErrorKind::UnequalLengths {
                expected_len, len, ..
            } => format!("the row has {len} columns, the header has {expected_len}"),
            _ => e.to_string(),
        };
        ListError::Malformed {
            path: builder.path.to_path_buf(),
            line,
            message,
        }
    };
    let headers = reader.headers().map_err(|e| csv_error(e, builder))?.clone();
    // Column index of each known column.
    let mut column: HashMap<&str, usize> = HashMap::new();
    for (i, header) in headers.iter().enumerate() {
        let header = header.trim().to_ascii_lowercase();
        let Some(known) = COLUMNS.iter().find(|c| **c == header) else {
            return Err(builder.field_error(
                1,
                &header,
                format!("unknown column; expected {}", COLUMNS.join(", ")),
            ));
        };
        if column.insert(known, i).is_some() {
            return Err(builder.field_error(1, known, "column appears twice in the header"));
        }
    }
    for required in ["id", "name"] {
        if !column.contains_key(required) {
            return Err(builder.field_error(
                1,
                required,
                "missing column; the header needs id and name",
            ));
        }
    }
    let mut record = csv::StringRecord::new();
    // Line number at byte offset `counted`.
    let (mut line, mut counted) = (1u64, 0usize);
    loop {
        match reader.read_record(&mut record) {
            Ok(true) => {}
            Ok(false) => break,
            Err(e) => return Err(csv_error(e, builder)),
        }
        // The csv crate's line numbers leave out blank lines, and its byte offset points at
        // the blank lines before a record; count lines from the offset past them, incrementally
        // so that a long file is scanned once.
        let at = past_blank_lines(content, record.position().map_or(0, |p| to_usize(p.byte())));
        line = line_after(content, &mut counted, at, line);
        if record.iter().all(|cell| cell.trim().is_empty()) {
            continue;
        }
        let cell = |name: &str| {
            column
                .get(name)
                .and_then(|&i| record.get(i))
                .map(str::to_string)
        };
        let multi = |name: &str| {
            cell(name)
                .map(|v| text::split_multi(&v).map(str::to_string).collect())
                .unwrap_or_default()
        };
        let draft = Draft {
            id: cell("id"),
            name: cell("name"),
            aliases: multi("aliases"),
            kind: cell("kind"),
            countries: multi("countries"),
            birth_dates: multi("birth_dates"),
            nationalities: multi("nationalities"),
            gender: cell("gender"),
            ..Draft::default()
        };
        builder.add(line, draft)?;
    }
    Ok(())
}

/// The offset of the first byte at or after `at` that is not a line break.
fn past_blank_lines(content: &str, mut at: usize) -> usize {
    while matches!(content.as_bytes().get(at), Some(b'\n' | b'\r')) {
        at += 1;
    }
    at
}

/// Advances a line count from byte offset `*counted` (at line `line`) to `at`.
fn line_after(content: &str, counted: &mut usize, at: usize, line: u64) -> u64 {
    let end = at.min(content.len()).max(*counted);
    let newlines = content.as_bytes()[*counted..end]
        .iter()
        .filter(|&&b| b == b'\n')
        .count();
    *counted = end;
    line + newlines as u64
}

/// The csv crate counts bytes in `u64`; the content is in memory, so offsets fit `usize`.
fn to_usize(offset: u64) -> usize {
    usize::try_from(offset).unwrap_or(usize::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::model::Identifier;
    use std::path::PathBuf;

    const DATASET: &str = "acme_deny";

    fn write(name: &str, content: &str) -> (tempfile::TempDir, PathBuf) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(name);
        std::fs::write(&path, content).unwrap();
        (dir, path)
    }

    /// Loads `content` as a file called `name` and returns the error's fields and message.
    fn error(name: &str, content: &str) -> (ListError, String) {
        let (_dir, path) = write(name, content);
        let err = load(&path, DATASET).unwrap_err();
        let message = err.to_string();
        assert!(message.contains(name), "{message}");
        (err, message)
    }

    use crate::engine::lists::assert_field_error as assert_field;

    #[test]
    fn jsonl_full_record() {
        let content = concat!(
            r#"{"id": "c-1", "name": " Acme Trading ", "aliases": ["Acme", "ACME TRADING", ""], "#,
            r#""kind": "organization", "countries": ["CN", "Hong Kong", "Atlantis"], "#,
            r#""identifiers": [{"scheme": "LEI", "value": "5493001KJTIIGC8Y1R12"}, "#,
            r#"{"scheme": "registration", "value": "91310000", "country": "China"}], "#,
            r#""programs": ["own", "own", "export"]}"#,
            "\n",
        );
        let (_dir, path) = write("own.jsonl", content);
        let list = load(&path, DATASET).unwrap();
        assert_eq!(list.dataset, DATASET);
        assert_eq!(list.as_of, None);
        let [acme] = list.entities.as_slice() else {
            panic!("{:?}", list.entities)
        };
        assert_eq!(acme.id, "acme_deny:c-1");
        assert_eq!(acme.dataset, DATASET);
        assert_eq!(acme.kind, EntityKind::Organization);
        let names: Vec<(&str, NameKind)> = acme
            .names
            .iter()
            .map(|n| (n.value.as_str(), n.kind))
            .collect();
        assert_eq!(
            names,
            [
                ("Acme Trading", NameKind::Primary),
                ("Acme", NameKind::Alias)
            ]
        );
        assert_eq!(acme.countries, ["CN", "HK", "Atlantis"]);
        assert_eq!(
            acme.identifiers,
            [
                Identifier {
                    scheme: "lei".into(),
                    value: "5493001KJTIIGC8Y1R12".into(),
                    country: None
                },
                Identifier {
                    scheme: "registration".into(),
                    value: "91310000".into(),
                    country: Some("CN".into())
                },
            ]
        );
        assert_eq!(acme.programs, ["own", "export"]);
    }

    /// A few lines as a company would write them: minimal records, a blank line, nulls.
    #[test]
    fn jsonl_few_lines() {
        let content = "\
{\"id\": \"1\", \"name\": \"Ivan Petrov\", \"kind\": \"person\"}

{\"id\": \"2\", \"name\": \"Blue Whale\", \"kind\": \"vessel\", \"aliases\": null}
   \t
{\"id\": \"3\", \"name\": \"Sky Cargo 1\", \"kind\": \"aircraft\", \"countries\": [\"ru\"]}
{\"id\": \"4\", \"name\": \"Just A Name\"}
";
        let (_dir, path) = write("deny.jsonl", content);
        let list = load(&path, DATASET).unwrap();
        let summary: Vec<(&str, &str, EntityKind)> = list
            .entities
            .iter()
            .map(|e| (e.id.as_str(), e.primary_name(), e.kind))
            .collect();
        assert_eq!(
            summary,
            [
                ("acme_deny:1", "Ivan Petrov", EntityKind::Person),
                ("acme_deny:2", "Blue Whale", EntityKind::Vessel),
                ("acme_deny:3", "Sky Cargo 1", EntityKind::Aircraft),
                ("acme_deny:4", "Just A Name", EntityKind::Unknown),
            ]
        );
        assert_eq!(list.entities[2].countries, ["RU"]);
    }

    #[test]
    fn csv_form() {
        let content = "\
ID, Name ,aliases,kind,countries
k1,Acme Trading,Acme; Acme Ltd ;,org,CN;Hong Kong
k2,\"Petrov, Ivan\",,person,

k3,Plain,,,
";
        let (_dir, path) = write("own.CSV", content);
        let list = load(&path, DATASET).unwrap();
        assert_eq!(list.entities.len(), 3);
        let acme = &list.entities[0];
        assert_eq!(acme.id, "acme_deny:k1");
        assert_eq!(acme.kind, EntityKind::Organization);
        let names: Vec<&str> = acme.names.iter().map(|n| n.value.as_str()).collect();
        assert_eq!(names, ["Acme Trading", "Acme", "Acme Ltd"]);
        assert_eq!(acme.countries, ["CN", "HK"]);
        assert_eq!(list.entities[1].primary_name(), "Petrov, Ivan");
        assert_eq!(list.entities[1].kind, EntityKind::Person);
        assert_eq!(list.entities[2].kind, EntityKind::Unknown);

        // Only id and name are required.
        let (_dir, path) = write("min.csv", "name,id\nSomeone,9\n");
        let list = load(&path, DATASET).unwrap();
        assert_eq!(list.entities[0].id, "acme_deny:9");
        assert_eq!(list.entities[0].primary_name(), "Someone");
    }

    #[test]
    fn person_facts_in_either_form() {
        let content = concat!(
            r#"{"id": "p1", "name": "John Doe", "kind": "person", "#,
            r#""birth_dates": ["1962-03-12", "circa 1970", "1962-03-12"], "#,
            r#""nationalities": ["IQ", "Syria", "Atlantis"], "countries": ["JO"], "gender": "Male"}"#,
            "\n",
            r#"{"id": "p2", "name": "Jane Doe", "gender": null, "birth_dates": []}"#,
            "\n",
        );
        let (_dir, path) = write("people.jsonl", content);
        let list = load(&path, DATASET).unwrap();
        let [john, jane] = list.entities.as_slice() else {
            panic!("{:?}", list.entities)
        };
        assert_eq!(john.birth_dates, ["1962-03-12", "circa 1970"]);
        assert_eq!(john.nationalities, ["IQ", "SY", "Atlantis"]);
        assert_eq!(john.countries, ["JO", "IQ", "SY", "Atlantis"]);
        assert_eq!(john.gender, Some(Gender::Male));
        assert!(jane.birth_dates.is_empty() && jane.nationalities.is_empty());
        assert_eq!(jane.gender, None);

        let content = "\
id,name,kind,birth_dates,nationalities,gender
p1,John Doe,person,1962-03-12; 1979 to 1982,IQ;Turkey,f
p2,Jane Doe,,,,
";
        let (_dir, path) = write("people.csv", content);
        let list = load(&path, DATASET).unwrap();
        let john = &list.entities[0];
        assert_eq!(john.birth_dates, ["1962-03-12", "1979 to 1982"]);
        assert_eq!(john.nationalities, ["IQ", "TR"]);
        assert_eq!(john.gender, Some(Gender::Female));
        assert_eq!(list.entities[1].gender, None);
    }

    #[test]
    fn person_fact_errors_name_the_field() {
        let cases = [
            (
                r#"{"id": "1", "name": "A", "birth_dates": ["1962", "soon"]}"#,
                "birth_dates[1]",
            ),
            (
                r#"{"id": "1", "name": "A", "birth_dates": "1962"}"#,
                "birth_dates",
            ),
            (
                r#"{"id": "1", "name": "A", "nationalities": [7]}"#,
                "nationalities[0]",
            ),
            (r#"{"id": "1", "name": "A", "gender": "robot"}"#, "gender"),
            (r#"{"id": "1", "name": "A", "gender": ["male"]}"#, "gender"),
            (
                r#"{"id": "1", "name": "A", "birthDate": ["1962"]}"#,
                "birthDate",
            ),
        ];
        for (content, field) in cases {
            let (err, _) = error("list.jsonl", content);
            assert_field(&err, 1, field);
        }
        let (_, message) = error(
            "list.jsonl",
            r#"{"id": "1", "name": "A", "gender": "robot"}"#,
        );
        assert!(message.contains("unknown gender `robot`"), "{message}");
        let (err, _) = error(
            "list.csv",
            "id,name,birth_dates\n1,A,1962\n2,B,30-35 years old\n",
        );
        assert_field(&err, 3, "birth_dates[0]");
    }

    #[test]
    fn jsonl_errors_name_line_and_field() {
        let ok = r#"{"id": "1", "name": "A"}"#;
        let cases: [(String, u64, &str); 14] = [
            (format!("{ok}\n{{\"id\": \"2\"}}\n"), 2, "name"),
            (format!("{ok}\n{{\"id\": \"2\", \"name\": \"  \"}}\n"), 2, "name"),
            (r#"{"name": "A"}"#.to_string(), 1, "id"),
            (r#"{"id": " ", "name": "A"}"#.to_string(), 1, "id"),
            (r#"{"id": 7, "name": "A"}"#.to_string(), 1, "id"),
            (format!("{ok}\n\n{ok}\n"), 3, "id"),
            (r#"{"id": "1", "name": "A", "kind": "alien"}"#.to_string(), 1, "kind"),
            (r#"{"id": "1", "name": "A", "alias": ["B"]}"#.to_string(), 1, "alias"),
            (r#"{"id": "1", "name": "A", "aliases": "B"}"#.to_string(), 1, "aliases"),
            (r#"{"id": "1", "name": "A", "aliases": ["B", 2]}"#.to_string(), 1, "aliases[1]"),
            (
                r#"{"id": "1", "name": "A", "identifiers": [{"scheme": "lei"}]}"#.to_string(),
                1,
                "identifiers[0].value",
            ),
            (
                r#"{"id": "1", "name": "A", "identifiers": [{"scheme": "lei", "value": "X", "issuer": "Y"}]}"#
                    .to_string(),
                1,
                "identifiers[0].issuer",
            ),
            (
                r#"{"id": "1", "name": "A", "identifiers": ["X"]}"#.to_string(),
                1,
                "identifiers[0]",
            ),
            (
                r#"{"id": "1", "name": "A", "identifiers": [{"scheme": " ", "value": "X"}]}"#
                    .to_string(),
                1,
                "identifiers[0].scheme",
            ),
        ];
        for (content, line, field) in cases {
            let (err, _) = error("list.jsonl", &content);
            assert_field(&err, line, field);
        }
        let (_, message) = error("list.jsonl", &format!("{ok}\n{ok}\n"));
        assert!(
            message.contains("duplicate id `1` (first on line 1)"),
            "{message}"
        );
        let (_, message) = error("list.jsonl", r#"{"id": "1", "name": "A", "kind": "alien"}"#);
        assert!(message.contains("unknown kind `alien`"), "{message}");
    }

    #[test]
    fn jsonl_malformed_lines() {
        for (content, line) in [
            (
                "{\"id\": \"1\", \"name\": \"A\"}\n{\"id\": \"2\", \"name\"",
                2,
            ),
            ("[1, 2]", 1),
            ("\n\n\"just a string\"", 3),
            ("not json", 1),
        ] {
            let (err, message) = error("list.jsonl", content);
            assert!(
                matches!(err, ListError::Malformed { line: l, .. } if l == line),
                "{message}"
            );
        }
        let (err, _) = error("list.jsonl", "");
        assert!(matches!(err, ListError::Empty { .. }));
        let (err, _) = error("list.jsonl", "\n  \n");
        assert!(matches!(err, ListError::Empty { .. }));
    }

    #[test]
    fn csv_errors_name_line_and_field() {
        let cases = [
            ("id,name,alias\n1,A,B\n", 1, "alias"),
            ("id,aliases\n1,A\n", 1, "name"),
            ("name\nA\n", 1, "id"),
            ("id,name,id\n1,A,2\n", 1, "id"),
            ("id,name\n1,A\n,B\n", 3, "id"),
            ("id,name\n1,A\n2,\n", 3, "name"),
            ("id,name,kind\n1,A,person\n2,B,spaceship\n", 3, "kind"),
            ("id,name\n1,A\n\n1,B\n", 4, "id"),
        ];
        for (content, line, field) in cases {
            let (err, _) = error("list.csv", content);
            assert_field(&err, line, field);
        }
        let (err, message) = error("list.csv", "id,name\n1,\"A\nB\"\n\n2,B,extra\n");
        assert!(
            matches!(err, ListError::Malformed { line: 5, .. }),
            "{message}"
        );
        assert!(message.contains("3 columns, the header has 2"), "{message}");
        let (err, _) = error("list.csv", "");
        assert!(matches!(err, ListError::Empty { .. }));
    }

    #[test]
    fn invalid_utf8_is_an_encoding_error() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("list.jsonl");
        std::fs::write(&path, b"{\"id\": \"1\", \"name\": \"\xff\"}\n").unwrap();
        let err = load(&path, DATASET).unwrap_err();
        assert!(matches!(err, ListError::Encoding { line: 1, .. }), "{err}");
    }

    proptest::proptest! {
        /// Arbitrary text in either form loads or fails with an error: it never panics.
        #[test]
        fn arbitrary_content_never_panics(content in "(\\PC|\n|\r){0,80}", prefix in 0usize..3) {
            let content = match prefix {
                0 => content,
                1 => format!("{{\"id\": \"1\", \"name\": {content}"),
                _ => format!("id,name,kind\n{content}"),
            };
            for csv in [false, true] {
                let mut builder = Builder {
                    path: Path::new("x"),
                    dataset: DATASET,
                    entities: Vec::new(),
                    first_line: HashMap::new(),
                };
                let _ = if csv {
                    read_csv(&content, &mut builder)
                } else {
                    read_jsonl(&content, &mut builder)
                };
            }
        }
    }
}
