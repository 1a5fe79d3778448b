//! Shared support for the integration tests and the examples that drive a real server
//! (`examples/soak.rs` and `examples/loadgen.rs` include this folder with `#[path]`):
//!
//! - here: the server in process on 127.0.0.1:0 ([`Running`]), generated tonic clients, a
//!   minimal HTTP/1.1 GET for the metrics and health endpoints, and request builders;
//! - [`child`]: `clearance serve` as a child process, for what only a process allows (a file
//!   size limit, its resident memory, a signal);
//! - [`certs`]: a certificate authority issuing server and client certificates;
//! - [`snapshots`]: snapshot files and list files written the way a publisher writes them.
//!
//! Every test crate compiles all of it and uses a part, hence `dead_code` is allowed.
#![allow(dead_code)]

pub mod certs;
pub mod child;
pub mod snapshots;

use std::path::Path;
use std::time::Duration;

use clearance::service::config::Config;
use clearance::service::proto::{
    self, admin_client::AdminClient, screening_client::ScreeningClient,
};
use clearance::service::server::{Listeners, ReloadTriggers, ServeError};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::sync::oneshot;
use tonic::transport::Channel;

pub struct Running {
    /// `http://host:port` of Screening.
    pub public: String,
    /// `http://host:port` of Admin.
    pub admin: String,
    /// `host:port` of the HTTP listener.
    pub http: String,
    stop: Option<oneshot::Sender<()>>,
    pub task: tokio::task::JoinHandle<Result<(), ServeError>>,
}

pub fn sample_config() -> Config {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    Config::from_file(&root.join("config/sample.toml")).unwrap()
}

impl Running {
    /// Starts a server on the bundled sample list and waits until it serves.
    pub async fn start() -> Running {
        let running = Running::spawn(sample_config(), ReloadTriggers::default()).await;
        running.wait_serving().await;
        running
    }

    /// Starts a server without waiting for the first snapshot.
    pub async fn spawn(config: Config, triggers: ReloadTriggers) -> Running {
        let listeners = Listeners::bind("127.0.0.1:0", "127.0.0.1:0", Some("127.0.0.1:0"))
            .await
            .unwrap();
        let public = format!("http://{}", listeners.public.local_addr().unwrap());
        let admin = format!("http://{}", listeners.admin.local_addr().unwrap());
        let http = listeners
            .http
            .as_ref()
            .unwrap()
            .local_addr()
            .unwrap()
            .to_string();
        let (stop, stopped) = oneshot::channel::<()>();
        let task = tokio::spawn(clearance::service::server::serve(
            config,
            listeners,
            triggers,
            async move {
                let _ = stopped.await;
            },
        ));
        Running {
            public,
            admin,
            http,
            stop: Some(stop),
            task,
        }
    }

