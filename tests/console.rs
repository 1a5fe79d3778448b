//! The reviewer's console over real HTTP, against servers loading the real shared lists (plus
//! the FtM ownership fixture and a one-entry list written here whose name holds `<script>`):
//! - open mode: screening "Huawei Cloud Singapore Pte. Ltd." denies, with the words aligned;
//!   the entity page draws the ownership SVG with percentages and the rules' status on a
//!   date, suspensions included; list data and request values are escaped, with the CSP
//!   sent; bad input gets an error page naming the field; pages stay well under 100 ms;
//! - with callers and monitoring (SQLite in a temp dir): no session is a 303 to sign-in;
//!   sign-in sets a strict cookie; a reviewer resolves an alert through the form (recorded
//!   with the reviewer, in the audit trail too); a POST without the session's CSRF token, or
//!   from a caller without the reviewer role, is refused with 403;
//! - in a real browser (`console/browser.rs`: Chromium through WebDriver, when
//!   `CLEARANCE_TEST_WEBDRIVER` names a driver, `.ci/chromium.sh`): the same journeys by
//!   keyboard and mouse, with a screenshot of each page saved under
//!   `target/console-screenshots/`.
//!
//! Each server is started once per test process on a runtime of its own and shared by the
//! tests that use it: loading the shared lists takes seconds.

#[path = "console/browser.rs"]
mod browser;
mod common;

use std::path::Path;
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use clearance::service::config::Config;
use clearance::service::proto;
use clearance::service::proto::monitoring_client::MonitoringClient;
use common::Running;
use reqwest::header::{CONTENT_SECURITY_POLICY, COOKIE, LOCATION, SET_COOKIE};
use reqwest::StatusCode;

const SCRIPT_NAME: &str = "<script>alert(1)</script> Zyxwv Quillon Trading";
/// 75% owned by the fixture's sanctioned Zakharov from 2020-01-10 to 2022-11-22.
const SPS: &str = "zala:NK-9Xa4Kg7Y7nfccE7VcZt6Q6";

struct Server {
    /// `http://host:port` of the HTTP listener.
    http: String,
    /// `http://host:port` of Screening and Monitoring.
    public: String,
    dir: tempfile::TempDir,
}

/// The shared-data config, with `extra` sources and sections written after it.
fn config(dir: &Path, extra: &str) -> Option<Config> {
    let data = clearance::testing::shared_data()?;
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let shared = std::fs::read_to_string(root.join("config/shared-data.toml"))
        .unwrap()
        .replace("../../shared/data", &data.display().to_string());
    std::fs::write(
        dir.join("own.jsonl"),
        serde_json::json!({"id": "x1", "name": SCRIPT_NAME, "kind": "organization",
                           "programs": ["<b>own</b> list"]})
        .to_string()
            + "\n",
    )
    .unwrap();
    let text = format!(
        "{shared}\n\
         [[source]]\ndataset = \"zala\"\nformat = \"ftm\"\npath = \"{}\"\n\
         [[source]]\ndataset = \"own_list\"\nformat = \"native\"\npath = \"own.jsonl\"\n\
         [[policy.ownership]]\nname = \"fixture_50_percent\"\n\
         citation = \"OFAC 50 Percent Rule, applied to the fixture's sanctioned parties\"\n\
         owners = [{{ dataset = \"zala\" }}]\n\
         [[policy.ownership]]\nname = \"fixture_suspended\"\ncitation = \"a suspended copy\"\n\
         owners = [{{ dataset = \"zala\" }}]\n\
         suspended = [{{ from = 2021-01-01, through = 2021-12-31 }}]\n\
         {extra}",
        data.join("ftm-fixtures/zala.ftm.json").display()
    );
    let path = dir.join("clearance.toml");
    std::fs::write(&path, text).unwrap();
    Some(Config::from_file(&path).unwrap())
}

/// Starts a server on a runtime (and thread) of its own that lives as long as the process.
fn start(extra: &str) -> Option<Server> {
    let dir = tempfile::tempdir().unwrap();
    let config = config(dir.path(), extra)?;
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap();
        rt.block_on(async move {
            let running = Running::spawn(config, Default::default()).await;
            running.wait_serving().await;
            tx.send((format!("http://{}", running.http), running.public.clone()))
                .unwrap();
            // `running` holds the server's stop signal: keep it for the process's life.
            std::future::pending::<()>().await;
            drop(running);
        });
    });
    let (http, public) = rx.recv().unwrap();
    Some(Server { http, public, dir })
}

