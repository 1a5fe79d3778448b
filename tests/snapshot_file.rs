//! Snapshot files end to end: `clearance build` writes one, a server started on a file that
//! does not exist yet waits unready, serves it once it appears, reloads when it is replaced
//! and refuses a damaged replacement.

mod common;

use std::path::Path;
use std::process::Command;
use std::time::Duration;

use clearance::engine::screen::Snapshot;
use clearance::service::proto;
use clearance::service::server::ReloadTriggers;
use common::snapshots::{publish, with_native_list, write_snapshot};
use common::{request, sample_config, Running, SERVING};

async fn serving_version(server: &Running, want: &str) {
    let mut client = server.screening().await;
    for _ in 0..200 {
        let status = client.status(proto::StatusRequest {}).await;
        if status.is_ok_and(|s| s.get_ref().snapshot_version == want) {
            return;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    panic!("the server never served snapshot {want}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_server_waits_for_its_snapshot_file_serves_it_and_follows_replacements() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("current.clr");
    let mut config = sample_config();
    config.server.snapshot = Some(path.clone());
    let triggers = ReloadTriggers {
        poll: Some(Duration::from_millis(50)),
        ..Default::default()
    };
    let server = Running::spawn(config.clone(), triggers).await;

    // No file yet: up, but not serving, and calls are refused as not ready.
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_ne!(server.health().await, SERVING);
    assert_eq!(server.get("/readyz").await.0, 503);
    let refused = server
        .screening()
        .await
        .screen(request("r", "Huawei Technologies Co., Ltd."))
        .await
        .unwrap_err();
    assert_eq!(refused.code(), tonic::Code::Unavailable);

    // The first build lands: the server serves it.
    let v1 = write_snapshot(&config, &path);
    server.wait_serving().await;
    serving_version(&server, &v1).await;
    let mut client = server.screening().await;
    let answer = client
        .screen(request("a", "Huawei Technologies Co., Ltd."))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(answer.decision, proto::Decision::Deny as i32);
    assert_eq!(answer.snapshot_version, v1);

    // A new list version is built: the server follows.
    let bigger = with_native_list(
        &config,
        "extra",
        &dir.path().join("extra.jsonl"),
        &[("1", "Globex Corporation")],
    );
    let v2 = write_snapshot(&bigger, &path);
    assert_ne!(v1, v2);
    serving_version(&server, &v2).await;
    let globex = client
        .screen(request("g", "Globex Corporation"))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(globex.decision, proto::Decision::Deny as i32);

    // A damaged file replaces it: refused, and v2 keeps serving.
    let mut bytes = std::fs::read(&path).unwrap();
    let last = bytes.len() - 1;
    bytes[last] ^= 0xff;
    publish(&path, &bytes).unwrap();
    let mut refused = false;
    for _ in 0..200 {
        let status = client.status(proto::StatusRequest {}).await.unwrap();
        let status = status.get_ref();
        assert_eq!(status.snapshot_version, v2);
        if status.last_reload.contains("checksum mismatch") {
            refused = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    assert!(refused, "the damaged snapshot file was not reported");
    assert_eq!(server.health().await, SERVING);
    server.stop().await;
}

#[test]
fn the_build_command_writes_a_snapshot_and_leaves_an_unchanged_one_alone() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("s.clr");
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let build = || {
        Command::new(env!("CARGO_BIN_EXE_clearance"))
            .args(["build", "--config"])
            .arg(root.join("config/sample.toml"))
            .arg("--output")
            .arg(&out)
            .output()
            .unwrap()
    };
    let first = build();
    let stderr = String::from_utf8_lossy(&first.stderr);
    assert!(first.status.success(), "{stderr}");
    assert!(stderr.contains("wrote"), "{stderr}");
    let meta = clearance::engine::snapfile::read_meta(&out).unwrap();
    let config = sample_config();
    let expected = Snapshot::load(&config.sources, &config.policy).unwrap();
    assert_eq!(meta.index_version, expected.version());
    assert_eq!(meta.entities, expected.index.entities().len());
    let modified = std::fs::metadata(&out).unwrap().modified().unwrap();

    let second = build();
    let stderr = String::from_utf8_lossy(&second.stderr);
    assert!(second.status.success(), "{stderr}");
    assert!(stderr.contains("left unchanged"), "{stderr}");
    assert_eq!(
        std::fs::metadata(&out).unwrap().modified().unwrap(),
        modified
    );

    let read = clearance::engine::snapfile::read(&out).unwrap();
    assert_eq!(read.version(), expected.version());
    assert_eq!(read.policy, expected.policy);
}
