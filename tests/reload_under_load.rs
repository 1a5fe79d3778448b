//! Hot reload under load on the real OFAC SDN files: four clients (two unary, two streaming)
//! screen without pause while the source switches between the 2019 and 2021 lists several
//! times, then to truncated and corrupt files. No call may fail, every answer comes from
//! exactly one of the two list versions, and ROSNEFT TRADING S.A. (designated between the
//! two) is a hit exactly when 2021 serves.

mod common;

use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use clearance::service::config::Config;
use clearance::service::proto;
use common::{request, Running};
use tokio_stream::StreamExt;

const ROSNEFT_TRADING: &str = "us_ofac_sdn:18299";
const NAMES: [&str; 4] = [
    "ROSNEFT TRADING S.A.",
    "Banco Nacional de Cuba",
    "Amazon Web Services, Inc.",
    "Mahan Air",
];

/// Points `link` at `target`, atomically (a new symlink renamed over the old one).
fn point(link: &Path, target: &Path) {
    let tmp = link.with_extension("new");
    let _ = std::fs::remove_file(&tmp);
    std::os::unix::fs::symlink(target, &tmp).unwrap();
    std::fs::rename(&tmp, link).unwrap();
}

/// Writes a well-formed OFAC folder holding the first `share` of `from`'s entries, with
/// their aliases, addresses and comments: it loads cleanly but is far smaller.
fn keep_first_entries(from: &Path, to: &Path, share: f64) {
    std::fs::create_dir(to).unwrap();
    let read = |name: &str| -> Vec<csv::ByteRecord> {
        csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .from_path(from.join(name))
            .unwrap()
            .byte_records()
            .map(Result::unwrap)
            .collect()
    };
    let write = |name: &str, records: &[csv::ByteRecord]| {
        let mut w = csv::Writer::from_path(to.join(name)).unwrap();
        for r in records {
            w.write_byte_record(r).unwrap();
        }
        w.flush().unwrap();
    };
    let entries = read("sdn.csv");
    let kept = &entries[..(entries.len() as f64 * share) as usize];
    let ids: std::collections::HashSet<&[u8]> = kept.iter().map(|r| &r[0]).collect();
    write("sdn.csv", kept);
    for f in ["alt.csv", "add.csv", "sdn_comments.csv"] {
        let records: Vec<_> = read(f)
            .into_iter()
            .filter(|r| ids.contains(&r[0]))
            .collect();
        write(f, &records);
    }
}

/// (snapshot version, whether ROSNEFT TRADING S.A. was a hit) for one ROSNEFT answer.
type Seen = Arc<Mutex<Vec<(String, bool)>>>;

fn record(seen: &Seen, r: &proto::ScreenResponse) {
    if r.request_id.starts_with("rosneft") {
        let hit = r.hits.iter().any(|h| h.entity_id == ROSNEFT_TRADING);
        seen.lock().unwrap().push((r.snapshot_version.clone(), hit));
    }
}

fn next_request(i: usize) -> proto::ScreenRequest {
    let name = NAMES[i % NAMES.len()];
    let id = if i % NAMES.len() == 0 {
        format!("rosneft-{i}")
    } else {
        format!("other-{i}")
    };
    request(&id, name)
}

