//! The service's Prometheus metrics, all prefixed `clearance_`. `/metrics` renders them in
//! the text exposition format (see [`Metrics::render`]).
//!
//! | family | labels | what |
//! |---|---|---|
//! | `grpc_requests_total` | method, code | finished RPCs by status code (a stream counts once, with its final code) |
//! | `grpc_request_duration_seconds` | method | latency of unary RPCs; for `ScreenStream`, of each screening in the stream |
//! | `grpc_in_flight_requests` | method | RPCs running now |
//! | `grpc_open_streams` | | `ScreenStream` calls open now |
//! | `decisions_total` | decision | screenings by outcome (unary and streamed) |
//! | `hits_total` | dataset | hits returned, by the hit's dataset |
//! | `snapshot_info` | version | 1 for the version serving |
//! | `snapshot_loaded_timestamp_seconds` | | when the serving snapshot was swapped in |
//! | `dataset_entities`, `dataset_names` | dataset | size of each list in the serving snapshot |
//! | `dataset_as_of_timestamp_seconds`, `dataset_age_seconds` | dataset | the publisher's date for the list, and its age at scrape time (only lists that state a date) |
//! | `ownership_records` | state | ownership records in the serving snapshot: `resolved` to loaded parties, or `unresolved` (not used) |
//! | `reloads_total` | trigger, result | reload attempts: result `swapped`, `unchanged` or `failed` |
//! | `reload_duration_seconds` | | time to load, build and validate a snapshot |
//! | `reload_last_success_timestamp_seconds`, `reload_last_failure_timestamp_seconds` | | |
//! | `reload_last_error_info` | error | 1 for the last failure's message, while the last attempt failed |
//! | `ready` | | 1 when a snapshot serves and the server is not draining |
//! | `audit_records_written_total`, `audit_bytes_written_total` | | audit records and bytes written to the log |
//! | `audit_write_errors_total` | | failed audit log opens, writes, fsyncs and rotations (each failed batch once) |
//! | `audit_records_lost_total` | | decisions answered without their audit record (`on_error = "fail_open"`), and dropped records of rejected requests |
//! | `audit_fsync_duration_seconds` | | time per audit log fsync (one per batch with `fsync = "always"`) |
//! | `source_updates_total` | dataset, result | download attempts of lists configured by URL: result `updated`, `not_modified` or `failed` |
//! | `source_update_last_success_timestamp_seconds` | dataset | when the publisher last confirmed the cached copy (a download or a 304) |
//! | `source_update_last_error_info` | dataset, error | 1 for the last failure's message, while the dataset's last attempt failed |
//! | `sample_data` | | 1 while the server serves the bundled SAMPLE list instead of the configured lists |
//! | `auth_rejections_total` | caller, reason | calls refused by access control: reason `unauthenticated` (caller `-`), `role`, `dataset` or `rate_limited` (caller `open` in the open mode) |
//! | `tls_reloads_total` | result | certificate files that changed on disk: result `swapped` or `failed` (the old ones keep serving) |
//! | `tls_handshake_failures_total` | listener | failed or timed-out TLS handshakes, by listener (`public`, `admin`, `http`) |

use std::sync::{Arc, Mutex};
use std::time::{Instant, SystemTime, UNIX_EPOCH};

use prometheus::{
    Gauge, GaugeVec, Histogram, HistogramOpts, HistogramVec, IntCounter, IntCounterVec, IntGauge,
    IntGaugeVec, Opts, Registry,
};

use crate::engine::screen::{Screening, Snapshot};

/// Latency buckets from 10 µs (a screening) to 10 s (a reload), in seconds.
const LATENCY_BUCKETS: &[f64] = &[
    0.000_01, 0.000_025, 0.000_05, 0.000_1, 0.000_25, 0.000_5, 0.001, 0.002_5, 0.005, 0.01, 0.025,
    0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
];
const RELOAD_BUCKETS: &[f64] = &[0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 120.0];

