//! A minimal W3C WebDriver client over HTTP (reqwest and JSON), for the console's browser
//! test: enough to open pages, fill and submit forms, run a script, resize the window and
//! take screenshots. ChromeDriver speaks it (`.ci/chromium.sh` starts one).

use std::time::Duration;

use base64::Engine as _;
use serde_json::{json, Value};

/// The key WebDriver sends for Enter and Tab.
pub const ENTER: &str = "\u{E007}";
pub const TAB: &str = "\u{E004}";
/// The JSON key holding an element reference (W3C WebDriver, "Elements").
const ELEMENT: &str = "element-6066-11e4-a52e-4f735466cecf";

pub struct Browser {
    http: reqwest::Client,
    /// `{driver}/session/{id}`.
    session: String,
}

/// An element of the current page.
pub struct Element(String);

/// Sends a request with a JSON body (reqwest is built here without its `json` feature) and
/// reads the JSON answer.
async fn send(r: reqwest::RequestBuilder, body: Option<Value>) -> Value {
    let r = match body {
        Some(b) => r
            .header("content-type", "application/json")
            .body(b.to_string()),
        None => r,
    };
    let text = r.send().await.unwrap().text().await.unwrap();
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("WebDriver answered {text:?}: {e}"))
}

impl Browser {
    /// Starts a headless Chromium through the driver at `driver` (`http://host:port`).
    pub async fn start(driver: &str) -> Browser {
        // reqwest is built without a TLS provider of its own (WebDriver is plain HTTP here,
        // but the client is made with TLS support all the same).
        let _ = rustls::crypto::ring::default_provider().install_default();
        let http = reqwest::Client::builder()
            .timeout(Duration::from_secs(60))
            .build()
            .unwrap();
        let caps = json!({"capabilities": {"alwaysMatch": {
            "browserName": "chrome",
            "goog:chromeOptions": {
                "binary": "/usr/bin/chromium",
                // No sandbox: CI runs as root, where Chromium's sandbox cannot start.
                "args": ["--headless=new", "--no-sandbox", "--disable-gpu",
                         "--disable-dev-shm-usage", "--window-size=1280,1200"]
            }
        }}});
        let r = send(http.post(format!("{driver}/session")), Some(caps)).await;
        let id = r["value"]["sessionId"]
            .as_str()
            .unwrap_or_else(|| panic!("no WebDriver session: {r}"));
        Browser {
            http,
            session: format!("{driver}/session/{id}"),
        }
    }

    async fn call(&self, method: reqwest::Method, path: &str, body: Option<Value>) -> Value {
        let r = self.http.request(method, format!("{}{path}", self.session));
        send(r, body).await["value"].clone()
    }

    async fn ok(&self, method: reqwest::Method, path: &str, body: Value) -> Value {
        let v = self.call(method, path, Some(body)).await;
        assert!(v.get("error").is_none(), "WebDriver {path}: {v}");
        v
    }

    pub async fn goto(&self, url: &str) {
        self.ok(reqwest::Method::POST, "/url", json!({ "url": url }))
            .await;
    }

    pub async fn url(&self) -> String {
        self.call(reqwest::Method::GET, "/url", None)
            .await
            .as_str()
            .unwrap_or_default()
            .to_string()
    }

    pub async fn source(&self) -> String {
        self.call(reqwest::Method::GET, "/source", None)
            .await
            .as_str()
            .unwrap_or_default()
            .to_string()
    }

    /// The first element matching a CSS selector.
    pub async fn find(&self, css: &str) -> Element {
        let v = self
            .ok(
                reqwest::Method::POST,
                "/element",
                json!({"using": "css selector", "value": css}),
            )
            .await;
        Element(v[ELEMENT].as_str().unwrap().to_string())
    }

    pub async fn type_into(&self, e: &Element, text: &str) {
        self.ok(
            reqwest::Method::POST,
            &format!("/element/{}/value", e.0),
            json!({ "text": text }),
        )
        .await;
    }

    pub async fn click(&self, e: &Element) {
        self.ok(
            reqwest::Method::POST,
            &format!("/element/{}/click", e.0),
            json!({}),
        )
        .await;
    }

    pub async fn text(&self, e: &Element) -> String {
        self.call(
            reqwest::Method::GET,
            &format!("/element/{}/text", e.0),
            None,
        )
        .await
        .as_str()
        .unwrap_or_default()
        .to_string()
    }

    /// Presses `key` on whatever has the focus.
    pub async fn press(&self, key: &str) {
        self.ok(
            reqwest::Method::POST,
            "/actions",
            json!({"actions": [{"type": "key", "id": "keyboard", "actions": [
                {"type": "keyDown", "value": key}, {"type": "keyUp", "value": key}]}]}),
        )
        .await;
    }

    /// Runs `script` in the page (WebDriver's scripts are not the page's: its CSP does not
    /// apply to them) and returns its value.
    pub async fn script(&self, script: &str) -> Value {
        self.ok(
            reqwest::Method::POST,
            "/execute/sync",
            json!({"script": script, "args": []}),
        )
        .await
    }

    /// Whether a JavaScript dialog (an `alert()`) is open.
    pub async fn dialog_open(&self) -> bool {
        let v = self.call(reqwest::Method::GET, "/alert/text", None).await;
        v.get("error").is_none()
    }

    pub async fn resize(&self, width: u32, height: u32) {
        self.ok(
            reqwest::Method::POST,
            "/window/rect",
            json!({"width": width, "height": height}),
        )
        .await;
    }

    /// Saves a PNG of the window to `path`.
    pub async fn screenshot(&self, path: &std::path::Path) {
        let v = self.call(reqwest::Method::GET, "/screenshot", None).await;
        let png = base64::engine::general_purpose::STANDARD
            .decode(v.as_str().unwrap())
            .unwrap();
        assert!(png.starts_with(b"\x89PNG"), "not a PNG");
        std::fs::write(path, png).unwrap();
    }

    /// Makes the page a phone's (390 × 844 CSS pixels, as an iPhone 12–14), through
    /// Chrome's DevTools: a window cannot be made that narrow.
    pub async fn emulate_phone(&self) {
        self.ok(
            reqwest::Method::POST,
            "/goog/cdp/execute",
            json!({"cmd": "Emulation.setDeviceMetricsOverride", "params": {
                "width": 390, "height": 844, "deviceScaleFactor": 2, "mobile": true}}),
        )
        .await;
    }

    /// Saves a PNG of the whole page: the window is made as tall as the document (up to
    /// 6000 px) for the shot, then given its size back.
    pub async fn full_screenshot(&self, path: &std::path::Path) {
        let size = self
            .script("return [window.outerWidth, window.outerHeight, window.outerHeight - window.innerHeight, document.documentElement.scrollHeight]")
            .await;
        let n = |i: usize| size[i].as_u64().unwrap_or(0) as u32;
        let (width, height) = (n(0), n(1));
        self.resize(width, (n(3) + n(2)).clamp(height, 6000)).await;
        self.screenshot(path).await;
        self.resize(width, height).await;
    }

    pub async fn quit(self) {
        let _ = self.http.delete(&self.session).send().await;
    }
}
