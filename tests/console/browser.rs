//! The console in a real browser: Chromium through ChromeDriver (`.ci/chromium.sh` starts
//! one and exports `CLEARANCE_TEST_WEBDRIVER`), on the servers of `tests/console.rs`, by
//! keyboard and mouse as a reviewer uses it, with a screenshot of each page saved under
//! `target/console-screenshots/`. Without a driver the tests skip, unless
//! `CLEARANCE_REQUIRE_BROWSER` is set (as `.ci/run` sets it).
//!
//! The browser is driven with `fantoccini`, a W3C WebDriver client: only what it does not
//! give (the browser's options, a key press on whatever has the focus, a screenshot of the
//! whole page) is written here.

use std::path::{Path, PathBuf};

use fantoccini::actions::{InputSource, KeyAction, KeyActions};
use fantoccini::error::CmdError;
use fantoccini::key::Key;
use fantoccini::{Client, ClientBuilder, Locator};
use hyper_util::client::legacy::connect::HttpConnector;
use serde_json::{json, Value};

use super::{guarded, import_as_reviewer, open, q, REVIEWER_TOKEN, SCRIPT_NAME, SPS};

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

/// A window the size of a laptop's, or a phone's page.
#[derive(Clone, Copy, PartialEq)]
enum Screen {
    Desktop,
    /// 390 × 844 CSS pixels at 2 device pixels each, as an iPhone 12–14, with a phone's
    /// viewport rules (a page wider than the screen is zoomed out to fit).
    Phone,
}

/// Starts a headless Chromium through the driver at `driver` (`http://host:port`).
async fn start(driver: &str, screen: Screen) -> anyhow::Result<Client> {
    let mut chrome = json!({
        "binary": "/usr/bin/chromium",
        // No sandbox: CI runs as root, where Chromium's sandbox cannot start.
        "args": ["--headless=new", "--no-sandbox", "--disable-gpu",
                 "--disable-dev-shm-usage", "--window-size=1280,1200"]
    });
    if screen == Screen::Phone {
        // ChromeDriver's own emulation of a phone's screen: a window cannot be made that
        // narrow, and a narrow window would not behave as a phone's viewport does.
        chrome["mobileEmulation"] = json!({"deviceMetrics": {
            "width": 390, "height": 844, "pixelRatio": 2.0, "mobile": true}});
    }
    let mut caps = serde_json::Map::new();
    caps.insert("browserName".into(), json!("chrome"));
    caps.insert("goog:chromeOptions".into(), chrome);
    // ChromeDriver is plain HTTP on 127.0.0.1: a connector without TLS (fantoccini is built
    // without its TLS features).
    let browser = ClientBuilder::new(HttpConnector::new())
        .capabilities(caps)
        .connect(driver)
        .await?;
    Ok(browser)
}

/// Presses `key` on whatever has the focus. A key action, not keys sent to an element:
/// sending them to one would move the focus there first.
async fn press(b: &Client, key: Key) -> Result<(), CmdError> {
    let keys = KeyActions::new("keyboard".into())
        .then(KeyAction::Down { value: key.into() })
        .then(KeyAction::Up { value: key.into() });
    b.perform_actions(keys).await
}

/// Runs `script` in the page (WebDriver's scripts are not the page's: its CSP does not apply
/// to them) and returns its value.
async fn script(b: &Client, script: &str) -> Result<Value, CmdError> {
    b.execute(script, vec![]).await
}

/// Whether a JavaScript dialog (an `alert()`) is open.
async fn dialog_open(b: &Client) -> Result<bool, CmdError> {
    match b.get_alert_text().await {
        Ok(_) => Ok(true),
        Err(e) if e.is_no_such_alert() => Ok(false),
        Err(e) => Err(e),
    }
}

/// `target/console-screenshots/NAME.png`.
fn shot(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .parent()
        .unwrap()
        .join("console-screenshots");
    std::fs::create_dir_all(&dir).unwrap();
    dir.join(format!("{name}.png"))
}