/// The open-mode server (no callers, no monitoring).
fn open() -> Option<&'static Server> {
    static OPEN: OnceLock<Option<Server>> = OnceLock::new();
    OPEN.get_or_init(|| start("")).as_ref()
}

const REVIEWER_TOKEN: &str = "rita-token-7c1f";
const SCREENER_TOKEN: &str = "sam-token-90ad";

/// The server with callers (a reviewer, a screener), monitoring and an audit log.
fn guarded() -> Option<&'static Server> {
    static GUARDED: OnceLock<Option<Server>> = OnceLock::new();
    GUARDED
        .get_or_init(|| {
            let hash = clearance::service::auth::hash_token;
            start(&format!(
                "[monitoring]\ndatabase = \"sqlite://book.db\"\nfollow_poll_ms = 50\n\
                 [audit]\npath = \"audit.jsonl\"\nfsync = \"never\"\n\
                 [[caller]]\nname = \"rita\"\ntoken_sha256 = \"{}\"\nroles = [\"screen\", \"reviewer\"]\n\
                 [[caller]]\nname = \"sam\"\ntoken_sha256 = \"{}\"\nroles = [\"screen\"]\n",
                hash(REVIEWER_TOKEN),
                hash(SCREENER_TOKEN)
            ))
        })
        .as_ref()
}

fn client() -> reqwest::Client {
    let _ = rustls::crypto::ring::default_provider().install_default();
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(Duration::from_secs(60))
        .build()
        .unwrap()
}

struct Page {
    status: StatusCode,
    headers: reqwest::header::HeaderMap,
    body: String,
    took: Duration,
}

/// Sends `r` (with the session cookie, if any) and reads the whole answer, timed.
async fn fetch(mut r: reqwest::RequestBuilder, cookie: Option<&str>) -> Page {
    if let Some(k) = cookie {
        r = r.header(COOKIE, k);
    }
    let started = Instant::now();
    let resp = r.send().await.unwrap();
    let (status, headers) = (resp.status(), resp.headers().clone());
    let body = resp.text().await.unwrap();
    Page {
        status,
        headers,
        body,
        took: started.elapsed(),
    }
}

async fn get(c: &reqwest::Client, url: &str, cookie: Option<&str>) -> Page {
    fetch(c.get(url), cookie).await
}

async fn post(c: &reqwest::Client, url: &str, cookie: Option<&str>, form: &[(&str, &str)]) -> Page {
    let body = form_urlencoded::Serializer::new(String::new())
        .extend_pairs(form)
        .finish();
    let r = c
        .post(url)
        .header("content-type", "application/x-www-form-urlencoded")
        .body(body);
    fetch(r, cookie).await
}

/// Imports one party into the book as the reviewer caller; the import's summary.
async fn import_as_reviewer(s: &Server, reference: &str, name: &str) -> proto::ImportSummary {
    let mut request = tonic::Request::new(tokio_stream::iter(vec![proto::UpsertRequest {
        party: Some(proto::Party {
            name: name.into(),
            r#ref: reference.into(),
            ..proto::Party::default()
        }),
    }]));
    request.metadata_mut().insert(
        "authorization",
        format!("Bearer {REVIEWER_TOKEN}").parse().unwrap(),
    );
    MonitoringClient::new(Running::channel(&s.public).await)
        .import(request)
        .await
        .unwrap()
        .into_inner()
}

/// `key=value` of the response's session cookie.
fn session_cookie(p: &Page) -> String {
    let set = p
        .headers
        .get_all(SET_COOKIE)
        .iter()
        .map(|v| v.to_str().unwrap().to_string())
        .find(|v| v.starts_with("clearance_session="))
        .unwrap_or_else(|| panic!("no session cookie: {:?}", p.headers));
    set.split(';').next().unwrap().to_string()
}

/// The value of the first `<input name="NAME" value="...">` of a page.
fn input_value(body: &str, name: &str) -> String {
    let at = body
        .find(&format!("name=\"{name}\" value=\""))
        .unwrap_or_else(|| panic!("no input {name} in {body}"));
    let rest = &body[at + name.len() + 15..];
    rest[..rest.find('"').unwrap()].to_string()
}

fn q(text: &str) -> String {
    form_urlencoded::byte_serialize(text.as_bytes()).collect()
}

