//! The HTTP listener beside gRPC, for the platform: `/metrics` (Prometheus text format),
//! `/healthz` (the process is up) and `/readyz` (a snapshot serves and the server is not
//! draining; 503 otherwise, so a load balancer stops sending work), and the reviewer's
//! console under `/ui/` ([`super::console`]).

use std::sync::Arc;

use axum::extract::State as Shared;
use axum::http::{header, StatusCode};
use axum::response::IntoResponse;
use axum::routing::get;
use axum::Router;

use super::State;

/// The content type of the Prometheus text exposition format.
pub const METRICS_CONTENT_TYPE: &str = "text/plain; version=0.0.4; charset=utf-8";

/// Routes of the HTTP listener.
pub fn router(state: Arc<State>) -> Router {
    Router::new()
        .route("/metrics", get(metrics))
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
        .route("/readyz/monitoring", get(monitoring_ready))
        .with_state(state.clone())
        .merge(super::console::router(state))
}

async fn metrics(Shared(state): Shared<Arc<State>>) -> impl IntoResponse {
    (
        [(header::CONTENT_TYPE, METRICS_CONTENT_TYPE)],
        state.metrics.render(),
    )
}

async fn healthz() -> &'static str {
    "ok\n"
}

/// Monitoring's own readiness: its database answers. `/readyz` does not include it, since
/// screening serves without it. The body says how far behind the book is.
async fn monitoring_ready(Shared(state): Shared<Arc<State>>) -> (StatusCode, String) {
    let Some(monitor) = state.monitor() else {
        let why = if state.config.monitoring.is_none() {
            "no [monitoring] section"
        } else {
            "its database has not opened yet"
        };
        return (
            StatusCode::SERVICE_UNAVAILABLE,
            format!("monitoring not ready: {why}\n"),
        );
    };
    let s = monitor.status();
    let detail = format!(
        "rescreened {} ({}), lag {:.0} s, worker: {}",
        if s.rescreened_version.is_empty() {
            "-"
        } else {
            &s.rescreened_version
        },
        if s.last_rescreen.is_empty() {
            "no re-screen yet"
        } else {
            &s.last_rescreen
        },
        monitor.lag_seconds(),
        if s.worker {
            "this process"
        } else {
            "another process"
        },
    );
    if monitor.ready() {
        (StatusCode::OK, format!("monitoring ready: {detail}\n"))
    } else {
        (
            StatusCode::SERVICE_UNAVAILABLE,
            format!(
                "monitoring not ready: database: {}; {detail}\n",
                s.database_error
            ),
        )
    }
}

async fn readyz(Shared(state): Shared<Arc<State>>) -> (StatusCode, String) {
    match state.snapshot() {
        Some(s) if state.ready() => (StatusCode::OK, format!("ready: {}\n", s.version())),
        Some(_) => (
            StatusCode::SERVICE_UNAVAILABLE,
            "not ready: shutting down\n".into(),
        ),
        None => (
            StatusCode::SERVICE_UNAVAILABLE,
            format!("not ready: no snapshot loaded yet ({})\n", {
                let last = state.last_reload();
                if last.is_empty() {
                    "loading".to_string()
                } else {
                    last
                }
            }),
        ),
    }
}
