//! The audit trail: the writer under concurrent appends, rotation, torn lines and a SIGKILL
//! mid-write; the real server writing records for what it answers; `clearance audit replay`
//! reproducing them, or showing what another list changes; and an unwritable log under both
//! `on_error` choices.

mod common;

use std::collections::BTreeMap;
use std::io::BufRead;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use clearance::engine::policy::Decision;
use clearance::engine::screen::Snapshot;
use clearance::service::audit::read::read_all;
use clearance::service::audit::writer::NoObserver;
use clearance::service::audit::{
    AuditConfig, AuditLog, AuditObserver, Caller, Context, Fsync, OnError, Record,
};
use clearance::service::proto;
use common::{request, sample, with_id, Running};

/// A real record (of a request refused as invalid, the cheapest to build) with this id and
/// `pad` bytes of address text.
fn record_line(id: &str, pad: usize) -> Vec<u8> {
    let ctx = Context {
        request_id: id.into(),
        method: "Screen",
        caller: Caller::default(),
    };
    let mut req = request(id, "Acme Trading");
    req.party.as_mut().unwrap().addresses = vec!["x".repeat(pad)];
    Record::rejected(
        &ctx,
        &req,
        tonic::Code::InvalidArgument,
        "party.name: test".into(),
    )
    .to_line()
    .unwrap()
}

#[derive(Default)]
struct Counts {
    batches: AtomicUsize,
    records: AtomicUsize,
    syncs: AtomicUsize,
    /// Time the writer spends in `written`: stands in for a slow disk, so that batching
    /// shows on a machine whose fsync is free (tmpfs).
    slow: Duration,
}

impl AuditObserver for Counts {
    fn written(&self, records: usize, _bytes: usize) {
        self.batches.fetch_add(1, Ordering::Relaxed);
        self.records.fetch_add(records, Ordering::Relaxed);
        std::thread::sleep(self.slow);
    }
    fn synced(&self, _seconds: f64) {
        self.syncs.fetch_add(1, Ordering::Relaxed);
    }
}

/// `(writer, n)` from ids `w<writer>-<n>`.
fn writer_and_seq(id: &str) -> (usize, usize) {
    let (w, n) = id.trim_start_matches('w').split_once('-').unwrap();
    (w.parse().unwrap(), n.parse().unwrap())
}

/// Every record file of a rotated log, oldest first.
fn log_files(live: &Path) -> Vec<PathBuf> {
    let mut rotated: Vec<(usize, PathBuf)> = std::fs::read_dir(live.parent().unwrap())
        .unwrap()
        .filter_map(|e| {
            let p = e.unwrap().path();
            let name = p.file_name()?.to_str()?.to_string();
            let n = name.strip_prefix("audit.jsonl.")?.parse().ok()?;
            Some((n, p))
        })
        .collect();
    rotated.sort_by_key(|r| std::cmp::Reverse(r.0));
    let mut files: Vec<PathBuf> = rotated.into_iter().map(|(_, p)| p).collect();
    files.push(live.to_path_buf());
    files
}

