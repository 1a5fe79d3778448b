//! The Remarks cell: OFAC's free text of `;`-separated clauses, of which this module lifts the
//! ones it recognises (aliases, dates and places of birth, nationalities, identifiers,
//! gender, links to other parties) into the entity's fields. The whole text stays in
//! [`Entity::remarks`]; a clause not understood is only there.

use super::{country, edge};
use crate::engine::model::{Entity, Gender, NameKind, Ownership};

/// Clause prefixes that name a related party, and the source text recorded for each.
const RELATIONS: [(&str, &str); 3] = [
    ("linked to:", "ofac remark: Linked To"),
    ("subsidiary of:", "ofac remark: Subsidiary Of"),
    (
        "owned or controlled by:",
        "ofac remark: Owned or Controlled By",
    ),
];

/// Identifier labels as OFAC writes them (lower case) and the scheme each maps to. Longer
/// labels come before their prefixes ("registration id" before "registration") because the
/// first match wins. A `#`, `No.` or `:` after the label is skipped by [`identifier_value`].
const ID_LABELS: &[(&str, &str)] = &[
    ("vessel registration identification", "vessel_registration"),
    (
        "aircraft manufacturer's serial number (msn)",
        "aircraft_msn",
    ),
    (
        "aircraft construction number (also called l/n or s/n or f/n)",
        "aircraft_construction",
    ),
    ("aircraft tail number", "aircraft_tail_number"),
    ("diplomatic passport", "passport"),
    ("stateless person passport", "passport"),
    ("british national overseas passport", "passport"),
    ("passport booklet", "passport_booklet"),
    ("passport", "passport"),
    ("national foreign id number", "national_id"),
    ("national id", "national_id"),
    ("personal id card", "national_id"),
    ("bosnian personal id", "national_id"),
    ("moroccan personal id", "national_id"),
    ("turkish identification number", "national_id"),
    ("citizen's card number", "national_id"),
    ("kenyan id", "national_id"),
    ("tazkira national id card", "national_id"),
    ("numero de identidad", "national_id"),
    ("d.n.i.", "national_id"),
    ("c.u.i.t.", "tax_id"),
    ("c.u.i.", "national_id"),
    ("identification number", "identification"),
    ("cedula", "cedula"),
    ("nit", "nit"),
    ("r.f.c.", "rfc"),
    ("rfc", "rfc"),
    ("c.u.r.p.", "curp"),
    ("curp", "curp"),
    ("ruc", "ruc"),
    ("rif", "rif"),
    ("tax id", "tax_id"),
    ("us fein", "tax_id"),
    ("italian fiscal code", "tax_id"),
    ("rtn", "tax_id"),
    ("numero unico de identificacao tributaria (nuit)", "tax_id"),
    ("c.i.f.", "tax_id"),
    ("v.a.t. number", "vat"),
    ("ssn", "ssn"),
    ("business registration document", "registration"),
    ("business registration number", "registration"),
    ("registration id", "registration"),
    ("registration number", "registration"),
    ("public registration number", "registration"),
    ("uk company number", "registration"),
    ("company number", "registration"),
    ("company id", "registration"),
    ("commercial registry number", "registration"),
    ("matricula mercantil", "registration"),
    ("folio mercantil", "registration"),
    ("trade license", "registration"),
    ("c.r.", "registration"),
    ("dubai chamber of commerce membership", "registration"),
    ("chamber of commerce number", "registration"),
    ("certificate of incorporation number", "registration"),
    ("legal entity number", "registration"),
    ("enterprise number", "registration"),
    ("branch unit number", "registration"),
    ("registered charity", "registration"),
    ("government gazette number", "registration"),
    ("unified social credit code (uscc)", "registration"),
    (
        "united social credit code certificate (usccc)",
        "registration",
    ),
    ("le number", "registration"),
    ("imo", "imo"),
    ("mmsi", "mmsi"),
    ("swift/bic", "swift"),
    ("bik (ru)", "bik"),
    ("isin", "isin"),
    ("d-u-n-s number", "duns"),
    ("electoral registry", "voter_id"),
    ("credencial electoral", "voter_id"),
    ("i.f.e.", "voter_id"),
    ("driver's license", "drivers_license"),
    ("residency number", "residency"),
    ("travel document number", "travel_document"),
    ("birth certificate number", "birth_certificate"),
];

