//! Ongoing monitoring end to end, on the real lists where it matters:
//! - a list change (OFAC SDN 2019 -> 2021) re-screened by difference gives exactly the
//!   alerts a full re-screen of the book gives, and names ROSNEFT TRADING S.A.;
//! - a rule's date (the BIS Affiliates Rule's suspension ending on 2026-11-10, on a
//!   simulated clock) changes a subsidiary's decision with no list change;
//! - through the server: import, alerts followed as they are written, a false-positive
//!   verdict that clears the party in `Screen` until the listed entry changes;
//! - an unreachable database makes monitoring unready while screening serves.

mod common;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use clearance::engine::batch::read_input;
use clearance::engine::policy::{Decision, Policy};
use clearance::engine::screen::{Party, Snapshot};
use clearance::service::config::Config;
use clearance::service::metrics::Metrics;
use clearance::service::monitor::record::{Alert, AlertKind};
use clearance::service::monitor::rescreen::Mode;
use clearance::service::monitor::{Clock, ManualClock, Monitor, MonitoringConfig, SystemClock};
use clearance::testing::sdn_source;

use clearance::service::proto;
use clearance::service::proto::monitoring_client::MonitoringClient;
use clearance::service::request::party_to_proto;
use common::Running;
use tokio_stream::StreamExt;

const ROSNEFT_TRADING: &str = "us_ofac_sdn:18299";

fn shared() -> Option<PathBuf> {
    clearance::testing::shared_data()
}

/// A monitor whose jobs stay differences however much of the book a change reaches (these
/// tests check the difference).
async fn monitor_in(dir: &Path, name: &str, clock: Arc<dyn Clock>) -> Arc<Monitor> {
    let url = format!("sqlite://{}", dir.join(name).display());
    let mut config = MonitoringConfig::new(url);
    config.full_pass_above = 1.0;
    Monitor::open(config, clock, Arc::new(Metrics::new()))
        .await
        .unwrap()
}

/// book.csv (its ids as refs) and ROSNEFT TRADING S.A.
fn book(data: &Path) -> Vec<(String, Party)> {
    let eval = data.parent().unwrap().join("eval/book.csv");
    let mut parties: Vec<(String, Party)> = read_input(&eval)
        .unwrap()
        .into_iter()
        .map(|r| (r.id, r.party))
        .collect();
    parties.push((
        "rosneft".into(),
        Party {
            name: "Rosneft Trading S.A.".into(),
            ..Party::default()
        },
    ));
    parties
}

/// What an alert says, for comparing two runs: (ref, kind, entities, previous, decision).
type Said = (String, AlertKind, Vec<String>, Option<Decision>, Decision);

fn said(alerts: &[Alert]) -> BTreeSet<Said> {
    alerts
        .iter()
        .map(|a| {
            let n = &a.alert;
            (
                n.reference.clone(),
                n.kind,
                n.hits.iter().map(|h| h.entity_id.clone()).collect(),
                n.previous_decision,
                n.decision,
            )
        })
        .collect()
}

async fn alerts_since(m: &Monitor, cursor: i64) -> Vec<Alert> {
    m.alerts_after(cursor, 1_000_000).await.unwrap()
}