#[test]
fn group_commit_under_concurrent_writers_keeps_every_record_whole_and_in_order() {
    let dir = tempfile::tempdir().unwrap();
    let config = AuditConfig::new(dir.path().join("audit.jsonl"));
    assert_eq!(config.fsync, Fsync::Always);
    let counts = Arc::new(Counts {
        slow: Duration::from_millis(2),
        ..Counts::default()
    });
    let log = Arc::new(AuditLog::open(&config, counts.clone()));
    let (writers, each) = (8, 150);
    std::thread::scope(|s| {
        for w in 0..writers {
            let log = log.clone();
            s.spawn(move || {
                for n in 0..each {
                    log.append_blocking(record_line(&format!("w{w}-{n}"), 100))
                        .unwrap();
                }
            });
        }
    });
    drop(log);
    let contents = read_all(&config.path).unwrap();
    assert!(contents.torn.is_empty() && contents.invalid.is_empty());
    assert_eq!(contents.records.len(), writers * each);
    // One total order, in which each writer's records keep the order it appended them.
    let mut next = BTreeMap::new();
    for r in &contents.records {
        let (w, n) = writer_and_seq(&r.request_id);
        let expected = next.entry(w).or_insert(0);
        assert_eq!(n, *expected, "writer {w} out of order");
        *expected += 1;
    }
    // Group commit: records shared writes and fsyncs (8 writers waiting on each at once).
    let (batches, syncs) = (
        counts.batches.load(Ordering::Relaxed),
        counts.syncs.load(Ordering::Relaxed),
    );
    assert_eq!(counts.records.load(Ordering::Relaxed), writers * each);
    assert!(syncs <= batches, "{syncs} fsyncs for {batches} batches");
    assert!(
        batches < writers * each / 2,
        "{batches} batches for {} records: no group commit",
        writers * each
    );
}

#[test]
fn rotation_at_the_size_limit_loses_and_splits_no_record() {
    let dir = tempfile::tempdir().unwrap();
    let mut config = AuditConfig::new(dir.path().join("audit.jsonl"));
    config.max_bytes = 16 * 1024;
    config.keep = 1000;
    config.fsync = Fsync::Never;
    let log = Arc::new(AuditLog::open(&config, Arc::new(NoObserver)));
    let (writers, each) = (4, 300);
    std::thread::scope(|s| {
        for w in 0..writers {
            let log = log.clone();
            s.spawn(move || {
                for n in 0..each {
                    // Record sizes vary so that the limit falls at varying places.
                    let pad = 50 + (n * 37 + w * 11) % 700;
                    log.append_blocking(record_line(&format!("w{w}-{n}"), pad))
                        .unwrap();
                }
            });
        }
    });
    drop(log);
    let files = log_files(&config.path);
    assert!(files.len() > 10, "only {} files: no rotation", files.len());
    let mut next = BTreeMap::new();
    let mut total = 0;
    for f in &files {
        let size = std::fs::metadata(f).unwrap().len();
        assert!(size <= config.max_bytes, "{}: {size} bytes", f.display());
        let text = std::fs::read(f).unwrap();
        assert_eq!(text.last(), Some(&b'\n'), "{}", f.display());
        let contents = read_all(f).unwrap();
        assert!(contents.torn.is_empty() && contents.invalid.is_empty());
        // Oldest file first: each writer's records continue where the last file stopped.
        for r in &contents.records {
            let (w, n) = writer_and_seq(&r.request_id);
            let expected = next.entry(w).or_insert(0);
            assert_eq!(n, *expected, "{}: writer {w}", f.display());
            *expected += 1;
            total += 1;
        }
    }
    assert_eq!(total, writers * each);
}

#[test]
fn a_torn_last_line_is_skipped_by_readers_and_the_writer_starts_a_new_line() {
    let dir = tempfile::tempdir().unwrap();
    let config = AuditConfig::new(dir.path().join("audit.jsonl"));
    let mut text = Vec::new();
    text.extend(record_line("w0-0", 10));
    text.extend(record_line("w0-1", 10));
    let torn = record_line("w0-2", 10);
    text.extend(&torn[..torn.len() - 20]);
    std::fs::write(&config.path, &text).unwrap();

    let before = read_all(&config.path).unwrap();
    assert_eq!(before.records.len(), 2);
    assert_eq!(before.torn.len(), 1);
    let where_ = format!("{}:3:", config.path.display());
    assert!(before.torn[0].starts_with(&where_), "{:?}", before.torn);

    let log = AuditLog::open(&config, Arc::new(NoObserver));
    log.append_blocking(record_line("w0-3", 10)).unwrap();
    drop(log);
    let after = std::fs::read(&config.path).unwrap();
    assert!(after.starts_with(&text), "earlier bytes changed");
    let c = read_all(&config.path).unwrap();
    let ids: Vec<&str> = c.records.iter().map(|r| r.request_id.as_str()).collect();
    assert_eq!(ids, ["w0-0", "w0-1", "w0-3"]);
    assert_eq!(c.torn.len(), 1, "{:?}", c.torn);
    assert!(c.torn[0].starts_with(&where_), "{:?}", c.torn);
}

