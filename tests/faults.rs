//! Fault injection against the real server: what each fault does to screening, to the audit
//! trail and to the snapshot serving. The faults and where each is tested:
//!
//! | fault | test |
//! |---|---|
//! | the audit log's disk fills mid-run, `fail_closed` / `fail_open` | `the_audit_disk_filling_*` here |
//! | the audit log is deleted, moved, or its folder replaced mid-run | `an_audit_log_*` here |
//! | the audit log is unwritable from the start | `tests/audit.rs` (`an_unwritable_log_*`) |
//! | the writer is killed mid-write (torn tail) | `tests/audit.rs` (`a_writer_killed_*`) |
//! | a source file disappears before or during a reload | `a_source_file_*` here |
//! | the snapshot file is damaged on disk while serving, or at start | `a_snapshot_file_*` here |
//! | a snapshot file replaced by a damaged one, seen by the file poller | `tests/snapshot_file.rs` |
//! | truncated, corrupt and collapsed source files under load | `tests/reload_under_load.rs`, `examples/soak.rs` |
//!
//! The full disk is made with `RLIMIT_FSIZE` on a `clearance serve` child process (with
//! `SIGXFSZ` ignored, so a write past the limit fails with `EFBIG` after writing what fits,
//! exactly as a full disk fails with `ENOSPC`): it needs no privileges and no mount, and
//! root is subject to it. File permissions would not do: root ignores them.

mod common;

use std::collections::BTreeSet;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use clearance::service::audit::read::read_all;
use clearance::service::audit::{AuditConfig, OnError};
use clearance::service::proto::{
    self, admin_client::AdminClient, screening_client::ScreeningClient,
};
use clearance::service::server::ReloadTriggers;
use common::child::{clearance_binary, serve_command, ChildServer};
use common::snapshots::{native_list, with_native_list, write_snapshot};
use common::{request, sample, sample_config, scrape, with_id, Running};
use tonic::transport::Channel;
use tonic::Code;

/// Request ids of every whole record in these log files.
fn logged_ids(files: &[&Path]) -> BTreeSet<String> {
    let mut ids = BTreeSet::new();
    for f in files {
        if !f.exists() {
            continue;
        }
        let contents = read_all(f).unwrap();
        assert!(contents.invalid.is_empty(), "{:?}", contents.invalid);
        ids.extend(contents.records.into_iter().map(|r| r.request_id));
    }
    ids
}

fn metric(scrape: &prometheus_parse::Scrape, name: &str) -> f64 {
    sample(scrape, name, &[]).unwrap_or_else(|| panic!("no {name}"))
}

/// `clearance serve` on `config` as a child process whose files may grow to
/// `max_file_bytes`: the audit log's disk holds that much.
async fn spawn_with_disk(config: &Path, max_file_bytes: u64) -> ChildServer {
    use std::os::unix::process::CommandExt;
    let mut command = serve_command(&clearance_binary());
    command.arg("--config").arg(config);
    // SAFETY: between fork and exec only async-signal-safe calls (signal, setrlimit)
    // run, on values prepared before the fork.
    unsafe {
        command.pre_exec(move || {
            libc::signal(libc::SIGXFSZ, libc::SIG_IGN);
            let limit = libc::rlimit {
                rlim_cur: max_file_bytes,
                rlim_max: max_file_bytes,
            };
            if libc::setrlimit(libc::RLIMIT_FSIZE, &limit) != 0 {
                return Err(std::io::Error::last_os_error());
            }
            Ok(())
        });
    }
    let mut server = ChildServer::start(command, None).unwrap();
    server.wait_serving(Duration::from_secs(30)).await.unwrap();
    server
}

/// SIGTERM, and the log lines once it has exited.
fn stop(mut server: ChildServer) -> Vec<String> {
    let exited = server.stop().unwrap();
    assert!(exited.is_some(), "the server did not stop");
    server.log()
}

