//! The real server on 127.0.0.1:0, spoken to with generated tonic clients, on the bundled
//! sample list.

mod common;

use std::path::Path;
use std::time::Duration;

use clearance::config::Config;
use clearance::policy::Decision;
use clearance::screen::{Party, ScreenOptions, Snapshot};
use clearance::server::proto;
use common::{request, sample, Running};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn screen_answers_like_the_library_and_names_the_snapshot() {
    let server = Running::start().await;
    let mut client = server.screening().await;
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let snapshot =
        Snapshot::load(&Config::from_file(&root.join("config/sample.toml")).unwrap()).unwrap();
    for (name, want) in [
        ("Huawei Cloud Singapore Pte. Ltd.", proto::Decision::Deny),
        ("Amazon Web Services, Inc.", proto::Decision::Allow),
        ("Banco Nacional de Cuba", proto::Decision::Deny),
    ] {
        let r = client
            .screen(request("r1", name))
            .await
            .unwrap()
            .into_inner();
        assert_eq!(r.request_id, "r1");
        assert_eq!(r.decision, want as i32, "{name}: {r:?}");
        assert_eq!(r.snapshot_version, snapshot.version());
        let lib = snapshot.screen(
            &Party {
                name: name.into(),
                ..Party::default()
            },
            &ScreenOptions::default(),
        );
        let lib_decision = match lib.decision {
            Decision::Allow => proto::Decision::Allow,
            Decision::Review => proto::Decision::Review,
            Decision::Deny => proto::Decision::Deny,
        };
        assert_eq!(r.decision, lib_decision as i32);
        let ids: Vec<&str> = r.hits.iter().map(|h| h.entity_id.as_str()).collect();
        let lib_ids: Vec<&str> = lib.hits.iter().map(|h| h.entity_id.as_str()).collect();
        assert_eq!(ids, lib_ids, "{name}");
    }
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_requests_are_invalid_argument_naming_the_field() {
    let server = Running::start().await;
    let mut client = server.screening().await;
    let mut cases = vec![
        (request("a", "  "), "party.name"),
        (request("b", &"x".repeat(513)), "party.name"),
        (
            proto::ScreenRequest {
                request_id: "c".into(),
                party: None,
                options: None,
            },
            "party",
        ),
    ];
    let mut unknown_kind = request("d", "Acme");
    unknown_kind.party.as_mut().unwrap().kind = 42;
    cases.push((unknown_kind, "party.kind"));
    let mut bad_country = request("e", "Acme");
    bad_country.party.as_mut().unwrap().countries = vec!["SG".into(), "Atlantis".into()];
    cases.push((bad_country, "party.countries[1]"));
    let mut too_many = request("f", "Acme");
    too_many.party.as_mut().unwrap().identifiers = vec![proto::Identifier::default(); 33];
    cases.push((too_many, "party.identifiers"));
    let mut bad_hits = request("g", "Acme");
    bad_hits.options = Some(proto::ScreenOptions {
        max_hits: 1000,
        ..proto::ScreenOptions::default()
    });
    cases.push((bad_hits, "options.max_hits"));
    for (req, field) in cases {
        let err = client.screen(req).await.unwrap_err();
        assert_eq!(err.code(), tonic::Code::InvalidArgument, "{field}: {err:?}");
        assert!(
            err.message().starts_with(field),
            "{field}: {}",
            err.message()
        );
    }
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stream_answers_every_request_by_id() {
    let server = Running::start().await;
    let mut client = server.screening().await;
    let names = [
        "Huawei Cloud Singapore",
        "Siemens AG",
        "Mahan Air",
        "Hikvision",
    ];
    let requests: Vec<proto::ScreenRequest> = (0..200)
        .map(|i| request(&format!("q{i}"), names[i % names.len()]))
        .collect();
    let mut responses = client
        .screen_stream(tokio_stream::iter(requests))
        .await
        .unwrap()
        .into_inner();
    let mut seen = std::collections::BTreeMap::new();
    while let Some(r) = responses.message().await.unwrap() {
        seen.insert(r.request_id.clone(), r.decision);
    }
    assert_eq!(seen.len(), 200);
    assert_eq!(seen["q0"], proto::Decision::Deny as i32);
    assert_eq!(seen["q1"], proto::Decision::Allow as i32);
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn entity_status_reload_and_reflection() {
    let server = Running::start().await;
    let mut client = server.screening().await;
    let e = client
        .get_entity(proto::GetEntityRequest {
            entity_id: "sample:sdn-adrian-darya-1".into(),
        })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(e.name, "ADRIAN DARYA 1");
    assert_eq!(e.kind, proto::PartyKind::Vessel as i32);
    let missing = client
        .get_entity(proto::GetEntityRequest {
            entity_id: "sample:nope".into(),
        })
        .await
        .unwrap_err();
    assert_eq!(missing.code(), tonic::Code::NotFound);

    let status = client
        .status(proto::StatusRequest {})
        .await
        .unwrap()
        .into_inner();
    assert_eq!(status.datasets.len(), 1);
    assert_eq!(status.datasets[0].name, "sample");
    assert_eq!(status.datasets[0].entities, 36);

    let mut admin = server.admin().await;
    let r = admin
        .reload(proto::ReloadRequest { force: false })
        .await
        .unwrap()
        .into_inner();
    assert!(!r.swapped, "same files, same version: {r:?}");
    assert_eq!(r.snapshot_version, status.snapshot_version);
    let status = client
        .status(proto::StatusRequest {})
        .await
        .unwrap()
        .into_inner();
    assert!(
        status.last_reload.starts_with("ok:"),
        "{}",
        status.last_reload
    );

    use tonic_reflection::pb::v1::{
        server_reflection_client::ServerReflectionClient,
        server_reflection_request::MessageRequest, server_reflection_response::MessageResponse,
        ServerReflectionRequest,
    };
    let mut reflection = ServerReflectionClient::new(Running::channel(&server.public).await);
    let mut replies = reflection
        .server_reflection_info(tokio_stream::iter([ServerReflectionRequest {
            host: String::new(),
            message_request: Some(MessageRequest::ListServices(String::new())),
        }]))
        .await
        .unwrap()
        .into_inner();
    let reply = replies.message().await.unwrap().unwrap();
    let Some(MessageResponse::ListServicesResponse(list)) = reply.message_response else {
        panic!("unexpected reflection reply {reply:?}");
    };
    let services: Vec<&str> = list.service.iter().map(|s| s.name.as_str()).collect();
    for want in ["clearance.v1.Screening", "grpc.health.v1.Health"] {
        assert!(services.contains(&want), "{services:?}");
    }
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_cli_client_talks_to_a_running_server() {
    let server = Running::start().await;
    let run = |args: Vec<String>| {
        tokio::task::spawn_blocking(move || {
            std::process::Command::new(env!("CARGO_BIN_EXE_clearance"))
                .args(&args)
                .output()
                .unwrap()
        })
    };
    let out = run(vec![
        "client".into(),
        "--addr".into(),
        server.public.clone(),
        "screen".into(),
        "Huawei Cloud Singapore Pte. Ltd.".into(),
    ])
    .await
    .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.starts_with("decision: deny"), "{stdout}");
    assert!(
        stdout.contains("sample:el-huawei-cloud-singapore"),
        "{stdout}"
    );

    let out = run(vec![
        "client".into(),
        "--addr".into(),
        server.public.clone(),
        "screen".into(),
        " ".into(),
    ])
    .await
    .unwrap();
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("party.name"), "{stderr}");

    let out = run(vec![
        "client".into(),
        "--addr".into(),
        server.admin.clone(),
        "reload".into(),
    ])
    .await
    .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("unchanged"));
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn changed_list_files_reload_and_a_corrupt_file_is_rejected() {
    let dir = tempfile::tempdir().unwrap();
    let list = dir.path().join("own.jsonl");
    std::fs::write(&list, "{\"id\": \"1\", \"name\": \"Acme Widgets\"}\n").unwrap();
    let mut config = Config::default();
    config
        .add_source_flag(&format!("native:own={}", list.display()))
        .unwrap();
    let triggers = clearance::server::ReloadTriggers {
        poll: Some(Duration::from_millis(50)),
        ..Default::default()
    };
    let server = Running::spawn(config, triggers).await;
    let mut client = server.screening().await;
    let decision = |r: proto::ScreenResponse| (r.decision, r.snapshot_version);
    let mut first = None;
    for _ in 0..100 {
        if let Ok(r) = client.screen(request("x", "Globex Corporation")).await {
            first = Some(decision(r.into_inner()));
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let (d, v1) = first.expect("server answers");
    assert_eq!(d, proto::Decision::Allow as i32);

    // A new entry appears in the file: the poll notices and the next requests see it.
    std::fs::write(
        &list,
        "{\"id\": \"1\", \"name\": \"Acme Widgets\"}\n{\"id\": \"2\", \"name\": \"Globex Corporation\"}\n",
    )
    .unwrap();
    let mut v2 = None;
    for _ in 0..200 {
        let (d, v) = decision(
            client
                .screen(request("x", "Globex Corporation"))
                .await
                .unwrap()
                .into_inner(),
        );
        if d == proto::Decision::Deny as i32 {
            v2 = Some(v);
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let v2 = v2.expect("the changed file was reloaded");
    assert_ne!(v2, v1);

    // A corrupt file is rejected: the last good snapshot keeps serving, Status says why.
    std::fs::write(&list, "{\"id\": \"1\", \"name\": \"Acme\"\n").unwrap();
    let mut reported = String::new();
    for _ in 0..200 {
        reported = client
            .status(proto::StatusRequest {})
            .await
            .unwrap()
            .into_inner()
            .last_reload;
        if reported.starts_with("failed") {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert!(reported.contains("own.jsonl:1"), "{reported}");
    let (d, v) = decision(
        client
            .screen(request("x", "Globex Corporation"))
            .await
            .unwrap()
            .into_inner(),
    );
    assert_eq!((d, v), (proto::Decision::Deny as i32, v2));

    // The failure is in the metrics too, with its message.
    let m = server.metrics().await;
    assert_eq!(
        sample(
            &m,
            "clearance_reloads_total",
            &[("trigger", "files_changed"), ("result", "failed")]
        ),
        Some(1.0)
    );
    let error = m
        .samples
        .iter()
        .find(|s| s.metric == "clearance_reload_last_error_info")
        .and_then(|s| s.labels.get("error"))
        .unwrap_or_default()
        .to_string();
    assert!(error.contains("own.jsonl:1"), "{error}");
    server.stop().await;
}
