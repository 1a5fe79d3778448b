//! The updater against a real HTTP server on 127.0.0.1:0 that serves the shared lists (and,
//! on cue, misbehaves: 5xx, 404, cut-off bodies, stalls, endless bodies, junk), then
//! `clearance serve` with lists that have not arrived yet.

mod common;

use std::collections::{HashMap, VecDeque};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use clearance::service::config::Config;
use clearance::service::proto;
use clearance::service::server::ReloadTriggers;
use clearance::service::update::cache::Sidecar;
use clearance::service::update::fetch::FetchError;
use clearance::service::update::{self, SourceOutcome, UpdateError, UpdateOptions, UpdateResult};
use common::{request, sample, Running};
use sha2::{Digest, Sha256};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// What the list server answers on a path.
#[derive(Clone)]
enum Reply {
    /// The file with an ETag (its hash) and a Last-Modified date; 304 when the request's
    /// If-None-Match names that ETag.
    File(PathBuf),
    /// 200 with these bytes and no validators.
    Bytes(Vec<u8>),
    Status(u16),
    /// Announces the whole file, sends half of it, closes the connection.
    Truncated(PathBuf),
    /// Answers after a pause.
    Slow(Duration, Box<Reply>),
    /// Announces this many bytes and sends none.
    Announces(u64),
    /// A chunked body that never ends (the server stops after 256 MiB).
    Endless,
}

/// One request as the server saw it.
#[derive(Debug, Clone)]
struct Seen {
    path: String,
    if_none_match: Option<String>,
    if_modified_since: Option<String>,
}

#[derive(Default)]
struct Script {
    /// Per path, the replies to give in turn; the last one repeats.
    replies: Mutex<HashMap<String, VecDeque<Reply>>>,
    seen: Mutex<Vec<Seen>>,
    /// Body bytes the endless reply managed to send.
    endless_sent: AtomicU64,
}

const LAST_MODIFIED: &str = "Wed, 25 Feb 2026 08:00:00 GMT";

struct ListServer {
    addr: SocketAddr,
    script: Arc<Script>,
}

impl ListServer {
    async fn start() -> ListServer {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let script = Arc::new(Script::default());
        let shared = script.clone();
        tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                tokio::spawn(answer(stream, shared.clone()));
            }
        });
        ListServer { addr, script }
    }

    fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    fn script(&self, path: &str, replies: Vec<Reply>) {
        self.script
            .replies
            .lock()
            .unwrap()
            .insert(path.to_string(), replies.into());
    }

    fn seen(&self, path: &str) -> Vec<Seen> {
        let seen = self.script.seen.lock().unwrap();
        seen.iter().filter(|s| s.path == path).cloned().collect()
    }
}

fn sha256_hex(bytes: &[u8]) -> String {
    format!("{:x}", Sha256::digest(bytes))
}

/// Reads one request head and answers it as scripted; every answer closes the connection.
async fn answer(mut stream: TcpStream, script: Arc<Script>) {
    let mut head = Vec::new();
    let mut buf = [0u8; 4096];
    while !head.windows(4).any(|w| w == b"\r\n\r\n") {
        match stream.read(&mut buf).await {
            Ok(0) | Err(_) => return,
            Ok(n) => head.extend_from_slice(&buf[..n]),
        }
        if head.len() > 64 * 1024 {
            return;
        }
    }
    let text = String::from_utf8_lossy(&head).to_string();
    let mut lines = text.split("\r\n");
    let path = lines
        .next()
        .and_then(|l| l.split_whitespace().nth(1))
        .unwrap_or("/")
        .to_string();
    let header = |name: &str| {
        text.split("\r\n").skip(1).find_map(|l| {
            let (k, v) = l.split_once(':')?;
            k.trim()
                .eq_ignore_ascii_case(name)
                .then(|| v.trim().to_string())
        })
    };
    let seen = Seen {
        path: path.clone(),
        if_none_match: header("if-none-match"),
        if_modified_since: header("if-modified-since"),
    };
    script.seen.lock().unwrap().push(seen.clone());
    let reply = {
        let mut replies = script.replies.lock().unwrap();
        match replies.get_mut(&path) {
            Some(q) if q.len() > 1 => q.pop_front(),
            Some(q) => q.front().cloned(),
            None => None,
        }
    };
    let mut reply = reply.unwrap_or(Reply::Status(404));
    while let Reply::Slow(pause, inner) = reply {
        tokio::time::sleep(pause).await;
        reply = *inner;
    }
    let _ = respond(&mut stream, reply, &seen, &script).await;
    let _ = stream.shutdown().await;
}

