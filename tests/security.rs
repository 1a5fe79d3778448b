//! Transport security and access control against the real server on 127.0.0.1:0: TLS and
//! mutual TLS with certificates generated for each test (`common::certs`), bearer tokens, roles, dataset
//! restrictions, rate limits, certificate files replaced while serving, the audit log's
//! principal and HTTPS `/metrics`.

mod common;

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use clearance::service::config::Config;
use clearance::service::proto::{
    self, admin_client::AdminClient, screening_client::ScreeningClient,
};
use clearance::service::server::ReloadTriggers;
use common::certs::Ca;
use common::{parse_metrics, request, sample, screening_serving, Running};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tonic::transport::{Certificate, Channel, ClientTlsConfig, Identity};
use tonic::Code;

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path
}

/// The sample list as dataset `sample` and a one-entity list as dataset `own`, then `extra`.
fn config(dir: &Path, extra: &str) -> Config {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    write(
        dir,
        "own.jsonl",
        "{\"id\": \"z1\", \"name\": \"Zanzibar Quartz Holdings\", \"kind\": \"organization\"}\n",
    );
    let text = format!(
        "[[source]]\ndataset = \"sample\"\nformat = \"native\"\npath = {:?}\n\
         [[source]]\ndataset = \"own\"\nformat = \"native\"\npath = \"own.jsonl\"\n\
         [server]\nself_probes = 0\n{extra}",
        root.join("data/sample-list.jsonl").display().to_string()
    );
    std::fs::write(dir.join("clearance.toml"), &text).unwrap();
    Config::from_file(&dir.join("clearance.toml")).unwrap()
}

fn https(addr: &str) -> String {
    addr.replace("http://", "https://")
}

/// A TLS channel trusting `ca`, presenting `identity` if given.
async fn tls_channel(
    addr: &str,
    ca: &str,
    identity: Option<&(String, String)>,
) -> Result<Channel, tonic::transport::Error> {
    let mut tls = ClientTlsConfig::new()
        .ca_certificate(Certificate::from_pem(ca))
        .domain_name("localhost");
    if let Some((cert, key)) = identity {
        tls = tls.identity(Identity::from_pem(cert, key));
    }
    Channel::from_shared(https(addr))
        .unwrap()
        .tls_config(tls)?
        .connect()
        .await
}