#[tokio::test]
async fn screening_huawei_cloud_denies_with_the_words_aligned() {
    let Some(s) = open() else {
        eprintln!("skipped: no shared data");
        return;
    };
    let c = client();
    let url = format!(
        "{}/ui/screen?name={}&type=organization&country=SG",
        s.http,
        q("Huawei Cloud Singapore Pte. Ltd.")
    );
    let p = get(&c, &url, None).await;
    assert_eq!(p.status, StatusCode::OK, "{}", p.body);
    assert!(
        p.body
            .contains(r#"Decision: <span class="decision deny">DENY</span>"#),
        "{}",
        p.body
    );
    // The hit on the Entity List entry, its words side by side and marked the same.
    assert!(p
        .body
        .contains("/ui/entity/us_trade_csl:08cb0578708554f7cd3d2afcb97a5c07b7c74551"));
    for word in ["huawei", "cloud", "singapore"] {
        let row = format!(
            r#"<tr class="exact"><td><mark>{word}</mark></td><td><mark>{word}</mark></td>"#
        );
        assert!(p.body.contains(&row), "{word} not aligned: {}", p.body);
    }
    assert!(
        p.body.contains("not in the listed name"),
        "ltd is unmatched"
    );
    assert!(p
        .body
        .contains("Entity List (EL) - Bureau of Industry and Security"));
    // Near misses are folded away; the versions that reproduce the decision are shown.
    assert!(p.body.contains(r#"<details class="near">"#));
    assert!(
        p.body.contains("Huawei Cloud Brazil"),
        "a near miss below review"
    );
    assert!(p.body.contains("Snapshot") && p.body.contains("us_ofac_sdn"));
    // The form is filled with what was asked, so the URL is the result.
    assert!(p
        .body
        .contains(r#"value="Huawei Cloud Singapore Pte. Ltd.""#));
    assert!(
        p.body.contains(r#"<option value="organization" selected>"#),
        "{}",
        p.body
    );
}

#[tokio::test]
async fn the_entity_page_draws_the_ownership_svg_with_percentages() {
    let Some(s) = open() else { return };
    let c = client();
    let p = get(
        &c,
        &format!("{}/ui/entity/{SPS}?as_of=2021-06-01", s.http),
        None,
    )
    .await;
    assert_eq!(p.status, StatusCode::OK, "{}", p.body);
    let svg = &p.body[p.body.find("<svg").expect("an svg")..p.body.find("</svg>").unwrap()];
    assert!(svg.contains(">75%<"), "{svg}");
    assert!(svg.contains("Zakharov"), "{svg}");
    assert!(
        svg.contains(r#"class="node blocked""#),
        "the company is blocked: {svg}"
    );
    // Each rule at the date: one in force and blocking, one suspended with no effect.
    assert!(
        p.body
            .contains("fixture_50_percent</strong>: blocked — in force"),
        "{}",
        p.body
    );
    assert!(
        p.body.contains(
            "rule suspended from 2021-01-01 through 2021-12-31, no effect on the decision"
        ),
        "{}",
        p.body
    );
    // After the holding ended, the record is drawn dashed and labelled so.
    let later = get(
        &c,
        &format!("{}/ui/entity/{SPS}?as_of=2026-11-29", s.http),
        None,
    )
    .await;
    assert!(
        later.body.contains("75% (ended 2022-11-22)"),
        "{}",
        later.body
    );
    assert!(later.body.contains(r#"class="edge ended""#));
    // Every name and identifier of an entry is on its page.
    let huawei = get(
        &c,
        &format!(
            "{}/ui/entity/us_trade_csl:08cb0578708554f7cd3d2afcb97a5c07b7c74551",
            s.http
        ),
        None,
    )
    .await;
    assert_eq!(huawei.status, StatusCode::OK);
    assert!(huawei.body.contains("Huawei Cloud Singapore") && huawei.body.contains("Programs"));
}

#[tokio::test]
async fn list_names_and_request_values_are_shown_as_text_under_a_strict_csp() {
    let Some(s) = open() else { return };
    let c = client();
    let p = get(
        &c,
        &format!("{}/ui/screen?name={}", s.http, q(SCRIPT_NAME)),
        None,
    )
    .await;
    assert_eq!(p.status, StatusCode::OK, "{}", p.body);
    let csp = p.headers[CONTENT_SECURITY_POLICY].to_str().unwrap();
    assert!(
        csp.contains("default-src 'none'") && !csp.contains("script-src"),
        "{csp}"
    );
    assert_eq!(p.headers["x-content-type-options"], "nosniff");
    assert!(p
        .body
        .contains("&lt;script&gt;alert(1)&lt;/script&gt; Zyxwv Quillon Trading"));
    assert!(
        p.body.contains("&lt;b&gt;own&lt;/b&gt; list"),
        "programs escaped"
    );
    assert!(!p.body.contains("<script"), "{}", p.body);
    assert!(!p.body.contains("<b>"), "{}", p.body);
    // The entry's own page too.
    let e = get(&c, &format!("{}/ui/entity/own_list:x1", s.http), None).await;
    assert_eq!(e.status, StatusCode::OK);
    assert!(e
        .body
        .contains("<h1>&lt;script&gt;alert(1)&lt;/script&gt; Zyxwv Quillon Trading</h1>"));
    assert!(!e.body.contains("<script"));
    // The stylesheet is the one resource, served from here.
    let css = get(&c, &format!("{}/ui/static/console.css", s.http), None).await;
    assert_eq!(css.status, StatusCode::OK);
    assert!(css.headers["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/css"));
}

#[tokio::test]
async fn bad_input_gets_an_error_page_naming_the_field() {
    let Some(s) = open() else { return };
    let c = client();
    for (path, status, says) in [
        (
            "/ui/screen?name=Acme&as_of=31.12.2025",
            400,
            "as_of (as-of date):",
        ),
        (
            "/ui/screen?name=Acme&dob=someday",
            400,
            "dob (date of birth):",
        ),
        (
            "/ui/screen?name=Acme&country=Atlantis",
            400,
            "country: unknown country",
        ),
        ("/ui/screen?name=Acme&type=ship", 400, "type:"),
        (
            "/ui/screen?name=&country=DE",
            400,
            "name: must not be empty",
        ),
        (
            "/ui/entity/us_ofac_sdn:0?as_of=2026-01-01",
            404,
            "no entity",
        ),
        ("/ui/entity/us_ofac_sdn:18299?as_of=tomorrow", 400, "as_of:"),
        ("/ui/nowhere", 404, "no console page at /ui/nowhere"),
    ] {
        let p = get(&c, &format!("{}{path}", s.http), None).await;
        assert_eq!(p.status.as_u16(), status, "{path}: {}", p.body);
        assert!(p.body.contains(says), "{path}: {}", p.body);
        assert!(p.headers.contains_key(CONTENT_SECURITY_POLICY), "{path}");
    }
    // Without monitoring, its pages say so.
    let a = get(&c, &format!("{}/ui/alerts", s.http), None).await;
    assert_eq!(a.status, StatusCode::SERVICE_UNAVAILABLE);
    assert!(a.body.contains("no [monitoring] section"), "{}", a.body);
}

#[tokio::test]
async fn the_status_page_shows_each_dataset_and_marks_stale_lists() {
    let Some(s) = open() else { return };
    let c = client();
    let p = get(&c, &format!("{}/ui/status", s.http), None).await;
    assert_eq!(p.status, StatusCode::OK);
    for d in [
        "us_ofac_sdn",
        "us_trade_csl",
        "un_sc_sanctions",
        "zala",
        "own_list",
    ] {
        assert!(
            p.body.contains(&format!("<th scope=\"row\">{d}</th>")),
            "{d}: {}",
            p.body
        );
    }
    // The UN list of February 2026 is months old; OFAC's CSV files state no date.
    assert!(
        p.body.contains(
            r#"<tr class="stale"><th scope="row">un_sc_sanctions</th><td class="num">1003</td>"#
        ),
        "{}",
        p.body
    );
    assert!(p.body.contains("2026-02-27"));
    assert!(p.body.contains("STALE"));
    assert!(
        p.body.contains(
            r#"<tr class="unknown"><th scope="row">us_ofac_sdn</th><td class="num">8976</td>"#
        ),
        "{}",
        p.body
    );
    assert!(p
        .body
        .contains("Not configured: the server has no [monitoring] section."));
}

#[tokio::test]
async fn every_page_renders_well_under_100_ms() {
    let Some(s) = open() else { return };
    let c = client();
    let pages = [
        "/ui/screen".to_string(),
        format!("/ui/screen?name={}", q("Huawei Cloud Singapore Pte. Ltd.")),
        format!("/ui/screen?name={}&type=person&dob=1962", q("Viktor Bout")),
        format!("/ui/entity/{SPS}?as_of=2021-06-01"),
        "/ui/entity/us_ofac_sdn:18299".into(),
        "/ui/status".into(),
    ];
    let mut report = Vec::new();
    for path in &pages {
        // The first request of a date evaluates the ownership rules on it; time the next.
        let cold = get(&c, &format!("{}{path}", s.http), None).await.took;
        let mut best = Duration::MAX;
        for _ in 0..3 {
            let p = get(&c, &format!("{}{path}", s.http), None).await;
            assert_eq!(p.status, StatusCode::OK, "{path}");
            best = best.min(p.took);
        }
        report.push(format!(
            "{path}: {:.1} ms (first request {:.1} ms)",
            best.as_secs_f64() * 1e3,
            cold.as_secs_f64() * 1e3
        ));
        assert!(best < Duration::from_millis(100), "{path} took {best:?}");
    }
    eprintln!(
        "console page times (best of 3, over loopback):\n  {}",
        report.join("\n  ")
    );
}

#[tokio::test]
async fn without_a_session_the_console_redirects_to_sign_in() {
    let Some(s) = guarded() else { return };
    let c = client();
    for path in [
        "/ui/screen?name=Acme",
        "/ui/alerts",
        "/ui/status",
        "/ui/entity/us_ofac_sdn:18299",
    ] {
        let p = get(&c, &format!("{}{path}", s.http), None).await;
        assert_eq!(p.status, StatusCode::SEE_OTHER, "{path}");
        let to = p.headers[LOCATION].to_str().unwrap();
        assert!(to.starts_with("/ui/login?next=%2Fui%2F"), "{path}: {to}");
    }
    // A made-up session is none.
    let p = get(
        &c,
        &format!("{}/ui/alerts", s.http),
        Some("clearance_session=00ff"),
    )
    .await;
    assert_eq!(p.status, StatusCode::SEE_OTHER);
    // A wrong token does not sign in.
    let p = post(
        &c,
        &format!("{}/ui/login", s.http),
        None,
        &[("token", "guess")],
    )
    .await;
    assert_eq!(p.status, StatusCode::UNAUTHORIZED, "{}", p.body);
    assert!(p.body.contains("unknown bearer token"));
    assert!(!p.headers.contains_key(SET_COOKIE));
    // A sign-in posted from another site is refused.
    let forged = c
        .post(format!("{}/ui/login", s.http))
        .header("origin", "https://evil.example")
        .header("content-type", "application/x-www-form-urlencoded")
        .body(format!("token={REVIEWER_TOKEN}"))
        .send()
        .await
        .unwrap();
    assert_eq!(forged.status(), StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn a_signed_in_reviewer_resolves_an_alert_and_csrf_is_enforced() {
    let Some(s) = guarded() else { return };
    // An alert to resolve: the book's first screening of a listed name.
    let summary = import_as_reviewer(s, "bnc", "Banco Nacional de Cuba").await;
    assert_eq!(summary.alerts, 1, "{summary:?}");

    let c = client();
    let login = post(
        &c,
        &format!("{}/ui/login", s.http),
        None,
        &[("token", REVIEWER_TOKEN), ("next", "/ui/alerts")],
    )
    .await;
    assert_eq!(login.status, StatusCode::SEE_OTHER, "{}", login.body);
    assert_eq!(login.headers[LOCATION], "/ui/alerts");
    let set = login.headers[SET_COOKIE].to_str().unwrap();
    for part in ["HttpOnly", "SameSite=Strict", "Path=/ui", "Max-Age=28800"] {
        assert!(set.contains(part), "{set}");
    }
    assert!(!set.contains("Secure"), "plain HTTP: {set}");
    let rita = session_cookie(&login);

    let queue = get(
        &c,
        &format!("{}/ui/alerts?kind=new_hit", s.http),
        Some(&rita),
    )
    .await;
    assert_eq!(queue.status, StatusCode::OK, "{}", queue.body);
    assert!(queue.body.contains("signed in as rita"));
    assert!(
        queue.body.contains(r#"href="/ui/party/bnc""#),
        "{}",
        queue.body
    );
    // (the browser test adds alerts of its own to this server's book)
    assert!(queue.body.contains("new_hit</a>: "), "{}", queue.body);

    let party = get(&c, &format!("{}/ui/party/bnc", s.http), Some(&rita)).await;
    assert_eq!(party.status, StatusCode::OK, "{}", party.body);
    eprintln!(
        "/ui/alerts: {:.1} ms, /ui/party/bnc: {:.1} ms (first requests)",
        queue.took.as_secs_f64() * 1e3,
        party.took.as_secs_f64() * 1e3
    );
    assert!(queue.took < Duration::from_millis(100) && party.took < Duration::from_millis(100));
    let csrf = input_value(&party.body, "csrf");
    let alert = input_value(&party.body, "alert_id");
    let resolve = format!("{}/ui/resolve", s.http);
    let verdict = |csrf: Option<&str>| {
        let mut form = vec![
            ("alert_id", alert.clone()),
            ("disposition", "false_positive".to_string()),
            ("note", "another bank <b>".to_string()),
        ];
        if let Some(t) = csrf {
            form.push(("csrf", t.to_string()));
        }
        form
    };
    let send = |cookie: &str, form: Vec<(&'static str, String)>| {
        let (c, resolve, cookie) = (c.clone(), resolve.clone(), cookie.to_string());
        async move {
            let pairs: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
            post(&c, &resolve, Some(&cookie), &pairs).await
        }
    };

    // Without the token, or with another one: refused.
    let p = send(&rita, verdict(None)).await;
    assert_eq!(p.status, StatusCode::FORBIDDEN, "{}", p.body);
    assert!(p.body.contains("CSRF token"), "{}", p.body);
    let p = send(&rita, verdict(Some("0123456789abcdef"))).await;
    assert_eq!(p.status, StatusCode::FORBIDDEN);
    // A screener, with the token of its own session, lacks the role.
    let sam_login = post(
        &c,
        &format!("{}/ui/login", s.http),
        None,
        &[("token", SCREENER_TOKEN)],
    )
    .await;
    let sam = session_cookie(&sam_login);
    let sam_party = get(&c, &format!("{}/ui/party/bnc", s.http), Some(&sam)).await;
    assert!(sam_party
        .body
        .contains("Resolving needs the reviewer or admin role."));
    let sam_csrf = input_value(&sam_party.body, "csrf");
    assert_ne!(sam_csrf, csrf);
    let p = send(&sam, verdict(Some(&sam_csrf))).await;
    assert_eq!(p.status, StatusCode::FORBIDDEN, "{}", p.body);
    assert!(
        p.body.contains("does not have the reviewer role"),
        "{}",
        p.body
    );
    // Rita's token in Sam's session is not his.
    let p = send(&sam, verdict(Some(&csrf))).await;
    assert_eq!(p.status, StatusCode::FORBIDDEN);
    // Without any session: sign in first.
    let p = post(&c, &resolve, None, &[("alert_id", &alert)]).await;
    assert_eq!(p.status, StatusCode::SEE_OTHER);

    // The reviewer's own token: resolved, and the party's history names her.
    let p = send(&rita, verdict(Some(&csrf))).await;
    assert_eq!(p.status, StatusCode::SEE_OTHER, "{}", p.body);
    assert_eq!(
        p.headers[LOCATION],
        format!("/ui/party/bnc?resolved={alert}")
    );
    let after = get(
        &c,
        &format!("{}/ui/party/bnc?resolved={alert}", s.http),
        Some(&rita),
    )
    .await;
    assert!(after.body.contains("Open alerts (0)"), "{}", after.body);
    assert!(
        after
            .body
            .contains("<td>false_positive</td><td>rita</td><td>another bank &lt;b&gt;</td>"),
        "{}",
        after.body
    );

    // Screening from the console is audited with the principal, like the verdict.
    let screened = get(
        &c,
        &format!("{}/ui/screen?name={}", s.http, q("Banco Nacional de Cuba")),
        Some(&rita),
    )
    .await;
    assert!(screened.body.contains("DENY"), "{}", screened.body);
    let log = std::fs::read_to_string(s.dir.path().join("audit.jsonl")).unwrap();
    let records: Vec<serde_json::Value> = log
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert!(
        records.iter().any(|r| r["method"] == "Console"
            && r["caller"]["principal"] == "rita"
            && r["request"]["party"]["name"] == "Banco Nacional de Cuba"),
        "{log}"
    );
    assert!(
        records.iter().any(|r| r["method"] == "ConsoleResolve"
            && r["caller"]["principal"] == "rita"
            && r["verdict"]["alert_id"] == alert.as_str()),
        "{log}"
    );

    // Signing out ends the session on the server.
    let logout = post(
        &c,
        &format!("{}/ui/logout", s.http),
        Some(&rita),
        &[("csrf", &csrf)],
    )
    .await;
    assert_eq!(logout.status, StatusCode::SEE_OTHER, "{}", logout.body);
    let gone = get(&c, &format!("{}/ui/alerts", s.http), Some(&rita)).await;
    assert_eq!(gone.status, StatusCode::SEE_OTHER);
}