async fn respond(
    stream: &mut TcpStream,
    reply: Reply,
    seen: &Seen,
    script: &Script,
) -> std::io::Result<()> {
    match reply {
        Reply::File(path) => {
            let body = std::fs::read(path)?;
            let etag = format!("\"{}\"", &sha256_hex(&body)[..16]);
            if seen.if_none_match.as_deref() == Some(etag.as_str()) {
                let head = format!(
                    "HTTP/1.1 304 Not Modified\r\nETag: {etag}\r\nConnection: close\r\n\r\n"
                );
                return stream.write_all(head.as_bytes()).await;
            }
            let head = format!(
                "HTTP/1.1 200 OK\r\nContent-Length: {}\r\nETag: {etag}\r\n\
                 Last-Modified: {LAST_MODIFIED}\r\nConnection: close\r\n\r\n",
                body.len()
            );
            stream.write_all(head.as_bytes()).await?;
            stream.write_all(&body).await
        }
        Reply::Bytes(body) => {
            let head = format!(
                "HTTP/1.1 200 OK\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                body.len()
            );
            stream.write_all(head.as_bytes()).await?;
            stream.write_all(&body).await
        }
        Reply::Status(code) => {
            let head = format!(
                "HTTP/1.1 {code} Scripted\r\nContent-Length: 5\r\nConnection: close\r\n\r\nerror"
            );
            stream.write_all(head.as_bytes()).await
        }
        Reply::Truncated(path) => {
            let body = std::fs::read(path)?;
            let head = format!(
                "HTTP/1.1 200 OK\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                body.len()
            );
            stream.write_all(head.as_bytes()).await?;
            stream.write_all(&body[..body.len() / 2]).await
        }
        Reply::Announces(n) => {
            let head =
                format!("HTTP/1.1 200 OK\r\nContent-Length: {n}\r\nConnection: close\r\n\r\n");
            stream.write_all(head.as_bytes()).await?;
            // Wait for the client to hang up (bounded, in case it never does).
            let mut sink = [0u8; 64];
            let _ = tokio::time::timeout(Duration::from_secs(10), stream.read(&mut sink)).await;
            Ok(())
        }
        Reply::Endless => {
            let head = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n";
            stream.write_all(head.as_bytes()).await?;
            let chunk = vec![b'x'; 64 * 1024];
            for _ in 0..4096 {
                stream.write_all(b"10000\r\n").await?;
                stream.write_all(&chunk).await?;
                stream.write_all(b"\r\n").await?;
                script
                    .endless_sent
                    .fetch_add(chunk.len() as u64, Ordering::Relaxed);
            }
            Ok(())
        }
        Reply::Slow(..) => unreachable!("unwrapped by the caller"),
    }
}

/// The shared lists, or `None` (skip) when they are absent and not required.
fn data() -> Option<PathBuf> {
    clearance::testing::shared_data()
}

fn un_xml(data: &Path) -> PathBuf {
    data.join("un-2026/consolidated.xml")
}

/// Short timeouts and backoffs, so that the failure cases take milliseconds.
fn options() -> UpdateOptions {
    UpdateOptions {
        connect_timeout: Duration::from_secs(2),
        timeout: Duration::from_secs(5),
        retries: 2,
        backoff: Duration::from_millis(10),
        max_bytes: 64 << 20,
        min_bytes: 64,
    }
}