/// Every metric the server keeps, registered in one registry.
pub struct Metrics {
    registry: Registry,
    requests: IntCounterVec,
    latency: HistogramVec,
    in_flight: IntGaugeVec,
    open_streams: IntGauge,
    decisions: IntCounterVec,
    hits: IntCounterVec,
    snapshot_info: IntGaugeVec,
    snapshot_loaded: Gauge,
    entities: IntGaugeVec,
    names: IntGaugeVec,
    as_of: GaugeVec,
    age: GaugeVec,
    ownership_edges: IntGaugeVec,
    /// (dataset, as-of timestamp) of the serving snapshot, for the ages at scrape time.
    as_of_dates: Mutex<Vec<(String, f64)>>,
    reloads: IntCounterVec,
    reload_duration: Histogram,
    reload_last_success: Gauge,
    reload_last_failure: Gauge,
    reload_last_error: IntGaugeVec,
    ready: IntGauge,
    source_updates: IntCounterVec,
    source_update_last_success: GaugeVec,
    source_update_last_error: IntGaugeVec,
    sample_data: IntGauge,
    auth_rejections: IntCounterVec,
    tls_reloads: IntCounterVec,
    tls_handshake_failures: IntCounterVec,
    audit: AuditMetrics,
    monitoring: MonitoringMetrics,
}

/// Ongoing monitoring's metrics (`crate::service::monitor` reports into them).
struct MonitoringMetrics {
    ready: IntGauge,
    parties: IntGauge,
    alerts: IntCounterVec,
    open_alerts: IntGaugeVec,
    delta: IntGauge,
    rescreened: IntGauge,
    duration: Histogram,
    lag: Gauge,
}

/// The age buckets of open alerts, as `crate::service::monitor::record::Stats` counts them.
const OPEN_ALERT_AGES: [&str; 4] = ["under_1d", "1d_to_7d", "7d_to_30d", "over_30d"];

impl MonitoringMetrics {
    fn new() -> MonitoringMetrics {
        MonitoringMetrics {
            ready: IntGauge::new(
                "monitoring_ready",
                "1 while the monitoring database answers (screening does not depend on it).",
            )
            .expect("valid metric"),
            parties: IntGauge::new("monitoring_book_parties", "Parties in the monitored book.")
                .expect("valid metric"),
            alerts: IntCounterVec::new(
                Opts::new(
                    "monitoring_alerts_total",
                    "Alerts this process committed, by kind.",
                ),
                &["kind"],
            )
            .expect("valid metric"),
            open_alerts: IntGaugeVec::new(
                Opts::new(
                    "monitoring_open_alerts",
                    "Alerts without a verdict, by age (as of the worker's last look).",
                ),
                &["age"],
            )
            .expect("valid metric"),
            delta: IntGauge::new(
                "monitoring_last_delta_entries",
                "Entries added, changed or removed in the last re-screen's difference.",
            )
            .expect("valid metric"),
            rescreened: IntGauge::new(
                "monitoring_last_rescreen_parties",
                "Parties the last re-screen screened again.",
            )
            .expect("valid metric"),
            duration: Histogram::with_opts(
                HistogramOpts::new(
                    "monitoring_rescreen_duration_seconds",
                    "Time per re-screen of the book.",
                )
                .buckets(vec![
                    0.01, 0.05, 0.1, 0.5, 1.0, 5.0, 10.0, 30.0, 60.0, 300.0, 1800.0,
                ]),
            )
            .expect("valid metric"),
            lag: Gauge::new(
                "monitoring_lag_seconds",
                "How long the serving snapshot has served without the book re-screened \
                 against it (0: up to date).",
            )
            .expect("valid metric"),
        }
    }
}

/// The audit log's metrics (see [`crate::service::audit::AuditObserver`]).
struct AuditMetrics {
    written: IntCounter,
    bytes: IntCounter,
    errors: IntCounter,
    lost: IntCounter,
    fsync: Histogram,
}

impl AuditMetrics {
    fn new() -> AuditMetrics {
        let counter = |name: &str, help: &str| IntCounter::new(name, help).expect("valid metric");
        AuditMetrics {
            written: counter(
                "audit_records_written_total",
                "Audit records written to the log.",
            ),
            bytes: counter(
                "audit_bytes_written_total",
                "Bytes written to the audit log.",
            ),
            errors: counter(
                "audit_write_errors_total",
                "Failed audit log opens, writes, fsyncs and rotations.",
            ),
            lost: counter(
                "audit_records_lost_total",
                "Decisions answered without their audit record (fail_open), and dropped \
                 records of rejected requests.",
            ),
            fsync: Histogram::with_opts(
                HistogramOpts::new("audit_fsync_duration_seconds", "Time per audit log fsync.")
                    .buckets(LATENCY_BUCKETS.to_vec()),
            )
            .expect("valid metric"),
        }
    }
}

