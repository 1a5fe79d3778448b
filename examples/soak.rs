//! Soak test: the real `clearance serve` as a child process on 127.0.0.1, under mixed load
//! for a set time while its lists are reloaded every few seconds, every third time from a
//! damaged file. Exits non-zero if any valid request failed or got a wrong decision, if a
//! damaged list was accepted or a good one refused, if an answer came from a snapshot no
//! reload produced, or if the server's resident memory grew beyond a bound after warm-up.
//!
//! ```text
//! cargo build --release
//! cargo run --release --example soak -- --seconds 45                  # CI's short run
//! cargo run --release --example soak -- --seconds 600 \
//!     --config config/shared-data.toml                                # the README's figures
//! ```
//!
//! The server loads the lists of `--config` plus one small list of its own (`soak`, native
//! JSON lines in a temporary folder), which the reloader rewrites before each
//! `Admin.Reload`. A good version adds a new generation entry, so every accepted reload
//! swaps in a new snapshot version, and holds a canary name in every other generation; a
//! damaged version (every third reload) is cut off mid-record, overwritten with bytes that
//! are not UTF-8, emptied, or cut after its first record (well-formed, but the list
//! collapsed).
//!
//! Clients, the first three kinds sharing four HTTP/2 connections:
//!
//! - unary `Screen` callers, one call in flight each (their latencies are the percentiles);
//! - `ScreenStream` callers sending batches of 256 as fast as flow control allows;
//! - slow clients: a stream that sends one request every 20 ms, and one that reads one
//!   answer every 5 ms (so the server's per-stream buffer fills);
//! - cancelling clients, on two connections of their own: unary calls with a deadline of
//!   1 ms, unary calls dropped after a random fraction of a millisecond, streams dropped
//!   after a few answers, and streams whose deadline expires mid-stream. Their failures are
//!   expected and counted apart; only a code other than `DEADLINE_EXCEEDED`/`CANCELLED`
//!   counts as an error.
//!
//! Known names are checked on every answer: the soak list's entries must be denied, a
//! made-up clear name allowed, and the canary must be a hit exactly on the snapshot
//! versions whose generation holds it. The server's resident set size (`VmRSS` in
//! `/proc/PID/status`) is sampled every two seconds; growth from the end of warm-up to the
//! end of the run must stay under `--max-rss-growth-mib`.

// The child-server and snapshot-publishing helpers the integration tests use.
#[path = "../tests/common/mod.rs"]
mod common;

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};
use clap::Parser;
use clearance::service::proto::{
    self, admin_client::AdminClient, screening_client::ScreeningClient,
};
use common::child::{clearance_binary, serve_command, ChildServer};
use common::snapshots::publish;
use tokio_stream::StreamExt;
use tonic::transport::Channel;
use tonic::Code;

#[derive(Parser)]
struct Args {
    /// How long to run the load, in seconds (warm-up included).
    #[arg(long, default_value_t = 60)]
    seconds: u64,
    /// Base lists (and policy) the server loads besides the soak list.
    #[arg(long, default_value = "config/sample.toml")]
    config: PathBuf,
    /// The `clearance` binary [default: `clearance` in the folder above this example's].
    #[arg(long)]
    server: Option<PathBuf>,
    /// Seconds between the end of one reload and the start of the next.
    #[arg(long, default_value_t = 3.0)]
    reload_every: f64,
    /// Unary callers.
    #[arg(long, default_value_t = 8)]
    unary: usize,
    /// Streaming callers.
    #[arg(long, default_value_t = 2)]
    streams: usize,
    /// Seconds of warm-up before the RSS baseline [default: a quarter of the run, at most 60].
    #[arg(long)]
    warmup: Option<u64>,
    /// Largest growth of the server's RSS allowed from the end of warm-up to the end, MiB.
    #[arg(long, default_value_t = 48)]
    max_rss_growth_mib: u64,
    /// Put the cancelling clients on the valid callers' connections instead of their own.
    #[arg(long)]
    cancel_on_shared_connections: bool,
    /// Keep the folder with the soak list and the server's log.
    #[arg(long)]
    keep: bool,
}