fn config(cache: &Path, sources: &str) -> Config {
    let text = format!(
        "[update]\ncache_dir = {:?}\n{sources}",
        cache.display().to_string()
    );
    Config::from_toml(&text, Path::new(".")).unwrap()
}

fn un_config(cache: &Path, server: &ListServer) -> Config {
    config(
        cache,
        &format!(
            "[[source]]\ndataset = \"un_sc_sanctions\"\nformat = \"un-xml\"\nurl = {:?}\n",
            server.url("/resources/xml/en/consolidated.xml")
        ),
    )
}

const UN_PATH: &str = "/resources/xml/en/consolidated.xml";

async fn run_once(config: &Config, options: &UpdateOptions) -> SourceOutcome {
    let mut outcomes = update::update_all_async(&config.sources, options).await;
    assert_eq!(outcomes.len(), 1);
    outcomes.remove(0)
}

/// A first good download of the UN list: the server, the config and the cached bytes.
async fn with_good_un_copy(data: &Path, cache: &Path) -> (ListServer, Config, Vec<u8>) {
    let server = ListServer::start().await;
    server.script(UN_PATH, vec![Reply::File(un_xml(data))]);
    let config = un_config(cache, &server);
    let o = run_once(&config, &options()).await;
    assert!(matches!(o.result, UpdateResult::Updated), "{o:?}");
    let bytes = std::fs::read(&config.sources[0].path).unwrap();
    (server, config, bytes)
}