/// Waits until the TLS listener accepts a trusted client.
async fn wait_serving(addr: &str, ca: &str, identity: Option<&(String, String)>) {
    for _ in 0..1500 {
        if let Ok(c) = tls_channel(addr, ca, identity).await {
            if screening_serving(c).await {
                return;
            }
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    panic!("the TLS server never reported SERVING");
}

/// Screens `name` over `channel`; the error's code when it fails.
async fn screen(
    channel: Channel,
    token: Option<&str>,
    name: &str,
) -> Result<proto::ScreenResponse, tonic::Status> {
    let mut req = tonic::Request::new(request("t", name));
    if let Some(t) = token {
        req.metadata_mut()
            .insert("authorization", format!("Bearer {t}").parse().unwrap());
    }
    ScreeningClient::new(channel)
        .screen(req)
        .await
        .map(|r| r.into_inner())
}

fn with_token<T>(message: T, token: &str) -> tonic::Request<T> {
    let mut req = tonic::Request::new(message);
    req.metadata_mut()
        .insert("authorization", format!("Bearer {token}").parse().unwrap());
    req
}

fn rustls_client(ca_pem: &str) -> tokio_rustls::TlsConnector {
    use rustls::pki_types::pem::PemObject;
    let mut roots = rustls::RootCertStore::empty();
    for c in rustls::pki_types::CertificateDer::pem_slice_iter(ca_pem.as_bytes()) {
        roots.add(c.unwrap()).unwrap();
    }
    let config = rustls::ClientConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .unwrap()
    .with_root_certificates(roots)
    .with_no_client_auth();
    tokio_rustls::TlsConnector::from(Arc::new(config))
}

/// GET `path` over HTTPS, trusting `ca`: (status code, body, the server's certificate).
async fn https_get(addr: &str, ca: &str, path: &str) -> std::io::Result<(u16, String, Vec<u8>)> {
    let tcp = tokio::net::TcpStream::connect(addr).await?;
    let name = rustls::pki_types::ServerName::try_from("localhost").unwrap();
    let mut tls = rustls_client(ca).connect(name, tcp).await?;
    let served = tls.get_ref().1.peer_certificates().unwrap()[0].to_vec();
    let head = format!("GET {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n");
    tls.write_all(head.as_bytes()).await?;
    let mut raw = Vec::new();
    // A peer that closes without close_notify ends the read with an error after the body.
    let _ = tls.read_to_end(&mut raw).await;
    let text = String::from_utf8(raw).unwrap();
    let (head, body) = text.split_once("\r\n\r\n").unwrap();
    let code = head.split_whitespace().nth(1).unwrap().parse().unwrap();
    Ok((code, body.to_string(), served))
}

fn pem_der(pem: &str) -> Vec<u8> {
    use rustls::pki_types::pem::PemObject;
    rustls::pki_types::CertificateDer::from_pem_slice(pem.as_bytes())
        .unwrap()
        .to_vec()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mutual_tls_admits_known_certificates_and_checks_roles() {
    let dir = tempfile::tempdir().unwrap();
    let ca = Ca::new("clearance test CA");
    let intruders = Ca::new("someone else's CA");
    let (cert, key) = ca.server();
    write(dir.path(), "server.crt", &cert);
    write(dir.path(), "server.key", &key);
    write(dir.path(), "clients.crt", &ca.pem());
    let screener = ca.client("screener");
    let operator = ca.client("operator");
    let stranger = ca.client("stranger");
    let intruder = intruders.client("screener");
    let server = Running::spawn(
        config(
            dir.path(),
            "[tls]\ncert = \"server.crt\"\nkey = \"server.key\"\nclient_ca = \"clients.crt\"\n\
             [[caller]]\nname = \"screener\"\ncert_subject = \"screener\"\nroles = [\"screen\"]\n\
             [[caller]]\nname = \"operator\"\ncert_subject = \"operator\"\nroles = [\"admin\", \"screen\"]\n",
        ),
        ReloadTriggers::default(),
    )
    .await;
    let ca_pem = ca.pem();
    wait_serving(&server.public, &ca_pem, Some(&screener)).await;

    // Screening over mutual TLS.
    let channel = tls_channel(&server.public, &ca_pem, Some(&screener))
        .await
        .unwrap();
    let r = screen(channel.clone(), None, "Huawei Cloud Singapore Pte. Ltd.")
        .await
        .unwrap();
    assert_eq!(r.decision, proto::Decision::Deny as i32);

    // A plaintext client, a TLS client without a certificate, one with a certificate from
    // an untrusted CA: no call gets through.
    let plain = Channel::from_shared(server.public.clone())
        .unwrap()
        .connect()
        .await;
    if let Ok(c) = plain {
        screen(c, None, "Huawei").await.unwrap_err();
    }
    for identity in [None, Some(&intruder)] {
        if let Ok(c) = tls_channel(&server.public, &ca_pem, identity).await {
            let e = screen(c, None, "Huawei").await.unwrap_err();
            assert_ne!(e.code(), Code::Ok);
        }
    }
    // A trusted certificate that names no caller: UNAUTHENTICATED.
    let c = tls_channel(&server.public, &ca_pem, Some(&stranger))
        .await
        .unwrap();
    let e = screen(c, None, "Huawei").await.unwrap_err();
    assert_eq!(e.code(), Code::Unauthenticated, "{e:?}");
    assert!(e.message().contains("stranger"), "{e:?}");

    // Admin needs the admin role.
    let admin_screener = tls_channel(&server.admin, &ca_pem, Some(&screener))
        .await
        .unwrap();
    let e = AdminClient::new(admin_screener)
        .reload(proto::ReloadRequest { force: false })
        .await
        .unwrap_err();
    assert_eq!(e.code(), Code::PermissionDenied, "{e:?}");
    let admin_operator = tls_channel(&server.admin, &ca_pem, Some(&operator))
        .await
        .unwrap();
    AdminClient::new(admin_operator)
        .reload(proto::ReloadRequest { force: false })
        .await
        .unwrap();

    // HTTPS /metrics needs no client certificate and counts what was refused.
    let (code, body, _) = https_get(&server.http, &ca_pem, "/metrics").await.unwrap();
    assert_eq!(code, 200, "{body}");
    let m = parse_metrics(&body);
    let refused = |caller: &str, reason: &str| {
        sample(
            &m,
            "clearance_auth_rejections_total",
            &[("caller", caller), ("reason", reason)],
        )
    };
    assert_eq!(refused("screener", "role"), Some(1.0));
    assert_eq!(refused("-", "unauthenticated"), Some(1.0));
    let handshakes = sample(
        &m,
        "clearance_tls_handshake_failures_total",
        &[("listener", "public")],
    );
    assert!(handshakes.is_some_and(|n| n >= 2.0), "{handshakes:?}");
    // The plaintext HTTP request gets no answer from the TLS listener.
    let plain = tokio::time::timeout(Duration::from_secs(5), async {
        let mut s = tokio::net::TcpStream::connect(&server.http).await.unwrap();
        s.write_all(b"GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n")
            .await
            .unwrap();
        let mut buf = Vec::new();
        let _ = s.read_to_end(&mut buf).await;
        buf
    })
    .await
    .unwrap();
    assert!(!String::from_utf8_lossy(&plain).contains("clearance_"));
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tokens_datasets_rate_limits_and_the_audit_principal() {
    let dir = tempfile::tempdir().unwrap();
    let ca = Ca::new("clearance test CA");
    let (cert, key) = ca.server();
    write(dir.path(), "server.crt", &cert);
    write(dir.path(), "server.key", &key);
    let hash = clearance::service::auth::hash_token;
    let extra = format!(
        "[tls]\ncert = \"server.crt\"\nkey = \"server.key\"\n\
         [audit]\npath = \"audit.jsonl\"\nfsync = \"never\"\n\
         [[caller]]\nname = \"billing\"\ntoken_sha256 = \"{}\"\nroles = [\"screen\"]\ndatasets = [\"own\"]\n\
         [[caller]]\nname = \"batch\"\ntoken_sha256 = \"{}\"\nroles = [\"screen\"]\nrate_per_second = 5\nburst = 3\n\
         [[caller]]\nname = \"ops\"\ntoken_sha256 = \"{}\"\nroles = [\"admin\"]\n",
        hash("billing-token"),
        hash("batch-token"),
        hash("ops-token")
    );
    let server = Running::spawn(config(dir.path(), &extra), ReloadTriggers::default()).await;
    let ca_pem = ca.pem();
    // Health answers without credentials.
    wait_serving(&server.public, &ca_pem, None).await;
    let channel = tls_channel(&server.public, &ca_pem, None).await.unwrap();

    for (token, want) in [
        (None, Code::Unauthenticated),
        (Some("wrong"), Code::Unauthenticated),
    ] {
        let e = screen(channel.clone(), token, "Huawei").await.unwrap_err();
        assert_eq!(e.code(), want, "{e:?}");
    }
    let e = ScreeningClient::new(channel.clone())
        .status(proto::StatusRequest {})
        .await
        .unwrap_err();
    assert_eq!(e.code(), Code::Unauthenticated);

    // billing screens only against "own": the Entity List hit is out of its reach ...
    let r = screen(
        channel.clone(),
        Some("billing-token"),
        "Huawei Cloud Singapore Pte. Ltd.",
    )
    .await
    .unwrap();
    assert_eq!(r.decision, proto::Decision::Allow as i32, "{r:?}");
    let r = screen(
        channel.clone(),
        Some("billing-token"),
        "Zanzibar Quartz Holdings",
    )
    .await
    .unwrap();
    assert_eq!(r.hits[0].entity_id, "own:z1");
    // ... while batch sees every list.
    let r = screen(
        channel.clone(),
        Some("batch-token"),
        "Huawei Cloud Singapore Pte. Ltd.",
    )
    .await
    .unwrap();
    assert_eq!(r.decision, proto::Decision::Deny as i32);
    // Naming a dataset billing may not use is refused, as is looking up its entities.
    let mut req = request("d", "Huawei Cloud Singapore");
    req.options = Some(proto::ScreenOptions {
        datasets: vec!["own".into(), "sample".into()],
        ..proto::ScreenOptions::default()
    });
    let e = ScreeningClient::new(channel.clone())
        .screen(with_token(req, "billing-token"))
        .await
        .unwrap_err();
    assert_eq!(e.code(), Code::PermissionDenied, "{e:?}");
    assert!(e.message().contains("\"sample\""), "{e:?}");
    let e = ScreeningClient::new(channel.clone())
        .get_entity(with_token(
            proto::GetEntityRequest {
                entity_id: "sample:el-huawei-cloud-singapore".into(),
            },
            "billing-token",
        ))
        .await
        .unwrap_err();
    assert_eq!(e.code(), Code::PermissionDenied, "{e:?}");

    // Roles: a screening caller on Admin, an admin-only caller on Screen.
    let admin = tls_channel(&server.admin, &ca_pem, None).await.unwrap();
    let e = AdminClient::new(admin.clone())
        .reload(with_token(
            proto::ReloadRequest { force: false },
            "billing-token",
        ))
        .await
        .unwrap_err();
    assert_eq!(e.code(), Code::PermissionDenied, "{e:?}");
    let e = screen(channel.clone(), Some("ops-token"), "Huawei")
        .await
        .unwrap_err();
    assert_eq!(e.code(), Code::PermissionDenied, "{e:?}");
    AdminClient::new(admin)
        .reload(with_token(
            proto::ReloadRequest { force: false },
            "ops-token",
        ))
        .await
        .unwrap();

    // batch: 5/s with a burst of 3. One call was made above; wait for a full bucket.
    tokio::time::sleep(Duration::from_millis(700)).await;
    for _ in 0..3 {
        screen(channel.clone(), Some("batch-token"), "Acme")
            .await
            .unwrap();
    }
    let e = screen(channel.clone(), Some("batch-token"), "Acme")
        .await
        .unwrap_err();
    assert_eq!(e.code(), Code::ResourceExhausted, "{e:?}");
    // Another caller is not affected; batch recovers as the bucket refills.
    screen(channel.clone(), Some("billing-token"), "Acme")
        .await
        .unwrap();
    tokio::time::sleep(Duration::from_millis(250)).await;
    screen(channel.clone(), Some("batch-token"), "Acme")
        .await
        .unwrap();
    // In a stream each item counts: after a full bucket, three answers, then the limit.
    tokio::time::sleep(Duration::from_millis(700)).await;
    let items = tokio_stream::iter((0..6).map(|i| request(&i.to_string(), "Acme")));
    let mut replies = ScreeningClient::new(channel.clone())
        .screen_stream(with_token(items, "batch-token"))
        .await
        .unwrap()
        .into_inner();
    let mut answered = 0;
    let end = loop {
        match replies.message().await {
            Ok(Some(_)) => answered += 1,
            Ok(None) => break None,
            Err(e) => break Some(e.code()),
        }
    };
    assert_eq!((answered, end), (3, Some(Code::ResourceExhausted)));

    // The CLI speaks TLS and tokens too.
    write(dir.path(), "ca.crt", &ca_pem);
    write(dir.path(), "token", "batch-token\n");
    tokio::time::sleep(Duration::from_millis(250)).await;
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_clearance"))
        .args(["client", "--addr", &https(&server.public), "--ca-cert"])
        .arg(dir.path().join("ca.crt"))
        .arg("--token-file")
        .arg(dir.path().join("token"))
        .args(["screen", "Huawei Cloud Singapore Pte. Ltd."])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success() && stdout.contains("decision: deny"),
        "{stdout} {}",
        String::from_utf8_lossy(&out.stderr)
    );

    // Every decision names its caller in the audit log.
    let log = std::fs::read_to_string(dir.path().join("audit.jsonl")).unwrap();
    let principals: Vec<Option<String>> = log
        .lines()
        .map(|l| {
            let v: serde_json::Value = serde_json::from_str(l).unwrap();
            v["caller"]["principal"].as_str().map(str::to_string)
        })
        .collect();
    assert!(!principals.is_empty());
    assert!(principals.iter().all(Option::is_some), "{log}");
    assert!(principals.iter().any(|p| p.as_deref() == Some("billing")));
    assert!(principals.iter().any(|p| p.as_deref() == Some("batch")));
    // The refused dataset request is there as a rejected record.
    assert!(
        log.contains("PermissionDenied") || log.contains("permission"),
        "{log}"
    );

    let (_, body, _) = https_get(&server.http, &ca_pem, "/metrics").await.unwrap();
    let m = parse_metrics(&body);
    let refused = |caller: &str, reason: &str| {
        sample(
            &m,
            "clearance_auth_rejections_total",
            &[("caller", caller), ("reason", reason)],
        )
    };
    assert_eq!(refused("batch", "rate_limited"), Some(2.0));
    assert_eq!(refused("billing", "dataset"), Some(2.0));
    assert_eq!(refused("-", "unauthenticated"), Some(3.0));
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn certificate_files_replaced_on_disk_are_served_without_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let old_ca = Ca::new("old CA");
    let new_ca = Ca::new("new CA");
    let (cert, key) = old_ca.server();
    write(dir.path(), "server.crt", &cert);
    write(dir.path(), "server.key", &key);
    let server = Running::spawn(
        config(
            dir.path(),
            "[tls]\ncert = \"server.crt\"\nkey = \"server.key\"\npoll_seconds = 1\n",
        ),
        ReloadTriggers::default(),
    )
    .await;
    let (old_pem, new_pem) = (old_ca.pem(), new_ca.pem());
    wait_serving(&server.public, &old_pem, None).await;
    let (code, _, served) = https_get(&server.http, &old_pem, "/healthz").await.unwrap();
    assert_eq!((code, served), (200, pem_der(&cert)));
    // An open connection keeps working across the swap.
    let old_channel = tls_channel(&server.public, &old_pem, None).await.unwrap();

    // A half-written replacement (new key, old certificate) is refused; the old pair serves.
    let (new_cert, new_key) = new_ca.server();
    write(dir.path(), "server.key", &new_key);
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let (_, _, served) = https_get(&server.http, &old_pem, "/healthz").await.unwrap();
    assert_eq!(served, pem_der(&cert));
    write(dir.path(), "server.crt", &new_cert);

    let mut swapped = false;
    for _ in 0..100 {
        if let Ok((_, _, served)) = https_get(&server.http, &new_pem, "/healthz").await {
            assert_eq!(served, pem_der(&new_cert));
            swapped = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(swapped, "the new certificate was never served");
    // New gRPC connections get the new certificate: trusted under the new CA only.
    let c = tls_channel(&server.public, &new_pem, None).await.unwrap();
    screen(c, None, "Acme").await.unwrap();
    if let Ok(c) = tls_channel(&server.public, &old_pem, None).await {
        screen(c, None, "Acme").await.unwrap_err();
    }
    screen(old_channel, None, "Acme").await.unwrap();

    let (_, body, _) = https_get(&server.http, &new_pem, "/metrics").await.unwrap();
    let m = parse_metrics(&body);
    assert_eq!(
        sample(&m, "clearance_tls_reloads_total", &[("result", "failed")]),
        Some(1.0)
    );
    assert_eq!(
        sample(&m, "clearance_tls_reloads_total", &[("result", "swapped")]),
        Some(1.0)
    );
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reflection_needs_a_caller_and_open_mode_stays_open() {
    use tonic_reflection::pb::v1::{
        server_reflection_client::ServerReflectionClient,
        server_reflection_request::MessageRequest, ServerReflectionRequest,
    };
    let dir = tempfile::tempdir().unwrap();
    let extra = format!(
        "[[caller]]\nname = \"dev\"\ntoken_sha256 = \"{}\"\nroles = [\"screen\"]\n",
        clearance::service::auth::hash_token("dev-token")
    );
    let server = Running::spawn(config(dir.path(), &extra), ReloadTriggers::default()).await;
    server.wait_serving().await;
    let list = || {
        tokio_stream::iter([ServerReflectionRequest {
            host: String::new(),
            message_request: Some(MessageRequest::ListServices(String::new())),
        }])
    };
    let channel = Running::channel(&server.public).await;
    let mut client = ServerReflectionClient::new(channel);
    let e = client.server_reflection_info(list()).await.unwrap_err();
    assert_eq!(e.code(), Code::Unauthenticated, "{e:?}");
    let mut replies = client
        .server_reflection_info(with_token(list(), "dev-token"))
        .await
        .unwrap()
        .into_inner();
    assert!(replies.message().await.unwrap().is_some());
    server.stop().await;

    // Without [[caller]] (and without [tls]) everything is open, as before.
    let open = Running::spawn(config(dir.path(), ""), ReloadTriggers::default()).await;
    open.wait_serving().await;
    let r = screen(
        Running::channel(&open.public).await,
        None,
        "Huawei Cloud Singapore Pte. Ltd.",
    )
    .await
    .unwrap();
    assert_eq!(r.decision, proto::Decision::Deny as i32);
    open.stop().await;
}

#[test]
fn token_hash_and_new_print_what_the_config_needs() {
    let run = |args: &[&str], stdin: &str| {
        let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_clearance"))
            .args(args)
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        use std::io::Write;
        child
            .stdin
            .take()
            .unwrap()
            .write_all(stdin.as_bytes())
            .unwrap();
        let out = child.wait_with_output().unwrap();
        (out.status.success(), String::from_utf8(out.stdout).unwrap())
    };
    let (ok, out) = run(&["token", "hash"], "abc\n");
    assert!(ok);
    assert_eq!(
        out,
        "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad\n"
    );
    let (ok, _) = run(&["token", "hash"], "");
    assert!(!ok);
    let (ok, out) = run(&["token", "new"], "");
    assert!(ok);
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 2);
    assert_eq!(lines[0].len(), 64);
    assert_eq!(lines[1], clearance::service::auth::hash_token(lines[0]));
    let (_, again) = run(&["token", "new"], "");
    assert_ne!(again.lines().next(), Some(lines[0]));
}