impl crate::service::audit::AuditObserver for Metrics {
    fn written(&self, records: usize, bytes: usize) {
        self.audit.written.inc_by(records as u64);
        self.audit.bytes.inc_by(bytes as u64);
    }
    fn write_failed(&self) {
        self.audit.errors.inc();
    }
    fn lost(&self, records: usize) {
        self.audit.lost.inc_by(records as u64);
    }
    fn synced(&self, seconds: f64) {
        self.audit.fsync.observe(seconds);
    }
}

fn now_seconds() -> f64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0.0, |d| d.as_secs_f64())
}

/// Seconds since the epoch at midnight UTC of an ISO date (`2026-02-27`), if it is one.
fn date_seconds(date: &str) -> Option<f64> {
    let d: jiff::civil::Date = date.get(..10)?.parse().ok()?;
    let ts = d
        .to_zoned_datetime(jiff::tz::TimeZone::UTC)
        .ok()?
        .timestamp();
    Some(ts.as_second() as f64)
}

impl Metrics {
    pub fn new() -> Metrics {
        let registry =
            Registry::new_custom(Some("clearance".into()), None).expect("a constant, valid prefix");
        let m = Metrics {
            requests: IntCounterVec::new(
                Opts::new(
                    "grpc_requests_total",
                    "Finished RPCs by method and status code.",
                ),
                &["method", "code"],
            )
            .expect("valid metric"),
            latency: HistogramVec::new(
                HistogramOpts::new(
                    "grpc_request_duration_seconds",
                    "Latency of unary RPCs; for ScreenStream, of each screening in the stream.",
                )
                .buckets(LATENCY_BUCKETS.to_vec()),
                &["method"],
            )
            .expect("valid metric"),
            in_flight: IntGaugeVec::new(
                Opts::new("grpc_in_flight_requests", "RPCs running now."),
                &["method"],
            )
            .expect("valid metric"),
            open_streams: IntGauge::new("grpc_open_streams", "ScreenStream calls open now.")
                .expect("valid metric"),
            decisions: IntCounterVec::new(
                Opts::new("decisions_total", "Screenings by decision."),
                &["decision"],
            )
            .expect("valid metric"),
            hits: IntCounterVec::new(
                Opts::new("hits_total", "Hits returned, by dataset."),
                &["dataset"],
            )
            .expect("valid metric"),
            snapshot_info: IntGaugeVec::new(
                Opts::new("snapshot_info", "1 for the snapshot version serving."),
                &["version"],
            )
            .expect("valid metric"),
            snapshot_loaded: Gauge::new(
                "snapshot_loaded_timestamp_seconds",
                "When the serving snapshot was swapped in.",
            )
            .expect("valid metric"),
            entities: IntGaugeVec::new(
                Opts::new(
                    "dataset_entities",
                    "Entities per dataset in the serving snapshot.",
                ),
                &["dataset"],
            )
            .expect("valid metric"),
            names: IntGaugeVec::new(
                Opts::new("dataset_names", "Names and aliases per dataset."),
                &["dataset"],
            )
            .expect("valid metric"),
            as_of: GaugeVec::new(
                Opts::new(
                    "dataset_as_of_timestamp_seconds",
                    "The publisher's date for the list (lists that state one).",
                ),
                &["dataset"],
            )
            .expect("valid metric"),
            age: GaugeVec::new(
                Opts::new(
                    "dataset_age_seconds",
                    "Age of the list at scrape time, from its as-of date.",
                ),
                &["dataset"],
            )
            .expect("valid metric"),
            as_of_dates: Mutex::new(Vec::new()),
            ownership_edges: IntGaugeVec::new(
                Opts::new(
                    "ownership_records",
                    "Ownership records in the serving snapshot: resolved to loaded parties, or \
                     naming none (not used).",
                ),
                &["state"],
            )
            .expect("valid metric"),
            reloads: IntCounterVec::new(
                Opts::new(
                    "reloads_total",
                    "Reload attempts by trigger and result (swapped, unchanged, failed).",
                ),
                &["trigger", "result"],
            )
            .expect("valid metric"),
            reload_duration: Histogram::with_opts(
                HistogramOpts::new(
                    "reload_duration_seconds",
                    "Time to load, build and validate a snapshot.",
                )
                .buckets(RELOAD_BUCKETS.to_vec()),
            )
            .expect("valid metric"),
            reload_last_success: Gauge::new(
                "reload_last_success_timestamp_seconds",
                "When a reload last succeeded (swapped or unchanged).",
            )
            .expect("valid metric"),
            reload_last_failure: Gauge::new(
                "reload_last_failure_timestamp_seconds",
                "When a reload last failed.",
            )
            .expect("valid metric"),
            reload_last_error: IntGaugeVec::new(
                Opts::new(
                    "reload_last_error_info",
                    "1 for the last reload error, while the last attempt failed.",
                ),
                &["error"],
            )
            .expect("valid metric"),
            ready: IntGauge::new(
                "ready",
                "1 when a snapshot serves and the server is not draining.",
            )
            .expect("valid metric"),
            audit: AuditMetrics::new(),
            monitoring: MonitoringMetrics::new(),
            source_updates: IntCounterVec::new(
                Opts::new(
                    "source_updates_total",
                    "Download attempts of lists configured by URL, by result (updated, \
                     not_modified, failed).",
                ),
                &["dataset", "result"],
            )
            .expect("valid metric"),
            source_update_last_success: GaugeVec::new(
                Opts::new(
                    "source_update_last_success_timestamp_seconds",
                    "When the publisher last confirmed the cached copy (a download or a 304).",
                ),
                &["dataset"],
            )
            .expect("valid metric"),
            source_update_last_error: IntGaugeVec::new(
                Opts::new(
                    "source_update_last_error_info",
                    "1 for the last download error, while the dataset's last attempt failed.",
                ),
                &["dataset", "error"],
            )
            .expect("valid metric"),
            sample_data: IntGauge::new(
                "sample_data",
                "1 while the server serves the bundled SAMPLE list, not the configured lists.",
            )
            .expect("valid metric"),
            auth_rejections: IntCounterVec::new(
                Opts::new(
                    "auth_rejections_total",
                    "Calls refused by access control, by caller and reason.",
                ),
                &["caller", "reason"],
            )
            .expect("valid metric"),
            tls_reloads: IntCounterVec::new(
                Opts::new(
                    "tls_reloads_total",
                    "TLS certificate files that changed on disk, by result.",
                ),
                &["result"],
            )
            .expect("valid metric"),
            tls_handshake_failures: IntCounterVec::new(
                Opts::new(
                    "tls_handshake_failures_total",
                    "Failed or timed-out TLS handshakes, by listener.",
                ),
                &["listener"],
            )
            .expect("valid metric"),
            registry,
        };
        let collectors: Vec<Box<dyn prometheus::core::Collector>> = vec![
            Box::new(m.requests.clone()),
            Box::new(m.latency.clone()),
            Box::new(m.in_flight.clone()),
            Box::new(m.open_streams.clone()),
            Box::new(m.decisions.clone()),
            Box::new(m.hits.clone()),
            Box::new(m.snapshot_info.clone()),
            Box::new(m.snapshot_loaded.clone()),
            Box::new(m.entities.clone()),
            Box::new(m.names.clone()),
            Box::new(m.as_of.clone()),
            Box::new(m.age.clone()),
            Box::new(m.ownership_edges.clone()),
            Box::new(m.reloads.clone()),
            Box::new(m.reload_duration.clone()),
            Box::new(m.reload_last_success.clone()),
            Box::new(m.reload_last_failure.clone()),
            Box::new(m.reload_last_error.clone()),
            Box::new(m.ready.clone()),
            Box::new(m.audit.written.clone()),
            Box::new(m.audit.bytes.clone()),
            Box::new(m.audit.errors.clone()),
            Box::new(m.audit.lost.clone()),
            Box::new(m.audit.fsync.clone()),
            Box::new(m.monitoring.ready.clone()),
            Box::new(m.monitoring.parties.clone()),
            Box::new(m.monitoring.alerts.clone()),
            Box::new(m.monitoring.open_alerts.clone()),
            Box::new(m.monitoring.delta.clone()),
            Box::new(m.monitoring.rescreened.clone()),
            Box::new(m.monitoring.duration.clone()),
            Box::new(m.monitoring.lag.clone()),
            Box::new(m.source_updates.clone()),
            Box::new(m.source_update_last_success.clone()),
            Box::new(m.source_update_last_error.clone()),
            Box::new(m.sample_data.clone()),
            Box::new(m.auth_rejections.clone()),
            Box::new(m.tls_reloads.clone()),
            Box::new(m.tls_handshake_failures.clone()),
        ];
        for c in collectors {
            m.registry
                .register(c)
                .expect("each metric is registered once");
        }
        m
    }

