//! The real server on 127.0.0.1:0, spoken to with generated tonic clients, on the bundled
//! sample list.

mod common;

use std::path::Path;
use std::time::Duration;

use clearance::engine::policy::Decision;
use clearance::engine::screen::{Party, ScreenOptions, Snapshot};
use clearance::service::config::Config;
use clearance::service::proto;
use common::{request, sample, Running};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn screen_answers_like_the_library_and_names_the_snapshot() {
    let server = Running::start().await;
    let mut client = server.screening().await;
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let config = Config::from_file(&root.join("config/sample.toml")).unwrap();
    let snapshot = Snapshot::load(&config.sources, &config.policy).unwrap();
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
                as_of: String::new(),
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
    let mut bad_dob = request("h", "Acme");
    bad_dob.party.as_mut().unwrap().birth_date = "12 Mar 1962".into();
    cases.push((bad_dob, "party.birth_date"));
    let mut bad_nationality = request("i", "Acme");
    bad_nationality.party.as_mut().unwrap().nationalities = vec!["Iraq".into(), "Atlantis".into()];
    cases.push((bad_nationality, "party.nationalities[1]"));
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

    // Facts go to the server as written; it resolves "Turkey" and names a bad date.
    let facts = |dob: &str| {
        vec![
            "client".into(),
            "--addr".into(),
            server.public.clone(),
            "screen".into(),
            "Nicolas Maduro".into(),
            "--dob".into(),
            dob.to_string(),
            "--nationality".into(),
            "Turkey;DE".into(),
        ]
    };
    let out = run(facts("1990")).await.unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.starts_with("decision: allow"), "{stdout}");
    assert!(
        stdout.contains("disjoint from listed 1962-11-23")
            && stdout.contains("nationality TR, DE not among listed VE"),
        "{stdout}"
    );
    let out = run(facts("soon")).await.unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("party.birth_date"));

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
    let triggers = clearance::service::server::ReloadTriggers {
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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn metrics_health_and_readiness_over_http() {
    let server = Running::start().await;
    assert_eq!(server.get("/healthz").await, (200, "ok\n".to_string()));
    let (code, body) = server.get("/readyz").await;
    assert_eq!(code, 200, "{body}");
    let mut client = server.screening().await;
    for name in [
        "Huawei Cloud Singapore Pte. Ltd.",
        "Amazon Web Services, Inc.",
    ] {
        client.screen(request("m", name)).await.unwrap();
    }
    client.screen(request("m", " ")).await.unwrap_err();
    let version = client
        .status(proto::StatusRequest {})
        .await
        .unwrap()
        .into_inner()
        .snapshot_version;
    let requests: Vec<_> = (0..10)
        .map(|i| request(&i.to_string(), "Mahan Air"))
        .collect();
    let mut replies = client
        .screen_stream(tokio_stream::iter(requests))
        .await
        .unwrap()
        .into_inner();
    while replies.message().await.unwrap().is_some() {}
    let (code, body) = server.get("/nope").await;
    assert_eq!(code, 404, "{body}");

    let m = server.metrics().await;
    let get = |name: &str, labels: &[(&str, &str)]| sample(&m, name, labels);
    let screen_ok = [("method", "Screen"), ("code", "OK")];
    assert_eq!(get("clearance_grpc_requests_total", &screen_ok), Some(2.0));
    assert_eq!(
        get(
            "clearance_grpc_requests_total",
            &[("method", "Screen"), ("code", "InvalidArgument")]
        ),
        Some(1.0)
    );
    assert_eq!(
        get(
            "clearance_grpc_requests_total",
            &[("method", "ScreenStream"), ("code", "OK")]
        ),
        Some(1.0)
    );
    assert_eq!(
        get(
            "clearance_grpc_requests_total",
            &[("method", "Status"), ("code", "OK")]
        ),
        Some(1.0)
    );
    // Histograms: 3 unary Screen calls, 10 streamed screenings.
    let count = |method: &str| {
        m.samples
            .iter()
            .find(|s| {
                s.metric == "clearance_grpc_request_duration_seconds"
                    && s.labels.get("method") == Some(method)
            })
            .and_then(|s| match &s.value {
                prometheus_parse::Value::Histogram(buckets) => buckets
                    .iter()
                    .find(|b| b.less_than.is_infinite())
                    .map(|b| b.count),
                _ => None,
            })
    };
    assert_eq!(count("Screen"), Some(3.0));
    assert_eq!(count("ScreenStream"), Some(10.0));
    assert_eq!(
        get("clearance_decisions_total", &[("decision", "deny")]),
        Some(11.0)
    );
    assert_eq!(
        get("clearance_decisions_total", &[("decision", "allow")]),
        Some(1.0)
    );
    assert!(get("clearance_hits_total", &[("dataset", "sample")]).unwrap() >= 11.0);
    assert_eq!(
        get("clearance_snapshot_info", &[("version", &version)]),
        Some(1.0)
    );
    assert!(get("clearance_snapshot_loaded_timestamp_seconds", &[]).unwrap() > 1.7e9);
    assert_eq!(
        get("clearance_dataset_entities", &[("dataset", "sample")]),
        Some(36.0)
    );
    // The sample list has no ownership records.
    assert_eq!(
        get("clearance_ownership_records", &[("state", "resolved")]),
        Some(0.0)
    );
    assert!(get("clearance_dataset_names", &[("dataset", "sample")]).unwrap() >= 36.0);
    assert_eq!(
        get(
            "clearance_reloads_total",
            &[("trigger", "startup"), ("result", "swapped")]
        ),
        Some(1.0)
    );
    assert!(get("clearance_reload_last_success_timestamp_seconds", &[]).unwrap() > 1.7e9);
    assert_eq!(
        get("clearance_reload_last_failure_timestamp_seconds", &[]),
        Some(0.0)
    );
    // The scrape itself is not a gRPC call; nothing is running now.
    assert_eq!(
        get("clearance_grpc_in_flight_requests", &[("method", "Screen")]),
        Some(0.0)
    );
    assert_eq!(get("clearance_grpc_open_streams", &[]), Some(0.0));
    assert_eq!(get("clearance_ready", &[]), Some(1.0));
    // Families with labels appear once they have a sample (reload errors, as-of dates: see
    // the file-reload test and the metrics unit tests).
    assert!(m.docs.contains_key("clearance_reload_duration_seconds"));
    server.stop().await;
}

/// A request stream the test feeds by hand, so that it stays open.
fn open_stream() -> (
    tokio::sync::mpsc::Sender<proto::ScreenRequest>,
    tokio_stream::wrappers::ReceiverStream<proto::ScreenRequest>,
) {
    let (tx, rx) = tokio::sync::mpsc::channel(8);
    (tx, tokio_stream::wrappers::ReceiverStream::new(rx))
}

async fn wait_for_sample(server: &Running, name: &str, labels: &[(&str, &str)], want: f64) {
    for _ in 0..250 {
        if sample(&server.metrics().await, name, labels) == Some(want) {
            return;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    panic!("{name}{labels:?} never reached {want}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stream_ends_at_its_deadline_and_a_cancelled_one_frees_its_work() {
    let server = Running::start().await;
    let mut client = server.screening().await;

    // Deadline: the stream stays open past its grpc-timeout; the server ends it.
    let (tx, requests) = open_stream();
    let mut call = tonic::Request::new(requests);
    call.set_timeout(Duration::from_millis(300));
    tx.send(request("d1", "Mahan Air")).await.unwrap();
    let started = std::time::Instant::now();
    let mut replies = client.screen_stream(call).await.unwrap().into_inner();
    let first = replies.message().await.unwrap().unwrap();
    assert_eq!(first.request_id, "d1");
    let end = match replies.message().await {
        Ok(Some(r)) => panic!("unexpected reply {r:?}"),
        Ok(None) => panic!("the stream ended without a status"),
        Err(status) => status,
    };
    assert_eq!(end.code(), tonic::Code::DeadlineExceeded, "{end:?}");
    assert!(started.elapsed() < Duration::from_secs(5));
    drop(tx);
    wait_for_sample(
        &server,
        "clearance_grpc_requests_total",
        &[("method", "ScreenStream"), ("code", "DeadlineExceeded")],
        1.0,
    )
    .await;

    // Cancellation: the client drops an open stream; the server's task for it ends.
    let (tx, requests) = open_stream();
    tx.send(request("c1", "Mahan Air")).await.unwrap();
    let mut replies = client.screen_stream(requests).await.unwrap().into_inner();
    assert_eq!(replies.message().await.unwrap().unwrap().request_id, "c1");
    let m = server.metrics().await;
    assert_eq!(sample(&m, "clearance_grpc_open_streams", &[]), Some(1.0));
    drop(replies);
    drop(tx);
    drop(client);
    wait_for_sample(&server, "clearance_grpc_open_streams", &[], 0.0).await;
    let m = server.metrics().await;
    let ended: f64 = m
        .samples
        .iter()
        .filter(|s| {
            s.metric == "clearance_grpc_requests_total"
                && s.labels.get("method") == Some("ScreenStream")
        })
        .map(|s| match s.value {
            prometheus_parse::Value::Counter(v) => v,
            _ => 0.0,
        })
        .sum();
    assert_eq!(ended, 2.0);
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn shutdown_drains_an_open_stream_and_readiness_drops_first() {
    let mut server = Running::start().await;
    let mut client = server.screening().await;
    let (tx, requests) = open_stream();
    tx.send(request("s1", "Mahan Air")).await.unwrap();
    let mut replies = client.screen_stream(requests).await.unwrap().into_inner();
    assert_eq!(replies.message().await.unwrap().unwrap().request_id, "s1");

    server.begin_stop();
    // Not ready any more, on HTTP and on gRPC health...
    for _ in 0..250 {
        if server.get("/readyz").await.0 == 503 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let (code, body) = server.get("/readyz").await;
    assert_eq!(code, 503, "{body}");
    assert!(body.contains("shutting down"), "{body}");
    // ...but the open stream is still served to its end.
    tx.send(request("s2", "Amazon Web Services")).await.unwrap();
    let r = replies.message().await.unwrap().unwrap();
    assert_eq!(
        (r.request_id.as_str(), r.decision),
        ("s2", proto::Decision::Allow as i32)
    );
    drop(tx);
    assert!(replies.message().await.unwrap().is_none());
    drop(replies);
    drop(client);
    tokio::time::timeout(Duration::from_secs(10), server.task)
        .await
        .expect("the server exits once the stream is done")
        .unwrap()
        .unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failing_probe_rejects_the_first_snapshot_and_serve_returns_the_error() {
    let mut config = common::sample_config();
    config
        .server
        .probes
        .push(clearance::engine::validate::Probe {
            name: "Amazon Web Services, Inc.".into(),
            expect: Decision::Deny,
        });
    let server = Running::spawn(
        config,
        clearance::service::server::ReloadTriggers::default(),
    )
    .await;
    let e = tokio::time::timeout(Duration::from_secs(30), server.task)
        .await
        .unwrap()
        .unwrap()
        .unwrap_err();
    let text = e.to_string();
    assert!(
        text.contains("probe \"Amazon Web Services, Inc.\" expected deny, got allow"),
        "{text}"
    );
}

fn with_parent(name: &str, parent: &str, as_of: &str) -> proto::ScreenRequest {
    let mut r = request("own", name);
    r.party.as_mut().unwrap().parents = vec![parent.into()];
    r.as_of = as_of.into();
    r
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_subsidiary_of_an_entity_list_party_is_restricted_through_its_declared_parent() {
    let server = Running::start().await;
    let mut client = server.screening().await;
    let party = "Example Cloud (Singapore) Pte. Ltd.";
    let r = client
        .screen(with_parent(
            party,
            "Huawei Cloud Computing Technology",
            "2026-11-29",
        ))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(r.decision, proto::Decision::Deny as i32, "{r:#?}");
    assert_eq!(r.as_of, "2026-11-29");
    let hit = r
        .hits
        .iter()
        .find(|h| h.rule == "bis_affiliates")
        .unwrap_or_else(|| panic!("no BIS Affiliates hit: {r:#?}"));
    assert_eq!(hit.entity_id, "sample:el-huawei-cloud-computing");
    assert_eq!(
        hit.via,
        [
            "Huawei Cloud Computing Technology (declared parent)",
            "Huawei Cloud Computing Technology [sample:el-huawei-cloud-computing]",
        ]
    );
    assert_eq!(hit.ownership_percent, 50.0);
    assert_eq!(hit.decision, proto::Decision::Deny as i32);
    assert!(
        hit.explanation.contains("90 FR 47201"),
        "{}",
        hit.explanation
    );
    assert!(r.explanation.starts_with("deny: "), "{}", r.explanation);

    // While the Affiliates rule was suspended (10 Nov 2025 - 9 Nov 2026) the same request
    // is allowed, and the hit says why; before the suspension it denied.
    let suspended = client
        .screen(with_parent(
            party,
            "Huawei Cloud Computing Technology",
            "2026-01-15",
        ))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(suspended.decision, proto::Decision::Allow as i32);
    let hit = suspended.hits.iter().find(|h| h.rule == "bis_affiliates");
    assert!(
        hit.is_some_and(|h| h
            .explanation
            .contains("suspended from 2025-11-10 through 2026-11-09")),
        "{suspended:#?}"
    );
    let before = client
        .screen(with_parent(
            party,
            "Huawei Cloud Computing Technology",
            "2025-10-15",
        ))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(before.decision, proto::Decision::Deny as i32);

    // The same party owned by a company on no list is allowed.
    let aws = client
        .screen(with_parent(
            party,
            "Amazon Web Services, Inc.",
            "2026-11-29",
        ))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(aws.decision, proto::Decision::Allow as i32, "{aws:#?}");
    // No ownership finding; at most a name hit below review on the shared words.
    assert!(
        aws.hits.iter().all(|h| h.rule.is_empty() && h.score < 0.85),
        "{aws:#?}"
    );

    let mut bad = with_parent(party, "Amazon", "29/11/2026");
    let e = client.screen(bad.clone()).await.unwrap_err();
    assert!(e.message().starts_with("as_of"), "{e:?}");
    bad.as_of.clear();
    bad.party.as_mut().unwrap().parents = vec![" ".into()];
    let e = client.screen(bad).await.unwrap_err();
    assert!(e.message().starts_with("party.parents[0]"), "{e:?}");
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_party_in_an_embargoed_jurisdiction_is_denied_by_policy() {
    let server = Running::start().await;
    let mut client = server.screening().await;
    let mut req = request("j", "Black Sea Logistics LLC");
    req.party.as_mut().unwrap().addresses = vec!["ul. Bolshaya Morskaya 12, Sevastopol".into()];
    let r = client.screen(req).await.unwrap().into_inner();
    assert_eq!(r.decision, proto::Decision::Deny as i32, "{r:#?}");
    assert_eq!(r.hits[0].rule, "embargoed_jurisdiction");
    assert_eq!(r.hits[0].entity_id, "policy:jurisdiction:crimea");
    let mut req = request("j", "Black Sea Logistics LLC");
    req.party.as_mut().unwrap().countries = vec!["Syria".into()];
    let r = client.screen(req).await.unwrap().into_inner();
    assert_eq!(r.decision, proto::Decision::Deny as i32, "{r:#?}");
    assert!(r.explanation.contains("Syria"), "{}", r.explanation);
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_health_subcommand_exits_zero_only_when_serving() {
    let health = |addr: String| {
        tokio::task::spawn_blocking(move || {
            std::process::Command::new(env!("CARGO_BIN_EXE_clearance"))
                .args(["health", "--addr", &addr, "--timeout-seconds", "5"])
                .output()
                .unwrap()
        })
    };
    let server = Running::start().await;
    let out = health(server.public.clone()).await.unwrap();
    assert!(out.status.success(), "{out:?}");
    assert_eq!(String::from_utf8_lossy(&out.stdout), "SERVING\n");
    let public = server.public.clone();
    server.stop().await;
    // Nobody listens there any more.
    let out = health(public).await.unwrap();
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("cannot connect"),
        "{out:?}"
    );
}

fn person(id: &str, name: &str, birth_date: &str, nationalities: &[&str]) -> proto::ScreenRequest {
    let mut r = request(id, name);
    let party = r.party.as_mut().unwrap();
    party.birth_date = birth_date.into();
    party.nationalities = nationalities.iter().map(|n| n.to_string()).collect();
    r
}

/// A date of birth and nationalities confirm or contradict a hit on a listed person (the
/// sample list gives Nicolas Maduro's date of birth and nationality as OFAC does), and the
/// explanation names them.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn birth_date_and_nationalities_move_a_person_hit() {
    let server = Running::start().await;
    let client = server.screening().await;
    let screen = |r: proto::ScreenRequest| {
        let mut client = client.clone();
        async move { client.screen(r).await.unwrap().into_inner() }
    };
    let same = screen(person("a", "Nicolas Maduro", "1962-11-23", &["Venezuela"])).await;
    assert_eq!(same.decision, proto::Decision::Deny as i32);
    let text = &same.hits[0].explanation;
    assert!(
        text.contains("date of birth 1962-11-23 matches listed 1962-11-23 (x1.06)"),
        "{text}"
    );
    assert!(
        text.contains("nationality VE matches listed VE (x1.03)"),
        "{text}"
    );

    let disjoint = screen(person("b", "Nicolas Maduro", "1990", &[])).await;
    assert_eq!(disjoint.decision, proto::Decision::Review as i32);
    assert!(disjoint.hits[0]
        .explanation
        .contains("date of birth 1990 disjoint from listed 1962-11-23 (x0.88)"));

    let both = screen(person("c", "Nicolas Maduro", "1990", &["TR"])).await;
    assert_eq!(both.decision, proto::Decision::Allow as i32);
    assert_eq!(both.hits[0].decision, proto::Decision::Allow as i32);
    assert!(both.hits[0]
        .explanation
        .contains("nationality TR not among listed VE (x0.93)"));
    server.stop().await;
}

/// `options.min_score` below the review threshold reports the near misses: each comes back
/// with decision allow and its explanation, and the request's decision stays allow.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_lower_min_score_returns_near_misses_as_allow_with_their_explanation() {
    let server = Running::start().await;
    let mut client = server.screening().await;
    // A misspelt surname, a word more where a given name goes and a disjoint date of birth:
    // about 0.68.
    let plain = person("a", "Petrov Oleg Deripaskin", "1990", &[]);
    let r = client.screen(plain.clone()).await.unwrap().into_inner();
    assert_eq!(r.decision, proto::Decision::Allow as i32);
    assert!(r.hits.is_empty(), "{:?}", r.hits);

    let mut lowered = plain;
    lowered.options = Some(proto::ScreenOptions {
        min_score: 0.5,
        ..proto::ScreenOptions::default()
    });
    let r = client.screen(lowered).await.unwrap().into_inner();
    assert_eq!(r.decision, proto::Decision::Allow as i32);
    let hit = r
        .hits
        .iter()
        .find(|h| h.entity_id == "sample:sdn-oleg-deripaska")
        .unwrap_or_else(|| panic!("{:?}", r.hits));
    assert!(hit.score >= 0.5 && hit.score < 0.85, "{}", hit.score);
    assert_eq!(hit.decision, proto::Decision::Allow as i32);
    assert!(
        hit.explanation.contains("deripaskin~deripaska"),
        "{}",
        hit.explanation
    );
    assert!(hit
        .explanation
        .contains("query words not in the name: petrov"));
    assert!(hit
        .explanation
        .contains("date of birth 1990 disjoint from listed 1968-01-02 (x0.88)"));
    assert!(r
        .hits
        .iter()
        .all(|h| h.decision == proto::Decision::Allow as i32));
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn get_entity_shows_nationalities_and_gender() {
    let server = Running::start().await;
    let mut client = server.screening().await;
    let e = client
        .get_entity(proto::GetEntityRequest {
            entity_id: "sample:sdn-oleg-deripaska".into(),
        })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(e.birth_dates, ["1968-01-02"]);
    assert_eq!(e.nationalities, ["RU", "CY"]);
    assert_eq!(e.gender, "male");
    server.stop().await;
}
