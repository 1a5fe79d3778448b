//! `/ui/screen`: the screening form and its result. The form is sent by GET, so a result has
//! a URL that can be linked and bookmarked; the request it makes is a `ScreenRequest`
//! decided by `grpc::decide`, the path `Screen` takes, audited with the signed-in caller.
//! The page shows what the engine's explanation holds: each hit's words aligned with the
//! query's, the facts that agreed or disagreed, the ownership path, and the near misses.

use std::sync::Arc;

use axum::extract::{Request, State as Shared};
use axum::http::StatusCode;
use axum::response::Response;
use maud::{html, Markup};

use super::super::grpc::{decide, Decided, RequestError};
use super::{decision_badge, name_kind, pairs, peer, render, segment, Console, ConsoleError};
use crate::engine::matching::Explanation;
use crate::engine::model::EntityKind;
use crate::engine::screen::{ScreenHit, NEAR_MISS_FLOOR};
use crate::service::audit;
use crate::service::auth::{Need, Role};
use crate::service::proto;

/// The form's fields as sent: one value each, or several for the list fields.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct Form {
    pub name: String,
    pub kind: String,
    pub countries: Vec<String>,
    pub nationalities: Vec<String>,
    pub dob: String,
    pub identifiers: Vec<String>,
    pub parents: Vec<String>,
    pub addresses: Vec<String>,
    pub as_of: String,
    pub reference: String,
}

/// Values of `key`: repeated parameters, each split at `sep` (`;` for codes, a newline for
/// the text areas), blanks dropped.
fn many(pairs: &[(String, String)], key: &str, sep: char) -> Vec<String> {
    pairs
        .iter()
        .filter(|(k, _)| k == key)
        .flat_map(|(_, v)| v.split(sep))
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .map(str::to_string)
        .collect()
}

impl Form {
    /// Reads the query string of `/ui/screen`.
    pub fn parse(query: &str) -> Form {
        let p = pairs(query);
        let one = |k: &str| super::first(&p, k).to_string();
        Form {
            name: one("name"),
            kind: one("type"),
            countries: many(&p, "country", ';'),
            nationalities: many(&p, "nationality", ';'),
            dob: one("dob"),
            identifiers: many(&p, "identifier", '\n'),
            parents: many(&p, "parent", '\n'),
            addresses: many(&p, "address", '\n'),
            as_of: one("as_of"),
            reference: one("ref"),
        }
    }

    /// Nothing asked yet: show the empty form.
    pub fn is_blank(&self) -> bool {
        *self == Form::default()
    }

    /// The request `Screen` would receive. The type is the one field checked here (the
    /// message holds an enum); everything else is checked by `parse_request`.
    pub fn request(&self) -> Result<proto::ScreenRequest, ConsoleError> {
        let kind = match self.kind.to_ascii_lowercase().as_str() {
            "" | "any" => proto::PartyKind::Unspecified,
            "person" => proto::PartyKind::Person,
            "org" | "organization" | "organisation" => proto::PartyKind::Organization,
            "vessel" => proto::PartyKind::Vessel,
            "aircraft" => proto::PartyKind::Aircraft,
            other => {
                return Err(ConsoleError::Field {
                    field: "type".into(),
                    message: format!("{other:?} is not person, organization, vessel or aircraft"),
                })
            }
        };
        Ok(proto::ScreenRequest {
            request_id: String::new(),
            party: Some(proto::Party {
                name: self.name.clone(),
                kind: kind as i32,
                countries: self.countries.clone(),
                identifiers: self
                    .identifiers
                    .iter()
                    .map(|s| {
                        // `scheme:value`, or a bare value (any scheme), as the CLI reads it.
                        let (scheme, value) = match s.split_once(':') {
                            Some((a, b)) if !a.contains(' ') => (a.trim(), b.trim()),
                            _ => ("", s.as_str()),
                        };
                        proto::Identifier {
                            scheme: scheme.to_string(),
                            value: value.to_string(),
                        }
                    })
                    .collect(),
                addresses: self.addresses.clone(),
                birth_date: self.dob.clone(),
                parents: self.parents.clone(),
                nationalities: self.nationalities.clone(),
                r#ref: self.reference.clone(),
            }),
            options: None,
            as_of: self.as_of.clone(),
        })
    }
}