    /// Counts a call refused by access control.
    pub fn auth_rejected(&self, caller: &str, reason: &str) {
        self.auth_rejections
            .with_label_values(&[caller, reason])
            .inc();
    }

    /// Counts a reload of the TLS files (`swapped` or `failed`).
    pub fn tls_reloaded(&self, result: &str) {
        self.tls_reloads.with_label_values(&[result]).inc();
    }

    /// Counts a failed TLS handshake on `listener`.
    pub fn tls_handshake_failed(&self, listener: &str) {
        self.tls_handshake_failures
            .with_label_values(&[listener])
            .inc();
    }

    /// Starts timing an RPC; see [`Rpc`].
    pub fn rpc(self: &Arc<Self>, method: &'static str) -> Rpc {
        self.in_flight.with_label_values(&[method]).inc();
        if method == "ScreenStream" {
            self.open_streams.inc();
        }
        Rpc {
            metrics: self.clone(),
            method,
            started: Instant::now(),
            finished: false,
        }
    }

    /// Counts one screening's decision and hits; `started` times it when it is part of a
    /// stream (unary calls are timed by their [`Rpc`]).
    pub fn screened(&self, result: &Screening, stream_started: Option<Instant>) {
        self.decisions
            .with_label_values(&[result.decision.as_str()])
            .inc();
        for h in &result.hits {
            self.hits.with_label_values(&[h.dataset.as_str()]).inc();
        }
        if let Some(started) = stream_started {
            self.latency
                .with_label_values(&["ScreenStream"])
                .observe(started.elapsed().as_secs_f64());
        }
    }

