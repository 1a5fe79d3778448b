//! The console in a real browser: Chromium through ChromeDriver (`.ci/chromium.sh` starts
//! one and exports `CLEARANCE_TEST_WEBDRIVER`), on the servers of `tests/console.rs`, by
//! keyboard and mouse as a reviewer uses it, with a screenshot of each page saved under
//! `target/console-screenshots/`. Without a driver the tests skip, unless
//! `CLEARANCE_REQUIRE_BROWSER` is set (as `.ci/run` sets it).

use std::path::Path;

use clearance::service::proto;
use clearance::service::proto::monitoring_client::MonitoringClient;

use super::common::Running;
use super::webdriver::{self, Browser};
use super::{guarded, open, q, REVIEWER_TOKEN, SCRIPT_NAME, SPS};

/// The WebDriver URL, or `None` (the browser tests skip) unless CI requires the browser.
fn webdriver() -> Option<String> {
    match std::env::var("CLEARANCE_TEST_WEBDRIVER") {
        Ok(url) if !url.is_empty() => Some(url),
        _ if std::env::var_os("CLEARANCE_REQUIRE_BROWSER").is_some() => {
            panic!("CLEARANCE_REQUIRE_BROWSER is set but CLEARANCE_TEST_WEBDRIVER is not (.ci/chromium.sh)")
        }
        _ => {
            eprintln!("skipped: no CLEARANCE_TEST_WEBDRIVER (start one with .ci/chromium.sh)");
            None
        }
    }
}

/// `target/console-screenshots/NAME.png`.
fn shot(name: &str) -> std::path::PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .parent()
        .unwrap()
        .join("console-screenshots");
    std::fs::create_dir_all(&dir).unwrap();
    dir.join(format!("{name}.png"))
}

#[tokio::test]
async fn in_a_browser_screening_entities_escaping_and_a_phone_width() {
    let Some(driver) = webdriver() else { return };
    let Some(s) = open() else { return };
    let b = Browser::start(&driver).await;
    // On a page without a form, the first Tab reaches the skip link.
    b.goto(&format!("{}/ui/status", s.http)).await;
    b.press(webdriver::TAB).await;
    assert_eq!(
        b.script("return document.activeElement.textContent").await,
        "Skip to content"
    );
    // The screening form has the focus in its name field to start with.
    b.goto(&format!("{}/ui/screen", s.http)).await;
    assert_eq!(b.script("return document.activeElement.id").await, "name");
    // Typed and sent with Enter: the result's URL is the query.
    let name = b.find("#name").await;
    b.type_into(&name, "Huawei Cloud Singapore Pte. Ltd.").await;
    b.type_into(&name, webdriver::ENTER).await;
    let url = b.url().await;
    assert!(
        url.contains("/ui/screen?name=Huawei+Cloud+Singapore+Pte.+Ltd."),
        "{url}"
    );
    let verdict = b.find("section.result h2 .decision").await;
    assert_eq!(b.text(&verdict).await, "DENY");
    // The stylesheet applied under the CSP: deny is red, in words too.
    let colour = b
        .script("return getComputedStyle(document.querySelector('.decision.deny')).backgroundColor")
        .await;
    assert_eq!(colour, "rgb(207, 34, 46)");
    let first_pair = b.find("table.aligned tr.exact td mark").await;
    assert_eq!(b.text(&first_pair).await, "huawei");
    b.screenshot(&shot("screen-huawei-cloud")).await;
    b.full_screenshot(&shot("screen-huawei-cloud-full")).await;

    b.goto(&format!("{}/ui/entity/{SPS}?as_of=2021-06-01", s.http))
        .await;
    let label = b
        .script(
            "return [...document.querySelectorAll('svg.graph text.label')].map(t => t.textContent)",
        )
        .await;
    assert!(
        label.as_array().unwrap().iter().any(|t| t == "75%"),
        "{label}"
    );
    b.full_screenshot(&shot("entity-ownership")).await;

    b.goto(&format!("{}/ui/screen?name={}", s.http, q(SCRIPT_NAME)))
        .await;
    assert!(!b.dialog_open().await, "a script ran");
    let hit = b.find("article.hit h3 a").await;
    assert_eq!(b.text(&hit).await, SCRIPT_NAME, "shown as text");
    b.full_screenshot(&shot("script-name-as-text")).await;

    b.goto(&format!("{}/ui/status", s.http)).await;
    b.full_screenshot(&shot("status")).await;

    // At a phone's width nothing runs off the side.
    b.emulate_phone().await;
    b.goto(&format!(
        "{}/ui/screen?name={}",
        s.http,
        q("Huawei Cloud Singapore Pte. Ltd.")
    ))
    .await;
    b.screenshot(&shot("screen-phone")).await;
    let wide = b
        .script(
            "return [...document.querySelectorAll('body *')]\
             .filter(e => e.getBoundingClientRect().right > document.documentElement.clientWidth + 1)\
             .map(e => e.tagName + '.' + e.className + ' ' + Math.round(e.getBoundingClientRect().right))",
        )
        .await;
    assert_eq!(wide, serde_json::json!([]), "wider than a 390 px phone");
    // Nothing wider than the phone, so the browser did not zoom out to fit the page.
    let zoomed = b
        .script("return [...document.querySelectorAll('body *')].filter(e => e.scrollWidth > 390).map(e => e.tagName + '.' + e.className)")
        .await;
    assert_eq!(b.script("return window.innerWidth").await, 390, "{zoomed}");
    b.quit().await;
}

