//! The monitoring queue in the browser: `/ui/alerts` (the alerts, filtered by state, kind,
//! age and dataset, with counts), `/ui/party/{ref}` (a party of the book: its facts, its
//! current outcome, its open alerts and the verdicts on it) and `POST /ui/resolve` (a
//! reviewer's verdict, recorded through `monitoring::resolve_alert` as `Resolve` records it:
//! audited with the signed-in caller first). Without `[monitoring]`, the pages say so.

use std::sync::Arc;

use axum::extract::{Path, Request, State as Shared};
use axum::http::StatusCode;
use axum::response::Response;
use maud::{html, Markup};

use super::super::grpc::RequestError;
use super::super::monitoring::{monitor_of, resolve_alert, MAX_NOTE_CHARS};
use super::session::{form_body, same_origin, Viewer};
use super::{
    decision_badge, first, pairs, peer, render, see_other, segment, Console, ConsoleError,
};
use crate::service::audit;
use crate::service::auth::{Need, Role};
use crate::service::monitor::record::{Alert, AlertKind, HitRecord, Verdict};
use crate::service::monitor::{micros, rfc3339, Monitor};

/// Alerts read per page from the store.
const PAGE: usize = 1000;
/// Most alerts the queue reads (oldest first, then shows newest first): the store has no
/// filtered query, so the page bounds its own cost.
pub const MAX_READ: usize = 20_000;
/// Most alerts listed on the page; the counts cover all that were read.
pub const MAX_SHOWN: usize = 200;
const DAY_MICROS: i64 = 86_400_000_000;
/// Age buckets of the counts, in days.
const AGES: [(i64, &str); 4] = [
    (1, "under a day"),
    (7, "under a week"),
    (30, "under 30 days"),
    (i64::MAX, "30 days or more"),
];

/// The queue's filters, from the query string.
#[derive(Debug, Default, PartialEq)]
pub struct Filters {
    /// Resolved alerts too.
    pub all: bool,
    pub kind: Option<AlertKind>,
    /// At most this many days old.
    pub max_age_days: Option<i64>,
    pub dataset: String,
}

impl Filters {
    pub fn parse(query: &str) -> Result<Filters, ConsoleError> {
        let p = pairs(query);
        let bad = |field: &str, message: String| ConsoleError::Field {
            field: field.into(),
            message,
        };
        let kind = match first(&p, "kind") {
            "" => None,
            k => Some(AlertKind::parse(k).ok_or_else(|| {
                bad(
                    "kind",
                    format!("{k:?} is not new_hit, hit_changed, hit_removed or decision_changed"),
                )
            })?),
        };
        let max_age_days = match first(&p, "age") {
            "" => None,
            a => Some(
                a.parse::<i64>()
                    .ok()
                    .filter(|&d| d > 0)
                    .ok_or_else(|| bad("age", format!("{a:?} is not a number of days")))?,
            ),
        };
        let all = match first(&p, "state") {
            "" | "open" => false,
            "all" => true,
            s => return Err(bad("state", format!("{s:?} is not open or all"))),
        };
        Ok(Filters {
            all,
            kind,
            max_age_days,
            dataset: first(&p, "dataset").to_string(),
        })
    }

    fn keeps(&self, a: &Alert, now: i64) -> bool {
        (self.all || a.resolution.is_none())
            && self.kind.is_none_or(|k| a.alert.kind == k)
            && self
                .max_age_days
                .is_none_or(|d| now - a.alert.created_at <= d.saturating_mul(DAY_MICROS))
            && (self.dataset.is_empty() || a.alert.hits.iter().any(|h| h.dataset == self.dataset))
    }
}

/// Reads up to [`MAX_READ`] alerts, oldest first; says whether more were left.
async fn read_alerts(m: &Monitor) -> Result<(Vec<Alert>, bool), ConsoleError> {
    let mut all = Vec::new();
    let mut cursor = 0;
    loop {
        let page = m
            .alerts_after(cursor, PAGE)
            .await
            .map_err(RequestError::from)?;
        let full = page.len() == PAGE;
        if let Some(last) = page.last() {
            cursor = last.cursor;
        }
        all.extend(page);
        if !full {
            return Ok((all, false));
        }
        if all.len() >= MAX_READ {
            return Ok((all, true));
        }
    }
}

/// A count per value, in first-seen order.
fn tally<'a>(items: impl Iterator<Item = &'a str>) -> Vec<(&'a str, usize)> {
    let mut out: Vec<(&str, usize)> = Vec::new();
    for i in items {
        match out.iter_mut().find(|(k, _)| *k == i) {
            Some((_, n)) => *n += 1,
            None => out.push((i, 1)),
        }
    }
    out
}

