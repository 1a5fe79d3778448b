//! Load generator for a clearance server: drives `Screen` (unary, at a set concurrency) or
//! `ScreenStream` (a set number of concurrent streams) for a while and prints throughput and
//! latency percentiles.
//!
//! ```text
//! # against a running server
//! cargo run --release --example loadgen -- --addr http://127.0.0.1:50051 --mode unary -c 32
//! # or start one in-process on a config first (what the README's numbers use)
//! cargo run --release --example loadgen -- --config config/shared-data.toml \
//!     --names ../shared/eval/dev.csv --mode all
//! ```
//!
//! Names come from the `name` column of a CSV file (`--names`), or a built-in handful.
//!
//! `--audit FILE --audit-fsync always|interval|never` turns on the in-process server's audit
//! log, to measure what auditing costs.
//!
//! `--compare-tls` (with `--config`) starts two in-process servers on the same lists, one
//! plaintext and open, one with TLS (a certificate generated for the run) and a bearer-token
//! caller, and runs `Screen` at concurrency 1 and 32 against each in turn, `--repeat` times;
//! it prints every run, then the medians and the TLS/plaintext ratios. Against a running
//! server, `--ca-cert` (with an https:// address) and `--token-file` say how to connect.

// The certificate and health-check helpers the integration tests use.
#[path = "../tests/common/mod.rs"]
mod common;

use std::path::PathBuf;
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};
use clap::{Parser, ValueEnum};
use clearance::service::config::Config;
use clearance::service::proto::{self, screening_client::ScreeningClient};
use tokio_stream::StreamExt;
use tonic::metadata::{Ascii, MetadataValue};
use tonic::service::interceptor::InterceptedService;
use tonic::transport::{Certificate, Channel, ClientTlsConfig};

/// The same allocator as the `clearance` binary, so that an in-process server behaves alike.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[derive(Parser)]
struct Args {
    /// Screening address of a running server.
    #[arg(long, conflicts_with = "config")]
    addr: Option<String>,
    /// Start a server in this process on this config instead.
    #[arg(long)]
    config: Option<PathBuf>,
    /// CSV file with a `name` column to draw queries from (in order, cycling).
    #[arg(long)]
    names: Option<PathBuf>,
    #[arg(long, value_enum, default_value = "all")]
    mode: Mode,
    /// Unary: calls in flight at once. Stream: concurrent streams. Ignored by `all`.
    #[arg(long, short, default_value_t = 32)]
    concurrency: usize,
    /// Seconds to measure each run, after one second of warm-up.
    #[arg(long, default_value_t = 10)]
    seconds: u64,
    /// HTTP/2 connections the calls are spread over.
    #[arg(long, default_value_t = 4)]
    connections: usize,
    /// With --config: write the audit log here (overrides the config's [audit] path).
    #[arg(long, requires = "config")]
    audit: Option<PathBuf>,
    /// With --audit: always, interval or never.
    #[arg(long, default_value = "always", requires = "audit")]
    audit_fsync: String,
    /// With --config: compare a plaintext server with a TLS + token one (unary c=1, c=32).
    #[arg(long, requires = "config")]
    compare_tls: bool,
    /// With --compare-tls: rounds of the four runs, for medians.
    #[arg(long, default_value_t = 3)]
    repeat: usize,
    /// With --addr https://...: the PEM CA to verify the server with.
    #[arg(long, requires = "addr")]
    ca_cert: Option<PathBuf>,
    /// With --addr: a file holding the bearer token to send.
    #[arg(long, requires = "addr")]
    token_file: Option<PathBuf>,
}

/// Adds the bearer token, if any, to every call.
#[derive(Clone, Default)]
struct Auth(Option<MetadataValue<Ascii>>);

impl Auth {
    fn bearer(token: &str) -> Result<Auth> {
        Ok(Auth(Some(format!("Bearer {}", token.trim()).parse()?)))
    }
}

impl tonic::service::Interceptor for Auth {
    fn call(&mut self, mut r: tonic::Request<()>) -> Result<tonic::Request<()>, tonic::Status> {
        if let Some(v) = &self.0 {
            r.metadata_mut().insert("authorization", v.clone());
        }
        Ok(r)
    }
}

type Client = ScreeningClient<InterceptedService<Channel, Auth>>;

/// How to reach a server.
#[derive(Clone)]
struct Target {
    addr: String,
    tls: Option<ClientTlsConfig>,
    auth: Auth,
}

