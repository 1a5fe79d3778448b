//! The CSL `ids` cell: `;`-separated parts of the form `[COUNTRY, ][ISSUE DATE, ][EXPIRY
//! DATE, ]VALUE, LABEL`, some of which identify the party (passports, registration numbers,
//! vessel IMO numbers, digital currency addresses) and some of which only describe it. Labels
//! map to the model's identifier schemes, so that screening compares like with like.

use super::{is_country_code, is_iso_date, resolve_country};

/// What one `;`-part of the `ids` cell says.
#[derive(Debug, PartialEq)]
pub(super) enum IdItem {
    Identifier {
        scheme: String,
        value: String,
        country: Option<String>,
    },
    /// A registration country (`Korea, North, Nationality of Registration`).
    Country(String),
}

/// Parses one `ids` part. CSL writes `[COUNTRY, ][ISSUE DATE, ][EXPIRY DATE, ]VALUE, LABEL`,
/// for example `SD, 1998-10-28, 562605, Passport` or `IMO 8898831, Vessel Registration
/// Identification`. The same cell also carries facts that identify nothing (`Male, Gender`,
/// websites, establishment dates, sanctions notes ending in `:` or `-`); those yield `None`.
pub(super) fn parse_id_item(item: &str) -> Option<IdItem> {
    let (rest, label) = item.rsplit_once(',')?;
    let label = label.trim();
    let rest = rest.trim();
    if rest.is_empty() {
        return None;
    }
    if matches!(
        label,
        "Nationality of Registration" | "Registration Country"
    ) {
        return Some(IdItem::Country(resolve_country(rest)));
    }
    if !is_identifier_label(label) {
        return None;
    }
    let mut parts: Vec<&str> = rest.split(',').map(str::trim).collect();
    let mut country = None;
    if parts.len() > 1 && is_country_code(parts[0]) {
        country = Some(parts.remove(0).to_string());
    }
    while parts.len() > 1 && is_iso_date(parts[0]) {
        parts.remove(0);
    }
    let mut value = parts.join(", ");
    let scheme = scheme_for(label, &value);
    if scheme == "imo" {
        if let Some(number) = value.strip_prefix("IMO ") {
            value = number.trim().to_string();
        }
    }
    Some(IdItem::Identifier {
        scheme,
        value,
        country,
    })
}

/// Labels in the `ids` cell that describe rather than identify.
fn is_identifier_label(label: &str) -> bool {
    const NOT_IDENTIFIERS: [&str; 16] = [
        "Gender",
        "Website",
        "Email Address",
        "Phone Number",
        "Aircraft Model",
        "Aircraft Operator",
        "Target Type",
        "Issuer Name",
        "Former Vessel Flag",
        "Other Vessel Flag",
        "Other Vessel Type",
        "Executive Order 14024 Directive Information",
        "Organization Type",
        "Organization Established Date",
        "Aircraft Manufacture Date",
        "Equity Ticker",
    ];
    !(label.is_empty()
        || label.ends_with(':')
        || label.ends_with('-')
        || label.contains(" Date")
        || NOT_IDENTIFIERS.contains(&label))
}