/// Lifts the clauses of a Remarks text that this loader understands into `entity`; any other
/// clause stays only in the remarks. Never fails: remarks are free text.
pub(super) fn parse_remarks(entity: &mut Entity, text: &str, ownership: &mut Vec<Ownership>) {
    for clause in text.split(';') {
        // The remarks end with a period, which belongs to the sentence, not to the last value.
        let clause = clause.trim();
        let clause = clause.strip_suffix('.').unwrap_or(clause).trim();
        // "alt. Passport ...", "alt. DOB ...": a second value of the same kind.
        let body = strip_prefix_ci(clause, "alt.").map_or(clause, str::trim_start);
        let lower = body.to_ascii_lowercase();

        if let Some(rest) = after(body, &lower, "a.k.a.") {
            entity.push_name(&unquote(rest), NameKind::Weak);
        } else if let Some(rest) = after(body, &lower, "f.k.a.") {
            entity.push_name(&unquote(rest), NameKind::Former);
        } else if let Some(rest) = after(body, &lower, "n.k.a.") {
            entity.push_name(&unquote(rest), NameKind::Weak);
        } else if let Some(rest) = after(body, &lower, "dob ") {
            entity.push_birth_date(&birth_date(rest.trim()));
        } else if let Some(rest) = after(body, &lower, "nationality of registration ") {
            // A vessel's or company's registration country, not a person's nationality.
            if !rest.trim().is_empty() {
                entity.push_country(&country(rest));
            }
        } else if let Some(rest) = ["nationality:", "nationality ", "citizen "]
            .iter()
            .find_map(|p| after(body, &lower, p))
        {
            if !rest.trim().is_empty() {
                entity.push_nationality(&country(rest));
            }
        } else if let Some(rest) = after(body, &lower, "gender ") {
            if let Some(gender) = Gender::parse(rest) {
                entity.gender = Some(gender);
            }
        } else if let Some((source, rest)) = RELATIONS
            .iter()
            .find_map(|(p, source)| after(body, &lower, p).map(|r| (*source, r)))
        {
            let owner = rest.trim();
            if !owner.is_empty() {
                ownership.push(edge(owner, &entity.id, source));
            }
        } else if let Some((scheme, value, issuer)) = identifier(body, &lower) {
            let issuer = issuer.as_deref().map(country);
            if let Some(issuer) = &issuer {
                entity.push_country(issuer);
            }
            entity.push_identifier(&scheme, &value, issuer.as_deref());
        }
    }
}

/// `text` without the ASCII-case-insensitive `prefix`, if it starts with it.
fn strip_prefix_ci<'a>(text: &'a str, prefix: &str) -> Option<&'a str> {
    let head = text.get(..prefix.len())?;
    head.eq_ignore_ascii_case(prefix)
        .then(|| text.get(prefix.len()..))
        .flatten()
}

/// Like [`strip_prefix_ci`] with the lower-cased `text` already at hand (`prefix` is lower
/// case): the rest of the original text after the prefix.
fn after<'a>(text: &'a str, lower: &str, prefix: &str) -> Option<&'a str> {
    if lower.starts_with(prefix) {
        text.get(prefix.len()..)
    } else {
        None
    }
}

/// The name inside `'...'`. Apostrophes inside the name ("'ABU 'ABDALLAH'") are kept; a doubled
/// outer pair ("''FUPI''", an OFAC typing slip) is removed too.
fn unquote(text: &str) -> String {
    let mut name = text.trim();
    for _ in 0..2 {
        match name.strip_prefix('\'').and_then(|n| n.strip_suffix('\'')) {
            Some(inner) => name = inner.trim(),
            None => break,
        }
    }
    name.to_string()
}

/// A DOB value with every full `12 Mar 1962` date turned into ISO `1962-03-12`; partial forms
/// (`1962`, `circa 1960`, `Jan 1960`, `1960 to 1962`) stay as written.
fn birth_date(text: &str) -> String {
    let words: Vec<&str> = text.split_whitespace().collect();
    let mut out: Vec<String> = Vec::new();
    let mut i = 0;
    while i < words.len() {
        if let Some(iso) = words.get(i..i + 3).and_then(iso_date) {
            out.push(iso);
            i += 3;
        } else {
            out.extend(words.get(i).map(|w| w.to_string()));
            i += 1;
        }
    }
    out.join(" ")
}

fn iso_date(words: &[&str]) -> Option<String> {
    let [day, month, year] = words else {
        return None;
    };
    const MONTHS: [&str; 12] = [
        "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
    ];
    let day: u32 = day.parse().ok().filter(|d| (1..=31).contains(d))?;
    let month = MONTHS.iter().position(|m| month.eq_ignore_ascii_case(m))? + 1;
    let year_ok = year.len() == 4 && year.bytes().all(|b| b.is_ascii_digit());
    year_ok.then(|| format!("{year}-{month:02}-{day:02}"))
}