#[tokio::test]
async fn in_a_browser_a_reviewer_signs_in_and_resolves_an_alert() {
    let Some(driver) = webdriver() else { return };
    let Some(s) = guarded() else { return };
    let mut request = tonic::Request::new(tokio_stream::iter(vec![proto::UpsertRequest {
        party: Some(proto::Party {
            name: "Banco Nacional de Cuba".into(),
            r#ref: "browser-1".into(),
            ..proto::Party::default()
        }),
    }]));
    request.metadata_mut().insert(
        "authorization",
        format!("Bearer {REVIEWER_TOKEN}").parse().unwrap(),
    );
    let summary = MonitoringClient::new(Running::channel(&s.public).await)
        .import(request)
        .await
        .unwrap()
        .into_inner();
    assert_eq!(summary.alerts, 1, "{summary:?}");

    let b = Browser::start(&driver).await;
    b.goto(&format!("{}/ui/party/browser-1", s.http)).await;
    // Sent to sign in, and back to the page asked for.
    assert!(b
        .url()
        .await
        .contains("/ui/login?next=%2Fui%2Fparty%2Fbrowser-1"));
    b.full_screenshot(&shot("login")).await;
    let token = b.find("#token").await;
    b.type_into(&token, REVIEWER_TOKEN).await;
    b.type_into(&token, webdriver::ENTER).await;
    assert!(
        b.url().await.ends_with("/ui/party/browser-1"),
        "{}: {}",
        b.url().await,
        b.source().await
    );
    assert!(b.source().await.contains("signed in as rita"));

    // A form whose CSRF token was taken out is refused.
    b.script("document.querySelector('form.resolve input[name=csrf]').remove()")
        .await;
    b.click(&b.find("form.resolve input[value=false_positive]").await)
        .await;
    b.click(&b.find("form.resolve button").await).await;
    let refused = b.source().await;
    assert!(refused.contains("CSRF token is missing"), "{refused}");
    b.full_screenshot(&shot("resolve-without-csrf-refused"))
        .await;

    b.goto(&format!("{}/ui/party/browser-1", s.http)).await;
    b.click(&b.find("form.resolve input[value=false_positive]").await)
        .await;
    let note = b.find("form.resolve textarea").await;
    b.type_into(&note, "another Banco Nacional, registry checked")
        .await;
    b.click(&b.find("form.resolve button").await).await;
    assert!(
        b.url().await.contains("/ui/party/browser-1?resolved="),
        "{}",
        b.url().await
    );
    let page = b.source().await;
    assert!(page.contains("Open alerts (0)"), "{page}");
    assert!(
        page.contains("<td>rita</td><td>another Banco Nacional, registry checked</td>"),
        "{page}"
    );
    b.full_screenshot(&shot("party-resolved")).await;

    b.goto(&format!("{}/ui/alerts?state=all", s.http)).await;
    b.full_screenshot(&shot("alerts")).await;
    b.quit().await;
}