/// The child of [`a_writer_killed_mid_write_leaves_whole_records_and_at_most_a_torn_tail`]:
/// appends large records from four threads until killed, printing each acknowledged id.
#[test]
#[ignore = "run as a child process by the crash test"]
fn crash_child() {
    let path = std::env::var_os("CLEARANCE_AUDIT_CRASH_LOG")
        .expect("run by a_writer_killed_mid_write_leaves_whole_records_and_at_most_a_torn_tail");
    let mut config = AuditConfig::new(PathBuf::from(path));
    config.fsync = Fsync::Never;
    config.max_bytes = 0;
    let log = Arc::new(AuditLog::open(&config, Arc::new(NoObserver)));
    std::thread::scope(|s| {
        for w in 0..4 {
            let log = log.clone();
            s.spawn(move || {
                for n in 0.. {
                    // Big records make the kill likely to land inside a write.
                    let id = format!("w{w}-{n}");
                    log.append_blocking(record_line(&id, 256 * 1024)).unwrap();
                    println!("acked {id}");
                }
            });
        }
    });
}

#[test]
fn a_writer_killed_mid_write_leaves_whole_records_and_at_most_a_torn_tail() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("audit.jsonl");
    let mut child = std::process::Command::new(std::env::current_exe().unwrap())
        .args(["--ignored", "--exact", "crash_child", "--nocapture"])
        .env("CLEARANCE_AUDIT_CRASH_LOG", &path)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let stdout = std::io::BufReader::new(child.stdout.take().unwrap());
    let mut acked = Vec::new();
    for line in stdout.lines() {
        if let Some(id) = line.unwrap().strip_prefix("acked ") {
            acked.push(id.to_string());
        }
        if acked.len() >= 200 {
            break;
        }
    }
    assert_eq!(acked.len(), 200, "the child stopped early");
    // SIGKILL: no destructor, no flush.
    child.kill().unwrap();
    child.wait().unwrap();

    let text = std::fs::read(&path).unwrap();
    let lines: Vec<&[u8]> = text.split_inclusive(|&b| b == b'\n').collect();
    for (i, line) in lines.iter().enumerate() {
        let whole = line.last() == Some(&b'\n');
        let parsed = Record::parse(line.strip_suffix(b"\n").unwrap_or(line));
        if i + 1 < lines.len() {
            assert!(
                whole && parsed.is_ok(),
                "line {} is not a whole record",
                i + 1
            );
        }
    }
    let contents = read_all(&path).unwrap();
    assert!(contents.invalid.is_empty(), "{:?}", contents.invalid);
    assert!(contents.torn.len() <= 1, "{:?}", contents.torn);
    let logged: std::collections::HashSet<&str> = contents
        .records
        .iter()
        .map(|r| r.request_id.as_str())
        .collect();
    for id in &acked {
        assert!(logged.contains(id.as_str()), "acknowledged {id} is missing");
    }

    // A kill inside a write(2) to the page cache is rare on Linux (the runs so far ended on
    // a newline), so cut the last record in half as such a kill would have, if the kill did
    // not, then have a new writer append after it.
    let whole = contents.records.len();
    if contents.torn.is_empty() {
        let last = lines.last().unwrap().len() as u64;
        let file = std::fs::OpenOptions::new().write(true).open(&path).unwrap();
        file.set_len(text.len() as u64 - last / 2).unwrap();
    }
    let torn_before = read_all(&path).unwrap();
    assert_eq!(torn_before.torn.len(), 1, "{:?}", torn_before.torn);
    let kept = torn_before.records.len();
    assert!(kept == whole || kept + 1 == whole);
    let log = AuditLog::open(&AuditConfig::new(&path), Arc::new(NoObserver));
    log.append_blocking(record_line("after-crash", 10)).unwrap();
    drop(log);
    let after = read_all(&path).unwrap();
    assert_eq!(after.records.len(), kept + 1);
    assert_eq!(after.records[..kept], torn_before.records[..]);
    assert_eq!(after.records.last().unwrap().request_id, "after-crash");
    // The same line is torn, now in the middle of the file.
    let place = |t: &String| t.split(": ").next().unwrap().to_string();
    assert_eq!(
        after.torn.iter().map(place).collect::<Vec<_>>(),
        torn_before.torn.iter().map(place).collect::<Vec<_>>()
    );
    assert!(after.invalid.is_empty());
}

