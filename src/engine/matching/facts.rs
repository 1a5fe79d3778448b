//! Secondary facts about a person (date of birth, nationality) that confirm or contradict a
//! name hit. Pure functions over strings and dates: no I/O, no index.
//!
//! Lists publish dates of birth as text of many shapes. [`listed_spans`] reads one into the
//! spans of days it allows:
//!
//! | published | spans |
//! |---|---|
//! | `1962-03-12`, `12 Mar 1962` | that day |
//! | `1962-03`, `Mar 1962`, `Nov. 1973`, `August 1961` | that month |
//! | `1962` | that year |
//! | `1979-1982`, `1979 to 1982`, `01 Jan 1960 to 31 Dec 1962`, `between 1958 and 1963` | the whole range |
//! | `circa 1960`, `approximately 1960`, `circa 1979-1982` | the value widened by [`CIRCA_YEARS`] (2) years on each side: `circa 1960` is 1958 to 1962 |
//! | `1958/1963` | either year (alternatives, each read as above) |
//!
//! Anything else (a note such as "30-35 years old", a Hijri date, a year before
//! [`EARLIEST_YEAR`]) reads as no span and counts as unknown; nothing here panics on input.
//!
//! A caller's date of birth ([`BirthDate`]) is an ISO date `1962-03-12`, a month `1962-03` or
//! a year `1962`. Compared with every date an entry lists, the best outcome wins
//! ([`DateMatch`]): the same day, overlapping (the year, month or range agrees), disjoint (it
//! overlaps none of the listed spans), or unknown (the entry lists no readable date). Two exact
//! days in the same year whose day and month are swapped (`1962-03-12` against `1962-12-03`)
//! count as overlapping, not disjoint: "03/12" is written both ways.
//!
//! Nationalities are compared as ISO codes ([`NationalityMatch`]): they agree when one of
//! the caller's is among the listed ones, and differ when none is and every listed nationality
//! is a known ISO code. An entry listing a nationality the country table could not read
//! ("former Soviet Union") never differs: the caller's might be that one.
//!
//! The factors multiply the name score (see [`fact_adjustments`]):
//!
//! | fact | factor |
//! |---|---|
//! | date of birth, same day | [`BIRTH_DATE_SAME_DAY`] ×1.06 |
//! | date of birth overlapping | [`BIRTH_DATE_OVERLAPPING`] ×1.03 |
//! | date of birth disjoint | [`BIRTH_DATE_DISJOINT`] ×0.88 |
//! | nationality agrees | [`NATIONALITY_AGREES`] ×1.03 |
//! | nationality differs | [`NATIONALITY_DIFFERS`] ×0.93 |
//!
//! With the default thresholds (review 0.85, deny 0.95) an exact name (1.00) whose date of
//! birth is disjoint falls to 0.88: from deny to review, never to allow on the date alone. A
//! person is told apart from a namesake by a reviewer, not by a date that may be a typo; a
//! disjoint date and a differing nationality together (0.88 × 0.93 = 0.82) do allow. A name
//! hit below 0.966 falls under review on a disjoint date alone, which `clearance screen
//! --explain` shows among the near misses. Facts apply only when the entry is a person (or of
//! unknown kind) and the caller has not said the party is an organisation, vessel or
//! aircraft.

use std::fmt;
use std::str::FromStr;

use jiff::civil::Date;
use jiff::ToSpan;

use super::{Adjustment, Query};
use crate::engine::countries;
use crate::engine::model::{published_date, Entity, EntityKind};

/// Factor for a caller's date of birth on the very day an entry lists.
pub const BIRTH_DATE_SAME_DAY: f32 = 1.06;
/// Factor for a caller's date of birth within a listed year, month or range.
pub const BIRTH_DATE_OVERLAPPING: f32 = 1.03;
/// Factor for a caller's date of birth outside every date the entry lists.
pub const BIRTH_DATE_DISJOINT: f32 = 0.88;
/// Factor for a caller's nationality among the entry's.
pub const NATIONALITY_AGREES: f32 = 1.03;
/// Factor for caller nationalities none of which the entry lists.
pub const NATIONALITY_DIFFERS: f32 = 0.93;
/// Years added on each side of an approximate ("circa") date of birth.
pub const CIRCA_YEARS: i16 = 2;
/// Years outside `EARLIEST_YEAR..=LATEST_YEAR` are not read as birth years (a Hijri year such
/// as 1402, a typo such as 0196).
pub const EARLIEST_YEAR: i16 = 1800;
pub const LATEST_YEAR: i16 = 2100;