/// The form's name for a field of the request message, so an error names what to fix.
fn form_field(field: &str) -> String {
    let bare = field.strip_prefix("party.").unwrap_or(field);
    let base = bare.split('[').next().unwrap_or(bare);
    let label = match base {
        "name" => "name",
        "kind" => "type",
        "countries" => "country",
        "nationalities" => "nationality",
        "birth_date" => "dob (date of birth)",
        "identifiers" => "identifier",
        "parents" => "parent",
        "addresses" => "address",
        "ref" => "ref",
        "as_of" => "as_of (as-of date)",
        other => other,
    };
    label.to_string()
}

/// Turns a refused request into the form's field error.
fn as_form_error(e: ConsoleError) -> ConsoleError {
    match e {
        ConsoleError::Request(RequestError::Invalid(i)) => ConsoleError::Field {
            field: form_field(&i.field),
            message: i.message,
        },
        other => other,
    }
}

fn text_area(id: &str, label: &str, hint: &str, values: &[String]) -> Markup {
    html! {
        div.field {
            label for=(id) { (label) }
            textarea id=(id) name=(id) rows="2" aria-describedby={ (id) "-hint" } { (values.join("\n")) }
            small id={ (id) "-hint" } { (hint) }
        }
    }
}

fn text_input(id: &str, name: &str, label: &str, hint: &str, value: &str, kind: &str) -> Markup {
    html! {
        div.field {
            label for=(id) { (label) }
            input id=(id) name=(name) type=(kind) value=(value) aria-describedby={ (id) "-hint" };
            small id={ (id) "-hint" } { (hint) }
        }
    }
}

/// The form, filled with what was asked.
fn form(f: &Form) -> Markup {
    let kinds = [
        ("", "any"),
        ("person", "person"),
        ("organization", "organization"),
        ("vessel", "vessel"),
        ("aircraft", "aircraft"),
    ];
    html! {
        form.card.screen method="get" action="/ui/screen" {
            div.field.wide {
                label for="name" { "Name" }
                input id="name" name="name" type="text" value=(f.name) required autofocus maxlength="512";
            }
            div.field {
                label for="type" { "Type" }
                select id="type" name="type" {
                    @for (value, label) in kinds {
                        option value=(value) selected[f.kind == value] { (label) }
                    }
                }
            }
            (text_input("country", "country", "Countries", "where the party is: ISO codes or names, ; between", &f.countries.join("; "), "text"))
            (text_input("nationality", "nationality", "Nationalities", "a person's: ISO codes or names, ; between", &f.nationalities.join("; "), "text"))
            (text_input("dob", "dob", "Date of birth", "YYYY-MM-DD, YYYY-MM or YYYY", &f.dob, "text"))
            (text_area("identifier", "Identifiers", "one per line: scheme:value (imo:9187629) or a bare value", &f.identifiers))
            (text_area("parent", "Parents (owners)", "one per line: a name, entity id or identifier", &f.parents))
            (text_area("address", "Addresses", "one per line", &f.addresses))
            (text_input("as_of", "as_of", "As of", "the date rules are evaluated at; empty: today", &f.as_of, "date"))
            (text_input("ref", "ref", "Customer reference", "optional: applies reviewers' verdicts on this party", &f.reference, "text"))
            div.actions { button type="submit" { "Screen" } }
        }
    }
}

/// The matched words side by side: the query's on the left, the listed name's on the right.
fn aligned(e: &Explanation) -> Markup {
    let ns = &e.name_score;
    html! {
        table.aligned {
            caption { "Words aligned with the listed " (name_kind(e.name_kind)) " name “" (e.matched_name) "”" }
            thead { tr { th scope="col" { "Your words" } th scope="col" { "Listed words" } th scope="col" { "Similarity" } th scope="col" { "Share" } } }
            tbody {
                @for p in &ns.pairs {
                    @let class = if p.similarity >= 1.0 { "exact" } else { "approx" };
                    tr class=(class) {
                        td { mark { (p.query) } }
                        td { mark { (p.candidate) } }
                        td { (format!("{:.2}", p.similarity)) @if p.similarity >= 1.0 { " same" } @else { " similar" } }
                        td { (format!("+{:.2}", p.contribution)) }
                    }
                }
                @for w in &ns.unmatched_query {
                    tr.missing { td { (w) } td { "—" } td colspan="2" { "not in the listed name" } }
                }
                @for w in &ns.unmatched_candidate {
                    tr.missing { td { "—" } td { (w) } td colspan="2" { "not in your name" } }
                }
            }
        }
    }
}