/// A config file for the sample list with an audit log at `log`.
fn audited_config_file(dir: &Path, log: &Path, on_error: &str) -> PathBuf {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let path = dir.join("clearance.toml");
    std::fs::write(
        &path,
        format!(
            "[[source]]\ndataset = \"sample\"\nformat = \"native\"\npath = {:?}\n\n\
             [policy]\nreview_threshold = 0.85\ndeny_threshold = 0.95\n\n\
             [audit]\npath = {:?}\nfsync = \"always\"\non_error = \"{on_error}\"\n",
            root.join("data/sample-list.jsonl").display().to_string(),
            log.display().to_string()
        ),
    )
    .unwrap();
    path
}

/// Outcome of one audited call: its request id and its error code, if any.
type Outcome = (String, Option<(Code, String)>);

/// Four concurrent callers, `each` calls each, ids `<prefix><caller>-<n>`.
async fn load(client: &ScreeningClient<Channel>, prefix: &str, each: usize) -> Vec<Outcome> {
    let names = [
        "Huawei Cloud Singapore Pte. Ltd.",
        "Siemens AG",
        "Mahan Air",
    ];
    let mut tasks = Vec::new();
    for c in 0..4 {
        let mut client = client.clone();
        let prefix = prefix.to_string();
        tasks.push(tokio::spawn(async move {
            let mut out = Vec::new();
            for n in 0..each {
                let id = format!("{prefix}{c}-{n}");
                let r = client
                    .screen(with_id(&id, request(&id, names[n % names.len()])))
                    .await;
                out.push((id, r.err().map(|e| (e.code(), e.message().to_string()))));
            }
            out
        }));
    }
    let mut all = Vec::new();
    for t in tasks {
        all.extend(t.await.unwrap());
    }
    all
}