/// The page's source once `arrived` holds of it, or as it stands after 10 s: the page a
/// click posts to may still be loading when the click returns.
async fn source_when(b: &Client, arrived: impl Fn(&str) -> bool) -> Result<String, CmdError> {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    loop {
        let page = b.source().await?;
        if arrived(&page) || std::time::Instant::now() >= deadline {
            return Ok(page);
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
}

/// The page's URL once `arrived` holds of it, or as it stands after 10 s: the navigation a
/// submit starts may still be under way when the key press or click returns.
async fn url_when(b: &Client, arrived: impl Fn(&str) -> bool) -> Result<String, CmdError> {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    loop {
        let url = b.current_url().await?.to_string();
        if arrived(&url) || std::time::Instant::now() >= deadline {
            return Ok(url);
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
}

/// Saves a PNG of the window as `target/console-screenshots/NAME.png`.
async fn screenshot(b: &Client, name: &str) -> anyhow::Result<()> {
    let png = b.screenshot().await?;
    anyhow::ensure!(png.starts_with(b"\x89PNG"), "the screenshot is not a PNG");
    std::fs::write(shot(name), png)?;
    Ok(())
}

/// Saves a PNG of the whole page: the window is made as tall as the document (up to 6000 px)
/// for the shot, then given its size back. WebDriver's screenshot is of the window only.
async fn full_screenshot(b: &Client, name: &str) -> anyhow::Result<()> {
    let (width, height) = b.get_window_size().await?;
    let heights = script(
        b,
        "return [window.outerHeight - window.innerHeight, document.documentElement.scrollHeight]",
    )
    .await?;
    let n = |i: usize| heights[i].as_u64().unwrap_or(0);
    let tall = (n(0) + n(1)).clamp(height, 6000);
    b.set_window_size(width as u32, tall as u32).await?;
    screenshot(b, name).await?;
    b.set_window_size(width as u32, height as u32).await?;
    Ok(())
}

#[tokio::test]
async fn in_a_browser_screening_entities_escaping_and_a_phone_width() -> anyhow::Result<()> {
    let Some(driver) = webdriver() else {
        return Ok(());
    };
    let Some(s) = open() else { return Ok(()) };
    let b = start(&driver, Screen::Desktop).await?;
    // On a page without a form, the first Tab reaches the skip link.
    b.goto(&format!("{}/ui/status", s.http)).await?;
    press(&b, Key::Tab).await?;
    assert_eq!(
        script(&b, "return document.activeElement.textContent").await?,
        "Skip to content"
    );
    // The screening form has the focus in its name field to start with.
    b.goto(&format!("{}/ui/screen", s.http)).await?;
    assert_eq!(
        script(&b, "return document.activeElement.id").await?,
        "name"
    );
    // Typed and sent with Enter: the result's URL is the query.
    let name = b.find(Locator::Css("#name")).await?;
    name.send_keys("Huawei Cloud Singapore Pte. Ltd.").await?;
    name.send_keys(&Key::Enter).await?;
    let want = "/ui/screen?name=Huawei+Cloud+Singapore+Pte.+Ltd.";
    let url = url_when(&b, |u| u.contains(want)).await?;
    assert!(url.contains(want), "{url}");
    let verdict = b.find(Locator::Css("section.result h2 .decision")).await?;
    assert_eq!(verdict.text().await?, "DENY");
    // The stylesheet applied under the CSP: deny is red, in words too.
    let colour = script(
        &b,
        "return getComputedStyle(document.querySelector('.decision.deny')).backgroundColor",
    )
    .await?;
    assert_eq!(colour, "rgb(207, 34, 46)");
    let first_pair = b
        .find(Locator::Css("table.aligned tr.exact td mark"))
        .await?;
    assert_eq!(first_pair.text().await?, "huawei");
    screenshot(&b, "screen-huawei-cloud").await?;
    full_screenshot(&b, "screen-huawei-cloud-full").await?;

    b.goto(&format!("{}/ui/entity/{SPS}?as_of=2021-06-01", s.http))
        .await?;
    let label = script(
        &b,
        "return [...document.querySelectorAll('svg.graph text.label')].map(t => t.textContent)",
    )
    .await?;
    assert!(
        label.as_array().unwrap().iter().any(|t| t == "75%"),
        "{label}"
    );
    full_screenshot(&b, "entity-ownership").await?;

    b.goto(&format!("{}/ui/screen?name={}", s.http, q(SCRIPT_NAME)))
        .await?;
    assert!(!dialog_open(&b).await?, "a script ran");
    let hit = b.find(Locator::Css("article.hit h3 a")).await?;
    assert_eq!(hit.text().await?, SCRIPT_NAME, "shown as text");
    full_screenshot(&b, "script-name-as-text").await?;

    b.goto(&format!("{}/ui/status", s.http)).await?;
    full_screenshot(&b, "status").await?;
    b.close().await?;

    // At a phone's width nothing runs off the side.
    let b = start(&driver, Screen::Phone).await?;
    b.goto(&format!(
        "{}/ui/screen?name={}",
        s.http,
        q("Huawei Cloud Singapore Pte. Ltd.")
    ))
    .await?;
    screenshot(&b, "screen-phone").await?;
    let wide = script(
        &b,
        "return [...document.querySelectorAll('body *')]\
         .filter(e => e.getBoundingClientRect().right > document.documentElement.clientWidth + 1)\
         .map(e => e.tagName + '.' + e.className + ' ' + Math.round(e.getBoundingClientRect().right))",
    )
    .await?;
    assert_eq!(wide, json!([]), "wider than a 390 px phone");
    // Nothing wider than the phone, so the browser did not zoom out to fit the page.
    let zoomed = script(
        &b,
        "return [...document.querySelectorAll('body *')].filter(e => e.scrollWidth > 390).map(e => e.tagName + '.' + e.className)",
    )
    .await?;
    assert_eq!(
        script(&b, "return window.innerWidth").await?,
        390,
        "{zoomed}"
    );
    b.close().await?;
    Ok(())
}

#[tokio::test]
async fn in_a_browser_a_reviewer_signs_in_and_resolves_an_alert() -> anyhow::Result<()> {
    let Some(driver) = webdriver() else {
        return Ok(());
    };
    let Some(s) = guarded() else { return Ok(()) };
    let summary = import_as_reviewer(s, "browser-1", "Banco Nacional de Cuba").await;
    assert_eq!(summary.alerts, 1, "{summary:?}");

    let b = start(&driver, Screen::Desktop).await?;
    b.goto(&format!("{}/ui/party/browser-1", s.http)).await?;
    // Sent to sign in, and back to the page asked for.
    let url = b.current_url().await?;
    assert!(
        url.as_str()
            .contains("/ui/login?next=%2Fui%2Fparty%2Fbrowser-1"),
        "{url}"
    );
    full_screenshot(&b, "login").await?;
    let token = b.find(Locator::Css("#token")).await?;
    token.send_keys(REVIEWER_TOKEN).await?;
    token.send_keys(&Key::Enter).await?;
    let url = url_when(&b, |u| u.ends_with("/ui/party/browser-1")).await?;
    assert!(
        url.ends_with("/ui/party/browser-1"),
        "{url}: {}",
        b.source().await?
    );
    assert!(b.source().await?.contains("signed in as rita"));

    // A form whose CSRF token was taken out is refused.
    script(
        &b,
        "document.querySelector('form.resolve input[name=csrf]').remove()",
    )
    .await?;
    b.find(Locator::Css("form.resolve input[value=false_positive]"))
        .await?
        .click()
        .await?;
    b.find(Locator::Css("form.resolve button"))
        .await?
        .click()
        .await?;
    let refused = source_when(&b, |page| page.contains("CSRF token is missing")).await?;
    assert!(refused.contains("CSRF token is missing"), "{refused}");
    full_screenshot(&b, "resolve-without-csrf-refused").await?;

    b.goto(&format!("{}/ui/party/browser-1", s.http)).await?;
    b.find(Locator::Css("form.resolve input[value=false_positive]"))
        .await?
        .click()
        .await?;
    let note = b.find(Locator::Css("form.resolve textarea")).await?;
    note.send_keys("another Banco Nacional, registry checked")
        .await?;
    b.find(Locator::Css("form.resolve button"))
        .await?
        .click()
        .await?;
    let want = "/ui/party/browser-1?resolved=";
    let url = url_when(&b, |u| u.contains(want)).await?;
    assert!(url.contains(want), "{url}");
    let page = b.source().await?;
    assert!(page.contains("Open alerts (0)"), "{page}");
    assert!(
        page.contains("<td>rita</td><td>another Banco Nacional, registry checked</td>"),
        "{page}"
    );
    full_screenshot(&b, "party-resolved").await?;

    b.goto(&format!("{}/ui/alerts?state=all", s.http)).await?;
    full_screenshot(&b, "alerts").await?;
    b.close().await?;
    Ok(())
}
