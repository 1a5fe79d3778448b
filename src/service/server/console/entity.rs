//! `/ui/entity/{id}`: everything the serving snapshot holds on one listed entry (names,
//! identifiers, dates, addresses, programs, remarks) and its ownership neighbourhood on a
//! date (`?as_of=YYYY-MM-DD`, today by default), drawn by [`super::graph`]. Access follows
//! `GetEntity`: the screen role, and only datasets the caller may use.

use std::sync::Arc;

use axum::extract::{Path, Request, State as Shared};
use axum::http::StatusCode;
use axum::response::Response;
use jiff::civil::Date;
use maud::{html, Markup};

use super::super::grpc::RequestError;
use super::graph::{self, Neighbourhood};
use super::{first, name_kind, pairs, render, segment, Console, ConsoleError};
use crate::engine::model::Entity;
use crate::engine::screen::{today, Snapshot};
use crate::service::auth::{Need, Role};

/// The `as_of` parameter: a date, or today when absent.
pub fn as_of(query: &str) -> Result<Date, ConsoleError> {
    let p = pairs(query);
    match first(&p, "as_of") {
        "" => Ok(today()),
        d => d.parse().map_err(|_| ConsoleError::Field {
            field: "as_of".into(),
            message: format!("{d:?} is not a date (YYYY-MM-DD)"),
        }),
    }
}

fn list(items: &[String]) -> Markup {
    html! {
        @if items.is_empty() { p.none { "none" } }
        @else { ul { @for i in items { li { (i) } } } }
    }
}

fn details(e: &Entity) -> Markup {
    html! {
        section {
            h2 { "Names" }
            table {
                thead { tr { th scope="col" { "Name" } th scope="col" { "Kind" } } }
                tbody { @for n in &e.names { tr { td { (n.value) } td { (name_kind(n.kind)) } } } }
            }
        }
        section {
            h2 { "Identifiers" }
            @if e.identifiers.is_empty() { p.none { "none" } }
            @else {
                table {
                    thead { tr { th scope="col" { "Scheme" } th scope="col" { "Value" } th scope="col" { "Country" } } }
                    tbody { @for i in &e.identifiers {
                        tr { td { (i.scheme) } td { code { (i.value) } } td { (i.country.as_deref().unwrap_or("")) } }
                    } }
                }
            }
        }
        section {
            h2 { "Dates and facts" }
            dl.facts {
                dt { "Kind" } dd { (e.kind.as_str()) }
                dt { "Listed on" } dd { (e.listed_on.as_deref().unwrap_or("not stated")) }
                dt { "Dates of birth" } dd { @if e.birth_dates.is_empty() { "none" } @else { (e.birth_dates.join("; ")) } }
                dt { "Nationalities" } dd { @if e.nationalities.is_empty() { "none" } @else { (e.nationalities.join(", ")) } }
                dt { "Countries" } dd { @if e.countries.is_empty() { "none" } @else { (e.countries.join(", ")) } }
                @if let Some(g) = e.gender { dt { "Gender" } dd { (g.as_str()) } }
                @if let Some(u) = &e.source_url { dt { "Source" } dd { code { (u) } } }
                @if e.context_only { dt { "Listing" } dd { "not listed: present for the ownership graph" } }
            }
        }
        section { h2 { "Addresses" } (list(&e.addresses)) }
        section { h2 { "Programs" } (list(&e.programs)) }
        section {
            h2 { "Remarks" }
            @match &e.remarks { Some(r) => p.remarks { (r) }, None => p.none { "none" } }
        }
    }
}

fn ownership(s: &Snapshot, n: &Neighbourhood, ordinal: u32, id: &str) -> Markup {
    html! {
        section.ownership {
            h2 { "Ownership on " (n.date) }
            form.inline method="get" action={ "/ui/entity/" (segment(id)) } {
                label for="as_of" { "Evaluate on" }
                input id="as_of" type="date" name="as_of" value=(n.date.to_string());
                button type="submit" { "Show" }
            }
            h3 { "Rules" }
            ul.rules {
                @for r in &n.rules {
                    li class=(r.standing.as_str()) {
                        strong { (r.name) } ": " (r.standing.as_str())
                        @if let Some(why) = &r.inactive { " — rule " (why) ", no effect on the decision" }
                        @else { " — in force" }
                        @for reason in &r.reasons { br; small { (reason) } }
                        br; small.citation { (r.citation) }
                    }
                }
            }
            @if n.owners.is_empty() && n.owned.is_empty() {
                p { "No ownership records name this entry." }
            } @else {
                figure {
                    (graph::svg(s, n, ordinal))
                    figcaption { "Owners on the left, owned parties on the right; dashed: not in force on " (n.date) "." }
                }
                (records("Owners", s, &n.owners))
                (records("Owned", s, &n.owned))
            }
        }
    }
}

fn records(title: &str, s: &Snapshot, links: &[graph::Link]) -> Markup {
    html! {
        @if !links.is_empty() {
            table {
                caption { (title) " (" (links.len()) " record(s))" }
                thead { tr { th scope="col" { "Party" } th scope="col" { "Holding" } th scope="col" { "From" } th scope="col" { "Until" } th scope="col" { "Source" } } }
                tbody { @for l in links {
                    @let other = s.index.entity(l.other);
                    tr class=(if l.in_force { "" } else { "ended" }) {
                        td { a href={ "/ui/entity/" (segment(&other.id)) } { (other.primary_name()) } }
                        td { (l.label()) }
                        td { (l.start.map(|d| d.to_string()).unwrap_or_default()) }
                        td { (l.end.map(|d| d.to_string()).unwrap_or_default()) }
                        td { (l.source) }
                    }
                } }
            }
        }
    }
}

/// `GET /ui/entity/{id}`.
pub async fn page(
    Shared(c): Shared<Arc<Console>>,
    Path(id): Path<String>,
    req: Request,
) -> Response {
    let viewer = match c.viewer(&req) {
        Ok(v) => v,
        Err(e) => return e.page(None),
    };
    let shown = (|| {
        c.allow(&viewer, Need::Role(Role::Screen))?;
        let date = as_of(req.uri().query().unwrap_or(""))?;
        let s = c.state.snapshot().ok_or(RequestError::NotReady)?;
        let ordinal = s
            .index
            .ordinal(&id)
            .ok_or_else(|| RequestError::NotFound(id.clone()))?;
        let e = s.index.entity(ordinal);
        c.state
            .gate
            .dataset(viewer.who(), &e.dataset)
            .map_err(RequestError::from)?;
        let n = graph::neighbourhood(&s, ordinal, date);
        let body = html! {
            h1 { (e.primary_name()) }
            p.sub { code { (e.id) } " · " (e.dataset) " · " (e.kind.as_str()) }
            (ownership(&s, &n, ordinal, &e.id))
            (details(e))
            p.versions { "Snapshot " code { (s.version()) } }
        };
        Ok::<_, ConsoleError>((e.primary_name().to_string(), body))
    })();
    match shown {
        Ok((title, body)) => render(StatusCode::OK, &title, Some(&viewer), body),
        Err(e) => viewer.fail(e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_date_is_checked() {
        assert_eq!(as_of("as_of=2026-11-10").unwrap().to_string(), "2026-11-10");
        assert_eq!(as_of("").unwrap(), today());
        let e = as_of("as_of=10%2F11%2F2026").unwrap_err();
        assert_eq!(e.status(), StatusCode::BAD_REQUEST);
        assert!(e.to_string().starts_with("as_of:"), "{e}");
    }
}
