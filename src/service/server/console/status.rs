//! `/ui/status`: is the console's answer current? Per dataset the entities, names, the
//! publisher's as-of date and its age (stale lists stand out), the downloads' last results,
//! the last reload, the snapshot version, the ownership rules in force today, and how far
//! monitoring lags behind the serving snapshot. What `Status` and `/readyz/monitoring` say,
//! on one page.

use std::sync::Arc;

use axum::extract::{Request, State as Shared};
use axum::http::StatusCode;
use axum::response::Response;
use jiff::civil::Date;
use maud::{html, Markup};

use super::{render, Console};
use crate::engine::screen::{today, Snapshot};
use crate::service::auth::Need;

/// A list whose publisher's date is older than this many days is marked stale: the US lists
/// change several times a week, the UN's every few weeks.
pub const STALE_AFTER_DAYS: i32 = 30;

/// Days from a published as-of date (`YYYY-MM-DD`, possibly followed by a time) to `on`.
pub fn age_days(as_of: &str, on: Date) -> Option<i32> {
    let date: Date = as_of.get(..10)?.parse().ok()?;
    Some((on - date).get_days())
}

fn datasets(s: &Snapshot) -> Markup {
    let on = today();
    html! {
        table.datasets {
            caption { "Datasets in snapshot " code { (s.version()) } }
            thead { tr {
                th scope="col" { "Dataset" } th scope="col" { "Entities" } th scope="col" { "Names" }
                th scope="col" { "As of" } th scope="col" { "Age" } th scope="col" { "Notes" }
            } }
            tbody {
                @for d in s.index.datasets() {
                    @let age = d.as_of.as_deref().and_then(|a| age_days(a, on));
                    @let stale = age.is_some_and(|a| a > STALE_AFTER_DAYS);
                    tr class=(match age { None => "unknown", Some(_) if stale => "stale", Some(_) => "fresh" }) {
                        th scope="row" { (d.name) }
                        td.num { (d.entities) }
                        td.num { (d.names) }
                        td { (d.as_of.as_deref().unwrap_or("not stated")) }
                        td {
                            @match age {
                                Some(a) => { (a) " days" @if stale { " " strong.flag { "STALE" } } },
                                // A publisher that states no date (OFAC's CSV files): its age
                                // cannot be shown, only the reload that read it.
                                None => em { "unknown: the list states no date" },
                            }
                        }
                        td {
                            @if let Some(h) = &d.sha256 { "sha256 " code { (h.get(..12).unwrap_or(h)) } }
                            @for w in &d.warnings { br; small { (w) } }
                        }
                    }
                }
            }
        }
    }
}

fn rules(s: &Snapshot) -> Markup {
    let on = today();
    html! {
        h2 { "Ownership rules today" }
        ul.rules {
            @for r in &s.policy.ownership_rules {
                li {
                    strong { (r.name) } ": "
                    @match r.status_on(on) {
                        Ok(()) => "in force",
                        Err(why) => { "not applied (" (why.to_string()) ")" },
                    }
                }
            }
        }
    }
}

fn updates(c: &Console) -> Markup {
    let statuses = c.state.update_statuses();
    let time =
        |t: Option<jiff::Timestamp>| t.map_or_else(|| "never".to_string(), |t| t.to_string());
    html! {
        h2 { "Downloads" }
        @if statuses.is_empty() { p { "No source is downloaded: every list is read from a local file." } }
        @else {
            table {
                thead { tr { th scope="col" { "Dataset" } th scope="col" { "Last result" } th scope="col" { "Last success" } th scope="col" { "Last attempt" } th scope="col" { "Error" } } }
                tbody { @for u in &statuses {
                    tr class=(if u.last_error.is_some() { "stale" } else { "" }) {
                        th scope="row" { (u.dataset) }
                        td { (if u.last_result.is_empty() { "not tried yet" } else { u.last_result }) }
                        td { (time(u.last_success)) }
                        td { (time(u.last_attempt)) }
                        td { (u.last_error.as_deref().unwrap_or("")) }
                    }
                } }
            }
        }
    }
}

fn monitoring(c: &Console) -> Markup {
    html! {
        h2 { "Monitoring" }
        @match c.state.monitor() {
            None if c.state.config.monitoring.is_none() => p { "Not configured: the server has no [monitoring] section." },
            None => p.stale { "Configured, but its database has not opened yet." },
            Some(m) => {
                @let s = m.status();
                @let lag = m.lag_seconds();
                dl.facts {
                    dt { "Database" } dd { @if s.database_ok { "answering" } @else { strong.flag { "failing: " } (s.database_error) } }
                    dt { "Re-screened against" } dd { code { (if s.rescreened_version.is_empty() { "-" } else { &s.rescreened_version }) } }
                    dt { "Last re-screen" } dd { (if s.last_rescreen.is_empty() { "none yet" } else { &s.last_rescreen }) }
                    dt { "Lag" } dd class=(if lag > 0.0 { "stale" } else { "" }) { (format!("{lag:.0} s")) " behind the serving snapshot" }
                    dt { "Worker" } dd { (if s.worker { "this process" } else { "another process" }) }
                }
            }
        }
    }
}

/// `GET /ui/status`.
pub async fn page(Shared(c): Shared<Arc<Console>>, req: Request) -> Response {
    let viewer = match c.viewer(&req) {
        Ok(v) => v,
        Err(e) => return e.page(None),
    };
    if let Err(e) = c.allow(&viewer, Need::Anyone) {
        return viewer.fail(e);
    }
    let snapshot = c.state.snapshot();
    let last = c.state.last_reload();
    let body = html! {
        h1 { "Status" }
        dl.facts {
            dt { "Snapshot" } dd { @match &snapshot { Some(s) => code { (s.version()) }, None => strong.flag { "none loaded yet" } } }
            dt { "Ready" } dd { (if c.state.ready() { "yes" } else { "no" }) }
            dt { "Last reload" } dd { (if last.is_empty() { "none yet" } else { &last }) }
            @if c.state.serving_sample() { dt { "Lists" } dd { strong.flag { "SAMPLE DATA: the configured lists have not arrived" } } }
        }
        @if let Some(s) = &snapshot {
            (datasets(s))
            (rules(s))
        }
        (updates(&c))
        (monitoring(&c))
    };
    render(StatusCode::OK, "Status", Some(&viewer), body)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ages_count_days_from_the_published_date() {
        let on: Date = "2026-12-07".parse().unwrap();
        assert_eq!(age_days("2026-12-01", on), Some(6));
        assert_eq!(age_days("2026-11-01T10:00:00Z", on), Some(36));
        assert_eq!(age_days("July 2021", on), None);
        assert_eq!(age_days("", on), None);
    }
}