/// Entries every good version of the soak list holds: each must be denied.
const LISTED: &[(&str, &str)] = &[
    ("fixed-1", "Zephyrine Quillfeather Trading Company"),
    ("fixed-2", "Okonkwo Baranov Maritime Holdings"),
    ("fixed-3", "Tarquinius Velloso Freight Forwarding"),
    ("fixed-4", "Ingrid Halvorsen-Mbeki"),
];
/// Held by odd generations only.
const CANARY: (&str, &str) = ("canary", "Valdoria Lanthanum Brokerage");
/// On no list: must be allowed.
const CLEAR: &str = "Quorblat Vexington Plumbing Supplies";
/// Load without a checked decision.
const OTHER: &[&str] = &[
    "Huawei Cloud Singapore Pte. Ltd.",
    "Alibaba Cloud (Singapore) Private Limited",
    "Amazon Web Services, Inc.",
    "Banco Nacional de Cuba",
    "Mahan Air",
    "ROSNEFT TRADING S.A.",
    "Siemens AG",
    "Hikvision Digital Technology",
    "Sberbank of Russia",
    "Ahmad Khalil Al Hassan",
    "Islamic Revolutionary Guard Corps",
    "Korea Kwangson Banking Corp",
];

/// What an answer to request `i` must be.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Expect {
    Listed(usize),
    Canary,
    Clear,
    Any,
}

fn expect_of(i: u64) -> Expect {
    match i % 8 {
        0 => Expect::Listed((i / 8) as usize % LISTED.len()),
        3 => Expect::Canary,
        5 => Expect::Clear,
        _ => Expect::Any,
    }
}

fn request(i: u64) -> proto::ScreenRequest {
    let name = match expect_of(i) {
        Expect::Listed(k) => LISTED[k].1,
        Expect::Canary => CANARY.1,
        Expect::Clear => CLEAR,
        Expect::Any => OTHER[(i as usize / 8) % OTHER.len()],
    };
    proto::ScreenRequest {
        request_id: i.to_string(),
        party: Some(proto::Party {
            name: name.into(),
            ..proto::Party::default()
        }),
        options: None,
        as_of: String::new(),
    }
}

/// Counters shared by every client.
#[derive(Default)]
struct Tally {
    ok: AtomicU64,
    failed: AtomicU64,
    wrong: AtomicU64,
    /// Calls ended by their own deadline or dropped by the client, as intended.
    cancelled: AtomicU64,
    /// Cancelling clients' calls that completed anyway.
    cancel_ok: AtomicU64,
    /// Valid unary calls the client's connection refused as the server closed it (GOAWAY at
    /// `max_connection_age_seconds`) and that succeeded when sent again, as gRPC clients'
    /// transparent retry does.
    resent: AtomicU64,
    problems: Mutex<Vec<String>>,
    /// (snapshot version, canary hit) -> answers.
    canary: Mutex<HashMap<(String, bool), u64>>,
    /// Every snapshot version an answer named.
    versions: Mutex<HashMap<String, u64>>,
}

impl Tally {
    fn problem(&self, what: String) {
        let mut p = self.problems.lock().unwrap();
        if p.len() < 20 {
            p.push(what);
        }
    }

    fn failed(&self, what: &str, e: &tonic::Status) {
        self.failed.fetch_add(1, Ordering::Relaxed);
        self.problem(format!("{what}: {:?} {}", e.code(), e.message()));
    }

    /// Checks one answer to request `i`.
    fn answer(&self, i: u64, r: &proto::ScreenResponse) {
        self.ok.fetch_add(1, Ordering::Relaxed);
        let deny = proto::Decision::Deny as i32;
        let allow = proto::Decision::Allow as i32;
        let right = match expect_of(i) {
            Expect::Listed(k) => {
                let id = format!("soak:{}", LISTED[k].0);
                r.decision == deny && r.hits.iter().any(|h| h.entity_id == id)
            }
            Expect::Clear => r.decision == allow,
            Expect::Canary => {
                let hit = r.hits.iter().any(|h| h.entity_id == "soak:canary");
                *self
                    .canary
                    .lock()
                    .unwrap()
                    .entry((r.snapshot_version.clone(), hit))
                    .or_default() += 1;
                true
            }
            Expect::Any => r.decision != proto::Decision::Unspecified as i32,
        };
        if r.request_id != i.to_string() {
            self.wrong.fetch_add(1, Ordering::Relaxed);
            self.problem(format!("request {i} answered as {:?}", r.request_id));
        } else if !right {
            self.wrong.fetch_add(1, Ordering::Relaxed);
            self.problem(format!(
                "request {i} ({:?}): decision {} on {} with hits {:?}",
                expect_of(i),
                r.decision,
                r.snapshot_version,
                r.hits.iter().map(|h| &h.entity_id).collect::<Vec<_>>()
            ));
        }
        if i % 64 == 0 || matches!(expect_of(i), Expect::Canary) {
            *self
                .versions
                .lock()
                .unwrap()
                .entry(r.snapshot_version.clone())
                .or_default() += 1;
        }
    }