/// Why a fact given by a caller cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FactsError {
    #[error("{value:?} is not a date of birth: expected YYYY-MM-DD, YYYY-MM or YYYY")]
    BirthDate { value: String },
}

/// A span of days, both ends included.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Span {
    pub first: Date,
    pub last: Date,
}

impl Span {
    fn overlaps(&self, other: &Span) -> bool {
        self.first <= other.last && other.first <= self.last
    }

    fn is_day(&self) -> bool {
        self.first == self.last
    }
}

/// A caller's date of birth: a day, a month or a year.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BirthDate {
    text: String,
    span: Span,
}

impl BirthDate {
    /// Reads `1962-03-12`, `1962-03` or `1962` (surrounding spaces ignored).
    pub fn parse(text: &str) -> Result<BirthDate, FactsError> {
        let trimmed = text.trim();
        let error = || FactsError::BirthDate {
            value: text.to_string(),
        };
        let first = published_date(trimmed, true).ok_or_else(error)?;
        let last = published_date(trimmed, false).ok_or_else(error)?;
        Ok(BirthDate {
            text: trimmed.to_string(),
            span: Span { first, last },
        })
    }

    /// The date as the caller wrote it (trimmed).
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// The days it covers.
    pub fn span(&self) -> Span {
        self.span
    }
}

impl FromStr for BirthDate {
    type Err = FactsError;
    fn from_str(s: &str) -> Result<BirthDate, FactsError> {
        BirthDate::parse(s)
    }
}

impl fmt::Display for BirthDate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

/// How a caller's date of birth compares with an entry's.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DateMatch {
    /// Both name the same single day.
    SameDay,
    /// The days overlap: the year, month or range agrees.
    Overlapping,
    /// No listed span overlaps the caller's date.
    Disjoint,
    /// The entry lists no date that could be read.
    Unknown,
}

/// How a caller's nationalities compare with an entry's.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NationalityMatch {
    Agrees,
    Differs,
    /// Either side lists none, or the entry lists one that is not a known ISO code.
    Unknown,
}

/// The spans of days a published date of birth allows; empty when it cannot be read.
pub fn listed_spans(text: &str) -> Vec<Span> {
    let mut spans = Vec::new();
    for_each_span(text, &mut |s| spans.push(s));
    spans
}

/// Calls `f` with each span `text` allows. Alternatives (`1958/1963`) give one span each.
fn for_each_span(text: &str, f: &mut dyn FnMut(Span)) {
    let text = text.trim().trim_end_matches('.').trim();
    if text.contains('/') {
        // `12/03/1962` is not alternatives but a day written with slashes; read its year,
        // which is what both day orders agree on.
        let parts: Vec<&str> = text.split('/').map(str::trim).collect();
        if let [d, m, y] = parts.as_slice() {
            let short =
                |s: &str| (1..=2).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_digit());
            if short(d) && short(m) {
                if let Some(span) = single(y) {
                    f(span);
                }
                return;
            }
        }
        for part in parts {
            if let Some(span) = single(part) {
                f(span);
            }
        }
    } else if let Some(span) = single(text) {
        f(span);
    }
}

/// One date, range or approximate date.
fn single(text: &str) -> Option<Span> {
    let text = text.trim().trim_end_matches('.').trim();
    let lower = text.to_ascii_lowercase();
    for prefix in [
        "circa ",
        "approximately ",
        "approx. ",
        "about ",
        "ca. ",
        "c. ",
    ] {
        if lower.starts_with(prefix) {
            let span = range(text.get(prefix.len()..)?)?;
            return Some(widen(span, CIRCA_YEARS));
        }
    }
    range(text)
}

