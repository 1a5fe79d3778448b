//! The monitor command without the real Monitoring service: argument parsing, the CSV
//! conversion, the status mapping, and the calls against a stand-in server on
//! `127.0.0.1:0` that answers as the proto says the real one does.

use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use clap::Parser;
use tonic::{Request, Response, Status};

use super::*;
use crate::cli::{Cli, Command};
use crate::service::proto::monitoring_server::{Monitoring, MonitoringServer};

fn parse(args: &[&str]) -> Result<MonitorArgs, clap::Error> {
    let cli = Cli::try_parse_from(["clearance", "monitor"].iter().chain(args))?;
    match cli.command {
        Command::Monitor(args) => Ok(args),
        _ => panic!("not the monitor command"),
    }
}

fn csv(content: &str) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("parties.csv");
    std::fs::write(&path, content).unwrap();
    (dir, path)
}

#[test]
fn arguments() {
    let a = parse(&[
        "--addr",
        "https://monitor.example:50051",
        "--token-file",
        "/run/token",
        "import",
        "--input",
        "book.csv",
    ])
    .unwrap();
    assert_eq!(a.addr, "https://monitor.example:50051");
    assert!(
        matches!(a.command, MonitorCommand::Import { input } if input == Path::new("book.csv"))
    );

    let a = parse(&["alerts", "--after", "41", "--follow", "--json"]).unwrap();
    assert_eq!(a.addr, "http://127.0.0.1:50051");
    assert!(matches!(
        a.command,
        MonitorCommand::Alerts {
            after: 41,
            follow: true,
            json: true
        }
    ));
    let a = parse(&["alerts"]).unwrap();
    assert!(matches!(
        a.command,
        MonitorCommand::Alerts {
            after: 0,
            follow: false,
            json: false
        }
    ));

    for (word, disposition) in [
        ("false-positive", Disposition::FalsePositive),
        ("true-match", Disposition::TrueMatch),
        ("escalated", Disposition::Escalated),
    ] {
        let a = parse(&["resolve", "a-7", "--disposition", word, "--note", "seen"]).unwrap();
        match a.command {
            MonitorCommand::Resolve {
                alert_id,
                disposition: d,
                note,
            } => {
                assert_eq!((alert_id.as_str(), d), ("a-7", disposition));
                assert_eq!(note.as_deref(), Some("seen"));
            }
            _ => panic!("not resolve"),
        }
    }
    assert!(parse(&["resolve", "a-7", "--disposition", "maybe"]).is_err());
    assert!(
        parse(&["resolve", "a-7"]).is_err(),
        "--disposition is required"
    );
    assert!(parse(&["import"]).is_err(), "--input is required");

    let a = parse(&["party", "cust-42", "--json"]).unwrap();
    assert!(
        matches!(a.command, MonitorCommand::Party { reference, json: true } if reference == "cust-42")
    );
    let a = parse(&["remove", "cust-42"]).unwrap();
    assert!(matches!(a.command, MonitorCommand::Remove { reference } if reference == "cust-42"));
    let a = parse(&[
        "upsert",
        "cust-42",
        "Acme Trading",
        "--type",
        "org",
        "--country",
        "SG",
        "--identifier",
        "lei:5299001",
        "--parent",
        "Acme Holdings",
    ])
    .unwrap();
    assert!(
        matches!(a.command, MonitorCommand::Upsert { reference, name, .. }
        if reference == "cust-42" && name == "Acme Trading")
    );
    // The connection flags are those of `client`: a client certificate needs its key.
    assert!(parse(&["--cert", "c.pem", "alerts"]).is_err());
}