/// Asserts the cached copy still holds `good` and no staging file was left behind.
fn assert_last_good_kept(config: &Config, o: &SourceOutcome, good: &[u8]) {
    let path = &config.sources[0].path;
    assert!(o.usable, "{o:?}");
    assert!(
        std::fs::read(path).unwrap() == good,
        "the cached copy changed"
    );
    assert_eq!(o.files[0].sha256, sha256_hex(good));
    let leftovers: Vec<_> = std::fs::read_dir(path.parent().unwrap())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .filter(|n| n.to_string_lossy().starts_with('.'))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

fn fetch_error(o: &SourceOutcome) -> (&FetchError, u32) {
    match &o.result {
        UpdateResult::Failed(UpdateError::Fetch {
            source, attempts, ..
        }) => (source, *attempts),
        other => panic!("expected a failed download, got {other:?}"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn first_download_writes_the_file_its_sidecar_and_its_sha256() {
    let Some(data) = data() else { return };
    let cache = tempfile::tempdir().unwrap();
    let server = ListServer::start().await;
    server.script(UN_PATH, vec![Reply::File(un_xml(&data))]);
    let config = un_config(cache.path(), &server);
    let o = run_once(&config, &options()).await;
    assert!(matches!(o.result, UpdateResult::Updated), "{o:?}");
    assert!(o.usable);

    let original = std::fs::read(un_xml(&data)).unwrap();
    let cached_path = cache.path().join("un_sc_sanctions/consolidated.xml");
    assert_eq!(config.sources[0].path, cached_path);
    assert!(std::fs::read(&cached_path).unwrap() == original);
    let sidecar = Sidecar::read(&cache.path().join("un_sc_sanctions.download.json")).unwrap();
    assert_eq!(sidecar.dataset, "un_sc_sanctions");
    assert!(sidecar.checked_at.is_some());
    let f = &sidecar.files[0];
    assert_eq!(f.name, "consolidated.xml");
    assert_eq!(f.url, server.url(UN_PATH));
    assert_eq!(f.sha256, sha256_hex(&original));
    assert_eq!(f.bytes, original.len() as u64);
    assert_eq!(
        f.etag.as_deref(),
        Some(&*format!("\"{}\"", &f.sha256[..16]))
    );
    assert_eq!(f.last_modified.as_deref(), Some(LAST_MODIFIED));
    assert_eq!(o.files, sidecar.files);
    // The first request had nothing to be conditional on.
    let seen = server.seen(UN_PATH);
    assert_eq!(seen.len(), 1);
    assert_eq!(seen[0].if_none_match, None);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unchanged_list_costs_a_304_and_keeps_the_file_untouched() {
    let Some(data) = data() else { return };
    let cache = tempfile::tempdir().unwrap();
    let (server, config, good) = with_good_un_copy(&data, cache.path()).await;
    let path = &config.sources[0].path;
    let before = std::fs::metadata(path).unwrap().modified().unwrap();
    let o = run_once(&config, &options()).await;
    assert!(matches!(o.result, UpdateResult::NotModified), "{o:?}");
    let seen = server.seen(UN_PATH);
    assert_eq!(seen.len(), 2);
    let etag = format!("\"{}\"", &sha256_hex(&good)[..16]);
    assert_eq!(seen[1].if_none_match.as_deref(), Some(etag.as_str()));
    assert_eq!(seen[1].if_modified_since.as_deref(), Some(LAST_MODIFIED));
    assert_eq!(std::fs::metadata(path).unwrap().modified().unwrap(), before);
    assert_last_good_kept(&config, &o, &good);

    // A publisher that ignores the validators and sends the same bytes changes nothing
    // either (and refreshes nothing the poller could mistake for a new list).
    server.script(UN_PATH, vec![Reply::Bytes(good.clone())]);
    let o = run_once(&config, &options()).await;
    assert!(matches!(o.result, UpdateResult::NotModified), "{o:?}");
    assert_eq!(std::fs::metadata(path).unwrap().modified().unwrap(), before);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn server_errors_are_retried_with_backoff_until_one_succeeds() {
    let Some(data) = data() else { return };
    let cache = tempfile::tempdir().unwrap();
    let server = ListServer::start().await;
    server.script(
        UN_PATH,
        vec![
            Reply::Status(500),
            Reply::Status(503),
            Reply::File(un_xml(&data)),
        ],
    );
    let config = un_config(cache.path(), &server);
    let started = Instant::now();
    let o = run_once(&config, &options()).await;
    assert!(matches!(o.result, UpdateResult::Updated), "{o:?}");
    assert_eq!(server.seen(UN_PATH).len(), 3);
    // Waits of 10 ms, then 20 ms.
    assert!(started.elapsed() >= Duration::from_millis(30));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_publisher_failing_for_good_leaves_the_last_good_copy_and_says_why() {
    let Some(data) = data() else { return };
    let cache = tempfile::tempdir().unwrap();
    let (server, config, good) = with_good_un_copy(&data, cache.path()).await;
    server.script(UN_PATH, vec![Reply::Status(500)]);
    let o = run_once(&config, &options()).await;
    let (e, attempts) = fetch_error(&o);
    assert!(
        matches!(e, FetchError::Status { status, .. } if status.as_u16() == 500),
        "{e}"
    );
    assert_eq!(attempts, 3);
    assert_eq!(server.seen(UN_PATH).len(), 1 + 3);
    let message = match &o.result {
        UpdateResult::Failed(e) => e.to_string(),
        _ => unreachable!(),
    };
    assert!(
        message.contains("HTTP 500") && message.contains("3 attempts"),
        "{message}"
    );
    assert_last_good_kept(&config, &o, &good);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn not_found_is_not_retried() {
    let cache = tempfile::tempdir().unwrap();
    let server = ListServer::start().await;
    server.script(UN_PATH, vec![Reply::Status(404)]);
    let config = un_config(cache.path(), &server);
    let o = run_once(&config, &options()).await;
    let (e, attempts) = fetch_error(&o);
    assert!(
        matches!(e, FetchError::Status { status, .. } if status.as_u16() == 404),
        "{e}"
    );
    assert_eq!(attempts, 1);
    assert_eq!(server.seen(UN_PATH).len(), 1);
    assert!(!o.usable, "nothing was ever downloaded");
    assert!(!config.sources[0].path.exists());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_truncated_body_is_rejected_and_the_last_good_copy_kept() {
    let Some(data) = data() else { return };
    let cache = tempfile::tempdir().unwrap();
    let (server, config, good) = with_good_un_copy(&data, cache.path()).await;
    // A newer file that arrives cut off: it must not replace the good one.
    let mut newer = good.clone();
    newer.extend_from_slice(b"\n<!-- republished -->\n");
    let newer_path = cache.path().join("newer.xml");
    std::fs::write(&newer_path, &newer).unwrap();
    server.script(UN_PATH, vec![Reply::Truncated(newer_path)]);
    let o = run_once(&config, &options()).await;
    let (e, _) = fetch_error(&o);
    match e {
        FetchError::Truncated { expected, got, .. } => {
            assert_eq!(*expected, newer.len() as u64);
            assert!(got < expected, "{e}");
        }
        other => panic!("expected a truncation, got {other}"),
    }
    assert_last_good_kept(&config, &o, &good);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stalled_server_times_out_and_the_last_good_copy_is_kept() {
    let Some(data) = data() else { return };
    let cache = tempfile::tempdir().unwrap();
    let (server, config, good) = with_good_un_copy(&data, cache.path()).await;
    server.script(
        UN_PATH,
        vec![Reply::Slow(
            Duration::from_secs(5),
            Box::new(Reply::Status(500)),
        )],
    );
    let quick = UpdateOptions {
        timeout: Duration::from_millis(300),
        retries: 1,
        ..options()
    };
    let started = Instant::now();
    let o = run_once(&config, &quick).await;
    let (e, attempts) = fetch_error(&o);
    assert!(matches!(e, FetchError::Timeout { .. }), "{e}");
    assert_eq!(attempts, 2, "a timeout may heal: retried");
    assert!(started.elapsed() < Duration::from_secs(3));
    assert_last_good_kept(&config, &o, &good);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_oversized_file_is_refused_without_being_read() {
    let cache = tempfile::tempdir().unwrap();
    let server = ListServer::start().await;
    let config = un_config(cache.path(), &server);
    let small = UpdateOptions {
        max_bytes: 1 << 20,
        ..options()
    };

    // Announced too large: refused from the header alone.
    server.script(UN_PATH, vec![Reply::Announces(10 << 30)]);
    let o = run_once(&config, &small).await;
    let (e, attempts) = fetch_error(&o);
    assert!(
        matches!(e, FetchError::Declared { declared, limit, .. } if *declared == 10 << 30 && *limit == 1 << 20),
        "{e}"
    );
    assert_eq!(attempts, 1, "a file over the limit is not retried");

    // Not announced: stopped once the limit is passed, far short of the whole body.
    server.script(UN_PATH, vec![Reply::Endless]);
    let o = run_once(&config, &small).await;
    let (e, _) = fetch_error(&o);
    assert!(matches!(e, FetchError::TooLarge { .. }), "{e}");
    // Give the server a moment to notice the hang-up, then check how much it sent.
    tokio::time::sleep(Duration::from_millis(200)).await;
    let sent = server.script.endless_sent.load(Ordering::Relaxed);
    assert!(
        sent < 32 << 20,
        "{sent} bytes sent before the client gave up"
    );
    assert!(!o.usable);
    assert!(!config.sources[0].path.exists());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_body_that_is_not_a_valid_list_is_rejected() {
    let Some(data) = data() else { return };
    let cache = tempfile::tempdir().unwrap();
    let (server, config, good) = with_good_un_copy(&data, cache.path()).await;
    let page = b"<html><body><h1>Scheduled maintenance</h1><p>The list will be back soon.</p></body></html>\n";
    server.script(UN_PATH, vec![Reply::Bytes(page.to_vec())]);
    let o = run_once(&config, &options()).await;
    match &o.result {
        UpdateResult::Failed(e @ UpdateError::Invalid { .. }) => {
            let text = e.to_string();
            assert!(text.contains("not a valid un-xml list"), "{text}");
        }
        other => panic!("expected the loader to reject the page, got {other:?}"),
    }
    assert_last_good_kept(&config, &o, &good);

    // Too short to be a list at all: refused before the loader.
    server.script(UN_PATH, vec![Reply::Bytes(b"<ok/>".to_vec())]);
    let o = run_once(&config, &options()).await;
    let (e, _) = fetch_error(&o);
    assert!(matches!(e, FetchError::TooSmall { bytes: 5, .. }), "{e}");
    assert_last_good_kept(&config, &o, &good);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_ofac_folder_is_replaced_whole_or_not_at_all() {
    let Some(data) = data() else { return };
    let cache = tempfile::tempdir().unwrap();
    let server = ListServer::start().await;
    let names = [
        "cons_prim.csv",
        "cons_add.csv",
        "cons_alt.csv",
        "cons_comments.csv",
    ];
    let source_dir = data.join("ofac-consolidated-2025");
    let mut urls = String::new();
    for n in names {
        let path = format!("/exports/{}", n.to_uppercase());
        server.script(&path, vec![Reply::File(source_dir.join(n))]);
        urls.push_str(&format!("{n:?} = {:?}\n", server.url(&path)));
    }
    let config = config(
        cache.path(),
        &format!(
            "[[source]]\ndataset = \"us_ofac_cons\"\nformat = \"ofac-csv\"\n[source.urls]\n{urls}"
        ),
    );
    let o = run_once(&config, &options()).await;
    assert!(matches!(o.result, UpdateResult::Updated), "{o:?}");
    let folder = &config.sources[0].path;
    for n in names {
        assert!(
            std::fs::read(folder.join(n)).unwrap() == std::fs::read(source_dir.join(n)).unwrap()
        );
    }
    let first = clearance::engine::lists::load(
        clearance::engine::lists::ListFormat::OfacCsv,
        "us_ofac_cons",
        folder,
        &Default::default(),
    )
    .unwrap();

    // A new publication whose alt file fails to arrive: nothing of it is used.
    let prim = std::fs::read_to_string(source_dir.join("cons_prim.csv")).unwrap();
    // The next publication renames the first entry (a quoted "LAST, First" name).
    let renamed = prim.replacen(
        "\"HANIYA, Ismail Abdul Salah\"",
        "\"HANIYEH, Ismail Abdul Salah\"",
        1,
    );
    assert_ne!(renamed, prim);
    let newer = cache.path().join("cons_prim_newer.csv");
    std::fs::write(&newer, &renamed).unwrap();
    server.script("/exports/CONS_PRIM.CSV", vec![Reply::File(newer.clone())]);
    server.script("/exports/CONS_ALT.CSV", vec![Reply::Status(403)]);
    let o = run_once(&config, &options()).await;
    assert!(matches!(o.result, UpdateResult::Failed(_)), "{o:?}");
    assert!(o.usable);
    assert_eq!(
        std::fs::read_to_string(folder.join("cons_prim.csv")).unwrap(),
        prim
    );

    // Once it does arrive, the new primary file and the unchanged others go in together.
    server.script(
        "/exports/CONS_ALT.CSV",
        vec![Reply::File(source_dir.join("cons_alt.csv"))],
    );
    let o = run_once(&config, &options()).await;
    assert!(matches!(o.result, UpdateResult::Updated), "{o:?}");
    assert_eq!(
        std::fs::read_to_string(folder.join("cons_prim.csv")).unwrap(),
        renamed
    );
    let seen = server.seen("/exports/CONS_ADD.CSV");
    assert!(
        seen.last().unwrap().if_none_match.is_some(),
        "unchanged files are asked for conditionally"
    );
    let second = clearance::engine::lists::load(
        clearance::engine::lists::ListFormat::OfacCsv,
        "us_ofac_cons",
        folder,
        &Default::default(),
    )
    .unwrap();
    assert_eq!(second.entities.len(), first.entities.len());
    let name = |l: &clearance::engine::model::LoadedList| l.entities[0].primary_name().to_string();
    assert_eq!(
        (name(&first).as_str(), name(&second).as_str()),
        ("HANIYA, Ismail Abdul Salah", "HANIYEH, Ismail Abdul Salah")
    );
    assert_eq!(o.files.len(), 4);
}

/// A serve config whose one list is downloaded from `url`, retried every second.
fn serve_config(cache: &Path, url: &str, sample: bool) -> Config {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let sample = if sample {
        format!(
            "sample_data = {:?}\n",
            root.join("data/sample-list.jsonl").display().to_string()
        )
    } else {
        String::new()
    };
    config(
        cache,
        &format!(
            "retry_seconds = 1\nretries = 0\ntimeout_seconds = 5\nconnect_timeout_seconds = 1\n\
             {sample}[[source]]\ndataset = \"un_sc_sanctions\"\nformat = \"un-xml\"\n\
             url = {url:?}\n"
        ),
    )
}

async fn status(server: &Running) -> proto::StatusResponse {
    server
        .screening()
        .await
        .status(proto::StatusRequest {})
        .await
        .unwrap()
        .into_inner()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn serve_with_the_publisher_down_and_no_copy_stays_up_but_unready() {
    let cache = tempfile::tempdir().unwrap();
    // A port nothing listens on.
    let down = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/consolidated.xml", down.local_addr().unwrap());
    drop(down);
    let mut server = Running::spawn(
        serve_config(cache.path(), &url, false),
        ReloadTriggers::default(),
    )
    .await;
    // Two rounds at least: the first one, and a retry a second later.
    let mut s = status(&server).await;
    for _ in 0..200 {
        let metrics = server.metrics().await;
        let failed = sample(
            &metrics,
            "clearance_source_updates_total",
            &[("dataset", "un_sc_sanctions"), ("result", "failed")],
        );
        if failed.unwrap_or(0.0) >= 2.0 {
            s = status(&server).await;
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(s.snapshot_version, "", "no snapshot without the list");
    assert!(!s.sample_data);
    let u = &s.updates[0];
    assert_eq!(
        (u.dataset.as_str(), u.last_result.as_str()),
        ("un_sc_sanctions", "failed")
    );
    assert!(u.last_error.contains(&url), "{}", u.last_error);
    assert_eq!(u.last_success, "");
    assert_eq!(u.files[0].url, url);
    assert_eq!(
        server.health().await,
        tonic_health::pb::health_check_response::ServingStatus::NotServing as i32
    );
    let (code, body) = server.get("/readyz").await;
    assert_eq!(code, 503, "{body}");
    assert!(body.contains("no usable download"), "{body}");
    let metrics = server.metrics().await;
    assert_eq!(sample(&metrics, "clearance_ready", &[]), Some(0.0));
    assert_eq!(
        sample(
            &metrics,
            "clearance_source_update_last_error_info",
            &[("dataset", "un_sc_sanctions")]
        ),
        Some(1.0)
    );
    let screened = server.screening().await.screen(request("r", "Acme")).await;
    assert_eq!(screened.unwrap_err().code(), tonic::Code::Unavailable);
    // Shutting down while waiting for the lists is a clean stop.
    server.begin_stop();
    server.task.await.unwrap().unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn serve_says_it_serves_sample_data_until_the_lists_arrive() {
    let Some(data) = data() else { return };
    let cache = tempfile::tempdir().unwrap();
    let lists = ListServer::start().await;
    lists.script(UN_PATH, vec![Reply::Status(503)]);
    let server = Running::spawn(
        serve_config(cache.path(), &lists.url(UN_PATH), true),
        ReloadTriggers::default(),
    )
    .await;
    server.wait_serving().await;
    let s = status(&server).await;
    assert!(s.sample_data, "{s:?}");
    assert_eq!(s.datasets[0].name, "sample");
    assert_eq!(s.updates[0].last_result, "failed");
    let metrics = server.metrics().await;
    assert_eq!(sample(&metrics, "clearance_sample_data", &[]), Some(1.0));
    let r = server
        .screening()
        .await
        .screen(request("r", "Huawei Technologies Co., Ltd."))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(r.decision, proto::Decision::Deny as i32);
    assert!(r.hits[0].entity_id.starts_with("sample:"), "{r:?}");

    // The publisher comes back: the next round downloads the list and it replaces the
    // sample without a restart.
    lists.script(UN_PATH, vec![Reply::File(un_xml(&data))]);
    let mut s = status(&server).await;
    for _ in 0..600 {
        s = status(&server).await;
        if !s.sample_data {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(
        !s.sample_data,
        "the downloaded list never replaced the sample: {s:?}"
    );
    assert_eq!(s.datasets[0].name, "un_sc_sanctions");
    let u = &s.updates[0];
    assert_eq!(u.last_result, "updated");
    assert_eq!(
        u.files[0].sha256,
        sha256_hex(&std::fs::read(un_xml(&data)).unwrap())
    );
    assert!(!u.last_success.is_empty());
    let metrics = server.metrics().await;
    assert_eq!(sample(&metrics, "clearance_sample_data", &[]), Some(0.0));
    assert_eq!(
        sample(
            &metrics,
            "clearance_reloads_total",
            &[("trigger", "update"), ("result", "swapped")]
        ),
        Some(1.0)
    );
    server.stop().await;
}

/// Runs the `clearance` binary off the async workers (the list server keeps answering).
async fn clearance(args: &[&str]) -> std::process::Output {
    let args: Vec<String> = args.iter().map(|a| a.to_string()).collect();
    tokio::task::spawn_blocking(move || {
        std::process::Command::new(env!("CARGO_BIN_EXE_clearance"))
            .args(&args)
            .output()
            .unwrap()
    })
    .await
    .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_update_command_reports_each_list_and_fails_when_one_has_no_copy() {
    let Some(data) = data() else { return };
    let dir = tempfile::tempdir().unwrap();
    let lists = ListServer::start().await;
    lists.script(UN_PATH, vec![Reply::File(un_xml(&data))]);
    let config_path = dir.path().join("clearance.toml");
    let un = format!(
        "[update]\ncache_dir = \"cache\"\nretries = 0\n\
         [[source]]\ndataset = \"un_sc_sanctions\"\nformat = \"un-xml\"\nurl = {:?}\n",
        lists.url(UN_PATH)
    );
    std::fs::write(&config_path, &un).unwrap();
    let config = config_path.to_str().unwrap();

    let out = clearance(&["update", "--config", config]).await;
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let original = std::fs::read(un_xml(&data)).unwrap();
    let want = format!(
        "un_sc_sanctions: updated: consolidated.xml sha256:{} ({} bytes)",
        sha256_hex(&original),
        original.len()
    );
    assert_eq!(stdout.trim(), want);
    assert!(dir
        .path()
        .join("cache/un_sc_sanctions/consolidated.xml")
        .is_file());

    // A second list whose publisher answers 404: reported, and the run fails because that
    // list has no copy; the first one is unchanged.
    let csl = format!(
        "{un}[[source]]\ndataset = \"us_trade_csl\"\nformat = \"trade-csl\"\nurl = {:?}\n",
        lists.url("/v1/consolidated.csv")
    );
    std::fs::write(&config_path, csl).unwrap();
    let out = clearance(&["update", "--config", config]).await;
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{stdout}");
    let lines: Vec<&str> = stdout.lines().collect();
    assert!(
        lines[0].starts_with("un_sc_sanctions: not modified: consolidated.xml"),
        "{stdout}"
    );
    assert!(
        lines[1].starts_with("us_trade_csl: failed: consolidated.csv: ")
            && lines[1].contains("HTTP 404")
            && lines[1].ends_with("no usable copy"),
        "{stdout}"
    );
}