/// The signals beyond the name: those that raised the score agreed, those that lowered it
/// disagreed.
fn facts(e: &Explanation) -> Markup {
    let agreed: Vec<_> = e.adjustments.iter().filter(|a| a.factor > 1.0).collect();
    let disagreed: Vec<_> = e.adjustments.iter().filter(|a| a.factor < 1.0).collect();
    html! {
        @if let Some(id) = &e.identifier {
            p.agree { "Identical identifier: " (id) }
        }
        @if !agreed.is_empty() {
            div.agree { h4 { "Agreed" } ul { @for a in &agreed { li { (a.reason) " (×" (format!("{:.2}", a.factor)) ")" } } } }
        }
        @if !disagreed.is_empty() {
            div.disagree { h4 { "Disagreed or weakened" } ul { @for a in &disagreed { li { (a.reason) " (×" (format!("{:.2}", a.factor)) ")" } } } }
        }
    }
}

/// One hit, as a card; `listed`: the hit names an entry of the snapshot (a jurisdiction
/// hit names a policy rule instead, which has no page).
fn hit(
    h: &ScreenHit,
    listed: bool,
    suppressed: Option<&crate::service::monitor::record::Suppression>,
) -> Markup {
    html! {
        article.hit {
            header {
                h3 {
                    @if listed {
                        a href={ "/ui/entity/" (segment(&h.entity_id)) } { (h.name) }
                    } @else { (h.name) }
                }
                (decision_badge(h.decision))
                span.score { "score " (format!("{:.3}", h.score)) }
                meter min="0" max="1" value=(format!("{:.3}", h.score)) aria-label="score" { (format!("{:.3}", h.score)) }
            }
            dl.facts {
                dt { "Entry" } dd { code { (h.entity_id) } " in " (h.dataset) @if h.kind != EntityKind::Unknown { " (" (h.kind.as_str()) ")" } }
                @if !h.programs.is_empty() { dt { "Programs" } dd { (h.programs.join("; ")) } }
                @if let Some(rule) = &h.rule { dt { "Rule" } dd { code { (rule) } } }
                @if let Some(p) = h.ownership_percent { dt { "Owned" } dd { (format!("{p:.1}%")) " by restricted owners" } }
                @if !h.via.is_empty() { dt { "Through" } dd { (h.via.join(" → ")) } }
                @if let Some(s) = suppressed {
                    dt { "Cleared" } dd { "false positive by " (s.reviewer) " (alert " code { (s.alert_id) } ")" @if !s.note.is_empty() { ": " (s.note) } }
                }
            }
            p.explanation { (h.explanation) }
            @if let Some(e) = &h.detail {
                (aligned(e))
                (facts(e))
            }
        }
    }
}

/// The result of a screening.
fn result(d: &Decided) -> Markup {
    let s = &d.screening;
    let misses = d
        .snapshot
        .near_misses(&d.party, &d.options, NEAR_MISS_FLOOR);
    html! {
        section.result aria-live="polite" {
            h2 { "Decision: " (decision_badge(s.decision)) }
            p.why { (s.explanation) }
            @if s.hits.is_empty() { p { "No hit." } }
            @for (i, h) in s.hits.iter().enumerate() {
                (hit(h, d.snapshot.index.ordinal(&h.entity_id).is_some(), d.suppressions.get(i).and_then(Option::as_ref)))
            }
            details.near {
                summary { (misses.len()) " near miss(es) below review (score " (format!("{NEAR_MISS_FLOOR:.2}")) " or more)" }
                @if misses.is_empty() { p { "None." } }
                @for m in &misses {
                    article.hit.miss {
                        h3 { a href={ "/ui/entity/" (segment(&m.hit.entity_id)) } { (m.hit.name) } }
                        span.score { "score " (format!("{:.3}", m.hit.score)) }
                        p { "Fell short: " (m.shortfall) }
                        @if let Some(e) = &m.hit.detail { (aligned(e)) }
                    }
                }
            }
            (versions(d))
        }
    }
}

