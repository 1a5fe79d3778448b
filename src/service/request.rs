//! What a `ScreenRequest` means: its validation, with the limits on each field, and its
//! conversion to the engine's [`Party`] and [`ScreenOptions`]. The server answers with it
//! and the audit trail's replay re-reads logged requests through it, so a replay decides on
//! exactly what the server decided on.

use crate::engine::countries;
use crate::engine::exposure;
use crate::engine::matching::facts::BirthDate;
use crate::engine::model::{EntityKind, Identifier};
use crate::engine::screen::{Party, ScreenOptions};
use crate::service::proto;

pub use crate::engine::screen::MAX_NAME_CHARS;
/// Most nationalities accepted on one party.
pub const MAX_NATIONALITIES: usize = 16;
/// Most identifiers accepted on one party.
pub const MAX_IDENTIFIERS: usize = 32;
/// Most addresses accepted on one party.
pub const MAX_ADDRESSES: usize = 16;
/// Longest accepted address, in characters.
pub const MAX_ADDRESS_CHARS: usize = 1024;
/// Most hits a caller may ask for.
pub const MAX_HITS: u32 = 100;
/// A request refused as invalid: the field and what is wrong with it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field}: {message}")]
pub struct InvalidRequest {
    pub field: String,
    pub message: String,
}

fn invalid(field: impl Into<String>, message: impl Into<String>) -> InvalidRequest {
    InvalidRequest {
        field: field.into(),
        message: message.into(),
    }
}

/// Validates a request into the library's party and options.
pub fn parse_request(req: &proto::ScreenRequest) -> Result<(Party, ScreenOptions), InvalidRequest> {
    let p = req
        .party
        .as_ref()
        .ok_or_else(|| invalid("party", "required"))?;
    let party = parse_party(p)?;
    let as_of = match req.as_of.trim() {
        "" => None,
        d => Some(
            d.parse::<jiff::civil::Date>()
                .map_err(|_| invalid("as_of", format!("{d:?} is not a date (YYYY-MM-DD)")))?,
        ),
    };
    let o = req.options.clone().unwrap_or_default();
    if !(0.0..=1.0).contains(&o.min_score) {
        return Err(invalid("options.min_score", "must be between 0 and 1"));
    }
    if o.max_hits > MAX_HITS {
        return Err(invalid("options.max_hits", format!("at most {MAX_HITS}")));
    }
    let options = ScreenOptions {
        datasets: o.datasets,
        min_score: (o.min_score > 0.0).then_some(o.min_score),
        max_hits: (o.max_hits > 0).then_some(o.max_hits as usize),
        as_of,
    };
    Ok((party, options))
}

/// Longest accepted `Party.ref`, in characters.
pub const MAX_REF_CHARS: usize = 256;

/// The party's `ref`, trimmed; `None` when empty.
pub fn parse_reference(p: &proto::Party) -> Result<Option<String>, InvalidRequest> {
    let r = p.r#ref.trim();
    if r.chars().count() > MAX_REF_CHARS {
        return Err(invalid(
            "party.ref",
            format!("longer than {MAX_REF_CHARS} characters"),
        ));
    }
    Ok((!r.is_empty()).then(|| r.to_string()))
}