    /// Describes the snapshot now serving.
    pub fn serving(&self, snapshot: &Snapshot) {
        self.snapshot_info.reset();
        self.snapshot_info
            .with_label_values(&[snapshot.version()])
            .set(1);
        self.snapshot_loaded.set(now_seconds());
        self.entities.reset();
        self.names.reset();
        self.as_of.reset();
        self.age.reset();
        let mut dates = Vec::new();
        for d in snapshot.index.datasets() {
            let name = d.name.as_str();
            self.entities
                .with_label_values(&[name])
                .set(d.entities as i64);
            self.names.with_label_values(&[name]).set(d.names as i64);
            if let Some(t) = d.as_of.as_deref().and_then(date_seconds) {
                self.as_of.with_label_values(&[name]).set(t);
                dates.push((d.name.clone(), t));
            }
        }
        if let Ok(mut held) = self.as_of_dates.lock() {
            *held = dates;
        }
        let edges = &snapshot.ownership;
        self.ownership_edges
            .with_label_values(&["resolved"])
            .set(edges.edges().len() as i64);
        self.ownership_edges
            .with_label_values(&["unresolved"])
            .set(edges.unresolved as i64);
    }

    /// Records a reload attempt. `error` is `None` when it succeeded.
    pub fn reloaded(&self, trigger: &str, result: &str, took: f64, error: Option<&str>) {
        self.reloads.with_label_values(&[trigger, result]).inc();
        self.reload_duration.observe(took);
        self.reload_last_error.reset();
        match error {
            None => self.reload_last_success.set(now_seconds()),
            Some(e) => {
                self.reload_last_failure.set(now_seconds());
                self.reload_last_error.with_label_values(&[e]).set(1);
            }
        }
    }

    /// Records a download attempt; `last_success` is when the cached copy was last
    /// confirmed, in seconds since the epoch.
    pub fn source_updated(&self, dataset: &str, result: &str, last_success: Option<f64>) {
        self.source_updates
            .with_label_values(&[dataset, result])
            .inc();
        if let Some(t) = last_success {
            self.source_update_last_success
                .with_label_values(&[dataset])
                .set(t);
        }
    }