/// The snapshot version and the datasets' as-of dates: what reproduces the decision.
fn versions(d: &Decided) -> Markup {
    html! {
        dl.versions {
            dt { "Snapshot" } dd { code { (d.screening.snapshot_version) } }
            dt { "Rules as of" } dd { (d.screening.as_of) }
            @for ds in d.snapshot.index.datasets() {
                dt { (ds.name) } dd { "published " (ds.as_of.as_deref().unwrap_or("(no date stated)")) }
            }
        }
    }
}

/// `GET /ui/screen`.
pub async fn page(Shared(c): Shared<Arc<Console>>, req: Request) -> Response {
    let viewer = match c.viewer(&req) {
        Ok(v) => v,
        Err(e) => return e.page(None),
    };
    if let Err(e) = c.allow(&viewer, Need::Role(Role::Screen)) {
        return viewer.fail(e);
    }
    let f = Form::parse(req.uri().query().unwrap_or(""));
    if f.is_blank() {
        let body = html! { h1 { "Screen a party" } (form(&f)) };
        return render(StatusCode::OK, "Screen", Some(&viewer), body);
    }
    let ctx = audit::Context {
        request_id: audit::new_request_id(),
        method: "Console",
        caller: audit::Caller {
            peer: peer(&req).map(|p| p.to_string()),
            principal: viewer.who().principal().map(str::to_string),
        },
    };
    let decided = async {
        let request = f.request()?;
        let mut d = decide(&c.state, &request, None, &ctx, viewer.who()).await?;
        d.recorded().await?;
        Ok::<_, ConsoleError>(d)
    }
    .await
    .map_err(as_form_error);
    let title = format!("Screen {}", f.name);
    match decided {
        Ok(d) => {
            let body = html! { h1 { "Screen a party" } (form(&f)) (result(&d)) };
            render(StatusCode::OK, &title, Some(&viewer), body)
        }
        Err(e) => {
            let status = e.status();
            if status == StatusCode::SEE_OTHER {
                return viewer.fail(e);
            }
            let body = html! {
                h1 { "Screen a party" }
                p.error role="alert" { (e.to_string()) }
                (form(&f))
            };
            render(status, &title, Some(&viewer), body)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_query_string_reads_into_the_request() {
        let f = Form::parse(
            "name=Huawei+Cloud&type=org&country=CN%3B+SG&country=DE&dob=&identifier=lei%3AX1%0D%0A12345\
             &parent=Huawei+Technologies&as_of=2026-01-02&ref=c-1",
        );
        assert_eq!(f.countries, ["CN", "SG", "DE"]);
        assert_eq!(f.identifiers, ["lei:X1", "12345"]);
        let r = f.request().unwrap();
        let p = r.party.unwrap();
        assert_eq!(p.kind, proto::PartyKind::Organization as i32);
        assert_eq!(
            (
                p.identifiers[0].scheme.as_str(),
                p.identifiers[0].value.as_str()
            ),
            ("lei", "X1")
        );
        assert_eq!(p.identifiers[1].scheme, "");
        assert_eq!(p.parents, ["Huawei Technologies"]);
        assert_eq!((r.as_of.as_str(), p.r#ref.as_str()), ("2026-01-02", "c-1"));
        assert!(Form::parse("").is_blank());
    }

    #[test]
    fn errors_name_the_form_field() {
        let e = Form::parse("name=x&type=ship").request().unwrap_err();
        assert!(
            matches!(e, ConsoleError::Field { ref field, .. } if field == "type"),
            "{e}"
        );
        assert_eq!(form_field("party.birth_date"), "dob (date of birth)");
        assert_eq!(form_field("party.countries[1]"), "country");
        assert_eq!(form_field("as_of"), "as_of (as-of date)");
    }
}