fn hits_cell(hits: &[HitRecord]) -> Markup {
    html! {
        @for h in hits {
            a href={ "/ui/entity/" (segment(&h.entity_id)) } { (h.name) }
            " (" (h.dataset) ", " (format!("{:.2}", h.score)) ")" br;
        }
    }
}

fn unavailable(viewer: &Viewer, e: ConsoleError) -> Response {
    let status = e.status();
    if let ConsoleError::Request(RequestError::MonitoringOff(why)) = &e {
        let body = html! {
            h1 { "Monitoring" }
            p { "Monitoring is not available: " (why) ". Alerts and parties appear here once the \
                 server has a [monitoring] section and its database is open." }
        };
        return render(status, "Monitoring", Some(viewer), body);
    }
    viewer.fail(e)
}

/// `GET /ui/alerts`.
pub async fn queue(Shared(c): Shared<Arc<Console>>, req: Request) -> Response {
    let viewer = match c.viewer(&req) {
        Ok(v) => v,
        Err(e) => return e.page(None),
    };
    // The request's body is not `Sync`: only its query is held across the awaits.
    let query = req.uri().query().unwrap_or("").to_string();
    let shown = async {
        c.allow(&viewer, Need::Role(Role::Screen))?;
        let filters = Filters::parse(&query)?;
        let m = monitor_of(&c.state)?;
        let (alerts, truncated) = read_alerts(m).await?;
        let now = micros(m.clock().now());
        let open: Vec<&Alert> = alerts.iter().filter(|a| a.resolution.is_none()).collect();
        let kinds = tally(open.iter().map(|a| a.alert.kind.as_str()));
        let datasets = tally(
            open.iter()
                .flat_map(|a| a.alert.hits.iter().map(|h| h.dataset.as_str())),
        );
        let ages: Vec<(&str, usize)> = AGES
            .iter()
            .enumerate()
            .map(|(i, &(days, label))| {
                let low = if i == 0 { 0 } else { AGES[i - 1].0 };
                let n = open
                    .iter()
                    .filter(|a| {
                        let age = (now - a.alert.created_at) / DAY_MICROS;
                        age >= low && age < days
                    })
                    .count();
                (label, n)
            })
            .collect();
        // The serving snapshot's datasets, and any an alert names that it no longer holds.
        let mut names: Vec<String> = c
            .state
            .snapshot()
            .map(|s| s.index.datasets().iter().map(|d| d.name.clone()).collect())
            .unwrap_or_default();
        for (d, _) in &datasets {
            if !names.iter().any(|n| n == d) {
                names.push(d.to_string());
            }
        }
        if !filters.dataset.is_empty() && !names.contains(&filters.dataset) {
            names.push(filters.dataset.clone());
        }
        let kept: Vec<&Alert> = alerts.iter().rev().filter(|a| filters.keeps(a, now)).collect();
        let body = html! {
            h1 { "Alerts" }
            form.card.filters method="get" action="/ui/alerts" {
                div.field { label for="state" { "State" }
                    select id="state" name="state" {
                        option value="open" selected[!filters.all] { "open" }
                        option value="all" selected[filters.all] { "open and resolved" }
                    } }
                div.field { label for="kind" { "Kind" }
                    select id="kind" name="kind" {
                        option value="" { "any" }
                        @for k in AlertKind::ALL { option value=(k.as_str()) selected[filters.kind == Some(k)] { (k.as_str()) } }
                    } }
                div.field { label for="age" { "At most (days old)" }
                    input id="age" name="age" type="number" min="1" value=(filters.max_age_days.map(|d| d.to_string()).unwrap_or_default()); }
                div.field { label for="dataset" { "Dataset" }
                    select id="dataset" name="dataset" {
                        option value="" { "any" }
                        @for d in &names { option value=(d) selected[filters.dataset == *d] { (d) } }
                    } }
                div.actions { button type="submit" { "Filter" } }
            }
            section.counts {
                h2 { (open.len()) " open alert(s)" }
                @if truncated { p.stale { "Only the first " (MAX_READ) " alerts were read." } }
                div.tallies {
                    div { h3 { "By kind" } ul { @for (k, n) in &kinds { li { a href={ "/ui/alerts?kind=" (k) } { (k) } ": " (n) } } @if kinds.is_empty() { li { "none open" } } } }
                    div { h3 { "By age" } ul { @for (k, n) in &ages { li { (k) ": " (n) } } } }
                    div { h3 { "By dataset" } ul { @for (k, n) in &datasets { li { a href={ "/ui/alerts?dataset=" (segment(k)) } { (k) } ": " (n) } } @if datasets.is_empty() { li { "none open" } } } }
                }
            }
            table.alerts {
                caption { (kept.len()) " alert(s) match" @if kept.len() > MAX_SHOWN { ", the newest " (MAX_SHOWN) " shown" } }
                thead { tr { th scope="col" { "Created" } th scope="col" { "Party" } th scope="col" { "Kind" } th scope="col" { "Decision" } th scope="col" { "Hits" } th scope="col" { "State" } } }
                tbody { @for a in kept.iter().take(MAX_SHOWN) {
                    tr {
                        td { (rfc3339(a.alert.created_at)) }
                        td { a href={ "/ui/party/" (segment(&a.alert.reference)) } { (a.alert.reference) } }
                        td { (a.alert.kind.as_str()) }
                        td { @if let Some(p) = a.alert.previous_decision { (p.as_str()) " → " } (decision_badge(a.alert.decision)) }
                        td { (hits_cell(&a.alert.hits)) }
                        td { @match &a.resolution { Some(r) => { (r.verdict.as_str()) " by " (r.reviewer) }, None => "open" } }
                    }
                } }
            }
        };
        Ok::<_, ConsoleError>(body)
    }
    .await;
    match shown {
        Ok(body) => render(StatusCode::OK, "Alerts", Some(&viewer), body),
        Err(e) => unavailable(&viewer, e),
    }
}