/// Maps a CSL identifier label to the model's lower-case scheme. Common document types share a
/// scheme across countries' names for them (a Colombian `Cedula No.` and a Mexican `C.U.R.P.`
/// are both national ids), so that screening can compare like with like; anything else keeps
/// its own label as a slug rather than being forced into a wrong bucket.
fn scheme_for(label: &str, value: &str) -> String {
    let scheme = match label {
        "Passport"
        | "Diplomatic Passport"
        | "Stateless Person Passport"
        | "British National Overseas Passport" => "passport",
        "National ID No."
        | "Cedula No."
        | "C.U.R.P."
        | "D.N.I."
        | "Personal ID Card"
        | "National Foreign ID Number"
        | "Numero de Identidad"
        | "Turkish Identification Number"
        | "Citizen's Card Number"
        | "Kenyan ID No."
        | "Tazkira National ID Card"
        | "Bosnian Personal ID No."
        | "CNP (Personal Numerical Code)"
        | "Moroccan Personal ID No."
        | "UAE Identification"
        | "Stateless Person ID Card"
        | "Refugee ID Card"
        | "SSN" => "national_id",
        "Tax ID No."
        | "NIT #"
        | "R.F.C."
        | "RFC"
        | "RUC #"
        | "RIF #"
        | "V.A.T. Number"
        | "US FEIN"
        | "Italian Fiscal Code"
        | "Fiscal Code"
        | "C.U.I.T."
        | "C.I.F."
        | "RTN"
        | "RSIN"
        | "Romanian Tax Registration"
        | "Paraguayan tax identification number"
        | "Numero Unico de Identificacao Tributaria (NUIT)" => "tax_id",
        "Registration Number"
        | "Registration ID"
        | "Commercial Registry Number"
        | "Business Registration Number"
        | "Business Registration Document #"
        | "Government Gazette Number"
        | "Folio Mercantil No."
        | "Matricula Mercantil No"
        | "Trade License No."
        | "C.R. No."
        | "Certificate of Incorporation Number"
        | "Chamber of Commerce Number"
        | "UK Company Number"
        | "Enterprise Number"
        | "Public Registration Number"
        | "Unified Social Credit Code (USCC)"
        | "United Social Credit Code Certificate (USCCC)"
        | "Romanian C.R." => "registration",
        "Company Number" if value.starts_with("IMO ") => "imo",
        "Company Number" => "registration",
        "Vessel Registration Identification" if value.starts_with("IMO ") => "imo",
        // A 20-character Legal Entity Number is an ISO 17442 LEI; shorter ones are national.
        "Legal Entity Number" if value.len() == 20 => "lei",
        "Legal Entity Number" => "registration",
        "SWIFT/BIC" => "swift",
        "ISIN" => "isin",
        "MMSI" => "mmsi",
        "D-U-N-S Number" => "duns",
        "Other Vessel Call Sign" => "call_sign",
        "Aircraft Tail Number" | "Previous Aircraft Tail Number" => "aircraft_tail_number",
        _ => {
            if let Some(coin) = label.strip_prefix("Digital Currency Address - ") {
                return format!("crypto_{}", coin.trim().to_ascii_lowercase());
            }
            return slug(label);
        }
    };
    scheme.to_string()
}

fn slug(label: &str) -> String {
    let mut out = String::new();
    for ch in label.chars() {
        if ch.is_ascii_alphanumeric() {
            out.push(ch.to_ascii_lowercase());
        } else if !out.is_empty() && !out.ends_with('_') {
            out.push('_');
        }
    }
    while out.ends_with('_') {
        out.pop();
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn id_items() {
        assert_eq!(
            parse_id_item("JO, 2014-08-30, 2009-08-31, K475336, Passport"),
            Some(IdItem::Identifier {
                scheme: "passport".into(),
                value: "K475336".into(),
                country: Some("JO".into())
            })
        );
        assert_eq!(
            parse_id_item("US, 3848561 (New York), Company Number"),
            Some(IdItem::Identifier {
                scheme: "registration".into(),
                value: "3848561 (New York)".into(),
                country: Some("US".into())
            })
        );
        assert_eq!(
            parse_id_item("1Fz29BQp82pE3vXXcsZoMNQ3KSHfMzfMe3, Digital Currency Address - XBT"),
            Some(IdItem::Identifier {
                scheme: "crypto_xbt".into(),
                value: "1Fz29BQp82pE3vXXcsZoMNQ3KSHfMzfMe3".into(),
                country: None
            })
        );
        assert_eq!(parse_id_item("Male, Gender"), None);
        assert_eq!(
            parse_id_item("Subject to Secondary Sanctions, Additional Sanctions Information -"),
            None
        );
        assert_eq!(
            parse_id_item("24 Feb 2022, Listing Date (EO 14024 Directive 2):"),
            None
        );
        assert_eq!(
            parse_id_item("Korea, North, Nationality of Registration"),
            Some(IdItem::Country("KP".into()))
        );
        assert_eq!(parse_id_item("no label here"), None);
        assert_eq!(parse_id_item(", Passport"), None);
    }
}