/// Validates a party message into the library's party (its `ref` too, which the engine does
/// not read: see [`parse_reference`]).
pub fn parse_party(p: &proto::Party) -> Result<Party, InvalidRequest> {
    parse_reference(p)?;
    let name = p.name.trim();
    if name.is_empty() {
        return Err(invalid("party.name", "must not be empty"));
    }
    if name.chars().count() > MAX_NAME_CHARS {
        return Err(invalid(
            "party.name",
            format!("longer than {MAX_NAME_CHARS} characters"),
        ));
    }
    let kind = match proto::PartyKind::try_from(p.kind) {
        Ok(proto::PartyKind::Unspecified) => None,
        Ok(proto::PartyKind::Person) => Some(EntityKind::Person),
        Ok(proto::PartyKind::Organization) => Some(EntityKind::Organization),
        Ok(proto::PartyKind::Vessel) => Some(EntityKind::Vessel),
        Ok(proto::PartyKind::Aircraft) => Some(EntityKind::Aircraft),
        Err(_) => return Err(invalid("party.kind", format!("unknown value {}", p.kind))),
    };
    let mut party_countries = Vec::with_capacity(p.countries.len());
    for (i, c) in p.countries.iter().enumerate() {
        let iso = countries::to_iso2(c).ok_or_else(|| {
            invalid(
                format!("party.countries[{i}]"),
                format!("unknown country {c:?}"),
            )
        })?;
        party_countries.push(iso.to_string());
    }
    if p.nationalities.len() > MAX_NATIONALITIES {
        return Err(invalid(
            "party.nationalities",
            format!("at most {MAX_NATIONALITIES} nationalities"),
        ));
    }
    let mut nationalities = Vec::with_capacity(p.nationalities.len());
    for (i, c) in p.nationalities.iter().enumerate() {
        let iso = countries::to_iso2(c).ok_or_else(|| {
            invalid(
                format!("party.nationalities[{i}]"),
                format!("unknown country {c:?}"),
            )
        })?;
        if !nationalities.iter().any(|n| n == iso) {
            nationalities.push(iso.to_string());
        }
    }
    let birth_date = match p.birth_date.trim() {
        "" => None,
        d => Some(BirthDate::parse(d).map_err(|e| invalid("party.birth_date", e.to_string()))?),
    };
    if p.identifiers.len() > MAX_IDENTIFIERS {
        return Err(invalid(
            "party.identifiers",
            format!("at most {MAX_IDENTIFIERS} identifiers"),
        ));
    }
    let identifiers = p
        .identifiers
        .iter()
        .map(|i| Identifier {
            scheme: i.scheme.to_ascii_lowercase(),
            value: i.value.clone(),
            country: None,
        })
        .collect();
    let mut parents = Vec::with_capacity(p.parents.len());
    if p.parents.len() > exposure::MAX_PARENTS {
        return Err(invalid(
            "party.parents",
            format!("at most {} parents", exposure::MAX_PARENTS),
        ));
    }
    for (i, parent) in p.parents.iter().enumerate() {
        let parent = parent.trim();
        if parent.is_empty() || parent.chars().count() > MAX_NAME_CHARS {
            return Err(invalid(
                format!("party.parents[{i}]"),
                format!("must be 1 to {MAX_NAME_CHARS} characters"),
            ));
        }
        parents.push(parent.to_string());
    }
    if p.addresses.len() > MAX_ADDRESSES {
        return Err(invalid(
            "party.addresses",
            format!("at most {MAX_ADDRESSES} addresses"),
        ));
    }
    if let Some(i) = p
        .addresses
        .iter()
        .position(|a| a.chars().count() > MAX_ADDRESS_CHARS)
    {
        return Err(invalid(
            format!("party.addresses[{i}]"),
            format!("longer than {MAX_ADDRESS_CHARS} characters"),
        ));
    }
    Ok(Party {
        name: name.to_string(),
        kind,
        countries: party_countries,
        identifiers,
        addresses: p.addresses.clone(),
        parents,
        birth_date,
        nationalities,
    })
}

/// The engine's kind of party as the message spells it (`None`: not stated): the inverse
/// of [`parse_party`]'s reading of `party.kind`.
pub fn kind_to_proto(kind: Option<EntityKind>) -> proto::PartyKind {
    match kind {
        None | Some(EntityKind::Unknown) => proto::PartyKind::Unspecified,
        Some(EntityKind::Person) => proto::PartyKind::Person,
        Some(EntityKind::Organization) => proto::PartyKind::Organization,
        Some(EntityKind::Vessel) => proto::PartyKind::Vessel,
        Some(EntityKind::Aircraft) => proto::PartyKind::Aircraft,
    }
}

/// The message for a party, filed under `reference` (empty: none): the inverse of
/// [`parse_party`], for clients that hold the engine's party (the CLI's batch files) and for
/// answers that give a stored party back.
pub fn party_to_proto(p: &Party, reference: &str) -> proto::Party {
    proto::Party {
        name: p.name.clone(),
        kind: kind_to_proto(p.kind) as i32,
        countries: p.countries.clone(),
        identifiers: p
            .identifiers
            .iter()
            .map(|i| proto::Identifier {
                scheme: i.scheme.clone(),
                value: i.value.clone(),
            })
            .collect(),
        addresses: p.addresses.clone(),
        birth_date: p
            .birth_date
            .as_ref()
            .map(|d| d.as_str().to_string())
            .unwrap_or_default(),
        parents: p.parents.clone(),
        nationalities: p.nationalities.clone(),
        r#ref: reference.to_string(),
    }
}