fn resolve_form(viewer: &Viewer, a: &Alert, reference: &str) -> Markup {
    let id = &a.alert.id;
    html! {
        form.card.resolve method="post" action="/ui/resolve" {
            input type="hidden" name="csrf" value=(viewer.csrf());
            input type="hidden" name="alert_id" value=(id);
            input type="hidden" name="ref" value=(reference);
            fieldset {
                legend { "Verdict on alert " code { (id) } }
                @for v in Verdict::ALL {
                    @let field = format!("v-{}-{}", v.as_str(), id);
                    div.choice {
                        input type="radio" id=(field) name="disposition" value=(v.as_str()) required;
                        label for=(field) { (v.as_str().replace('_', " ")) }
                    }
                }
            }
            div.field.wide {
                label for={ "note-" (id) } { "Note" }
                textarea id={ "note-" (id) } name="note" rows="2" maxlength=(MAX_NOTE_CHARS) {}
            }
            div.actions { button type="submit" { "Resolve" } }
        }
    }
}

/// `GET /ui/party/{ref}`.
pub async fn party(
    Shared(c): Shared<Arc<Console>>,
    Path(reference): Path<String>,
    req: Request,
) -> Response {
    let viewer = match c.viewer(&req) {
        Ok(v) => v,
        Err(e) => return e.page(None),
    };
    let query = req.uri().query().unwrap_or("").to_string();
    let shown = async {
        c.allow(&viewer, Need::Role(Role::Screen))?;
        let m = monitor_of(&c.state)?;
        let view = m.party(reference.trim()).await.map_err(RequestError::from)?;
        let may_resolve = viewer.who().may(Role::Reviewer);
        let r = &view.record;
        let f = &r.facts;
        let o = &r.outcome;
        let q = pairs(&query);
        let resolved = first(&q, "resolved");
        let body = html! {
            h1 { "Party " (r.reference) }
            @if !resolved.is_empty() { p.notice role="status" { "Alert " code { (resolved) } " resolved." } }
            dl.facts {
                dt { "Name" } dd { (f.name) }
                @if let Some(k) = &f.kind { dt { "Type" } dd { (k) } }
                @if !f.countries.is_empty() { dt { "Countries" } dd { (f.countries.join(", ")) } }
                @if !f.nationalities.is_empty() { dt { "Nationalities" } dd { (f.nationalities.join(", ")) } }
                @if let Some(d) = &f.birth_date { dt { "Date of birth" } dd { (d) } }
                @if !f.identifiers.is_empty() { dt { "Identifiers" } dd { @for (s, v) in &f.identifiers { (s) ":" (v) " " } } }
                @if !f.parents.is_empty() { dt { "Parents" } dd { (f.parents.join("; ")) } }
                @if !f.addresses.is_empty() { dt { "Addresses" } dd { (f.addresses.join("; ")) } }
                dt { "Updated" } dd { (rfc3339(r.updated_at)) }
            }
            section {
                h2 { "Current outcome: " (decision_badge(o.decision)) }
                p { "Snapshot " code { (o.snapshot_version) } ", rules as of " (o.as_of) }
                @if o.hits.is_empty() { p { "No hit." } }
                @else {
                    table { thead { tr { th scope="col" { "Entry" } th scope="col" { "Score" } th scope="col" { "Decision" } th scope="col" { "Why" } } }
                        tbody { @for h in &o.hits { tr {
                            td { a href={ "/ui/entity/" (segment(&h.entity_id)) } { (h.name) } br; small { (h.dataset) } }
                            td { (format!("{:.3}", h.score)) }
                            td { (decision_badge(h.decision)) @if let Some(s) = &h.suppressed { br; small { "cleared by " (s.reviewer) } } }
                            td { small { (h.explanation) } }
                        } } } }
                }
            }
            section {
                h2 { "Open alerts (" (view.open_alerts.len()) ")" }
                @for a in &view.open_alerts {
                    article.alert {
                        h3 { (a.alert.kind.as_str()) " · " (rfc3339(a.alert.created_at)) }
                        p { @if let Some(p) = a.alert.previous_decision { (p.as_str()) " → " } (decision_badge(a.alert.decision)) }
                        p { (hits_cell(&a.alert.hits)) }
                        @if may_resolve { (resolve_form(&viewer, a, &r.reference)) }
                        @else { p { "Resolving needs the reviewer or admin role." } }
                    }
                }
            }
            section {
                h2 { "History" }
                @if view.history.is_empty() { p { "No verdict yet." } }
                @else {
                    table { thead { tr { th scope="col" { "When" } th scope="col" { "Alert" } th scope="col" { "Verdict" } th scope="col" { "Reviewer" } th scope="col" { "Note" } } }
                        tbody { @for d in &view.history { tr {
                            td { (rfc3339(d.at)) } td { code { (d.alert_id) } } td { (d.verdict.as_str()) } td { (d.reviewer) } td { (d.note) }
                        } } } }
                }
            }
        };
        Ok::<_, ConsoleError>(body)
    }
    .await;
    match shown {
        Ok(body) => render(
            StatusCode::OK,
            &format!("Party {reference}"),
            Some(&viewer),
            body,
        ),
        Err(e) => unavailable(&viewer, e),
    }
}