    /// The datasets whose last download failed, with the error.
    pub fn update_errors(&self, errors: &[(String, String)]) {
        self.source_update_last_error.reset();
        for (dataset, error) in errors {
            self.source_update_last_error
                .with_label_values(&[dataset.as_str(), error.as_str()])
                .set(1);
        }
    }

    pub fn set_sample_data(&self, sample: bool) {
        self.sample_data.set(i64::from(sample));
    }

    pub fn monitoring_ready(&self, ready: bool) {
        self.monitoring.ready.set(i64::from(ready));
    }

    pub fn monitoring_alert(&self, kind: &str) {
        self.monitoring.alerts.with_label_values(&[kind]).inc();
    }

    /// A finished re-screen: entries in its difference, parties screened, seconds.
    pub fn monitoring_rescreened(&self, delta: usize, parties: usize, seconds: f64) {
        self.monitoring.delta.set(delta as i64);
        self.monitoring.rescreened.set(parties as i64);
        self.monitoring.duration.observe(seconds);
    }

    /// The book's size and its open alerts by age (fewer than 1, 7, 30 days, older).
    pub fn monitoring_stats(&self, parties: u64, open_by_age: [u64; 4]) {
        self.monitoring.parties.set(parties as i64);
        for (age, n) in OPEN_ALERT_AGES.iter().zip(open_by_age) {
            self.monitoring
                .open_alerts
                .with_label_values(&[age])
                .set(n as i64);
        }
    }

    pub fn monitoring_lag(&self, seconds: f64) {
        self.monitoring.lag.set(seconds);
    }

    pub fn set_ready(&self, ready: bool) {
        self.ready.set(i64::from(ready));
    }

    /// The text exposition of every metric, with dataset ages computed now.
    pub fn render(&self) -> String {
        let now = now_seconds();
        if let Ok(dates) = self.as_of_dates.lock() {
            for (dataset, as_of) in dates.iter() {
                self.age
                    .with_label_values(&[dataset.as_str()])
                    .set(now - as_of);
            }
        }
        let mut out = String::new();
        // Encoding into a String cannot fail for well-formed families.
        let _ = prometheus::TextEncoder::new().encode_utf8(&self.registry.gather(), &mut out);
        out
    }
}

impl Default for Metrics {
    fn default() -> Self {
        Metrics::new()
    }
}

/// Times one RPC and keeps the in-flight gauges right. Call [`Rpc::finish`] with the status
/// code; an `Rpc` dropped unfinished (the client cancelled, so tonic dropped the handler)
/// counts as `Cancelled`.
pub struct Rpc {
    metrics: Arc<Metrics>,
    method: &'static str,
    started: Instant,
    finished: bool,
}

impl Rpc {
    pub fn finish(mut self, code: tonic::Code) {
        self.record(code);
    }

    fn record(&mut self, code: tonic::Code) {
        self.finished = true;
        let code = match code {
            tonic::Code::Ok => "OK".to_string(),
            other => format!("{other:?}"),
        };
        self.metrics
            .requests
            .with_label_values(&[self.method, code.as_str()])
            .inc();
        if self.method != "ScreenStream" {
            self.metrics
                .latency
                .with_label_values(&[self.method])
                .observe(self.started.elapsed().as_secs_f64());
        }
    }
}