    /// A cancelling client's outcome: its own deadline or cancellation is expected.
    fn cancelled_or(&self, what: &str, e: &tonic::Status) {
        if matches!(e.code(), Code::DeadlineExceeded | Code::Cancelled) {
            self.cancelled.fetch_add(1, Ordering::Relaxed);
        } else {
            self.failed(what, e);
        }
    }
}

/// Request ids: each client counts up from its own block, so ids are unique and every
/// client cycles through every kind of name.
struct Ids(u64);

impl Ids {
    fn new(client: u64) -> Ids {
        Ids(client << 40)
    }
    fn take(&mut self) -> u64 {
        self.0 += 1;
        self.0
    }
}

type Client = ScreeningClient<Channel>;

async fn unary(mut c: Client, mut ids: Ids, stop: Arc<AtomicBool>, t: Arc<Tally>) -> Vec<u32> {
    let mut latencies = Vec::new();
    while !stop.load(Ordering::Relaxed) {
        let i = ids.take();
        let sent = Instant::now();
        let mut reply = c.screen(request(i)).await;
        // A call caught by the connection closing (the server's GOAWAY at its maximum
        // connection age) ends CANCELLED at the client before it reaches a handler; a
        // screening is a read, so it is sent once more, as other gRPC clients do on their own.
        if matches!(&reply, Err(e) if e.code() == Code::Cancelled) {
            t.resent.fetch_add(1, Ordering::Relaxed);
            reply = c.screen(request(i)).await;
        }
        match reply {
            Ok(r) => {
                latencies.push(sent.elapsed().as_micros().min(u32::MAX as u128) as u32);
                t.answer(i, r.get_ref());
            }
            Err(e) => t.failed("Screen", &e),
        }
    }
    latencies
}

/// Reads a stream's answers to the end, checking each; returns how many came.
async fn drain(
    replies: &mut tonic::Streaming<proto::ScreenResponse>,
    t: &Tally,
    what: &str,
    read_pause: Option<Duration>,
) -> usize {
    let mut n = 0;
    while let Some(r) = replies.next().await {
        match r {
            Ok(r) => {
                t.answer(r.request_id.parse().unwrap_or(u64::MAX), &r);
                n += 1;
            }
            Err(e) => {
                t.failed(what, &e);
                break;
            }
        }
        if let Some(p) = read_pause {
            tokio::time::sleep(p).await;
        }
    }
    n
}

async fn stream(mut c: Client, mut ids: Ids, stop: Arc<AtomicBool>, t: Arc<Tally>) {
    while !stop.load(Ordering::Relaxed) {
        let batch: Vec<u64> = (0..256).map(|_| ids.take()).collect();
        let requests = tokio_stream::iter(batch.clone().into_iter().map(request));
        match c.screen_stream(requests).await {
            Ok(r) => {
                let n = drain(&mut r.into_inner(), &t, "ScreenStream", None).await;
                if n != batch.len() {
                    t.failed.fetch_add(1, Ordering::Relaxed);
                    t.problem(format!("a stream of {} answered {n}", batch.len()));
                }
            }
            Err(e) => t.failed("ScreenStream", &e),
        }
    }
}