/// `POST /ui/resolve`: a reviewer's verdict on an alert.
pub async fn resolve(Shared(c): Shared<Arc<Console>>, req: Request) -> Response {
    let viewer = match c.viewer(&req) {
        Ok(v) => v,
        Err(e) => return e.page(None),
    };
    let ctx = audit::Context {
        request_id: audit::new_request_id(),
        method: "ConsoleResolve",
        caller: audit::Caller {
            peer: peer(&req).map(|p| p.to_string()),
            principal: viewer.who().principal().map(str::to_string),
        },
    };
    let done = async {
        same_origin(&req)?;
        let form = form_body(req).await?;
        viewer.check_csrf(&form)?;
        c.allow(&viewer, Need::Role(Role::Reviewer))?;
        let disposition = first(&form, "disposition");
        let verdict = Verdict::parse(disposition).ok_or_else(|| ConsoleError::Field {
            field: "disposition".into(),
            message: format!("{disposition:?} is not false_positive, true_match or escalated"),
        })?;
        let note = form
            .iter()
            .find(|(k, _)| k == "note")
            .map_or("", |(_, v)| v.as_str());
        let d = resolve_alert(
            &c.state,
            viewer.who(),
            &ctx,
            first(&form, "alert_id"),
            verdict,
            note,
        )
        .await?;
        Ok::<_, ConsoleError>(d)
    }
    .await;
    match done {
        Ok(d) => see_other(&format!(
            "/ui/party/{}?resolved={}",
            segment(&d.reference),
            segment(&d.alert_id)
        )),
        Err(e) => unavailable(&viewer, e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn filters_read_and_refuse_by_field() {
        let f = Filters::parse("state=all&kind=new_hit&age=7&dataset=us_ofac_sdn").unwrap();
        assert_eq!(
            f,
            Filters {
                all: true,
                kind: Some(AlertKind::NewHit),
                max_age_days: Some(7),
                dataset: "us_ofac_sdn".into(),
            }
        );
        assert_eq!(Filters::parse("").unwrap(), Filters::default());
        for (q, field) in [
            ("kind=old", "kind"),
            ("age=-1", "age"),
            ("state=x", "state"),
        ] {
            match Filters::parse(q) {
                Err(ConsoleError::Field { field: f, .. }) => assert_eq!(f, field, "{q}"),
                other => panic!("{q}: {other:?}"),
            }
        }
    }

    #[test]
    fn tallies_count_in_first_seen_order() {
        assert_eq!(tally(["b", "a", "b"].into_iter()), vec![("b", 2), ("a", 1)]);
    }
}