impl Drop for Rpc {
    fn drop(&mut self) {
        if !self.finished {
            self.record(tonic::Code::Cancelled);
        }
        self.metrics
            .in_flight
            .with_label_values(&[self.method])
            .dec();
        if self.method == "ScreenStream" {
            self.metrics.open_streams.dec();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rpcs_count_codes_and_cancellation() {
        let m = Arc::new(Metrics::new());
        m.rpc("Screen").finish(tonic::Code::Ok);
        m.rpc("Screen").finish(tonic::Code::InvalidArgument);
        let open = m.rpc("ScreenStream");
        assert_eq!(m.open_streams.get(), 1);
        drop(open);
        assert_eq!(m.open_streams.get(), 0);
        let text = m.render();
        for want in [
            "clearance_grpc_requests_total{code=\"OK\",method=\"Screen\"} 1",
            "clearance_grpc_requests_total{code=\"InvalidArgument\",method=\"Screen\"} 1",
            "clearance_grpc_requests_total{code=\"Cancelled\",method=\"ScreenStream\"} 1",
            "clearance_grpc_in_flight_requests{method=\"Screen\"} 0",
            "clearance_grpc_request_duration_seconds_count{method=\"Screen\"} 2",
        ] {
            assert!(text.contains(want), "{want} missing from\n{text}");
        }
    }

    #[test]
    fn as_of_dates_become_timestamps() {
        assert_eq!(date_seconds("1970-01-02"), Some(86_400.0));
        assert_eq!(date_seconds("2026-02-27T10:00:00"), Some(1_772_150_400.0));
        assert_eq!(date_seconds("yesterday"), None);
    }

    #[test]
    fn the_serving_snapshot_is_described_with_dates_and_ages() {
        let mut builder = crate::engine::index::IndexBuilder::new();
        builder.add_list(
            crate::engine::model::LoadedList {
                dataset: "un_sc_sanctions".into(),
                as_of: Some("2026-02-27".into()),
                entities: vec![crate::engine::model::Entity {
                    id: "un_sc_sanctions:1".into(),
                    dataset: "un_sc_sanctions".into(),
                    names: vec![crate::engine::model::Name {
                        value: "Acme Trading".into(),
                        kind: crate::engine::model::NameKind::Primary,
                    }],
                    ..crate::engine::model::Entity::default()
                }],
                ..crate::engine::model::LoadedList::default()
            },
            None,
        );
        let snapshot = Snapshot::new(
            builder.build().unwrap(),
            crate::engine::policy::Policy::default(),
        );
        let m = Metrics::new();
        m.serving(&snapshot);
        let text = m.render();
        let scrape =
            prometheus_parse::Scrape::parse(text.lines().map(|l| Ok(l.to_string()))).unwrap();
        let value = |name: &str| {
            scrape
                .samples
                .iter()
                .find(|s| s.metric == name)
                .map(|s| match s.value {
                    prometheus_parse::Value::Gauge(v) => v,
                    _ => f64::NAN,
                })
        };
        assert_eq!(
            value("clearance_dataset_as_of_timestamp_seconds"),
            Some(1_772_150_400.0)
        );
        let age = value("clearance_dataset_age_seconds").unwrap();
        assert!(
            (now_seconds() - 1_772_150_400.0 - age).abs() < 60.0,
            "{age}"
        );
        assert_eq!(value("clearance_dataset_entities"), Some(1.0));
        assert!(text.contains(&format!(
            "clearance_snapshot_info{{version=\"{}\"}} 1",
            snapshot.version()
        )));
    }

    #[test]
    fn download_failures_show_per_dataset_until_they_clear() {
        let m = Metrics::new();
        m.source_updated("un_sc_sanctions", "updated", Some(1_772_150_400.0));
        m.source_updated("us_trade_csl", "failed", None);
        m.update_errors(&[("us_trade_csl".into(), "consolidated.csv: HTTP 503".into())]);
        m.set_sample_data(true);
        let text = m.render();
        for want in [
            "clearance_source_updates_total{dataset=\"un_sc_sanctions\",result=\"updated\"} 1",
            "clearance_source_updates_total{dataset=\"us_trade_csl\",result=\"failed\"} 1",
            "clearance_source_update_last_success_timestamp_seconds{dataset=\"un_sc_sanctions\"} 1772150400",
            "clearance_source_update_last_error_info{dataset=\"us_trade_csl\",error=\"consolidated.csv: HTTP 503\"} 1",
            "clearance_sample_data 1",
        ] {
            assert!(text.contains(want), "{want} missing from\n{text}");
        }
        m.update_errors(&[]);
        m.set_sample_data(false);
        let text = m.render();
        assert!(!text.contains("HTTP 503"), "{text}");
        assert!(text.contains("clearance_sample_data 0"), "{text}");
    }

    #[test]
    fn a_reload_failure_shows_until_the_next_success() {
        let m = Metrics::new();
        m.reloaded("admin", "failed", 0.2, Some("own.jsonl:1: bad"));
        assert!(m
            .render()
            .contains("clearance_reload_last_error_info{error=\"own.jsonl:1: bad\"} 1"));
        m.reloaded("admin", "swapped", 0.2, None);
        let text = m.render();
        assert!(!text.contains("own.jsonl:1: bad"), "{text}");
        assert!(text.contains("clearance_reloads_total{result=\"failed\",trigger=\"admin\"} 1"));
    }
}