/// A stream that sends one request every 20 ms, or reads one answer every 5 ms.
async fn slow(mut c: Client, mut ids: Ids, sender: bool, stop: Arc<AtomicBool>, t: Arc<Tally>) {
    while !stop.load(Ordering::Relaxed) {
        let n = if sender { 40 } else { 300 };
        let batch: Vec<u64> = (0..n).map(|_| ids.take()).collect();
        let call = if sender {
            let (tx, rx) = tokio::sync::mpsc::channel(1);
            let ids = batch.clone();
            tokio::spawn(async move {
                for i in ids {
                    if tx.send(request(i)).await.is_err() {
                        return;
                    }
                    tokio::time::sleep(Duration::from_millis(20)).await;
                }
            });
            c.screen_stream(tokio_stream::wrappers::ReceiverStream::new(rx))
                .await
        } else {
            c.screen_stream(tokio_stream::iter(batch.clone().into_iter().map(request)))
                .await
        };
        let pause = (!sender).then_some(Duration::from_millis(5));
        match call {
            Ok(r) => {
                let got = drain(&mut r.into_inner(), &t, "slow ScreenStream", pause).await;
                if got != batch.len() {
                    t.failed.fetch_add(1, Ordering::Relaxed);
                    t.problem(format!("a slow stream of {} answered {got}", batch.len()));
                }
            }
            Err(e) => t.failed("slow ScreenStream", &e),
        }
    }
}