/// The disk holds 48 KiB of audit records: a few dozen decisions.
const DISK: u64 = 48 * 1024;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_audit_disk_filling_fails_closed_and_no_answered_decision_lacks_its_record() {
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("audit.jsonl");
    let server = spawn_with_disk(&audited_config_file(dir.path(), &log, "fail_closed"), DISK).await;
    let client = server.screening_client().await;

    let outcomes = load(&client, "full", 60).await;
    let answered: Vec<&String> = outcomes
        .iter()
        .filter(|o| o.1.is_none())
        .map(|o| &o.0)
        .collect();
    let refused: Vec<&(Code, String)> = outcomes.iter().filter_map(|o| o.1.as_ref()).collect();
    assert!(
        !answered.is_empty(),
        "nothing answered before the disk filled"
    );
    assert!(
        refused.len() > 100,
        "only {} refused: the disk never filled",
        refused.len()
    );
    for (code, message) in &refused {
        assert_eq!(*code, Code::Unavailable, "{message}");
        assert!(message.contains(&log.display().to_string()), "{message}");
    }
    let size = std::fs::metadata(&log).unwrap().len();
    assert!(size <= DISK && size > DISK / 2, "{size} bytes");
    // Every decision that left has its record; the refused ones may or may not (a batch
    // cut by the full disk can hold some of its records whole).
    let logged = logged_ids(&[&log]);
    let missing: Vec<_> = answered
        .iter()
        .filter(|id| !logged.contains(**id))
        .collect();
    assert!(missing.is_empty(), "answered without a record: {missing:?}");
    let m = scrape(&server.http).await;
    assert_eq!(metric(&m, "clearance_audit_records_lost_total"), 0.0);
    assert!(metric(&m, "clearance_audit_write_errors_total") >= 1.0);

    // The operator moves the full log to other storage: records flow again, in a new file.
    let full = dir.path().join("audit.full.jsonl");
    std::fs::rename(&log, &full).unwrap();
    let after = load(&client, "after", 2).await;
    assert!(after.iter().all(|o| o.1.is_none()), "{after:?}");
    let logged = logged_ids(&[&log]);
    for (id, _) in &after {
        assert!(logged.contains(id), "{id}");
    }
    let lines = stop(server);
    let errors: Vec<&String> = lines.iter().filter(|l| l.contains("\"ERROR\"")).collect();
    assert!(
        errors
            .iter()
            .any(|l| l.contains("record(s) not written") && l.contains("fail_closed")),
        "{errors:?}"
    );
    eprintln!(
        "disk of {DISK} bytes: {} answered, {} refused UNAVAILABLE; every answer has its record",
        answered.len(),
        refused.len()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_audit_disk_filling_fails_open_and_counts_and_logs_every_lost_record() {
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("audit.jsonl");
    let server = spawn_with_disk(&audited_config_file(dir.path(), &log, "fail_open"), DISK).await;
    let client = server.screening_client().await;

    let outcomes = load(&client, "full", 60).await;
    assert!(
        outcomes.iter().all(|o| o.1.is_none()),
        "fail_open refused a call"
    );
    let logged = logged_ids(&[&log]);
    let missing = outcomes.iter().filter(|o| !logged.contains(&o.0)).count();
    assert!(
        missing > 100,
        "only {missing} records missing: the disk never filled"
    );
    let m = scrape(&server.http).await;
    let lost = metric(&m, "clearance_audit_records_lost_total");
    // Every missing record is counted; a record counted lost may still be whole in the file
    // (its batch was cut after it).
    assert!(lost >= missing as f64, "{lost} counted, {missing} missing");
    assert!(lost <= outcomes.len() as f64);
    assert_eq!(
        metric(&m, "clearance_audit_records_written_total") as usize + lost as usize,
        outcomes.len()
    );

    let full = dir.path().join("audit.full.jsonl");
    std::fs::rename(&log, &full).unwrap();
    let after = load(&client, "after", 2).await;
    let logged = logged_ids(&[&log]);
    assert!(after.iter().all(|o| o.1.is_none() && logged.contains(&o.0)));
    let lines = stop(server);
    let errors = lines
        .iter()
        .filter(|l| l.contains("\"ERROR\"") && l.contains("record(s) not written"))
        .count();
    assert!(errors >= 1, "the losses were not logged: {lines:?}");
    assert!(
        lines.iter().any(|l| l.contains("fail_open")),
        "the log does not say decisions go unaudited"
    );
    eprintln!("disk of {DISK} bytes, fail_open: {missing} records missing, {lost} counted lost, {errors} error lines");
}

fn audited(path: &Path, on_error: OnError) -> clearance::service::config::Config {
    let mut config = sample_config();
    let mut audit = AuditConfig::new(path);
    audit.on_error = on_error;
    config.audit = Some(audit);
    config
}

async fn call(client: &mut ScreeningClient<Channel>, id: &str) -> Result<(), tonic::Status> {
    client
        .screen(with_id(id, request(id, "Huawei Cloud Singapore")))
        .await
        .map(|_| ())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_audit_log_deleted_or_whose_folder_is_replaced_mid_run_loses_no_answered_record() {
    let dir = tempfile::tempdir().unwrap();
    let folder = dir.path().join("logs");
    std::fs::create_dir(&folder).unwrap();
    let log = folder.join("audit.jsonl");
    let server = Running::spawn(
        audited(&log, OnError::FailClosed),
        ReloadTriggers::default(),
    )
    .await;
    server.wait_serving().await;
    let mut client = server.screening().await;
    call(&mut client, "before").await.unwrap();
    assert!(logged_ids(&[&log]).contains("before"));

    // Deleted (a careless cleanup): the next records land in a new file at the path, not
    // in the deleted inode.
    std::fs::remove_file(&log).unwrap();
    call(&mut client, "after-delete").await.unwrap();
    assert_eq!(
        logged_ids(&[&log]).into_iter().collect::<Vec<_>>(),
        ["after-delete"]
    );

    // The folder replaced by a file (a wrong mount, a botched deploy): nothing can be
    // written, root or not, so screening fails closed.
    let moved = dir.path().join("logs.moved");
    std::fs::rename(&folder, &moved).unwrap();
    std::fs::write(&folder, b"not a folder").unwrap();
    let e = call(&mut client, "while-broken").await.unwrap_err();
    assert_eq!(e.code(), Code::Unavailable, "{e:?}");
    assert!(e.message().contains("logs/audit.jsonl"), "{}", e.message());
    // Not written to the moved file either.
    assert!(!logged_ids(&[&moved.join("audit.jsonl")]).contains("while-broken"));
    let m = server.metrics().await;
    assert!(metric(&m, "clearance_audit_write_errors_total") >= 1.0);
    assert_eq!(metric(&m, "clearance_audit_records_lost_total"), 0.0);

    // Repaired: records flow again.
    std::fs::remove_file(&folder).unwrap();
    std::fs::rename(&moved, &folder).unwrap();
    call(&mut client, "repaired").await.unwrap();
    server.stop().await;
    let ids = logged_ids(&[&log]);
    assert!(
        ids.contains("after-delete") && ids.contains("repaired"),
        "{ids:?}"
    );
    assert!(!ids.contains("while-broken"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_audit_log_whose_folder_is_replaced_fails_open_counting_the_loss() {
    let dir = tempfile::tempdir().unwrap();
    let folder = dir.path().join("logs");
    std::fs::create_dir(&folder).unwrap();
    let log = folder.join("audit.jsonl");
    let server = Running::spawn(audited(&log, OnError::FailOpen), ReloadTriggers::default()).await;
    server.wait_serving().await;
    let mut client = server.screening().await;
    call(&mut client, "before").await.unwrap();
    let moved = dir.path().join("logs.moved");
    std::fs::rename(&folder, &moved).unwrap();
    std::fs::write(&folder, b"not a folder").unwrap();
    call(&mut client, "while-broken-1").await.unwrap();
    call(&mut client, "while-broken-2").await.unwrap();
    let m = server.metrics().await;
    assert_eq!(metric(&m, "clearance_audit_records_lost_total"), 2.0);
    assert_eq!(metric(&m, "clearance_audit_records_written_total"), 1.0);
    server.stop().await;
    let ids = logged_ids(&[&moved.join("audit.jsonl")]);
    assert_eq!(ids.into_iter().collect::<Vec<_>>(), ["before"]);
}

async fn version(client: &mut ScreeningClient<Channel>) -> proto::StatusResponse {
    client
        .status(proto::StatusRequest {})
        .await
        .unwrap()
        .into_inner()
}

fn decision_of(r: &proto::ScreenResponse) -> proto::Decision {
    proto::Decision::try_from(r.decision).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_source_file_that_disappears_is_refused_by_name_and_the_last_snapshot_serves() {
    let dir = tempfile::tempdir().unwrap();
    let extra = dir.path().join("extra.jsonl");
    let config = with_native_list(
        &sample_config(),
        "extra",
        &extra,
        &[("1", "Globex Corporation")],
    );
    let server = Running::spawn(config, ReloadTriggers::default()).await;
    server.wait_serving().await;
    let mut client = server.screening().await;
    let mut admin: AdminClient<Channel> = server.admin().await;
    let v1 = version(&mut client).await.snapshot_version;

    // Gone when the reload looks: refused, naming the file; the last snapshot serves.
    let away = dir.path().join("extra.away");
    std::fs::rename(&extra, &away).unwrap();
    let e = admin
        .reload(proto::ReloadRequest { force: false })
        .await
        .unwrap_err();
    assert_eq!(e.code(), Code::FailedPrecondition, "{e:?}");
    assert!(
        e.message().contains(&extra.display().to_string()),
        "{}",
        e.message()
    );
    assert!(
        e.message().contains("previous snapshot keeps serving"),
        "{}",
        e.message()
    );
    let status = version(&mut client).await;
    assert_eq!(status.snapshot_version, v1);
    assert!(
        status.last_reload.starts_with("failed"),
        "{}",
        status.last_reload
    );
    assert!(
        status.last_reload.contains("extra.jsonl"),
        "{}",
        status.last_reload
    );
    let globex = client
        .screen(request("g", "Globex Corporation"))
        .await
        .unwrap();
    assert_eq!(decision_of(globex.get_ref()), proto::Decision::Deny);
    assert_eq!(globex.get_ref().snapshot_version, v1);
    let m = server.metrics().await;
    assert_eq!(
        sample(
            &m,
            "clearance_reloads_total",
            &[("trigger", "admin"), ("result", "failed")]
        ),
        Some(1.0)
    );
    assert!(
        m.samples
            .iter()
            .any(|s| s.metric == "clearance_reload_last_error_info"
                && s.labels
                    .get("error")
                    .is_some_and(|e| e.contains("extra.jsonl"))),
        "no reload_last_error_info naming the file"
    );

    // Disappearing and reappearing while reloads read it, under load: each reload either
    // loads the whole file (nothing changed: v1) or is refused naming it; no call fails.
    std::fs::rename(&away, &extra).unwrap();
    let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let flipper = {
        let (stop, extra, away) = (stop.clone(), extra.clone(), away.clone());
        std::thread::spawn(move || {
            let mut flips = 0;
            while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                std::fs::rename(&extra, &away).unwrap();
                std::thread::sleep(Duration::from_micros(300 + flips % 7 * 100));
                std::fs::rename(&away, &extra).unwrap();
                std::thread::sleep(Duration::from_micros(300 + flips % 5 * 150));
                flips += 1;
            }
            flips
        })
    };
    let loader = {
        let (stop, mut client) = (stop.clone(), client.clone());
        tokio::spawn(async move {
            let mut calls = 0;
            while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                let r = client
                    .screen(request("l", "Globex Corporation"))
                    .await
                    .unwrap();
                assert_eq!(decision_of(r.get_ref()), proto::Decision::Deny);
                calls += 1;
            }
            calls
        })
    };
    let (mut unchanged, mut refused) = (0, 0);
    for _ in 0..40 {
        match admin.reload(proto::ReloadRequest { force: false }).await {
            Ok(r) => {
                let r = r.into_inner();
                assert!(!r.swapped, "{r:?}");
                assert_eq!(r.snapshot_version, v1);
                unchanged += 1;
            }
            Err(e) => {
                assert_eq!(e.code(), Code::FailedPrecondition, "{e:?}");
                assert!(e.message().contains("extra.jsonl"), "{}", e.message());
                refused += 1;
            }
        }
    }
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    let flips = flipper.join().unwrap();
    let calls = loader.await.unwrap();
    assert_eq!(version(&mut client).await.snapshot_version, v1);
    eprintln!("{flips} disappearances during 40 reloads: {unchanged} loaded it whole, {refused} refused; {calls} calls, none failed");

    // Back, with a new entry: the next reload takes it.
    std::fs::write(
        &extra,
        native_list(&[("1", "Globex Corporation"), ("2", "Initech Systems")]),
    )
    .unwrap();
    let r = admin
        .reload(proto::ReloadRequest { force: false })
        .await
        .unwrap()
        .into_inner();
    assert!(r.swapped && r.snapshot_version != v1, "{r:?}");
    let initech = client
        .screen(request("i", "Initech Systems"))
        .await
        .unwrap();
    assert_eq!(decision_of(initech.get_ref()), proto::Decision::Deny);
    server.stop().await;
}

/// Damage done to a snapshot file in place (not by replacing it), as a disk or a careless
/// copy would.
fn damage(path: &Path, kind: &str) {
    use std::os::unix::fs::FileExt;
    let len = std::fs::metadata(path).unwrap().len();
    let file = std::fs::OpenOptions::new().write(true).open(path).unwrap();
    match kind {
        "bit flip" => {
            let mut b = [0u8];
            let r = std::fs::File::open(path).unwrap();
            r.read_exact_at(&mut b, len / 2).unwrap();
            file.write_all_at(&[b[0] ^ 0x10], len / 2).unwrap();
        }
        "truncated" => file.set_len(len / 2).unwrap(),
        "garbage" => {
            let noise: Vec<u8> = (0..len).map(|i| ((i * 2654435761) >> 13) as u8).collect();
            file.write_all_at(&noise, 0).unwrap();
        }
        "zero-length" => file.set_len(0).unwrap(),
        _ => unreachable!(),
    }
    file.sync_all().unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_snapshot_file_damaged_on_disk_is_refused_while_the_loaded_one_serves() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("current.clr");
    let good = dir.path().join("good.clr");
    let v1 = write_snapshot(&sample_config(), &good);
    std::fs::copy(&good, &path).unwrap();
    let mut config = sample_config();
    config.server.snapshot = Some(path.clone());
    let server = Running::spawn(config.clone(), ReloadTriggers::default()).await;
    server.wait_serving().await;
    let mut client = server.screening().await;
    let mut admin = server.admin().await;
    assert_eq!(version(&mut client).await.snapshot_version, v1);

    let kinds = [
        ("bit flip", "checksum mismatch"),
        ("truncated", "truncated"),
        ("garbage", "not a clearance snapshot file"),
        ("zero-length", "not a clearance snapshot file"),
    ];
    for (n, (kind, reason)) in kinds.iter().enumerate() {
        std::fs::copy(&good, &path).unwrap();
        damage(&path, kind);
        let e = admin
            .reload(proto::ReloadRequest { force: false })
            .await
            .unwrap_err();
        assert_eq!(e.code(), Code::FailedPrecondition, "{kind}: {e:?}");
        assert!(
            e.message().contains(&path.display().to_string()),
            "{kind}: {}",
            e.message()
        );
        assert!(e.message().contains(reason), "{kind}: {}", e.message());
        eprintln!("{kind}: {}", e.message());
        let status = version(&mut client).await;
        assert_eq!(status.snapshot_version, v1, "{kind}");
        assert!(
            status.last_reload.contains(reason),
            "{kind}: {}",
            status.last_reload
        );
        let r = client
            .screen(request("h", "Huawei Technologies Co., Ltd."))
            .await
            .unwrap()
            .into_inner();
        assert_eq!(decision_of(&r), proto::Decision::Deny, "{kind}");
        assert_eq!(r.snapshot_version, v1);
        let m = server.metrics().await;
        assert_eq!(
            sample(
                &m,
                "clearance_reloads_total",
                &[("trigger", "admin"), ("result", "failed")]
            ),
            Some((n + 1) as f64),
            "{kind}"
        );
        assert_eq!(metric(&m, "clearance_ready"), 1.0, "{kind}");
    }

    // A good file of new lists is accepted.
    let bigger = with_native_list(
        &sample_config(),
        "extra",
        &dir.path().join("extra.jsonl"),
        &[("1", "Globex Corporation")],
    );
    let fresh = write_snapshot(&bigger, &path);
    let r = admin
        .reload(proto::ReloadRequest { force: false })
        .await
        .unwrap()
        .into_inner();
    assert!(r.swapped, "{r:?}");
    assert_eq!(r.snapshot_version, fresh);
    assert!(version(&mut client).await.last_reload.starts_with("ok"));
    server.stop().await;
}

#[test]
fn a_snapshot_file_damaged_before_start_stops_the_server_with_its_name() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("current.clr");
    write_snapshot(&sample_config(), &path);
    damage(&path, "bit flip");
    let mut child = Command::new(env!("CARGO_BIN_EXE_clearance"))
        .arg("serve")
        .arg("--snapshot")
        .arg(&path)
        .args(["--listen", "127.0.0.1:0", "--admin-listen", "127.0.0.1:0"])
        .args(["--http-listen", "off"])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(60);
    let status = loop {
        if let Some(s) = child.try_wait().unwrap() {
            break s;
        }
        if Instant::now() > deadline {
            child.kill().unwrap();
            panic!("a server on a damaged snapshot file kept running");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let mut stderr = String::new();
    std::io::Read::read_to_string(&mut child.stderr.take().unwrap(), &mut stderr).unwrap();
    assert!(!status.success());
    assert!(
        stderr.contains("current.clr") && stderr.contains("checksum mismatch"),
        "{stderr}"
    );
    let _ = std::io::stderr().flush();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stream_past_its_deadline_behind_a_slow_reader_ends_with_deadline_exceeded_not_ok() {
    let server = Running::start().await;
    let mut client = server.screening().await;
    // More requests than the server can answer before the deadline, each answer a few
    // hundred bytes: the HTTP/2 windows (2 MiB for this client) fill within the second.
    const N: usize = 10_000_000;
    let requests = tokio_stream::iter((0..N).map(|i| request(&i.to_string(), "Huawei")));
    let mut call = tonic::Request::new(requests);
    call.set_timeout(Duration::from_millis(1000));
    let mut replies = client.screen_stream(call).await.unwrap().into_inner();
    // Not reading until well past the deadline: the server's buffer for this stream is full
    // when the deadline passes.
    tokio::time::sleep(Duration::from_millis(2500)).await;
    let mut answers = 0;
    let end = loop {
        match replies.message().await {
            Ok(Some(_)) => answers += 1,
            Ok(None) => panic!("the stream ended with OK after {answers} of {N} answers"),
            Err(status) => break status,
        }
    };
    assert_eq!(end.code(), Code::DeadlineExceeded, "{end:?}");
    assert!(answers > 0 && answers < N, "{answers}");
    server.stop().await;
}