/// Asks for a reload a moment after the files changed; returns the version serving after it.
async fn reload(
    admin: &mut proto::admin_client::AdminClient<tonic::transport::Channel>,
    expect_swap: bool,
) -> String {
    tokio::time::sleep(Duration::from_millis(150)).await;
    let r = admin
        .reload(proto::ReloadRequest { force: false })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(r.swapped, expect_swap, "{r:?}");
    r.snapshot_version
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn reload_under_load_never_fails_a_call_nor_mixes_versions() {
    let Some(shared) = clearance::testing::shared_data() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let link = dir.path().join("ofac");
    let (v2019_dir, v2021_dir) = (shared.join("ofac-sdn-2019"), shared.join("ofac-sdn-2021"));
    point(&link, &v2019_dir);

    // Damaged copies of the 2021 files: cut off mid-row, cut off after a row with empty
    // alias, address and comment files (parses, but holds too few entities), and overwritten with noise.
    let truncated = dir.path().join("truncated");
    let short = dir.path().join("short");
    let corrupt = dir.path().join("corrupt");
    for d in [&truncated, &corrupt] {
        std::fs::create_dir(d).unwrap();
        for f in ["alt.csv", "add.csv", "sdn_comments.csv"] {
            std::fs::copy(v2021_dir.join(f), d.join(f)).unwrap();
        }
    }
    let sdn = std::fs::read(v2021_dir.join("sdn.csv")).unwrap();
    std::fs::write(truncated.join("sdn.csv"), &sdn[..sdn.len() * 2 / 5 + 17]).unwrap();
    keep_first_entries(&v2021_dir, &short, 0.3);
    let mut noisy = sdn.clone();
    let mid = noisy.len() / 2;
    for (i, b) in noisy[mid..mid + 4096].iter_mut().enumerate() {
        *b = [b'"', 0xff, b',', b'\n', 0x00][i % 5];
    }
    std::fs::write(corrupt.join("sdn.csv"), &noisy).unwrap();

    let mut config = Config::default();
    config
        .add_source_flag(&format!("ofac-csv:us_ofac_sdn={}", link.display()))
        .unwrap();
    let server = Running::spawn(
        config,
        clearance::service::server::ReloadTriggers::default(),
    )
    .await;
    // The listener accepts before the first snapshot is ready: health says so.
    assert_eq!(
        server.health().await,
        tonic_health::pb::health_check_response::ServingStatus::NotServing as i32
    );
    server.wait_serving().await;
    let mut screening = server.screening().await;
    let v2019 = screening
        .status(proto::StatusRequest {})
        .await
        .unwrap()
        .into_inner()
        .snapshot_version;

    let stop = Arc::new(AtomicBool::new(false));
    let seen: Seen = Arc::default();
    let mut clients = Vec::new();
    for c in 0..4 {
        let (stop, seen) = (stop.clone(), seen.clone());
        let mut client = server.screening().await;
        clients.push(tokio::spawn(async move {
            let mut calls = 0usize;
            let mut i = c;
            while !stop.load(Ordering::Relaxed) {
                if c % 2 == 0 {
                    let r = client.screen(next_request(i)).await.expect("unary call");
                    record(&seen, r.get_ref());
                    i += 1;
                    calls += 1;
                } else {
                    let batch: Vec<_> = (i..i + 64).map(next_request).collect();
                    i += 64;
                    let mut replies = client
                        .screen_stream(tokio_stream::iter(batch))
                        .await
                        .expect("stream call")
                        .into_inner();
                    let mut answered = 0;
                    while let Some(r) = replies.next().await {
                        record(&seen, &r.expect("streamed answer"));
                        answered += 1;
                    }
                    assert_eq!(answered, 64);
                    calls += 64;
                }
            }
            calls
        }));
    }

    let mut admin = server.admin().await;
    let mut v2021 = String::new();
    for round in 0..3 {
        point(&link, &v2021_dir);
        let v = reload(&mut admin, true).await;
        assert_ne!(v, v2019);
        if round == 0 {
            v2021 = v;
        } else {
            assert_eq!(v, v2021, "the same files give the same version");
        }
        point(&link, &v2019_dir);
        assert_eq!(reload(&mut admin, true).await, v2019);
    }

    // Damaged files are refused and 2019 keeps serving.
    for (damaged, why, reason) in [
        (&truncated, "truncated", "sdn.csv:"),
        (&short, "short", "2693 entities against 7379 live"),
        (&corrupt, "corrupt", "not valid Windows-1252"),
    ] {
        point(&link, damaged);
        tokio::time::sleep(Duration::from_millis(150)).await;
        let e = admin
            .reload(proto::ReloadRequest { force: false })
            .await
            .unwrap_err();
        assert_eq!(e.code(), tonic::Code::FailedPrecondition, "{why}: {e:?}");
        eprintln!("{why} file refused: {}", e.message());
        assert!(e.message().contains(reason), "{why}: {e:?}");
        assert!(
            e.message().contains("previous snapshot keeps serving"),
            "{why}: {e:?}"
        );
        let status = screening
            .status(proto::StatusRequest {})
            .await
            .unwrap()
            .into_inner();
        assert_eq!(status.snapshot_version, v2019, "{why}");
        assert!(
            status.last_reload.starts_with("failed"),
            "{why}: {status:?}"
        );
    }
    tokio::time::sleep(Duration::from_millis(150)).await;
    stop.store(true, Ordering::Relaxed);
    let mut calls = 0;
    for c in clients {
        calls += c.await.expect("no client saw a failed call");
    }

    let seen = std::mem::take(&mut *seen.lock().unwrap());
    let on = |v: &str| seen.iter().filter(|(s, _)| s == v).count();
    assert!(calls > 1000, "only {calls} screenings under load");
    assert!(on(&v2019) > 0 && on(&v2021) > 0, "both versions served");
    for (version, hit) in seen.iter() {
        assert!(
            version == &v2019 || version == &v2021,
            "unknown version {version}"
        );
        assert_eq!(*hit, version == &v2021, "ROSNEFT TRADING on {version}");
    }
    let m = server.metrics().await;
    let failed = common::sample(
        &m,
        "clearance_reloads_total",
        &[("trigger", "admin"), ("result", "failed")],
    );
    assert_eq!(failed, Some(3.0));
    eprintln!(
        "{calls} screenings during 6 swaps and 3 refused reloads; {} ROSNEFT answers on 2019, {} on 2021",
        on(&v2019),
        on(&v2021)
    );
    server.stop().await;
}