/// `X to Y`, `between X and Y`, `X - Y`, `YYYY-YYYY`, or a plain date.
fn range(text: &str) -> Option<Span> {
    let text = text.trim();
    let lower = text.to_ascii_lowercase();
    let halves = if let Some(rest) = lower.strip_prefix("between ") {
        let at = rest.find(" and ")?;
        let start = "between ".len();
        Some((
            text.get(start..start + at)?,
            text.get(start + at + " and ".len()..)?,
        ))
    } else if let Some(at) = lower.find(" to ") {
        Some((text.get(..at)?, text.get(at + " to ".len()..)?))
    } else if let Some(at) = lower.find(" - ") {
        Some((text.get(..at)?, text.get(at + " - ".len()..)?))
    } else {
        // `1979-1982`: two years. `1962-03` (a month) and ISO dates are plain dates.
        match text.split_once('-') {
            Some((a, b)) if is_year(a) && is_year(b) => Some((a, b)),
            _ => None,
        }
    };
    match halves {
        Some((a, b)) => {
            let (a, b) = (date(a)?, date(b)?);
            Some(Span {
                first: a.first.min(b.first),
                last: a.last.max(b.last),
            })
        }
        None => date(text),
    }
}

/// A plain date: ISO (`1962-03-12`, `1962-03`, `1962`), `12 Mar 1962`, `Mar 1962`,
/// `Nov. 1973`, `August 1961`.
fn date(text: &str) -> Option<Span> {
    let text = text.trim().trim_end_matches('.').trim();
    let span = if let (Some(first), Some(last)) =
        (published_date(text, true), published_date(text, false))
    {
        Span { first, last }
    } else {
        let words: Vec<&str> = text.split_whitespace().collect();
        match words.as_slice() {
            [day, month, year] => {
                let day: i8 = day.parse().ok()?;
                let d = Date::new(year_of(year)?, month_of(month)?, day).ok()?;
                Span { first: d, last: d }
            }
            [month, year] => {
                let first = Date::new(year_of(year)?, month_of(month)?, 1).ok()?;
                Span {
                    first,
                    last: first.last_of_month(),
                }
            }
            _ => return None,
        }
    };
    let plausible = |d: Date| (EARLIEST_YEAR..=LATEST_YEAR).contains(&d.year());
    (plausible(span.first) && plausible(span.last)).then_some(span)
}

fn is_year(s: &str) -> bool {
    s.len() == 4 && s.bytes().all(|b| b.is_ascii_digit())
}

fn year_of(s: &str) -> Option<i16> {
    if is_year(s) {
        s.parse().ok()
    } else {
        None
    }
}

/// `Mar`, `Mar.`, `March`, `Sept` (any case) → 1–12.
fn month_of(word: &str) -> Option<i8> {
    const MONTHS: [&str; 12] = [
        "january",
        "february",
        "march",
        "april",
        "may",
        "june",
        "july",
        "august",
        "september",
        "october",
        "november",
        "december",
    ];
    let w = word.trim_end_matches('.').to_ascii_lowercase();
    if w.len() < 3 {
        return None;
    }
    let i = MONTHS.iter().position(|m| m.starts_with(w.as_str()))?;
    Some(i as i8 + 1)
}

fn widen(span: Span, years: i16) -> Span {
    let clamp = |d: Option<Date>, fallback: Date| d.unwrap_or(fallback);
    Span {
        first: clamp(span.first.checked_sub(years.years()).ok(), span.first),
        last: clamp(span.last.checked_add(years.years()).ok(), span.last),
    }
}

/// The outcome of one listed date against the caller's span.
fn date_match(query: &Span, listed: &str) -> DateMatch {
    let mut best = DateMatch::Unknown;
    for_each_span(listed, &mut |span| {
        let outcome = if query.is_day() && span.is_day() && query.first == span.first {
            DateMatch::SameDay
        } else if query.overlaps(&span) || swapped(query, &span) {
            DateMatch::Overlapping
        } else {
            DateMatch::Disjoint
        };
        best = better(best, outcome);
    });
    best
}

/// Two exact days of one year whose day and month are swapped.
fn swapped(a: &Span, b: &Span) -> bool {
    a.is_day()
        && b.is_day()
        && a.first.year() == b.first.year()
        && a.first.day() == b.first.month()
        && a.first.month() == b.first.day()
}

fn rank(m: DateMatch) -> u8 {
    match m {
        DateMatch::Unknown => 0,
        DateMatch::Disjoint => 1,
        DateMatch::Overlapping => 2,
        DateMatch::SameDay => 3,
    }
}