#[test]
fn rows_become_upserts_with_the_id_as_ref() {
    let (_dir, path) = csv("id,name,type,country,identifier,parent,nationality,dob\n\
         c-1,Acme Trading,org,Singapore,lei:5299001,Acme Holdings;Other Owner,,\n\
         c-2,John Doe,person,,,,IQ;Turkey,1962-03\n");
    let rows = import_rows(&path).unwrap();
    let acme = upsert_request(&rows[0]).party.unwrap();
    assert_eq!(
        acme,
        proto::Party {
            name: "Acme Trading".into(),
            kind: proto::PartyKind::Organization as i32,
            countries: vec!["SG".into()],
            identifiers: vec![proto::Identifier {
                scheme: "lei".into(),
                value: "5299001".into()
            }],
            parents: vec!["Acme Holdings".into(), "Other Owner".into()],
            r#ref: "c-1".into(),
            ..proto::Party::default()
        }
    );
    let john = upsert_request(&rows[1]).party.unwrap();
    assert_eq!(john.r#ref, "c-2");
    assert_eq!(john.kind, proto::PartyKind::Person as i32);
    assert_eq!(john.nationalities, ["IQ", "TR"]);
    assert_eq!(john.birth_date, "1962-03");
    // What the server reads back from the message is the party the file described.
    for row in &rows {
        let back = crate::service::request::parse_party(&upsert_request(row).party.unwrap());
        assert_eq!(format!("{:?}", back.unwrap()), format!("{:?}", row.party));
    }
}

#[test]
fn a_ref_column_wins_over_the_id() {
    let (_dir, path) = csv("id,name,ref\n1,Acme Trading,cust-42\n2,Other Party,\n");
    let rows = import_rows(&path).unwrap();
    assert_eq!(upsert_request(&rows[0]).party.unwrap().r#ref, "cust-42");
    // An empty ref cell falls back to the id.
    assert_eq!(upsert_request(&rows[1]).party.unwrap().r#ref, "2");
}

#[test]
fn a_bad_row_names_the_file_and_line_before_anything_is_sent() {
    let error = |content: &str| {
        let (_dir, path) = csv(content);
        let e = import_rows(&path).unwrap_err();
        e.to_string().replace(&path.display().to_string(), "FILE")
    };
    // read_input's own checks.
    assert_eq!(
        error("id,name,country\n1,Acme,SG\n2,Other,Atlantis\n"),
        "FILE:3: field `country`: unknown country \"Atlantis\""
    );
    // The server's checks, which read_input does not make.
    let parents = (0..17).map(|i| format!("Owner {i}")).collect::<Vec<_>>();
    assert_eq!(
        error(&format!("id,name,parent\n1,Acme,{}\n", parents.join(";"))),
        "FILE:2: field `parent`: at most 16 parents"
    );
    let long = "r".repeat(257);
    assert_eq!(
        error(&format!("id,name\n1,Acme\n{long},Other\n")),
        "FILE:3: field `id` (the ref, as there is no `ref`): longer than 256 characters"
    );
    assert_eq!(
        error(&format!("id,name,ref\n1,Acme,{long}\n")),
        "FILE:2: field `ref`: longer than 256 characters"
    );
    assert!(error("name\nAcme\n").contains("missing required column `id`"));
}

#[test]
fn statuses_become_messages() {
    let message = |code, rpc| MonitorError::from_status(rpc, Status::new(code, "why")).to_string();
    assert_eq!(
        message(tonic::Code::Unavailable, Rpc::Import),
        "Monitoring.Import: monitoring is not configured or its database is unreachable \
         (UNAVAILABLE: why)"
    );
    assert_eq!(
        message(tonic::Code::PermissionDenied, Rpc::Resolve),
        "Monitoring.Resolve needs the reviewer or admin role (PERMISSION_DENIED: why)"
    );
    assert_eq!(
        message(tonic::Code::PermissionDenied, Rpc::Alerts),
        "Monitoring.Alerts needs the screen role (PERMISSION_DENIED: why)"
    );
    assert!(message(tonic::Code::Unauthenticated, Rpc::GetParty).contains("--token-file"));
    assert!(message(tonic::Code::Unimplemented, Rpc::Upsert)
        .contains("does not serve clearance.v1.Monitoring"));
    assert_eq!(
        message(tonic::Code::NotFound, Rpc::GetParty),
        "Monitoring.GetParty: not found: why"
    );
    assert_eq!(
        message(tonic::Code::InvalidArgument, Rpc::Upsert),
        "Monitoring.Upsert: refused: why"
    );
    assert!(message(tonic::Code::DeadlineExceeded, Rpc::Alerts).ends_with(": why"));
    assert!(
        MonitorError::from_status(Rpc::Alerts, Status::unimplemented(""))
            .to_string()
            .ends_with("(UNIMPLEMENTED: Operation is not implemented or not supported)"),
        "an empty message is replaced by the code's description"
    );
    // A transport failure is no statement about the server's monitoring.
    let mut lost = Status::unavailable("connection reset");
    lost.set_source(Arc::new(std::io::Error::from(
        std::io::ErrorKind::ConnectionReset,
    )));
    assert!(MonitorError::from_status(Rpc::Alerts, lost)
        .to_string()
        .starts_with("Monitoring.Alerts: lost the connection to the server"));
}

#[test]
fn notes_are_limited() {
    let ok = resolve_request("a-1".into(), Disposition::Escalated, Some("é".repeat(4096)));
    let request = ok.unwrap();
    assert_eq!(request.disposition, proto::Disposition::Escalated as i32);
    assert!(matches!(
        resolve_request("a-1".into(), Disposition::Escalated, Some("x".repeat(4097))),
        Err(MonitorError::NoteTooLong)
    ));
    assert_eq!(
        resolve_request("a-1".into(), Disposition::TrueMatch, None)
            .unwrap()
            .note,
        ""
    );
}

#[test]
fn identifiers_from_the_flag() {
    assert_eq!(
        identifier_of("IMO:9116412"),
        proto::Identifier {
            scheme: "imo".into(),
            value: "9116412".into()
        }
    );
    assert_eq!(identifier_of("AB 123:4").scheme, "");
}

/// What the stand-in server saw and answers with.
#[derive(Default)]
struct Book {
    imported: Vec<String>,
    alerts: Vec<proto::Alert>,
}

/// The Monitoring service as the proto describes it, over an in-memory book; writes need
/// the bearer token `reviewer`.
#[derive(Clone, Default)]
struct StandIn(Arc<Mutex<Book>>);

fn needs_reviewer<T>(request: &Request<T>) -> Result<(), Status> {
    match request.metadata().get("authorization") {
        Some(v) if v == "Bearer reviewer" => Ok(()),
        _ => Err(Status::permission_denied(
            "caller test has only the screen role",
        )),
    }
}

#[tonic::async_trait]
impl Monitoring for StandIn {
    async fn upsert(
        &self,
        request: Request<proto::UpsertRequest>,
    ) -> Result<Response<proto::ScreenResponse>, Status> {
        needs_reviewer(&request)?;
        Ok(Response::new(proto::ScreenResponse {
            decision: proto::Decision::Allow as i32,
            snapshot_version: "v1".into(),
            ..Default::default()
        }))
    }

    async fn remove(
        &self,
        request: Request<proto::RemoveRequest>,
    ) -> Result<Response<proto::RemoveResponse>, Status> {
        needs_reviewer(&request)?;
        let book = self.0.lock().unwrap();
        let removed = book.imported.contains(&request.get_ref().r#ref);
        Ok(Response::new(proto::RemoveResponse { removed }))
    }

    async fn import(
        &self,
        request: Request<tonic::Streaming<proto::UpsertRequest>>,
    ) -> Result<Response<proto::ImportSummary>, Status> {
        needs_reviewer(&request)?;
        let mut stream = request.into_inner();
        let mut summary = proto::ImportSummary {
            snapshot_version: "v1".into(),
            ..Default::default()
        };
        while let Some(u) = stream.message().await? {
            let party = u.party.unwrap_or_default();
            if party.name == "Refused Party" {
                return Err(Status::invalid_argument(format!(
                    "party {}: refused by the stand-in",
                    summary.parties
                )));
            }
            summary.parties += 1;
            summary.allowed += 1;
            self.0.lock().unwrap().imported.push(party.r#ref);
        }
        Ok(Response::new(summary))
    }

    async fn get_party(
        &self,
        request: Request<proto::GetPartyRequest>,
    ) -> Result<Response<proto::PartyView>, Status> {
        let r = &request.get_ref().r#ref;
        if !self.0.lock().unwrap().imported.contains(r) {
            return Err(Status::not_found(format!("no party has ref {r:?}")));
        }
        Ok(Response::new(proto::PartyView {
            party: Some(proto::Party {
                name: "Party".into(),
                r#ref: r.clone(),
                ..Default::default()
            }),
            ..Default::default()
        }))
    }

    type AlertsStream = tokio_stream::wrappers::ReceiverStream<Result<proto::Alert, Status>>;

    async fn alerts(
        &self,
        request: Request<proto::AlertsRequest>,
    ) -> Result<Response<Self::AlertsStream>, Status> {
        let after = request.get_ref().after_cursor;
        let alerts: Vec<_> = (self.0.lock().unwrap().alerts.iter())
            .filter(|a| a.cursor > after)
            .cloned()
            .collect();
        let (tx, rx) = tokio::sync::mpsc::channel(4);
        tokio::spawn(async move {
            for a in alerts {
                let _ = tx.send(Ok(a)).await;
            }
            // A stream broken after its alerts: the client must keep what it printed.
            let _ = tx.send(Err(Status::unavailable("database gone"))).await;
        });
        Ok(Response::new(tokio_stream::wrappers::ReceiverStream::new(
            rx,
        )))
    }

    async fn resolve(
        &self,
        request: Request<proto::ResolveRequest>,
    ) -> Result<Response<proto::ResolveResponse>, Status> {
        needs_reviewer(&request)?;
        let r = request.into_inner();
        Ok(Response::new(proto::ResolveResponse {
            verdict: Some(proto::Verdict {
                alert_id: r.alert_id,
                disposition: r.disposition,
                note: r.note,
                reviewer: "reviewer".into(),
                at: "2026-12-06T10:00:00Z".into(),
            }),
        }))
    }
}

/// Serves `book` on 127.0.0.1:0 and returns its address.
async fn stand_in(book: StandIn) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(
        tonic::transport::Server::builder()
            .add_service(MonitoringServer::new(book))
            .serve_with_incoming(tonic::transport::server::TcpIncoming::from(listener)),
    );
    format!("http://{addr}")
}

/// Runs `clearance monitor --addr ADDR [--token-file F] ARGS...` and returns its stdout.
async fn run_monitor(addr: &str, token: Option<&str>, args: &[&str]) -> Result<(ExitCode, String)> {
    let dir = tempfile::tempdir().unwrap();
    let token_file = dir.path().join("token");
    let mut all = vec!["--addr".to_string(), addr.to_string()];
    if let Some(t) = token {
        std::fs::write(&token_file, format!("{t}\n")).unwrap();
        all.extend(["--token-file".into(), token_file.display().to_string()]);
    }
    all.extend(args.iter().map(|a| a.to_string()));
    let args = parse(&all.iter().map(String::as_str).collect::<Vec<_>>()).unwrap();
    let mut out = Vec::new();
    let code = monitor(args, &mut out).await?;
    Ok((code, String::from_utf8(out).unwrap()))
}

#[tokio::test]
async fn import_streams_every_row_and_prints_the_summary() {
    let book = StandIn::default();
    let addr = stand_in(book.clone()).await;
    // More rows than the channel holds, so the sender waits on the stream.
    let n = IMPORT_BUFFER * 4 + 3;
    let mut content = String::from("id,name,ref\n");
    for i in 0..n {
        let reference = if i % 2 == 0 {
            format!("r-{i}")
        } else {
            String::new()
        };
        content.push_str(&format!("{i},Party Number {i},{reference}\n"));
    }
    let (_dir, path) = csv(&content);
    let input = path.display().to_string();
    let (code, out) = run_monitor(&addr, Some("reviewer"), &["import", "--input", &input])
        .await
        .unwrap();
    assert_eq!(code, ExitCode::SUCCESS);
    assert!(
        out.starts_with(&format!(
            "imported {n} parties: {n} allowed, 0 reviewed, 0 denied; 0 alerts; snapshot v1\n"
        )),
        "{out}"
    );
    assert!(out.contains("parties/s\n"), "{out}");
    let imported = book.0.lock().unwrap().imported.clone();
    assert_eq!(imported.len(), n);
    assert_eq!((imported[0].as_str(), imported[1].as_str()), ("r-0", "1"));
    assert_eq!(imported[n - 1], format!("r-{}", n - 1));

    // The server's refusal of one party names the file, and stops the sending even with
    // far more rows behind it than the channel holds.
    let mut content = String::from("id,name\n1,Acme\n2,Refused Party\n");
    for i in 0..IMPORT_BUFFER * 8 {
        content.push_str(&format!("{},Party Number {i}\n", i + 3));
    }
    let (_dir, path) = csv(&content);
    let input = path.display().to_string();
    let e = run_monitor(&addr, Some("reviewer"), &["import", "--input", &input])
        .await
        .unwrap_err();
    assert_eq!(
        e.to_string(),
        format!(
            "{input}: the server refused the import: party 1: refused by the stand-in \
             (parties are sent in file order; those before the refused one are kept)"
        )
    );
    // Without the reviewer's token.
    let (_dir, path) = csv("id,name\n1,Acme\n");
    let input = path.display().to_string();
    let e = run_monitor(&addr, Some("screener"), &["import", "--input", &input])
        .await
        .unwrap_err();
    assert!(
        e.to_string()
            .starts_with("Monitoring.Import needs the reviewer or admin role"),
        "{e}"
    );
}

#[tokio::test]
async fn a_bad_file_fails_before_connecting() {
    let (_dir, path) = csv("id,name,dob\n1,Acme,someday\n");
    let input = path.display().to_string();
    // Nothing listens on port 9 here: the file's error must come first.
    let e = run_monitor("http://127.0.0.1:9", None, &["import", "--input", &input])
        .await
        .unwrap_err();
    assert!(
        e.to_string()
            .starts_with(&format!("{input}:2: field `dob`")),
        "{e}"
    );
}

#[tokio::test]
async fn alerts_print_in_order_and_keep_the_last_cursor() {
    let book = StandIn::default();
    book.0.lock().unwrap().alerts = [3u64, 5, 9]
        .iter()
        .map(|&cursor| proto::Alert {
            id: format!("a-{cursor}"),
            cursor,
            r#ref: "cust-42".into(),
            kind: proto::AlertKind::NewHit as i32,
            decision: proto::Decision::Review as i32,
            ..Default::default()
        })
        .collect();
    let addr = stand_in(book).await;
    let args = parse(&["--addr", addr.as_str(), "alerts", "--after", "3"]).unwrap();
    let mut client = MonitoringClient::new(args.connect.authorized_channel(&addr).await.unwrap());
    let mut out = Vec::new();
    let mut last = 3;
    let e = alerts(&mut client, 3, false, false, &mut out, &mut last)
        .await
        .unwrap_err();
    assert_eq!(
        String::from_utf8(out).unwrap(),
        "5\ta-5\tcust-42\tnew_hit\tnone -> review\t-\n9\ta-9\tcust-42\tnew_hit\tnone -> review\t-\n"
    );
    // The stream broke after the alerts; the last cursor printed survives the error.
    assert_eq!(last, 9);
    assert!(
        e.to_string()
            .starts_with("Monitoring.Alerts: monitoring is not configured"),
        "{e}"
    );
    let mut out = Vec::new();
    let _ = alerts(&mut client, 0, false, true, &mut out, &mut last).await;
    let lines: Vec<serde_json::Value> = String::from_utf8(out)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 3);
    assert_eq!(lines[0]["cursor"], 3);
}

#[tokio::test]
async fn party_resolve_and_remove() {
    let book = StandIn::default();
    book.0.lock().unwrap().imported.push("cust-42".into());
    let addr = stand_in(book).await;
    let (_, out) = run_monitor(&addr, None, &["party", "cust-42"])
        .await
        .unwrap();
    assert!(out.starts_with("party cust-42: Party\n"), "{out}");
    let e = run_monitor(&addr, None, &["party", "cust-7"])
        .await
        .unwrap_err();
    assert_eq!(
        e.to_string(),
        "Monitoring.GetParty: not found: no party has ref \"cust-7\""
    );
    let (_, out) = run_monitor(
        &addr,
        Some("reviewer"),
        &[
            "resolve",
            "a-1",
            "--disposition",
            "false-positive",
            "--note",
            "born 1990",
        ],
    )
    .await
    .unwrap();
    assert_eq!(
        out,
        "alert a-1: false-positive by reviewer at 2026-12-06T10:00:00Z: \"born 1990\"\n"
    );
    let (code, out) = run_monitor(&addr, Some("reviewer"), &["remove", "cust-42"])
        .await
        .unwrap();
    assert_eq!(
        (code, out.as_str()),
        (ExitCode::SUCCESS, "removed cust-42\n")
    );
    let (code, out) = run_monitor(&addr, Some("reviewer"), &["remove", "cust-7"])
        .await
        .unwrap();
    assert_eq!(code, ExitCode::FAILURE);
    assert_eq!(out, "no party has ref \"cust-7\": nothing removed\n");
    let (_, out) = run_monitor(&addr, Some("reviewer"), &["upsert", "cust-9", "Acme"])
        .await
        .unwrap();
    assert_eq!(out, "decision: allow\nsnapshot: v1\n");
}