fn audited_config(path: &Path, on_error: OnError) -> clearance::service::config::Config {
    let mut config = common::sample_config();
    let mut audit = AuditConfig::new(path);
    audit.on_error = on_error;
    config.audit = Some(audit);
    config
}

fn replay(files: &[&Path], config: &Path, extra: &[&str]) -> (Option<i32>, String, String) {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_clearance"))
        .args(["audit", "replay"])
        .args(files)
        .arg("--config")
        .arg(config)
        .args(extra)
        .output()
        .unwrap();
    (
        out.status.code(),
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_server_records_each_decision_and_replay_reproduces_or_reports_them() {
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("audit.jsonl");
    let server = Running::spawn(
        audited_config(&log, OnError::FailClosed),
        clearance::service::server::ReloadTriggers::default(),
    )
    .await;
    server.wait_serving().await;
    let mut client = server.screening().await;

    let deny = client
        .screen(with_id(
            "order-1",
            request("caller-1", "Huawei Cloud Singapore Pte. Ltd."),
        ))
        .await
        .unwrap();
    assert_eq!(deny.metadata().get("x-request-id").unwrap(), "order-1");
    assert_eq!(deny.get_ref().decision, proto::Decision::Deny as i32);
    let allow = client
        .screen(request("caller-2", "Amazon Web Services, Inc."))
        .await
        .unwrap();
    let generated = allow
        .metadata()
        .get("x-request-id")
        .unwrap()
        .to_str()
        .unwrap()
        .to_string();
    assert_eq!(generated.len(), 32);
    let mut owned = request("caller-3", "Example Cloud (Singapore) Pte. Ltd.");
    owned.party.as_mut().unwrap().parents = vec!["Huawei Cloud Computing Technology".into()];
    owned.party.as_mut().unwrap().countries = vec!["Singapore".into()];
    owned.as_of = "2026-11-29".into();
    owned.options = Some(proto::ScreenOptions {
        max_hits: 5,
        ..proto::ScreenOptions::default()
    });
    let parent = client
        .screen(with_id("order-3", owned.clone()))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(parent.decision, proto::Decision::Deny as i32);
    // A stream: two decisions, then a bad request that ends it.
    let stream = vec![
        request("s1", "Mahan Air"),
        request("s2", "Siemens AG"),
        request("s3", " "),
    ];
    let mut replies = client
        .screen_stream(
            with_id("batch-9", proto::ScreenRequest::default()).map(|_| tokio_stream::iter(stream)),
        )
        .await
        .unwrap();
    assert_eq!(replies.metadata().get("x-request-id").unwrap(), "batch-9");
    let replies = replies.get_mut();
    assert!(replies.message().await.unwrap().is_some());
    assert!(replies.message().await.unwrap().is_some());
    assert_eq!(
        replies.message().await.unwrap_err().code(),
        tonic::Code::InvalidArgument
    );
    let scrape = server.metrics().await;
    let written = sample(&scrape, "clearance_audit_records_written_total", &[]);
    server.stop().await;

    let config = common::sample_config();
    let snapshot = Snapshot::load(&config.sources, &config.policy).unwrap();
    let contents = read_all(&log).unwrap();
    assert!(contents.torn.is_empty() && contents.invalid.is_empty());
    let by_id: BTreeMap<&str, &Record> = contents
        .records
        .iter()
        .map(|r| (r.request_id.as_str(), r))
        .collect();
    let ids: Vec<&str> = by_id.keys().copied().collect();
    let mut expected = vec![
        "order-1",
        &generated,
        "order-3",
        "batch-9-1",
        "batch-9-2",
        "batch-9-3",
    ];
    expected.sort();
    assert_eq!(ids, expected);
    assert!(written.is_some_and(|w| w >= 5.0), "{written:?}");

    let d = by_id["order-1"];
    assert_eq!(d.v, clearance::service::audit::FORMAT_VERSION);
    assert_eq!(d.method, "Screen");
    assert!(d
        .caller
        .peer
        .as_deref()
        .is_some_and(|p| p.starts_with("127.0.0.1:")));
    assert_eq!(d.request.request_id, "caller-1");
    assert!(d.time.as_second() > 0);
    let result = d.result.as_ref().unwrap();
    assert_eq!(result.decision, Decision::Deny);
    assert_eq!(result.snapshot.version, snapshot.version());
    let datasets: Vec<&str> = result
        .snapshot
        .datasets
        .iter()
        .map(|d| d.name.as_str())
        .collect();
    assert_eq!(datasets, ["sample"]);
    assert_eq!(result.hits[0].entity_id, "sample:el-huawei-cloud-singapore");
    assert!(!result.explanation.is_empty());

    assert_eq!(
        by_id[generated.as_str()].result.as_ref().unwrap().decision,
        Decision::Allow
    );

    let p = by_id["order-3"];
    // The request as received: the country as written, options, date.
    assert_eq!(p.request.to_proto().unwrap(), owned);
    let hit = p
        .result
        .as_ref()
        .unwrap()
        .hits
        .iter()
        .find(|h| h.rule.as_deref() == Some("bis_affiliates"))
        .unwrap();
    assert_eq!(hit.entity_id, "sample:el-huawei-cloud-computing");
    assert_eq!(hit.via.len(), 2);
    assert_eq!(hit.ownership_percent, Some(50.0));
    assert_eq!(hit.decision, Decision::Deny);

    assert_eq!(by_id["batch-9-1"].method, "ScreenStream");
    let rejected = by_id["batch-9-3"].rejected.as_ref().unwrap();
    assert_eq!(rejected.code, "InvalidArgument");
    assert!(rejected.message.starts_with("party.name"), "{rejected:?}");

    // Against the same lists every decision comes out the same.
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let sample_toml = root.join("config/sample.toml");
    let (code, stdout, stderr) = replay(&[&log], &sample_toml, &["--hits"]);
    assert_eq!(code, Some(0), "{stdout}\n{stderr}");
    assert!(stdout.is_empty(), "{stdout}");
    assert!(
        stderr.contains("replayed 5 decision(s): 0 differ; 1 rejected"),
        "{stderr}"
    );

    // The same from a snapshot file of those lists.
    let snap = dir.path().join("sample.clr");
    let built = std::process::Command::new(env!("CARGO_BIN_EXE_clearance"))
        .args(["build", "--output"])
        .arg(&snap)
        .arg("--config")
        .arg(&sample_toml)
        .output()
        .unwrap();
    assert!(built.status.success(), "{built:?}");
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_clearance"))
        .args(["audit", "replay"])
        .arg(&log)
        .arg("--snapshot")
        .arg(&snap)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert!(
        stderr.contains("replayed 5 decision(s): 0 differ"),
        "{stderr}"
    );

    // Against a list where Amazon is listed and Huawei is not, both change.
    let list = dir.path().join("other.jsonl");
    std::fs::write(
        &list,
        "{\"id\": \"aws\", \"name\": \"Amazon Web Services, Inc.\", \"kind\": \"organization\"}\n",
    )
    .unwrap();
    let other = dir.path().join("other.toml");
    std::fs::write(
        &other,
        format!(
            "[[source]]\ndataset = \"other\"\nformat = \"native\"\npath = {:?}\n",
            list.display().to_string()
        ),
    )
    .unwrap();
    let (code, stdout, stderr) = replay(&[&log], &other, &[]);
    assert_eq!(code, Some(1), "{stdout}\n{stderr}");
    assert!(
        stdout.contains(&format!("request {generated}: decision allow -> deny")),
        "{stdout}"
    );
    assert!(
        stdout.contains("request order-1: decision deny -> allow"),
        "{stdout}"
    );
    assert!(
        stdout.contains(&format!("snapshot {} -> ", snapshot.version())),
        "{stdout}"
    );

    // A missing file is an error, exit 2.
    let (code, _, stderr) = replay(&[&dir.path().join("nope.jsonl")], &sample_toml, &[]);
    assert_eq!(code, Some(2), "{stderr}");
    assert!(stderr.contains("nope.jsonl"), "{stderr}");
}

/// A log path under a regular file: unwritable whoever runs the test.
fn unwritable(dir: &Path) -> PathBuf {
    let blocker = dir.join("not-a-folder");
    std::fs::write(&blocker, b"").unwrap();
    blocker.join("audit.jsonl")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unwritable_log_fails_closed_with_unavailable() {
    let dir = tempfile::tempdir().unwrap();
    let server = Running::spawn(
        audited_config(&unwritable(dir.path()), OnError::FailClosed),
        clearance::service::server::ReloadTriggers::default(),
    )
    .await;
    server.wait_serving().await;
    let mut client = server.screening().await;
    let e = client
        .screen(with_id("r-1", request("a", "Huawei Cloud Singapore")))
        .await
        .unwrap_err();
    assert_eq!(e.code(), tonic::Code::Unavailable, "{e:?}");
    assert!(
        e.message().contains("not-a-folder/audit.jsonl"),
        "{}",
        e.message()
    );
    assert_eq!(e.metadata().get("x-request-id").unwrap(), "r-1");
    let mut replies = client
        .screen_stream(tokio_stream::iter(vec![request("s", "Siemens AG")]))
        .await
        .unwrap()
        .into_inner();
    let e = replies.message().await.unwrap_err();
    assert_eq!(e.code(), tonic::Code::Unavailable, "{e:?}");
    let scrape = server.metrics().await;
    assert!(sample(&scrape, "clearance_audit_write_errors_total", &[]).is_some_and(|n| n >= 2.0));
    assert_eq!(
        sample(&scrape, "clearance_audit_records_lost_total", &[]),
        Some(0.0)
    );
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unwritable_log_fails_open_answering_and_counting_the_loss() {
    let dir = tempfile::tempdir().unwrap();
    let server = Running::spawn(
        audited_config(&unwritable(dir.path()), OnError::FailOpen),
        clearance::service::server::ReloadTriggers::default(),
    )
    .await;
    server.wait_serving().await;
    let mut client = server.screening().await;
    let started = Instant::now();
    for name in ["Huawei Cloud Singapore", "Siemens AG"] {
        let r = client.screen(request("a", name)).await.unwrap();
        assert!(r.get_ref().decision != proto::Decision::Unspecified as i32);
    }
    assert!(started.elapsed() < Duration::from_secs(10));
    let scrape = server.metrics().await;
    assert_eq!(
        sample(&scrape, "clearance_audit_records_lost_total", &[]),
        Some(2.0)
    );
    assert_eq!(
        sample(&scrape, "clearance_audit_records_written_total", &[]),
        Some(0.0)
    );
    server.stop().await;
}