fn better(a: DateMatch, b: DateMatch) -> DateMatch {
    if rank(b) > rank(a) {
        b
    } else {
        a
    }
}

/// Compares a caller's date of birth with every date an entry lists; the best outcome wins.
pub fn compare_birth_date(query: &BirthDate, listed: &[String]) -> DateMatch {
    listed
        .iter()
        .map(|l| date_match(&query.span, l))
        .fold(DateMatch::Unknown, better)
}

/// Compares a caller's nationalities (ISO codes) with an entry's.
pub fn compare_nationalities(query: &[String], listed: &[String]) -> NationalityMatch {
    if query.is_empty() || listed.is_empty() {
        return NationalityMatch::Unknown;
    }
    if query
        .iter()
        .any(|q| listed.iter().any(|l| l.eq_ignore_ascii_case(q)))
    {
        NationalityMatch::Agrees
    } else if listed
        .iter()
        .all(|l| l.len() == 2 && countries::name_of(l).is_some())
    {
        NationalityMatch::Differs
    } else {
        NationalityMatch::Unknown
    }
}

/// Whether facts about a person may be compared for this query and entry: the entry is a
/// person or of unknown kind, and the caller has not said the party is something else.
fn applies(query: Option<EntityKind>, entity: EntityKind) -> bool {
    let person_entry = matches!(entity, EntityKind::Person | EntityKind::Unknown);
    let person_query = matches!(query, None | Some(EntityKind::Person | EntityKind::Unknown));
    person_entry && person_query
}