    pub async fn channel(addr: &str) -> Channel {
        for _ in 0..100 {
            if let Ok(c) = Channel::from_shared(addr.to_string())
                .unwrap()
                .connect()
                .await
            {
                return c;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        panic!("server at {addr} did not accept connections");
    }

    /// The health status of the Screening service.
    pub async fn health(&self) -> i32 {
        screening_health(Self::channel(&self.public).await)
            .await
            .unwrap()
    }

    pub async fn wait_serving(&self) {
        for _ in 0..1500 {
            if self.health().await == SERVING {
                return;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        panic!("Screening never reported SERVING");
    }

    pub async fn screening(&self) -> ScreeningClient<Channel> {
        ScreeningClient::new(Self::channel(&self.public).await)
    }

    pub async fn admin(&self) -> AdminClient<Channel> {
        AdminClient::new(Self::channel(&self.admin).await)
    }

    /// Signals shutdown without waiting.
    pub fn begin_stop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }

    pub async fn stop(mut self) {
        self.begin_stop();
        self.task.await.unwrap().unwrap();
    }

    /// GET `path` on the HTTP listener: (status code, body).
    pub async fn get(&self, path: &str) -> (u16, String) {
        http_get(&self.http, path).await
    }

    /// Scrapes and parses `/metrics`.
    pub async fn metrics(&self) -> prometheus_parse::Scrape {
        scrape(&self.http).await
    }
}

/// `grpc.health.v1` SERVING, as the health service reports it.
pub const SERVING: i32 = tonic_health::pb::health_check_response::ServingStatus::Serving as i32;

/// The health status of the Screening service behind `channel`.
pub async fn screening_health(channel: Channel) -> Result<i32, tonic::Status> {
    tonic_health::pb::health_client::HealthClient::new(channel)
        .check(tonic_health::pb::HealthCheckRequest {
            service: "clearance.v1.Screening".into(),
        })
        .await
        .map(|r| r.get_ref().status)
}

/// Whether the Screening service behind `channel` reports SERVING (an error is a no).
pub async fn screening_serving(channel: Channel) -> bool {
    screening_health(channel)
        .await
        .is_ok_and(|status| status == SERVING)
}

/// GETs and parses `/metrics` from the HTTP listener at `addr` (`host:port`).
pub async fn scrape(addr: &str) -> prometheus_parse::Scrape {
    let (code, body) = http_get(addr, "/metrics").await;
    assert_eq!(code, 200, "{body}");
    parse_metrics(&body)
}

/// Parses a `/metrics` body (Prometheus text format).
pub fn parse_metrics(body: &str) -> prometheus_parse::Scrape {
    prometheus_parse::Scrape::parse(body.lines().map(|l| Ok(l.to_string()))).unwrap()
}

/// A one-shot HTTP/1.1 GET: enough for the three plain-text endpoints.
pub async fn http_get(addr: &str, path: &str) -> (u16, String) {
    let mut stream = tokio::net::TcpStream::connect(addr).await.unwrap();
    let head = format!("GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n");
    stream.write_all(head.as_bytes()).await.unwrap();
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw).await.unwrap();
    let text = String::from_utf8(raw).unwrap();
    let (head, body) = text.split_once("\r\n\r\n").unwrap();
    let code = head
        .split_whitespace()
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap();
    assert!(
        !head
            .to_ascii_lowercase()
            .contains("transfer-encoding: chunked"),
        "chunked bodies are not decoded here: {head}"
    );
    (code, body.to_string())
}

/// The value of one sample, by metric name and labels.
pub fn sample(
    scrape: &prometheus_parse::Scrape,
    name: &str,
    labels: &[(&str, &str)],
) -> Option<f64> {
    scrape
        .samples
        .iter()
        .find(|s| s.metric == name && labels.iter().all(|(k, v)| s.labels.get(k) == Some(*v)))
        .map(value)
}

/// A sample's value; for a histogram, its count.
pub fn value(sample: &prometheus_parse::Sample) -> f64 {
    match sample.value {
        prometheus_parse::Value::Counter(v)
        | prometheus_parse::Value::Gauge(v)
        | prometheus_parse::Value::Untyped(v) => v,
        prometheus_parse::Value::Histogram(ref h) => h.iter().map(|b| b.count).fold(0.0, f64::max),
        prometheus_parse::Value::Summary(_) => f64::NAN,
    }
}

/// A call carrying `x-request-id: id`, the id the audit trail records.
pub fn with_id(id: &str, req: proto::ScreenRequest) -> tonic::Request<proto::ScreenRequest> {
    let mut r = tonic::Request::new(req);
    r.metadata_mut().insert("x-request-id", id.parse().unwrap());
    r
}

pub fn request(id: &str, name: &str) -> proto::ScreenRequest {
    proto::ScreenRequest {
        request_id: id.into(),
        party: Some(proto::Party {
            name: name.into(),
            ..proto::Party::default()
        }),
        options: None,
        as_of: String::new(),
    }
}