impl Target {
    fn plain(addr: String) -> Target {
        Target {
            addr,
            tls: None,
            auth: Auth::default(),
        }
    }

    async fn channel(&self) -> Result<Channel> {
        let mut endpoint = Channel::from_shared(self.addr.clone())?;
        if let Some(tls) = &self.tls {
            endpoint = endpoint.tls_config(tls.clone())?;
        }
        endpoint
            .connect()
            .await
            .with_context(|| format!("cannot connect to {}", self.addr))
    }
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Mode {
    Unary,
    Stream,
    /// Unary at concurrency 1 and 32, then ScreenStream on 1 and 2 streams.
    All,
}

const BUILT_IN: &[&str] = &[
    "Huawei Cloud Singapore Pte. Ltd.",
    "Alibaba Cloud (Singapore) Private Limited",
    "Amazon Web Services, Inc.",
    "Banco Nacional de Cuba",
    "Mahan Air",
    "ROSNEFT TRADING S.A.",
    "Siemens AG",
    "Hikvision Digital Technology",
];

fn load_names(path: Option<&PathBuf>) -> Result<Vec<String>> {
    let Some(path) = path else {
        return Ok(BUILT_IN.iter().map(|s| s.to_string()).collect());
    };
    let mut reader = csv::Reader::from_path(path).with_context(|| format!("{}", path.display()))?;
    let column = reader
        .headers()?
        .iter()
        .position(|h| h == "name")
        .with_context(|| format!("{}: no `name` column", path.display()))?;
    let mut names = Vec::new();
    for row in reader.records() {
        let row = row.with_context(|| format!("{}", path.display()))?;
        if let Some(n) = row.get(column).filter(|n| !n.trim().is_empty()) {
            names.push(n.to_string());
        }
    }
    if names.is_empty() {
        bail!("{}: no names", path.display());
    }
    Ok(names)
}

fn request(i: usize, names: &[String]) -> proto::ScreenRequest {
    proto::ScreenRequest {
        request_id: i.to_string(),
        party: Some(proto::Party {
            name: names[i % names.len()].clone(),
            ..proto::Party::default()
        }),
        options: None,
        as_of: String::new(),
    }
}

/// Latencies in microseconds, and how many screenings finished in the measured window.
struct Run {
    latencies: Vec<u64>,
    screenings: usize,
    window: Duration,
}

fn percentile(sorted: &[u64], p: f64) -> u64 {
    if sorted.is_empty() {
        return 0;
    }
    let rank = ((p / 100.0) * (sorted.len() - 1) as f64).round() as usize;
    sorted[rank]
}

fn report(label: &str, mut run: Run) {
    run.latencies.sort_unstable();
    let rate = run.screenings as f64 / run.window.as_secs_f64();
    let l = &run.latencies;
    if l.is_empty() {
        println!("{label:<28} {rate:>9.0} screenings/s");
    } else {
        println!(
            "{label:<28} {rate:>9.0} screenings/s  p50 {:>6} µs  p90 {:>6} µs  p99 {:>6} µs  p99.9 {:>6} µs  max {:>6} µs",
            percentile(l, 50.0),
            percentile(l, 90.0),
            percentile(l, 99.0),
            percentile(l, 99.9),
            l.last().copied().unwrap_or(0)
        );
    }
}

async fn connect(target: &Target, n: usize) -> Result<Vec<Client>> {
    let mut clients = Vec::new();
    for _ in 0..n.max(1) {
        let channel = target.channel().await?;
        clients.push(ScreeningClient::with_interceptor(
            channel,
            target.auth.clone(),
        ));
    }
    Ok(clients)
}

/// `concurrency` tasks, each with one call in flight, for warm-up plus `seconds`.
async fn unary(
    clients: &[Client],
    names: &[String],
    concurrency: usize,
    seconds: u64,
) -> Result<Run> {
    let start = Instant::now() + Duration::from_secs(1);
    let end = start + Duration::from_secs(seconds);
    let mut tasks = Vec::new();
    for t in 0..concurrency {
        let mut client = clients[t % clients.len()].clone();
        let names = names.to_vec();
        tasks.push(tokio::spawn(async move {
            let mut latencies = Vec::new();
            let mut i = t * 7919;
            loop {
                let sent = Instant::now();
                if sent >= end {
                    break;
                }
                client.screen(request(i, &names)).await?;
                if sent >= start {
                    latencies.push(sent.elapsed().as_micros() as u64);
                }
                i += 1;
            }
            Ok::<_, tonic::Status>(latencies)
        }));
    }
    let mut latencies = Vec::new();
    for t in tasks {
        latencies.extend(t.await??);
    }
    Ok(Run {
        screenings: latencies.len(),
        latencies,
        window: Duration::from_secs(seconds),
    })
}

/// `streams` ScreenStream calls, each fed as fast as the server's flow control allows.
async fn stream(clients: &[Client], names: &[String], streams: usize, seconds: u64) -> Result<Run> {
    let start = Instant::now() + Duration::from_secs(1);
    let end = start + Duration::from_secs(seconds);
    let mut tasks = Vec::new();
    for s in 0..streams {
        let mut client = clients[s % clients.len()].clone();
        let names = names.to_vec();
        tasks.push(tokio::spawn(async move {
            let requests = tokio_stream::iter(s * 7919..).map(move |i| request(i, &names));
            // Every wait ends at the deadline, so a stalled stream cannot hang the run.
            let deadline = tokio::time::Instant::from_std(end);
            let call = tokio::time::timeout_at(deadline, client.screen_stream(requests));
            let Ok(reply) = call.await else {
                return Err(tonic::Status::deadline_exceeded("the stream did not start"));
            };
            let mut replies = reply?.into_inner();
            let mut counted = 0usize;
            while let Ok(Some(r)) = tokio::time::timeout_at(deadline, replies.next()).await {
                r?;
                if Instant::now() >= start {
                    counted += 1;
                }
            }
            Ok::<_, tonic::Status>(counted)
        }));
    }
    let mut screenings = 0;
    for t in tasks {
        screenings += t.await??;
    }
    Ok(Run {
        latencies: Vec::new(),
        screenings,
        window: Duration::from_secs(seconds),
    })
}

async fn wait_serving(target: &Target) -> Result<()> {
    let addr = &target.addr;
    for _ in 0..3000 {
        if let Ok(c) = target.channel().await {
            if common::screening_serving(c).await {
                return Ok(());
            }
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    bail!("{addr} never reported SERVING")
}

/// Starts an in-process server on `config`; returns once it serves.
async fn start(config: Config, target: impl FnOnce(String) -> Target) -> Result<Target> {
    let listeners =
        clearance::service::server::Listeners::bind("127.0.0.1:0", "127.0.0.1:0", None).await?;
    let target = target(listeners.public.local_addr()?.to_string());
    tokio::spawn(clearance::service::server::serve(
        config,
        listeners,
        clearance::service::server::ReloadTriggers::default(),
        std::future::pending(),
    ));
    wait_serving(&target).await?;
    Ok(target)
}

/// A compared case: (server, concurrency).
type Case = (&'static str, usize);
/// One run's (screenings/s, p50 µs, p99 µs).
type Measured = (f64, f64, f64);

/// The median of some measurements.
fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

/// Plaintext against TLS with a token, the same lists, unary c=1 and c=32, alternating.
async fn compare_tls(args: &Args, config: Config, names: &[String]) -> Result<()> {
    let dir = tempfile::tempdir()?;
    let ca = common::certs::Ca::new("loadgen CA");
    let (cert, key) = ca.server();
    std::fs::write(dir.path().join("server.crt"), cert)?;
    std::fs::write(dir.path().join("server.key"), key)?;
    let mut secure = config.clone();
    let mut tls = clearance::service::tls::TlsConfig::new("server.crt", "server.key");
    tls.resolve(dir.path());
    secure.tls = Some(tls);
    secure.callers = vec![clearance::service::auth::CallerConfig {
        name: "loadgen".into(),
        token_sha256: Some(clearance::service::auth::hash_token("loadgen-token")),
        cert_subject: None,
        roles: vec![clearance::service::auth::Role::Screen],
        datasets: Vec::new(),
        rate_per_second: 0.0,
        burst: None,
    }];
    let loading = Instant::now();
    let plain = start(config, |a| Target::plain(format!("http://{a}"))).await?;
    let client_tls = ClientTlsConfig::new()
        .ca_certificate(Certificate::from_pem(ca.pem()))
        .domain_name("localhost");
    let secure = start(secure, |a| Target {
        addr: format!("https://{a}"),
        tls: Some(client_tls),
        auth: Auth::bearer("loadgen-token").expect("an ASCII token"),
    })
    .await?;
    println!(
        "two in-process servers (plaintext open on {}, TLS + token on {}), lists loaded in {:.1}s",
        plain.addr,
        secure.addr,
        loading.elapsed().as_secs_f64()
    );
    let plain_clients = connect(&plain, args.connections).await?;
    let secure_clients = connect(&secure, args.connections).await?;
    let mut results: Vec<(Case, Vec<Measured>)> = Vec::new();
    for round in 1..=args.repeat.max(1) {
        for n in [1, 32] {
            for (label, clients) in [
                ("plaintext", &plain_clients),
                ("TLS+token", &secure_clients),
            ] {
                let mut run = unary(clients, names, n, args.seconds).await?;
                run.latencies.sort_unstable();
                let rate = run.screenings as f64 / run.window.as_secs_f64();
                let p50 = percentile(&run.latencies, 50.0) as f64;
                let p99 = percentile(&run.latencies, 99.0) as f64;
                report(&format!("round {round}: {label} c={n}"), run);
                match results.iter_mut().find(|(k, _)| *k == (label, n)) {
                    Some((_, v)) => v.push((rate, p50, p99)),
                    None => results.push(((label, n), vec![(rate, p50, p99)])),
                }
            }
        }
    }
    println!("medians over {} round(s):", args.repeat.max(1));
    let med = |label: &str, n: usize| {
        let v = &results
            .iter()
            .find(|(k, _)| *k == (label, n))
            .expect("measured")
            .1;
        (
            median(v.iter().map(|r| r.0).collect()),
            median(v.iter().map(|r| r.1).collect()),
            median(v.iter().map(|r| r.2).collect()),
        )
    };
    for n in [1, 32] {
        let (pr, p50, p99) = med("plaintext", n);
        let (tr, t50, t99) = med("TLS+token", n);
        println!(
            "Screen c={n:<2}  plaintext {pr:>7.0}/s p50 {p50:>5.0} µs p99 {p99:>5.0} µs | TLS+token {tr:>7.0}/s p50 {t50:>5.0} µs p99 {t99:>5.0} µs | TLS/plain: throughput {:.2}, p50 {:.2}, p99 {:.2}",
            tr / pr,
            t50 / p50,
            t99 / p99
        );
    }
    Ok(())
}

#[tokio::main]
async fn main() -> Result<()> {
    let args = Args::parse();
    let names = load_names(args.names.as_ref())?;
    if args.compare_tls {
        let path = args.config.as_ref().expect("clap requires --config");
        return compare_tls(&args, Config::from_file(path)?, &names).await;
    }
    let target = match (&args.addr, &args.config) {
        (Some(a), _) => {
            let mut target = Target::plain(a.clone());
            if let Some(ca) = &args.ca_cert {
                let pem = std::fs::read(ca).with_context(|| format!("{}", ca.display()))?;
                target.tls =
                    Some(ClientTlsConfig::new().ca_certificate(Certificate::from_pem(pem)));
            }
            if let Some(t) = &args.token_file {
                let token =
                    std::fs::read_to_string(t).with_context(|| format!("{}", t.display()))?;
                target.auth = Auth::bearer(&token)?;
            }
            target
        }
        (None, Some(path)) => {
            let mut config = Config::from_file(path)?;
            if let Some(log) = &args.audit {
                let mut audit = clearance::service::audit::AuditConfig::new(log);
                audit.fsync = args.audit_fsync.parse().map_err(anyhow::Error::msg)?;
                config.audit = Some(audit);
            }
            let loading = Instant::now();
            let target = start(config, |a| Target::plain(format!("http://{a}"))).await?;
            println!(
                "in-process server on {}, lists loaded in {:.1}s",
                target.addr,
                loading.elapsed().as_secs_f64()
            );
            target
        }
        (None, None) => bail!("pass --addr of a running server or --config to start one"),
    };
    let clients = connect(&target, args.connections).await?;
    println!(
        "{} names, {} connections, {} s per run",
        names.len(),
        clients.len(),
        args.seconds
    );
    let runs: Vec<(Mode, usize)> = match args.mode {
        Mode::All => vec![
            (Mode::Unary, 1),
            (Mode::Unary, 32),
            (Mode::Stream, 1),
            (Mode::Stream, 2),
        ],
        m => vec![(m, args.concurrency)],
    };
    for (mode, n) in runs {
        match mode {
            Mode::Unary => report(
                &format!("Screen, concurrency {n}"),
                unary(&clients, &names, n, args.seconds).await?,
            ),
            _ => report(
                &format!("ScreenStream, {n} stream(s)"),
                stream(&clients, &names, n, args.seconds).await?,
            ),
        }
    }
    Ok(())
}