/// The adjustments the caller's date of birth and nationalities make to a hit on `entity`
/// (none when the query gives neither, or when the facts do not apply; see the module doc).
/// Reasons are spelled out only when `explain` is set.
pub fn fact_adjustments(query: &Query, entity: &Entity, explain: bool) -> Vec<Adjustment> {
    let mut out = Vec::new();
    if (query.birth_date.is_none() && query.nationalities.is_empty())
        || !applies(query.kind, entity.kind)
    {
        return out;
    }
    let mut push = |factor: f32, reason: &dyn Fn() -> String| {
        out.push(Adjustment {
            reason: if explain { reason() } else { String::new() },
            factor,
        })
    };
    if let Some(dob) = &query.birth_date {
        let listed = &entity.birth_dates;
        // The listed dates that gave the outcome, as published.
        let which = |wanted: DateMatch| {
            listed
                .iter()
                .filter(|l| date_match(&dob.span, l) == wanted)
                .map(String::as_str)
                .collect::<Vec<_>>()
                .join(", ")
        };
        match compare_birth_date(dob, listed) {
            DateMatch::SameDay => push(BIRTH_DATE_SAME_DAY, &|| {
                format!(
                    "date of birth {dob} matches listed {}",
                    which(DateMatch::SameDay)
                )
            }),
            DateMatch::Overlapping => push(BIRTH_DATE_OVERLAPPING, &|| {
                format!(
                    "date of birth {dob} agrees with listed {}",
                    which(DateMatch::Overlapping)
                )
            }),
            DateMatch::Disjoint => push(BIRTH_DATE_DISJOINT, &|| {
                format!(
                    "date of birth {dob} disjoint from listed {}",
                    which(DateMatch::Disjoint)
                )
            }),
            DateMatch::Unknown => {}
        }
    }
    let listed = &entity.nationalities;
    match compare_nationalities(&query.nationalities, listed) {
        NationalityMatch::Agrees => push(NATIONALITY_AGREES, &|| {
            let shared = query
                .nationalities
                .iter()
                .find(|q| listed.iter().any(|l| l.eq_ignore_ascii_case(q)))
                .map_or("", String::as_str);
            format!("nationality {shared} matches listed {}", listed.join(", "))
        }),
        NationalityMatch::Differs => push(NATIONALITY_DIFFERS, &|| {
            format!(
                "nationality {} not among listed {}",
                query.nationalities.join(", "),
                listed.join(", ")
            )
        }),
        NationalityMatch::Unknown => {}
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::model::Entity;

    fn d(s: &str) -> Date {
        s.parse().unwrap()
    }

    fn span(first: &str, last: &str) -> Span {
        Span {
            first: d(first),
            last: d(last),
        }
    }

    #[test]
    fn listed_dates_read_into_spans() {
        let cases: &[(&str, &[(&str, &str)])] = &[
            ("1962-03-12", &[("1962-03-12", "1962-03-12")]),
            ("12 Mar 1962", &[("1962-03-12", "1962-03-12")]),
            ("1962-03", &[("1962-03-01", "1962-03-31")]),
            ("Mar 1962", &[("1962-03-01", "1962-03-31")]),
            ("Nov. 1973", &[("1973-11-01", "1973-11-30")]),
            ("August 1961", &[("1961-08-01", "1961-08-31")]),
            ("Feb 2024", &[("2024-02-01", "2024-02-29")]),
            ("1962", &[("1962-01-01", "1962-12-31")]),
            ("1962.", &[("1962-01-01", "1962-12-31")]),
            ("circa 1960", &[("1958-01-01", "1962-12-31")]),
            ("Circa 1960", &[("1958-01-01", "1962-12-31")]),
            ("approximately 1960", &[("1958-01-01", "1962-12-31")]),
            ("circa 12 Jul 1960", &[("1958-07-12", "1962-07-12")]),
            ("circa 1979-1982", &[("1977-01-01", "1984-12-31")]),
            ("1979-1982", &[("1979-01-01", "1982-12-31")]),
            ("1979 to 1982", &[("1979-01-01", "1982-12-31")]),
            ("1982 to 1979", &[("1979-01-01", "1982-12-31")]),
            (
                "01 Jan 1960 to 31 Dec 1962",
                &[("1960-01-01", "1962-12-31")],
            ),
            ("1960-01-01 to 1962-12-31", &[("1960-01-01", "1962-12-31")]),
            ("between 1958 and 1963", &[("1958-01-01", "1963-12-31")]),
            ("1958 - 1963", &[("1958-01-01", "1963-12-31")]),
            (
                "1958/1963",
                &[("1958-01-01", "1958-12-31"), ("1963-01-01", "1963-12-31")],
            ),
            (
                "1958 / 1963-05",
                &[("1958-01-01", "1958-12-31"), ("1963-05-01", "1963-05-31")],
            ),
            ("12/03/1962", &[("1962-01-01", "1962-12-31")]),
        ];
        for (text, want) in cases {
            let want: Vec<Span> = want.iter().map(|(a, b)| span(a, b)).collect();
            assert_eq!(listed_spans(text), want, "{text:?}");
        }
    }

    #[test]
    fn junk_reads_as_nothing_and_never_panics() {
        for text in [
            "",
            "   ",
            ".",
            "/",
            "//",
            "30-35 years old",
            "24/06/1402 (Hijri Calendar)",
            "1402",
            "0196",
            "9999",
            "32 Jan 1960",
            "31 Feb 1960",
            "Smarch 1960",
            "Ma 1960",
            "circa",
            "circa ",
            "between 1958",
            "between  and ",
            " to ",
            "1960 to",
            "to 1960",
            "1962-13",
            "1962-02-30",
            "-1962",
            "1962-",
            "Between Aug. and Sep. 1977",
            "é 1960",
            "1960 – 1962",
            "circa circa 1960",
        ] {
            assert_eq!(listed_spans(text), Vec::new(), "{text:?}");
        }
    }

    #[test]
    fn query_dates_are_days_months_or_years() {
        let b = BirthDate::parse(" 1962-03-12 ").unwrap();
        assert_eq!(b.as_str(), "1962-03-12");
        assert_eq!(b.span(), span("1962-03-12", "1962-03-12"));
        assert_eq!(
            BirthDate::parse("1962-03").unwrap().span(),
            span("1962-03-01", "1962-03-31")
        );
        assert_eq!(
            "1962".parse::<BirthDate>().unwrap().span(),
            span("1962-01-01", "1962-12-31")
        );
        for bad in [
            "",
            "62",
            "12 Mar 1962",
            "1962-3-12",
            "1962-02-30",
            "circa 1960",
        ] {
            let err = BirthDate::parse(bad).unwrap_err();
            assert!(err.to_string().contains("YYYY-MM-DD"), "{bad:?}: {err}");
        }
    }

    fn compare(query: &str, listed: &[&str]) -> DateMatch {
        let listed: Vec<String> = listed.iter().map(|s| s.to_string()).collect();
        compare_birth_date(&BirthDate::parse(query).unwrap(), &listed)
    }

    #[test]
    fn dates_compare_same_overlapping_disjoint_or_unknown() {
        use DateMatch::*;
        assert_eq!(compare("1962-03-12", &["1962-03-12"]), SameDay);
        assert_eq!(compare("1962-03-12", &["12 Mar 1962"]), SameDay);
        // A day against a coarser listed date, and a coarser query against a day.
        assert_eq!(compare("1962-03-12", &["1962"]), Overlapping);
        assert_eq!(compare("1962-03-12", &["Mar 1962"]), Overlapping);
        assert_eq!(compare("1962", &["1962-03-12"]), Overlapping);
        assert_eq!(compare("1962-03", &["1962-03-12"]), Overlapping);
        assert_eq!(compare("1962", &["1962"]), Overlapping);
        // Approximate dates and ranges.
        assert_eq!(compare("1962", &["circa 1960"]), Overlapping);
        assert_eq!(compare("1963", &["circa 1960"]), Disjoint);
        assert_eq!(compare("1957-12-31", &["circa 1960"]), Disjoint);
        assert_eq!(compare("1981-06", &["1979 to 1982"]), Overlapping);
        assert_eq!(
            compare("1961-07-04", &["1960-01-01 to 1962-12-31"]),
            Overlapping
        );
        assert_eq!(compare("1983", &["1979-1982"]), Disjoint);
        // Alternatives: either year, not the years between.
        assert_eq!(compare("1963-05-01", &["1958/1963"]), Overlapping);
        assert_eq!(compare("1960", &["1958/1963"]), Disjoint);
        // The best of several listed dates wins; unreadable ones are ignored.
        assert_eq!(
            compare("1963", &["1969", "1963", "1964-02-11"]),
            Overlapping
        );
        assert_eq!(
            compare("1964-02-11", &["1969", "1963", "1964-02-11"]),
            SameDay
        );
        assert_eq!(compare("1990", &["1958", "30-35 years old"]), Disjoint);
        // Different days, same year.
        assert_eq!(compare("1962-03-12", &["1962-03-13"]), Disjoint);
        assert_eq!(compare("1962-03-12", &["1962-12-03"]), Overlapping);
        // Nothing readable.
        assert_eq!(compare("1962", &[]), Unknown);
        assert_eq!(compare("1962", &["30-35 years old", ""]), Unknown);
    }

    fn strings(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn nationalities_agree_differ_or_are_unknown() {
        use NationalityMatch::*;
        let n = |q: &[&str], l: &[&str]| compare_nationalities(&strings(q), &strings(l));
        assert_eq!(n(&["IQ"], &["IQ"]), Agrees);
        assert_eq!(n(&["TR", "iq"], &["SY", "IQ"]), Agrees);
        assert_eq!(n(&["TR"], &["IQ"]), Differs);
        assert_eq!(n(&["TR", "DE"], &["IQ", "SY"]), Differs);
        assert_eq!(n(&[], &["IQ"]), Unknown);
        assert_eq!(n(&["IQ"], &[]), Unknown);
        // A listed nationality the country table could not read may be the caller's.
        assert_eq!(n(&["RU"], &["IQ", "former Soviet Union"]), Unknown);
        assert_eq!(n(&["RU"], &["RU", "former Soviet Union"]), Agrees);
    }

    fn person(birth_dates: &[&str], nationalities: &[&str]) -> Entity {
        Entity {
            id: "t:1".into(),
            kind: EntityKind::Person,
            birth_dates: strings(birth_dates),
            nationalities: strings(nationalities),
            ..Entity::default()
        }
    }

    fn query(dob: Option<&str>, nationalities: &[&str]) -> Query {
        Query {
            name: "John Doe".into(),
            birth_date: dob.map(|d| BirthDate::parse(d).unwrap()),
            nationalities: strings(nationalities),
            ..Query::default()
        }
    }

    fn adjustments(q: &Query, e: &Entity) -> Vec<(f32, String)> {
        fact_adjustments(q, e, true)
            .into_iter()
            .map(|a| (a.factor, a.reason))
            .collect()
    }

    #[test]
    fn adjustments_name_the_facts() {
        let e = person(&["12 Mar 1962"], &["IQ"]);
        assert_eq!(
            adjustments(&query(Some("1962-03-12"), &["IQ"]), &e),
            [
                (
                    BIRTH_DATE_SAME_DAY,
                    "date of birth 1962-03-12 matches listed 12 Mar 1962".to_string()
                ),
                (
                    NATIONALITY_AGREES,
                    "nationality IQ matches listed IQ".to_string()
                ),
            ]
        );
        let e = person(&["1958", "1963", "30-35 years old"], &["IQ"]);
        assert_eq!(
            adjustments(&query(Some("1990"), &["TR"]), &e),
            [
                (
                    BIRTH_DATE_DISJOINT,
                    "date of birth 1990 disjoint from listed 1958, 1963".to_string()
                ),
                (
                    NATIONALITY_DIFFERS,
                    "nationality TR not among listed IQ".to_string()
                ),
            ]
        );
        assert_eq!(
            adjustments(&query(Some("1963-05"), &[]), &e),
            [(
                BIRTH_DATE_OVERLAPPING,
                "date of birth 1963-05 agrees with listed 1963".to_string()
            )]
        );
        // Without explanations the factors are the same and the reasons empty.
        let quiet = fact_adjustments(&query(Some("1990"), &["TR"]), &e, false);
        assert_eq!(quiet.len(), 2);
        assert!(quiet.iter().all(|a| a.reason.is_empty()));
    }

    #[test]
    fn nothing_to_compare_adjusts_nothing() {
        let e = person(&["1962"], &["IQ"]);
        assert!(adjustments(&query(None, &[]), &e).is_empty());
        assert!(adjustments(&query(Some("1962"), &["IQ"]), &person(&[], &[])).is_empty());
        assert!(adjustments(&query(Some("1962"), &[]), &person(&["unknown"], &[])).is_empty());
    }

    #[test]
    fn facts_apply_to_persons_and_unknown_kinds_only() {
        let q = query(Some("1990"), &["TR"]);
        let mut e = person(&["1962"], &["IQ"]);
        assert_eq!(adjustments(&q, &e).len(), 2);
        e.kind = EntityKind::Unknown;
        assert_eq!(adjustments(&q, &e).len(), 2);
        for kind in [
            EntityKind::Organization,
            EntityKind::Vessel,
            EntityKind::Aircraft,
        ] {
            e.kind = kind;
            assert!(adjustments(&q, &e).is_empty(), "{kind:?}");
        }
        e.kind = EntityKind::Person;
        for kind in [Some(EntityKind::Person), Some(EntityKind::Unknown), None] {
            let q = Query { kind, ..q.clone() };
            assert_eq!(adjustments(&q, &e).len(), 2, "{kind:?}");
        }
        for kind in [EntityKind::Organization, EntityKind::Vessel] {
            let q = Query {
                kind: Some(kind),
                ..q.clone()
            };
            assert!(adjustments(&q, &e).is_empty(), "{kind:?}");
        }
    }

    /// The thresholds the factors were chosen against (the policy defaults): a disjoint date
    /// alone takes an exact name from deny to review, not to allow.
    #[test]
    fn a_disjoint_date_alone_never_allows_an_exact_name() {
        let policy = crate::engine::policy::Policy::default();
        let exact = 1.0 * BIRTH_DATE_DISJOINT;
        assert!(exact < policy.deny_threshold && exact >= policy.review_threshold);
        assert!(1.0 * BIRTH_DATE_DISJOINT * NATIONALITY_DIFFERS < policy.review_threshold);
    }

    proptest::proptest! {
        /// Whatever a list publishes, reading and comparing it never panics.
        #[test]
        fn arbitrary_listed_dates_never_panic(text in "\\PC{0,40}", digits in "[0-9 /.-]{0,16}") {
            let q = BirthDate::parse("1962-03-12").unwrap();
            for t in [text.as_str(), digits.as_str()] {
                let _ = listed_spans(t);
                let _ = compare_birth_date(&q, &[t.to_string()]);
                let _ = BirthDate::parse(t);
            }
        }
    }
}
