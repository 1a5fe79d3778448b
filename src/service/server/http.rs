//! The HTTP listener beside gRPC, for the platform: `/metrics` (Prometheus text format),
//! `/healthz` (the process is up) and `/readyz` (a snapshot serves and the server is not
//! draining; 503 otherwise, so a load balancer stops sending work).

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
        .with_state(state)
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