async fn last_cursor(m: &Monitor) -> i64 {
    alerts_since(m, 0).await.last().map_or(0, |a| a.cursor)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_list_change_by_difference_gives_the_alerts_of_a_full_rescreen() {
    let Some(data) = shared() else {
        eprintln!("skipped: no shared data");
        return;
    };
    let policy = Policy::default();
    let old = Arc::new(Snapshot::load(&[sdn_source(&data, 2019)], &policy).unwrap());
    let new = Arc::new(Snapshot::load(&[sdn_source(&data, 2021)], &policy).unwrap());
    let dir = tempfile::tempdir().unwrap();
    let clock: Arc<dyn Clock> = Arc::new(SystemClock);
    let by_difference = monitor_in(dir.path(), "diff.db", clock.clone()).await;
    let full = monitor_in(dir.path(), "full.db", clock.clone()).await;
    // With the default share: two years of changes reach most of the book, which is then
    // re-screened whole, in order.
    let url = format!("sqlite://{}", dir.path().join("default.db").display());
    let default_share = Monitor::open(
        MonitoringConfig::new(url),
        clock.clone(),
        Arc::new(Metrics::new()),
    )
    .await
    .unwrap();
    let parties = book(&data);
    for m in [&by_difference, &full, &default_share] {
        for chunk in parties.chunks(1000) {
            m.import(&old, chunk.to_vec()).await.unwrap();
        }
        // The first job records the base: nothing to re-screen.
        let first = m.rescreen(&old, Mode::Difference).await.unwrap().unwrap();
        assert_eq!(first.parties, 0, "{first}");
    }
    let (c1, c2) = (last_cursor(&by_difference).await, last_cursor(&full).await);
    let d = by_difference
        .rescreen(&new, Mode::Difference)
        .await
        .unwrap()
        .unwrap();
    let f = full.rescreen(&new, Mode::Full).await.unwrap().unwrap();
    eprintln!("by difference: {d}\nfull: {f}");
    assert!(f.full && f.parties == parties.len(), "{f}");
    assert!(
        d.parties < parties.len(),
        "the difference re-screened everything: {d}"
    );
    let (a, b) = (
        alerts_since(&by_difference, c1).await,
        alerts_since(&full, c2).await,
    );
    assert_eq!(said(&a), said(&b), "by difference vs full");
    let c3 = last_cursor(&default_share).await;
    let w = default_share
        .rescreen(&new, Mode::Difference)
        .await
        .unwrap()
        .unwrap();
    eprintln!("by difference, default share: {w}");
    assert!(
        w.full && w.wide && w.parties == parties.len() && w.changed == d.changed,
        "{w}"
    );
    assert!(!d.wide && !f.wide, "{d}\n{f}");
    let c = alerts_since(&default_share, c3).await;
    assert_eq!(said(&c), said(&b), "whole book by share vs full");
    let rosneft: Vec<&Alert> = a
        .iter()
        .filter(|x| x.alert.hits.iter().any(|h| h.entity_id == ROSNEFT_TRADING))
        .collect();
    assert_eq!(rosneft.len(), 1, "{rosneft:#?}");
    assert_eq!(rosneft[0].alert.kind, AlertKind::NewHit);
    assert_eq!(rosneft[0].alert.reference, "rosneft");
    assert_eq!(
        rosneft[0].alert.from_version.as_deref(),
        Some(old.version())
    );
    // Again: nothing more to do.
    assert!(by_difference
        .rescreen(&new, Mode::Difference)
        .await
        .unwrap()
        .is_none());
}

/// The bundled sample list plus an edge file: Huawei Cloud Computing (Entity List) holds 60%
/// of an unlisted company.
fn sample_with_subsidiary(dir: &Path) -> Snapshot {
    let file = dir.join("ours.csv");
    std::fs::write(
        &file,
        "owner,owned,percent,start,end,source\n\
         sample:el-huawei-cloud-computing,Example Cloud Holdings Pte. Ltd.,60,2021-01-01,,our KYC file\n",
    )
    .unwrap();
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut config = Config::from_file(&root.join("config/sample.toml")).unwrap();
    config
        .add_source_flag(&format!("edges:own_ownership={}", file.display()))
        .unwrap();
    Snapshot::load(&config.sources, &config.policy).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_rules_date_changes_a_decision_with_no_list_change() {
    let dir = tempfile::tempdir().unwrap();
    let snapshot = Arc::new(sample_with_subsidiary(dir.path()));
    let clock = Arc::new(ManualClock::on("2026-11-09".parse().unwrap()));
    let m = monitor_in(dir.path(), "book.db", clock.clone()).await;
    let party = Party {
        name: "Example Cloud Holdings Pte Ltd".into(),
        ..Party::default()
    };
    let s = m.upsert(&snapshot, "sub-1", party).await.unwrap();
    assert_eq!(s.screening.decision, Decision::Allow, "{:#?}", s.screening);
    m.rescreen(&snapshot, Mode::Difference).await.unwrap();
    let before = last_cursor(&m).await;
    // The next day, same lists: nothing changes.
    clock.set_date("2026-11-09".parse().unwrap());
    assert!(m
        .rescreen(&snapshot, Mode::Difference)
        .await
        .unwrap()
        .is_none());
    // The suspension ends.
    clock.set_date("2026-11-10".parse().unwrap());
    let job = m
        .rescreen(&snapshot, Mode::Difference)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(job.parties, 1, "{job}");
    let alerts = alerts_since(&m, before).await;
    assert_eq!(alerts.len(), 1, "{alerts:#?}");
    let a = &alerts[0].alert;
    assert_eq!(a.kind, AlertKind::DecisionChanged);
    assert_eq!(
        (a.previous_decision, a.decision),
        (Some(Decision::Allow), Decision::Deny)
    );
    assert_eq!(a.hits[0].rule.as_deref(), Some("bis_affiliates"));
    let view = m.party("sub-1").await.unwrap();
    assert_eq!(view.record.outcome.decision, Decision::Deny);
}

/// A config serving one OFAC folder behind `link`, with monitoring in `db`.
fn served(link: &Path, db: &str) -> Config {
    let text = format!(
        "[[source]]\ndataset = \"us_ofac_sdn\"\nformat = \"ofac-csv\"\npath = \"{}\"\n\n\
         [server]\nlisten = \"127.0.0.1:0\"\nadmin_listen = \"127.0.0.1:0\"\n\
         http_listen = \"127.0.0.1:0\"\npoll_seconds = 0\nself_probes = 0\n\
         min_entity_share = 0.0\n\n[monitoring]\ndatabase = \"{db}\"\nfollow_poll_ms = 50\n",
        link.display()
    );
    Config::from_toml(&text, link.parent().unwrap()).unwrap()
}

fn point(link: &Path, target: &Path) {
    let tmp = link.with_extension("new");
    let _ = std::fs::remove_file(&tmp);
    std::os::unix::fs::symlink(target, &tmp).unwrap();
    std::fs::rename(&tmp, link).unwrap();
}

fn upsert(reference: &str, name: &str) -> proto::UpsertRequest {
    proto::UpsertRequest {
        party: Some(proto::Party {
            name: name.into(),
            r#ref: reference.into(),
            ..proto::Party::default()
        }),
    }
}

/// Reads the alert stream (following) until `want` says stop; fails after 60 s.
async fn follow_until(
    client: &mut MonitoringClient<tonic::transport::Channel>,
    after: u64,
    mut want: impl FnMut(&proto::Alert) -> bool,
) -> Vec<proto::Alert> {
    let mut stream = client
        .alerts(proto::AlertsRequest {
            after_cursor: after,
            follow: true,
        })
        .await
        .unwrap()
        .into_inner();
    let mut seen = Vec::new();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(60);
    loop {
        let next = tokio::time::timeout_at(deadline, stream.next())
            .await
            .expect("the alert came within 60 s")
            .expect("the stream stays open")
            .unwrap();
        let stop = want(&next);
        seen.push(next);
        if stop {
            return seen;
        }
    }
}

/// Copies an OFAC folder with one entry's remarks changed (its content, not its names).
fn with_changed_entry(from: &Path, to: &Path, ent_num: &str) {
    std::fs::create_dir_all(to).unwrap();
    for f in std::fs::read_dir(from).unwrap() {
        let f = f.unwrap().path();
        std::fs::copy(&f, to.join(f.file_name().unwrap())).unwrap();
    }
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_path(from.join("sdn.csv"))
        .unwrap();
    let mut writer = csv::WriterBuilder::new()
        .flexible(true)
        .from_path(to.join("sdn.csv"))
        .unwrap();
    let mut changed = false;
    for r in reader.byte_records() {
        let r = r.unwrap();
        if &r[0] == ent_num.as_bytes() {
            let mut fields: Vec<Vec<u8>> = r.iter().map(<[u8]>::to_vec).collect();
            if let Some(last) = fields.last_mut() {
                *last = b"Changed for the test.".to_vec();
            }
            writer.write_record(&fields).unwrap();
            changed = true;
        } else {
            writer.write_byte_record(&r).unwrap();
        }
    }
    writer.flush().unwrap();
    assert!(changed, "no entry {ent_num}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn through_the_server_alerts_verdicts_and_screen_with_ref() {
    let Some(data) = shared() else {
        eprintln!("skipped: no shared data");
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let link = dir.path().join("sdn");
    point(&link, &data.join("ofac-sdn-2019"));
    let db = format!("sqlite://{}", dir.path().join("book.db").display());
    let server = Running::spawn(served(&link, &db), Default::default()).await;
    server.wait_serving().await;
    let mut client = MonitoringClient::new(Running::channel(&server.public).await);
    let (_, ready) = server.get("/readyz/monitoring").await;
    assert!(ready.starts_with("monitoring"), "{ready}");

    // Import a few parties in one stream; one of them is a listed name already.
    let parties = vec![
        upsert("rosneft", "Rosneft Trading S.A."),
        upsert("bnc", "Banco Nacional de Cuba"),
        upsert("clean", "Zebra Orchard Bakery Ltd"),
    ];
    let summary = client
        .import(tokio_stream::iter(parties))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(summary.parties, 3);
    assert_eq!(summary.denied, 1, "{summary:?}");
    // A bad party is refused, naming its place in the stream.
    let bad = client
        .import(tokio_stream::iter(vec![
            upsert("x", "Fine Ltd"),
            upsert("", "No Ref"),
        ]))
        .await
        .unwrap_err();
    assert_eq!(bad.code(), tonic::Code::InvalidArgument);
    assert!(bad.message().contains("parties[1].party.ref"), "{bad:?}");
    // The party before the bad one is kept.
    let kept = client
        .get_party(proto::GetPartyRequest { r#ref: "x".into() })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(kept.party.unwrap().name, "Fine Ltd");

    // The import's alert (Banco Nacional de Cuba, first screening), then the list change.
    let first = follow_until(&mut client, 0, |a| a.r#ref == "bnc").await;
    let after = first.last().unwrap().cursor;
    point(&link, &data.join("ofac-sdn-2021"));
    let mut admin = server.admin().await;
    admin
        .reload(proto::ReloadRequest { force: true })
        .await
        .unwrap();
    let alerts = follow_until(&mut client, after, |a| a.r#ref == "rosneft").await;
    let rosneft = alerts.last().unwrap();
    assert_eq!(rosneft.kind, proto::AlertKind::NewHit as i32);
    assert_eq!(rosneft.hits[0].entity_id, ROSNEFT_TRADING);

    // A reviewer clears it: Screen with the ref allows, showing the hit as suppressed.
    let verdict = client
        .resolve(proto::ResolveRequest {
            alert_id: rosneft.id.clone(),
            disposition: proto::Disposition::FalsePositive as i32,
            note: "another Rosneft Trading".into(),
        })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(verdict.verdict.unwrap().alert_id, rosneft.id);
    let mut screening = server.screening().await;
    let screen = |reference: &str| proto::ScreenRequest {
        party: Some(proto::Party {
            name: "Rosneft Trading S.A.".into(),
            r#ref: reference.into(),
            ..proto::Party::default()
        }),
        ..proto::ScreenRequest::default()
    };
    let cleared = screening
        .screen(screen("rosneft"))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(
        cleared.decision,
        proto::Decision::Allow as i32,
        "{cleared:#?}"
    );
    let hit = cleared
        .hits
        .iter()
        .find(|h| h.entity_id == ROSNEFT_TRADING)
        .unwrap();
    assert_eq!(hit.suppressed.as_ref().unwrap().alert_id, rosneft.id);
    // Another ref, or none: the hit counts.
    let other = screening
        .screen(screen("other"))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(other.decision, proto::Decision::Deny as i32);
    let view = client
        .get_party(proto::GetPartyRequest {
            r#ref: "rosneft".into(),
        })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(view.history.len(), 1);
    assert!(view.open_alerts.iter().all(|a| a.id != rosneft.id));

    // The listed entry changes: the verdict lapses and the alert comes back.
    let changed = dir.path().join("sdn-changed");
    with_changed_entry(&data.join("ofac-sdn-2021"), &changed, "18299");
    point(&link, &changed);
    admin
        .reload(proto::ReloadRequest { force: true })
        .await
        .unwrap();
    let again = follow_until(&mut client, rosneft.cursor, |a| a.r#ref == "rosneft").await;
    let back = again.last().unwrap();
    assert_eq!(back.kind, proto::AlertKind::NewHit as i32, "{back:#?}");
    assert_ne!(back.id, rosneft.id);
    let denied = screening
        .screen(screen("rosneft"))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(denied.decision, proto::Decision::Deny as i32);
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unreachable_database_leaves_screening_serving() {
    let dir = tempfile::tempdir().unwrap();
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut config = Config::from_file(&root.join("config/sample.toml")).unwrap();
    config.server.listen = "127.0.0.1:0".into();
    config.server.admin_listen = "127.0.0.1:0".into();
    config.server.http_listen = "127.0.0.1:0".into();
    // Nothing listens on port 1.
    let mut m = MonitoringConfig::new("postgres://clearance@127.0.0.1:1/book");
    m.lead_retry_seconds = 1;
    config.monitoring = Some(m);
    let server = Running::spawn(config, Default::default()).await;
    server.wait_serving().await;
    let (code, _) = server.get("/readyz").await;
    assert_eq!(code, 200);
    let (code, body) = server.get("/readyz/monitoring").await;
    assert_eq!(code, 503, "{body}");
    let mut client = MonitoringClient::new(Running::channel(&server.public).await);
    let e = client
        .get_party(proto::GetPartyRequest { r#ref: "x".into() })
        .await
        .unwrap_err();
    assert_eq!(e.code(), tonic::Code::Unavailable, "{e:?}");
    let mut screening = server.screening().await;
    let r = screening
        .screen(common::request("h", "Huawei Cloud Singapore Pte. Ltd."))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(r.decision, proto::Decision::Deny as i32);
    drop(dir);
    server.stop().await;
}

/// Writes a config serving SDN 2019 with monitoring in `dir`, at this review threshold.
fn kill_config(dir: &Path, data: &Path, review: f32) -> PathBuf {
    let path = dir.join(format!("clearance-{review}.toml"));
    std::fs::write(
        &path,
        format!(
            "[[source]]\ndataset = \"us_ofac_sdn\"\nformat = \"ofac-csv\"\npath = \"{}\"\n\n\
             [policy]\nreview_threshold = {review}\n\n[server]\nself_probes = 0\n\n\
             [monitoring]\ndatabase = \"book.db\"\n",
            data.join("ofac-sdn-2019").display()
        ),
    )
    .unwrap();
    path
}

async fn start(config: &Path) -> common::child::ChildServer {
    let mut command = common::child::serve_command(&common::child::clearance_binary());
    command.arg("--config").arg(config);
    let mut server = common::child::ChildServer::start(command, None).unwrap();
    server.wait_serving(Duration::from_secs(120)).await.unwrap();
    server
}

/// Waits until the server's monitoring says its last re-screen `done` says so.
async fn wait_rescreened(server: &common::child::ChildServer, done: &str) -> String {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(120);
    loop {
        let (code, body) = common::http_get(&server.http, "/readyz/monitoring").await;
        if code == 200 && body.contains(done) {
            return body;
        }
        assert!(tokio::time::Instant::now() < deadline, "{body}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Imports the book, then restarts with another review threshold (a changed policy: the
/// whole book is re-screened), SIGKILLed mid-way when `kill`; returns every alert as
/// `(cursor, id)`.
async fn killed_or_not(data: &Path, kill: bool) -> (Vec<(u64, String)>, Vec<String>) {
    let dir = tempfile::tempdir().unwrap();
    let first = kill_config(dir.path(), data, 0.85);
    let mut server = start(&first).await;
    wait_rescreened(&server, "0 parties re-screened").await;
    let mut client = MonitoringClient::new(Running::channel(&server.screening).await);
    let requests: Vec<proto::UpsertRequest> = book(data)
        .into_iter()
        .map(|(reference, p)| proto::UpsertRequest {
            party: Some(party_to_proto(&p, &reference)),
        })
        .collect();
    client.import(tokio_stream::iter(requests)).await.unwrap();
    server.stop().unwrap();
    let second = kill_config(dir.path(), data, 0.84);
    let mut server = start(&second).await;
    let mut log = Vec::new();
    if kill {
        let deadline = std::time::Instant::now() + Duration::from_secs(60);
        while !server
            .log()
            .iter()
            .any(|l| l.contains("monitoring: re-screening"))
        {
            assert!(
                std::time::Instant::now() < deadline,
                "{:?}",
                server.tail(20)
            );
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        tokio::time::sleep(Duration::from_millis(150)).await;
        server.kill().unwrap();
        log.extend(server.log());
        server = start(&second).await;
        wait_rescreened(&server, "(resumed)").await;
    } else {
        wait_rescreened(&server, "(the whole book)").await;
    }
    log.extend(server.log());
    let mut client = MonitoringClient::new(Running::channel(&server.screening).await);
    let mut stream = client
        .alerts(proto::AlertsRequest {
            after_cursor: 0,
            follow: false,
        })
        .await
        .unwrap()
        .into_inner();
    let mut alerts = Vec::new();
    while let Some(a) = stream.next().await {
        let a = a.unwrap();
        alerts.push((a.cursor, a.id));
    }
    server.stop().unwrap();
    (alerts, log)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_rescreen_killed_midway_resumes_and_loses_or_repeats_no_alert() {
    let Some(data) = shared() else {
        eprintln!("skipped: no shared data");
        return;
    };
    let (killed, log) = killed_or_not(&data, true).await;
    let (reference, _) = killed_or_not(&data, false).await;
    // The kill came mid-way: the restarted process resumed a job with parties left.
    let resumed = log
        .iter()
        .find(|l| l.contains("monitoring: re-screening") && l.contains("\"resumed\":true"))
        .unwrap_or_else(|| panic!("no resumed job in the log"));
    assert!(!resumed.contains("\"parties\":0"), "{resumed}");
    // Cursors strictly increase; no alert twice; the same alerts as the run left alone.
    assert!(killed.windows(2).all(|w| w[0].0 < w[1].0), "{killed:?}");
    let ids = |a: &[(u64, String)]| a.iter().map(|(_, id)| id.clone()).collect::<BTreeSet<_>>();
    assert_eq!(
        ids(&killed).len(),
        killed.len(),
        "an alert was stored twice"
    );
    assert_eq!(ids(&killed), ids(&reference));
    assert!(killed.len() > 60, "{}", killed.len());
}