/// Calls that end early on purpose, in turn: a 1 ms deadline, a dropped unary call, a stream
/// dropped after a few answers, a stream whose 30 ms deadline expires.
async fn cancelling(mut c: Client, mut ids: Ids, stop: Arc<AtomicBool>, t: Arc<Tally>) {
    let mut round = 0u64;
    while !stop.load(Ordering::Relaxed) {
        round += 1;
        match round % 4 {
            0 => {
                let mut r = tonic::Request::new(request(ids.take()));
                r.set_timeout(Duration::from_millis(1));
                match c.screen(r).await {
                    Ok(_) => {
                        t.cancel_ok.fetch_add(1, Ordering::Relaxed);
                    }
                    Err(e) => t.cancelled_or("Screen with 1 ms deadline", &e),
                }
            }
            1 => {
                let wait = Duration::from_micros(50 + (round * 7919) % 900);
                match tokio::time::timeout(wait, c.screen(request(ids.take()))).await {
                    Err(_) => {
                        t.cancelled.fetch_add(1, Ordering::Relaxed);
                    }
                    Ok(Ok(_)) => {
                        t.cancel_ok.fetch_add(1, Ordering::Relaxed);
                    }
                    Ok(Err(e)) => t.cancelled_or("dropped Screen", &e),
                }
            }
            2 => {
                let batch: Vec<_> = (0..1000).map(|_| request(ids.take())).collect();
                match c.screen_stream(tokio_stream::iter(batch)).await {
                    Ok(r) => {
                        let mut replies = r.into_inner();
                        for _ in 0..5 {
                            match replies.next().await {
                                Some(Ok(_)) => {}
                                Some(Err(e)) => {
                                    t.cancelled_or("dropped ScreenStream", &e);
                                    break;
                                }
                                None => break,
                            }
                        }
                        t.cancelled.fetch_add(1, Ordering::Relaxed);
                    }
                    Err(e) => t.cancelled_or("dropped ScreenStream", &e),
                }
            }
            _ => {
                let start = ids.take();
                let requests = tokio_stream::iter((0..100_000u64).map(move |k| request(start + k)));
                let mut r = tonic::Request::new(requests);
                r.set_timeout(Duration::from_millis(30));
                match c.screen_stream(r).await {
                    Ok(r) => {
                        let mut replies = r.into_inner();
                        let mut ended = false;
                        while let Some(r) = replies.next().await {
                            if let Err(e) = r {
                                t.cancelled_or("ScreenStream past its deadline", &e);
                                ended = true;
                                break;
                            }
                        }
                        if !ended {
                            t.failed.fetch_add(1, Ordering::Relaxed);
                            t.problem("a stream of 100000 ended cleanly within 30 ms".into());
                        }
                    }
                    Err(e) => t.cancelled_or("ScreenStream past its deadline", &e),
                }
            }
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
}

/// One version of the soak list.
fn good_list(generation: u64) -> String {
    let mut out = String::new();
    let mut entry = |id: &str, name: &str| {
        out.push_str(
            &serde_json::json!({"id": id, "name": name, "kind": "organization"}).to_string(),
        );
        out.push('\n');
    };
    for (id, name) in LISTED {
        entry(id, name);
    }
    if generation % 2 == 1 {
        entry(CANARY.0, CANARY.1);
    }
    entry(
        &format!("gen-{generation}"),
        &format!("Soak Generation {generation} Holdings"),
    );
    out
}

/// A damaged version of the soak list, by kind: cut mid-record, not UTF-8, empty, or cut
/// at a record boundary (it parses, but holds one entry of six or seven).
fn bad_list(kind: u64, generation: u64) -> (&'static str, Vec<u8>) {
    let good = good_list(generation).into_bytes();
    match kind % 4 {
        0 => {
            // Inside the third record, never just after a newline.
            let starts: Vec<usize> = good
                .iter()
                .enumerate()
                .filter(|(_, &b)| b == b'\n')
                .map(|(i, _)| i + 1)
                .collect();
            ("truncated", good[..starts[1] + 17].to_vec())
        }
        1 => {
            let mut b = good;
            let mid = b.len() / 2;
            for (k, x) in b[mid..mid + 24].iter_mut().enumerate() {
                *x = [0xff, b'"', 0x00, b'{'][k % 4];
            }
            ("corrupt", b)
        }
        2 => ("empty", Vec::new()),
        _ => {
            let first = good.iter().position(|&b| b == b'\n').unwrap_or(0);
            ("short", good[..=first].to_vec())
        }
    }
}

#[derive(Default)]
struct Reloads {
    ok: u64,
    refused: u64,
    /// Damaged lists the server accepted, and good ones it refused.
    wrong: Vec<String>,
    /// Snapshot version -> whether its generation holds the canary.
    versions: HashMap<String, bool>,
    refused_by_kind: HashMap<&'static str, u64>,
    seconds: Vec<f64>,
}

async fn status_version(c: &mut Client) -> Result<String> {
    Ok(c.status(proto::StatusRequest {})
        .await?
        .into_inner()
        .snapshot_version)
}

/// Rewrites the soak list and asks for a reload, every `every`, until `stop`.
async fn reloader(
    mut admin: AdminClient<Channel>,
    mut screening: Client,
    list: PathBuf,
    every: Duration,
    stop: Arc<AtomicBool>,
    mut reloads: Reloads,
) -> Result<Reloads> {
    let mut generation = 0u64;
    let mut attempt = 0u64;
    let mut live = status_version(&mut screening).await?;
    loop {
        tokio::time::sleep(every).await;
        if stop.load(Ordering::Relaxed) {
            return Ok(reloads);
        }
        attempt += 1;
        let started = Instant::now();
        if attempt % 3 == 0 {
            let (kind, bytes) = bad_list(attempt / 3, generation + 1);
            publish(&list, &bytes)?;
            match admin.reload(proto::ReloadRequest { force: false }).await {
                Ok(r) => reloads.wrong.push(format!(
                    "the {kind} list was accepted: {:?}",
                    r.into_inner()
                )),
                Err(e) if e.code() == Code::FailedPrecondition => {
                    reloads.refused += 1;
                    *reloads.refused_by_kind.entry(kind).or_default() += 1;
                }
                Err(e) => reloads.wrong.push(format!(
                    "reload of the {kind} list: {:?} {}",
                    e.code(),
                    e.message()
                )),
            }
            let now = status_version(&mut screening).await?;
            if now != live {
                reloads
                    .wrong
                    .push(format!("after the {kind} list {now} serves, not {live}"));
            }
        } else {
            generation += 1;
            publish(&list, good_list(generation).as_bytes())?;
            match admin.reload(proto::ReloadRequest { force: false }).await {
                Ok(r) => {
                    let r = r.into_inner();
                    if !r.swapped || reloads.versions.contains_key(&r.snapshot_version) {
                        reloads
                            .wrong
                            .push(format!("generation {generation} did not swap in: {r:?}"));
                    }
                    reloads
                        .versions
                        .insert(r.snapshot_version.clone(), generation % 2 == 1);
                    reloads.ok += 1;
                    live = r.snapshot_version;
                    let now = status_version(&mut screening).await?;
                    if now != live {
                        reloads
                            .wrong
                            .push(format!("Status says {now} after {live} swapped in"));
                    }
                }
                Err(e) => reloads.wrong.push(format!(
                    "generation {generation} refused: {:?} {}",
                    e.code(),
                    e.message()
                )),
            }
        }
        reloads.seconds.push(started.elapsed().as_secs_f64());
    }
}

/// `VmRSS` and `VmHWM` of a process, in KiB.
fn memory(pid: u32) -> Option<(u64, u64)> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let field = |name: &str| {
        status
            .lines()
            .find_map(|l| l.strip_prefix(name))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
    };
    Some((field("VmRSS:")?, field("VmHWM:")?))
}

fn percentile(sorted: &[u32], p: f64) -> u32 {
    if sorted.is_empty() {
        return 0;
    }
    sorted[((p / 100.0) * (sorted.len() - 1) as f64).round() as usize]
}

fn mib(kib: u64) -> f64 {
    kib as f64 / 1024.0
}

#[tokio::main]
async fn main() -> Result<()> {
    let args = Args::parse();
    let binary = args.server.clone().unwrap_or_else(clearance_binary);
    if !binary.exists() {
        bail!(
            "{} not found: build it first (cargo build --release) or pass --server",
            binary.display()
        );
    }
    let folder = tempfile::Builder::new()
        .prefix("clearance-soak")
        .tempdir()?;
    let list = folder.path().join("soak.jsonl");
    let log = folder.path().join("server.log");
    publish(&list, good_list(0).as_bytes())?;
    let mut command = serve_command(&binary);
    command
        .arg("--config")
        .arg(&args.config)
        .arg("--source")
        .arg(format!("native:soak={}", list.display()));
    let mut server = ChildServer::start(command, Some(&log))?;
    let pid = server.pid();
    let outcome = run(&args, &mut server, &list).await;
    let clean = server.stop()?.is_some_and(|status| status.success());
    let errors = server.errors();
    if args.keep {
        let kept = folder.keep();
        println!("kept {}", kept.display());
    }
    let mut failures = outcome?;
    println!(
        "server {pid}: {} after SIGTERM; {errors} error line(s) in its log",
        if clean {
            "drained and exited 0"
        } else {
            "did NOT exit cleanly"
        }
    );
    if !clean {
        failures.push("the server did not exit cleanly on SIGTERM".into());
    }
    if failures.is_empty() {
        println!("soak passed");
        Ok(())
    } else {
        for f in &failures {
            println!("FAILED: {f}");
        }
        println!("server log tail:\n{}", server.tail(20).join("\n"));
        std::process::exit(1);
    }
}

/// Runs the load; returns what went wrong.
async fn run(args: &Args, server: &mut ChildServer, list: &Path) -> Result<Vec<String>> {
    let pid = server.pid();
    let loaded = server
        .wait_serving(Duration::from_secs(600))
        .await?
        .as_secs_f64();
    let (rss0, _) = memory(pid).context("cannot read the server's /proc status")?;
    let public = Channel::from_shared(server.screening.clone())?;
    let mut channels = Vec::new();
    for _ in 0..4 {
        channels.push(public.connect().await?);
    }
    let client = |k: usize| ScreeningClient::new(channels[k % channels.len()].clone());
    // The cancelling clients have connections of their own, as another process would: see
    // `--cancel-on-shared-connections`.
    let mut cancel_channels = Vec::new();
    for k in 0..2 {
        cancel_channels.push(if args.cancel_on_shared_connections {
            channels[(k + 3) % channels.len()].clone()
        } else {
            public.connect().await?
        });
    }
    let admin = AdminClient::new(
        Channel::from_shared(server.admin.clone())?
            .connect()
            .await?,
    );
    let mut first = client(0);
    let first_version = status_version(&mut first).await?;
    println!(
        "server pid {pid} serving {first_version} after {loaded:.1}s ({} + soak list), RSS {:.1} MiB",
        args.config.display(),
        mib(rss0)
    );

    let stop = Arc::new(AtomicBool::new(false));
    let tally = Arc::new(Tally::default());
    let mut reloads = Reloads::default();
    // Generation 0 (no canary) serves from the start.
    reloads.versions.insert(first_version.clone(), false);
    let reloader = tokio::spawn(reloader(
        admin,
        client(1),
        list.to_path_buf(),
        Duration::from_secs_f64(args.reload_every),
        stop.clone(),
        reloads,
    ));
    let mut id = 0u64;
    let mut next = || {
        id += 1;
        Ids::new(id)
    };
    let mut unary_tasks = Vec::new();
    for k in 0..args.unary {
        unary_tasks.push(tokio::spawn(unary(
            client(k),
            next(),
            stop.clone(),
            tally.clone(),
        )));
    }
    let mut others = Vec::new();
    for k in 0..args.streams {
        others.push(tokio::spawn(stream(
            client(k),
            next(),
            stop.clone(),
            tally.clone(),
        )));
    }
    for sender in [true, false] {
        others.push(tokio::spawn(slow(
            client(2),
            next(),
            sender,
            stop.clone(),
            tally.clone(),
        )));
    }
    for channel in cancel_channels {
        others.push(tokio::spawn(cancelling(
            ScreeningClient::new(channel),
            next(),
            stop.clone(),
            tally.clone(),
        )));
    }

    let started = Instant::now();
    let total = Duration::from_secs(args.seconds);
    let warmup = Duration::from_secs(args.warmup.unwrap_or((args.seconds / 4).min(60)));
    let mut samples: Vec<(f64, u64, u64)> = Vec::new();
    let mut warm: Option<u64> = None;
    let mut next_print = Duration::from_secs(30);
    while started.elapsed() < total {
        tokio::time::sleep(Duration::from_secs(2).min(total.saturating_sub(started.elapsed())))
            .await;
        if let Some(status) = server.process.try_wait()? {
            stop.store(true, Ordering::Relaxed);
            bail!(
                "the server exited ({status}) under load:\n{}",
                server.tail(20).join("\n")
            );
        }
        let Some((rss, hwm)) = memory(pid) else {
            continue;
        };
        let t = started.elapsed();
        samples.push((t.as_secs_f64(), rss, hwm));
        if warm.is_none() && t >= warmup {
            warm = Some(rss);
        }
        if t >= next_print {
            println!(
                "  {:>4.0}s  {:>9} answers  {} failed  RSS {:.1} MiB",
                t.as_secs_f64(),
                tally.ok.load(Ordering::Relaxed),
                tally.failed.load(Ordering::Relaxed),
                mib(rss)
            );
            next_print += Duration::from_secs(30);
        }
    }
    stop.store(true, Ordering::Relaxed);
    let window = started.elapsed().as_secs_f64();
    let mut latencies = Vec::new();
    for t in unary_tasks {
        latencies.extend(t.await?);
    }
    for t in others {
        t.await?;
    }
    let reloads = reloader.await??;
    latencies.sort_unstable();

    let mut failures = Vec::new();
    let m = common::scrape(&server.http).await;
    let reloads_of = |result: &str| {
        common::sample(
            &m,
            "clearance_reloads_total",
            &[("trigger", "admin"), ("result", result)],
        )
        .unwrap_or(0.0)
    };
    let (swapped, failed) = (reloads_of("swapped"), reloads_of("failed"));
    // Screen and ScreenStream calls that ended with a code other than the expected ones.
    let server_errors: f64 = m
        .samples
        .iter()
        .filter(|s| s.metric == "clearance_grpc_requests_total")
        .filter(|s| {
            s.labels
                .get("method")
                .is_some_and(|m| m.starts_with("Screen"))
        })
        .filter(|s| {
            !matches!(
                s.labels.get("code"),
                Some("Ok" | "OK" | "DeadlineExceeded" | "Cancelled")
            )
        })
        .map(common::value)
        .sum();

    let (ok, failed_calls, wrong, cancelled, cancel_ok, resent) = (
        tally.ok.load(Ordering::Relaxed),
        tally.failed.load(Ordering::Relaxed),
        tally.wrong.load(Ordering::Relaxed),
        tally.cancelled.load(Ordering::Relaxed),
        tally.cancel_ok.load(Ordering::Relaxed),
        tally.resent.load(Ordering::Relaxed),
    );
    println!(
        "{window:.0}s: {ok} screenings answered ({:.0}/s), {failed_calls} failed, {wrong} wrong decisions; \
         {cancelled} calls cancelled or past their deadline on purpose ({cancel_ok} finished first); \
         {resent} unary calls sent again after their connection closed",
        ok as f64 / window
    );
    println!(
        "unary Screen latency ({} calls, {} callers): p50 {} µs  p90 {} µs  p99 {} µs  p99.9 {} µs  max {} µs",
        latencies.len(),
        args.unary,
        percentile(&latencies, 50.0),
        percentile(&latencies, 90.0),
        percentile(&latencies, 99.0),
        percentile(&latencies, 99.9),
        latencies.last().copied().unwrap_or(0)
    );
    let mut kinds: Vec<_> = reloads.refused_by_kind.iter().collect();
    kinds.sort();
    let mut secs = reloads.seconds.clone();
    secs.sort_by(f64::total_cmp);
    println!(
        "reloads: {} accepted, {} refused ({}); server counts {swapped} swapped, {failed} failed; \
         median reload {:.2}s",
        reloads.ok,
        reloads.refused,
        kinds
            .iter()
            .map(|(k, n)| format!("{n} {k}"))
            .collect::<Vec<_>>()
            .join(", "),
        secs.get(secs.len() / 2).copied().unwrap_or(0.0)
    );

    if failed_calls > 0 {
        failures.push(format!("{failed_calls} valid request(s) failed"));
    }
    if wrong > 0 {
        failures.push(format!("{wrong} wrong answer(s)"));
    }
    if server_errors > 0.0 {
        failures.push(format!(
            "the server counted {server_errors} screening call(s) with an error code"
        ));
    }
    failures.extend(reloads.wrong.iter().cloned());
    if reloads.ok == 0 || reloads.refused == 0 {
        failures.push("the run was too short for a good and a damaged reload".into());
    }
    if swapped != reloads.ok as f64 || failed != reloads.refused as f64 {
        failures.push(format!(
            "the server's reload counters ({swapped} swapped, {failed} failed) disagree with the reloader"
        ));
    }
    // Every answer came from a snapshot a good reload produced, and the canary was a hit
    // exactly where its generation held it.
    for (version, n) in tally.versions.lock().unwrap().iter() {
        if !reloads.versions.contains_key(version) {
            failures.push(format!(
                "{n} answer(s) from snapshot {version}, which no good reload produced"
            ));
        }
    }
    let canary = tally.canary.lock().unwrap();
    let (mut on, mut off) = (0, 0);
    for ((version, hit), n) in canary.iter() {
        match reloads.versions.get(version) {
            Some(&holds) if holds == *hit => {
                if holds {
                    on += n;
                } else {
                    off += n;
                }
            }
            Some(&holds) => failures.push(format!(
                "{n} canary answer(s) on {version}: hit {hit}, but its list {} the canary",
                if holds { "holds" } else { "does not hold" }
            )),
            None => {}
        }
    }
    println!(
        "canary: {on} hits on versions holding it, {off} clear answers on versions without; \
         {} snapshot versions served",
        tally.versions.lock().unwrap().len()
    );

    let warm = warm.unwrap_or(rss0);
    let (_, end, hwm) = samples.last().copied().unwrap_or((0.0, rss0, rss0));
    let mid = samples.get(samples.len() / 2).map_or(rss0, |s| s.1);
    let peak = samples.iter().map(|s| s.1).max().unwrap_or(rss0);
    let growth = end as i64 - warm as i64;
    println!(
        "server RSS: start {:.1} MiB, after warm-up ({}s) {:.1}, mid {:.1}, end {:.1}, max {:.1} \
         (VmHWM {:.1}); drift after warm-up {:+.1} MiB (bound {} MiB)",
        mib(rss0),
        warmup.as_secs(),
        mib(warm),
        mib(mid),
        mib(end),
        mib(peak),
        mib(hwm),
        growth as f64 / 1024.0,
        args.max_rss_growth_mib
    );
    if growth > (args.max_rss_growth_mib * 1024) as i64 {
        failures.push(format!(
            "the server's RSS grew {:.1} MiB after warm-up (bound {} MiB)",
            growth as f64 / 1024.0,
            args.max_rss_growth_mib
        ));
    }
    if let Some(p) = tally.problems.lock().unwrap().first() {
        println!("first problem: {p}");
    }
    Ok(failures)
}