/// Recognises `<label> [#|No.|:] <value> [(<country>)] [issued ...] [expires ...]`. Returns the
/// scheme, the value and the issuing country as written.
fn identifier(body: &str, lower: &str) -> Option<(String, String, Option<String>)> {
    if let Some(rest) = after(body, lower, "digital currency address - ") {
        // "XBT 1Kuf...": the currency goes into the scheme so the value is the bare address.
        let (currency, address) = rest.trim().split_once(' ')?;
        let scheme = format!("digital_currency_{}", currency.to_ascii_lowercase());
        return Some((scheme, address.trim().to_string(), None));
    }
    let (label, scheme) = ID_LABELS.iter().find(|(label, _)| {
        lower.starts_with(label)
            && lower
                .get(label.len()..)
                .is_some_and(|r| r.is_empty() || r.starts_with([' ', '#', ':']))
    })?;
    let (value, issuer) = identifier_value(body.get(label.len()..)?);
    // "Company Number IMO 5055293", "Vessel Registration Identification IMO 9187629".
    let (scheme, value) = match value.strip_prefix("IMO ") {
        Some(imo) => ("imo", imo.trim()),
        None => (*scheme, value),
    };
    // Requiring a digit keeps prose such as "passport place of issue ..." out; BIC codes may
    // be all letters.
    let plausible = scheme == "swift" || value.bytes().any(|b| b.is_ascii_digit());
    (plausible && !value.is_empty()).then(|| {
        (
            scheme.to_string(),
            value.to_string(),
            issuer.map(str::to_string),
        )
    })
}

/// Splits what follows an identifier label into the value and the `(Country)` after it.
fn identifier_value(rest: &str) -> (&str, Option<&str>) {
    let mut rest = rest.trim_start();
    for filler in ["#", "no.", "no ", ":"] {
        if let Some(r) = strip_prefix_ci(rest, filler) {
            rest = r.trim_start();
        }
    }
    let lower = rest.to_ascii_lowercase();
    let end = [" issued", " expires", ", issued"]
        .iter()
        .filter_map(|w| lower.find(w))
        .min()
        .unwrap_or(rest.len());
    let main = rest.get(..end).unwrap_or(rest).trim();
    if let Some(open) = main.rfind(" (").filter(|_| main.ends_with(')')) {
        let value = main.get(..open).unwrap_or("").trim();
        let issuer = main.get(open + 2..main.len() - 1).map(str::trim);
        return (value, issuer.filter(|c| !c.is_empty()));
    }
    (main, None)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn remarks_give_birth_dates_nationalities_and_gender() {
        let mut e = Entity {
            id: "t:1".into(),
            ..Entity::default()
        };
        let mut edges = Vec::new();
        parse_remarks(
            &mut e,
            "DOB 12 Mar 1962; alt. DOB circa 1960; alt. DOB 1979 to 1982; \
             DOB 01 Jan 1960 to 31 Dec 1962; alt. DOB Jan 1961; POB Baghdad, Iraq; \
             nationality Iraq; alt. nationality Syria; citizen Iraq; alt. citizen Korea, North; \
             nationality: Eritrean; Nationality of Registration Panama; Gender Male.",
            &mut edges,
        );
        assert_eq!(
            e.birth_dates,
            [
                "1962-03-12",
                "circa 1960",
                "1979 to 1982",
                "1960-01-01 to 1962-12-31",
                "Jan 1961"
            ]
        );
        // A person's nationalities; the registration country is only a country.
        assert_eq!(e.nationalities, ["IQ", "SY", "KP", "Eritrean"]);
        assert_eq!(e.countries, ["IQ", "SY", "KP", "Eritrean", "PA"]);
        assert_eq!(e.gender, Some(Gender::Male));
        let mut f = Entity::default();
        parse_remarks(
            &mut f,
            "Gender Female; Gender and Community Development",
            &mut edges,
        );
        assert_eq!(f.gender, Some(Gender::Female));
        assert!(f.nationalities.is_empty());
    }

    #[test]
    fn remark_helpers_never_panic() {
        assert_eq!(
            birth_date("01 Jan 1960 to 31 Dec 1962"),
            "1960-01-01 to 1962-12-31"
        );
        assert_eq!(birth_date("32 Jan 1960"), "32 Jan 1960");
        assert_eq!(birth_date("circa 1979-1982"), "circa 1979-1982");
        assert_eq!(unquote("''FUPI''"), "FUPI");
        assert_eq!(unquote("'"), "'");
        let mut e = Entity::default();
        let mut edges = Vec::new();
        for text in [
            "",
            ";;",
            "a.k.a.",
            "DOB",
            "Passport",
            "Passport (",
            "Passport 1 (",
            "é;ü. ñ",
            "Linked To:",
            "Digital Currency Address - XBT",
            "alt.",
        ] {
            parse_remarks(&mut e, text, &mut edges);
        }
        assert!(edges.is_empty());
    }
}
