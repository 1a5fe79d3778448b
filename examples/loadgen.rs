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

use std::path::PathBuf;
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};
use clap::{Parser, ValueEnum};
use clearance::config::Config;
use clearance::server::proto::{self, screening_client::ScreeningClient};
use tokio_stream::StreamExt;
use tonic::transport::Channel;

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

async fn connect(addr: &str, n: usize) -> Result<Vec<ScreeningClient<Channel>>> {
    let mut clients = Vec::new();
    for _ in 0..n.max(1) {
        let channel = Channel::from_shared(addr.to_string())?
            .connect()
            .await
            .with_context(|| format!("cannot connect to {addr}"))?;
        clients.push(ScreeningClient::new(channel));
    }
    Ok(clients)
}

/// `concurrency` tasks, each with one call in flight, for warm-up plus `seconds`.
async fn unary(
    clients: &[ScreeningClient<Channel>],
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
async fn stream(
    clients: &[ScreeningClient<Channel>],
    names: &[String],
    streams: usize,
    seconds: u64,
) -> Result<Run> {
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

async fn wait_serving(addr: &str) -> Result<()> {
    for _ in 0..3000 {
        if let Ok(c) = Channel::from_shared(addr.to_string())?.connect().await {
            let mut health = tonic_health::pb::health_client::HealthClient::new(c);
            let status = health
                .check(tonic_health::pb::HealthCheckRequest {
                    service: "clearance.v1.Screening".into(),
                })
                .await
                .map(|r| r.get_ref().status);
            let serving = tonic_health::pb::health_check_response::ServingStatus::Serving as i32;
            if status.is_ok_and(|s| s == serving) {
                return Ok(());
            }
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    bail!("{addr} never reported SERVING")
}

#[tokio::main]
async fn main() -> Result<()> {
    let args = Args::parse();
    let names = load_names(args.names.as_ref())?;
    let addr = match (&args.addr, &args.config) {
        (Some(a), _) => a.clone(),
        (None, Some(path)) => {
            let mut config = Config::from_file(path)?;
            if let Some(log) = &args.audit {
                let mut audit = clearance::audit::AuditConfig::new(log);
                audit.fsync = args.audit_fsync.parse().map_err(anyhow::Error::msg)?;
                config.audit = Some(audit);
            }
            let listeners =
                clearance::server::Listeners::bind("127.0.0.1:0", "127.0.0.1:0", None).await?;
            let addr = format!("http://{}", listeners.public.local_addr()?);
            tokio::spawn(clearance::server::serve(
                config,
                listeners,
                clearance::server::ReloadTriggers::default(),
                std::future::pending(),
            ));
            let loading = Instant::now();
            wait_serving(&addr).await?;
            println!(
                "in-process server on {addr}, lists loaded in {:.1}s",
                loading.elapsed().as_secs_f64()
            );
            addr
        }
        (None, None) => bail!("pass --addr of a running server or --config to start one"),
    };
    let clients = connect(&addr, args.connections).await?;
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
