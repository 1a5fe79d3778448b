//! Who is using the console: sign-in with a caller's bearer token, the session cookie it
//! is exchanged for, and the CSRF token every state-changing form carries.
//!
//! Sessions are kept on the server, in memory: the cookie holds a random 256-bit id and
//! nothing else, so it cannot be forged or read, a sign-out ends it at once, and no key
//! needs managing. The price is that a session belongs to one process: behind a load
//! balancer without affinity, or after a restart, the reviewer signs in again. Each session
//! holds the caller it was opened for (its roles are those of the configured caller, checked
//! on every request as gRPC checks them), its CSRF token and its expiry. The cookie is
//! `HttpOnly`, `SameSite=Strict`, `Secure` when the listener is TLS, scoped to `/ui`, and
//! expires with the session.
//!
//! Without `[[caller]]`s the console is open, as gRPC is; a visitor still gets an
//! anonymous session, so that the resolve form's CSRF token is tied to something.
//!
//! The sign-in form carries no CSRF token (there is no session yet to tie one to). A
//! forged sign-in could only sign a victim in as a caller whose token the forger already
//! holds; every POST, sign-in included, is refused when the browser says it comes from
//! another site (`Sec-Fetch-Site`, `Origin`), and the `SameSite=Strict` cookie is not sent
//! on such posts at all.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::extract::{Request, State as Shared};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::Response;
use maud::html;

use super::{first, pairs, peer, render, see_other, Console, ConsoleError};
use crate::service::auth::{Identity, Need};

/// The session cookie's name.
pub const COOKIE: &str = "clearance_session";
/// How long a session lasts from sign-in: a working day.
pub const LIFETIME: Duration = Duration::from_secs(8 * 3600);
/// Most sessions held at once; past it the oldest are dropped (anonymous sessions of the open
/// mode are made for any visitor, so their number must be bounded).
const MAX_SESSIONS: usize = 10_000;
/// Largest form body read.
pub const MAX_FORM_BYTES: usize = 64 * 1024;

struct Session {
    who: Identity,
    csrf: String,
    expires: Instant,
    signed_in: bool,
}

/// The open sessions, by id.
#[derive(Default)]
pub struct Sessions {
    map: Mutex<HashMap<String, Session>>,
}

/// 32 random bytes from the operating system, as hex.
fn random_hex() -> String {
    let mut bytes = [0u8; 32];
    // The OS's generator does not fail on the platforms served; if it ever did, a zero id
    // would be guessable, so refuse to go on.
    getrandom::getrandom(&mut bytes).expect("the operating system's random source answers");
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Compares two strings in time independent of where they differ.
fn same(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

impl Sessions {
    /// Opens a session for `who`; returns its id and CSRF token.
    fn open(&self, who: Identity, signed_in: bool) -> (String, String) {
        let id = random_hex();
        let csrf = random_hex();
        let now = Instant::now();
        let mut map = self.map.lock().unwrap_or_else(|p| p.into_inner());
        if map.len() >= MAX_SESSIONS {
            map.retain(|_, s| s.expires > now);
            while map.len() >= MAX_SESSIONS {
                let Some(oldest) = map
                    .iter()
                    .min_by_key(|(_, s)| s.expires)
                    .map(|(k, _)| k.clone())
                else {
                    break;
                };
                map.remove(&oldest);
            }
        }
        map.insert(
            id.clone(),
            Session {
                who,
                csrf: csrf.clone(),
                expires: now + LIFETIME,
                signed_in,
            },
        );
        (id, csrf)
    }

    /// The live session `id`: (caller, CSRF token, signed in); an expired one is dropped.
    fn get(&self, id: &str) -> Option<(Identity, String, bool)> {
        let mut map = self.map.lock().unwrap_or_else(|p| p.into_inner());
        let s = map.get(id)?;
        if s.expires <= Instant::now() {
            map.remove(id);
            return None;
        }
        Some((s.who.clone(), s.csrf.clone(), s.signed_in))
    }

    fn close(&self, id: &str) {
        self.map
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .remove(id);
    }
}

/// The user of one request: the caller of its session, the session's CSRF token, and the
/// cookie to set when the session was opened by this request.
pub struct Viewer {
    who: Identity,
    csrf: String,
    signed_in: bool,
    set_cookie: Option<String>,
}

impl Viewer {
    pub fn who(&self) -> &Identity {
        &self.who
    }

    /// The token state-changing forms must send back.
    pub fn csrf(&self) -> &str {
        &self.csrf
    }

    /// Signed in as a configured caller (not an open-mode visitor).
    pub fn signed_in(&self) -> bool {
        self.signed_in
    }

    /// Who is signed in, for the navigation bar.
    pub fn label(&self) -> String {
        match self.who.principal() {
            Some(p) => format!("signed in as {p}"),
            None => "open console (no callers configured)".into(),
        }
    }

    /// The `Set-Cookie` value when this request opened the session.
    pub fn set_cookie(&self) -> Option<String> {
        self.set_cookie.clone()
    }

    /// The error page, with this viewer's navigation.
    pub fn fail(&self, e: ConsoleError) -> Response {
        e.page(Some(self))
    }

    /// Refuses a form whose `csrf` field is not this session's token.
    pub fn check_csrf(&self, form: &[(String, String)]) -> Result<(), ConsoleError> {
        let sent = first(form, "csrf");
        if sent.is_empty() || !same(sent, &self.csrf) {
            return Err(ConsoleError::Csrf);
        }
        Ok(())
    }
}

/// The value of cookie `name` among the request's `Cookie` headers.
fn cookie<'a>(req: &'a Request, name: &str) -> Option<&'a str> {
    req.headers()
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.trim())
}

/// The `Set-Cookie` value for session `id`; `secure` when the listener is TLS.
fn set_cookie(id: &str, max_age: u64, secure: bool) -> String {
    format!(
        "{COOKIE}={id}; Path=/ui; HttpOnly; SameSite=Strict; Max-Age={max_age}{}",
        if secure { "; Secure" } else { "" }
    )
}

impl Console {
    fn cookie_for(&self, id: &str, max_age: u64) -> String {
        set_cookie(id, max_age, self.secure)
    }

    /// Who makes `req`: its session's caller. Without callers configured, a visitor without
    /// a session gets an anonymous one; with callers, no session means signing in first.
    pub(super) fn viewer(&self, req: &Request) -> Result<Viewer, ConsoleError> {
        if let Some((who, csrf, signed_in)) =
            cookie(req, COOKIE).and_then(|id| self.sessions.get(id))
        {
            // A session opened before callers were configured is not one now, nor the other
            // way round (the config does not change while serving, but a session must never
            // outlive the rules it was opened under).
            if signed_in == self.state.gate.enforcing() {
                return Ok(Viewer {
                    who,
                    csrf,
                    signed_in,
                    set_cookie: None,
                });
            }
        }
        if self.state.gate.enforcing() {
            let next = req
                .uri()
                .path_and_query()
                .map(|p| p.as_str().to_string())
                .filter(|_| req.method() == axum::http::Method::GET)
                .unwrap_or_default();
            return Err(ConsoleError::SignIn { next });
        }
        let who = Identity::Open {
            ip: peer(req).map(|p| p.ip()),
        };
        let (id, csrf) = self.sessions.open(who.clone(), false);
        Ok(Viewer {
            who,
            csrf,
            signed_in: false,
            set_cookie: Some(self.cookie_for(&id, LIFETIME.as_secs())),
        })
    }

    /// Checks the viewer may make a request that needs `need`, as gRPC checks its callers.
    pub(super) fn allow(&self, viewer: &Viewer, need: Need) -> Result<(), ConsoleError> {
        self.state
            .gate
            .authorize(viewer.who(), need)
            .map_err(|e| ConsoleError::Request(e.into()))
    }
}

/// Refuses a POST that a browser says came from another site: `Sec-Fetch-Site` other than
/// `same-origin` (or `none`, typed by the user), or an `Origin` naming another origin than
/// the one it was sent to (`null` included: an opaque origin). A request with neither header
/// is not from a browser's cross-site form, and is judged by its session and token alone.
pub(super) fn same_origin(req: &Request) -> Result<(), ConsoleError> {
    if let Some(site) = req.headers().get("sec-fetch-site") {
        if !matches!(site.to_str(), Ok("same-origin" | "none")) {
            return Err(ConsoleError::Csrf);
        }
    }
    let Some(origin) = req.headers().get(header::ORIGIN) else {
        return Ok(());
    };
    let host = req
        .headers()
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or("");
    let origin = origin.to_str().unwrap_or("");
    let origin_host = origin
        .strip_prefix("https://")
        .or_else(|| origin.strip_prefix("http://"))
        .unwrap_or("");
    if host.is_empty() || origin_host != host {
        return Err(ConsoleError::Csrf);
    }
    Ok(())
}

/// Reads a POST's form body (at most [`MAX_FORM_BYTES`]).
pub(super) async fn form_body(req: Request) -> Result<Vec<(String, String)>, ConsoleError> {
    let bytes = axum::body::to_bytes(req.into_body(), MAX_FORM_BYTES)
        .await
        .map_err(|_| ConsoleError::Field {
            field: "form".into(),
            message: format!("unreadable or larger than {MAX_FORM_BYTES} bytes"),
        })?;
    Ok(pairs(&String::from_utf8_lossy(&bytes)))
}

/// Where to go after signing in: a console path, never another site.
fn next_path(next: &str) -> &str {
    if next.starts_with("/ui/") && !next.starts_with("//") && !next.contains('\\') {
        next
    } else {
        "/ui/screen"
    }
}

fn login_page(c: &Console, status: StatusCode, next: &str, problem: Option<&str>) -> Response {
    let body = html! {
        h1 { "Sign in" }
        @if !c.state.gate.enforcing() {
            p { "No callers are configured: the console is open to everyone who reaches this \
                 listener, as the gRPC services are. " a href="/ui/screen" { "Go to screening" } }
        } @else {
            @if let Some(p) = problem { p.error role="alert" { (p) } }
            p { "Sign in with your caller's bearer token (the one your [[caller]] entry's \
                 token_sha256 was made from)." }
            form.card method="post" action="/ui/login" {
                input type="hidden" name="next" value=(next);
                label for="token" { "Token" }
                input id="token" type="password" name="token" autocomplete="current-password" required autofocus;
                button type="submit" { "Sign in" }
            }
        }
    };
    render(status, "Sign in", None, body)
}

/// `GET /ui/login`.
pub async fn form(Shared(c): Shared<Arc<Console>>, req: Request) -> Response {
    let q = pairs(req.uri().query().unwrap_or(""));
    login_page(&c, StatusCode::OK, next_path(first(&q, "next")), None)
}

/// `POST /ui/login`: a caller's token for a session cookie.
pub async fn login(Shared(c): Shared<Arc<Console>>, req: Request) -> Response {
    if let Err(e) = same_origin(&req) {
        return e.page(None);
    }
    let form = match form_body(req).await {
        Ok(f) => f,
        Err(e) => return e.page(None),
    };
    let next = next_path(first(&form, "next")).to_string();
    if !c.state.gate.enforcing() {
        return see_other(&next);
    }
    let token = first(&form, "token");
    let who = match c.state.gate.check_token(token, Need::Anyone) {
        Ok(who) => who,
        Err(e) => {
            return login_page(&c, StatusCode::UNAUTHORIZED, &next, Some(&e.to_string()));
        }
    };
    tracing::info!(
        caller = who.principal().unwrap_or("-"),
        "console: signed in"
    );
    let (id, _) = c.sessions.open(who, true);
    let mut r = see_other(&next);
    if let Ok(v) = HeaderValue::from_str(&c.cookie_for(&id, LIFETIME.as_secs())) {
        r.headers_mut().insert(header::SET_COOKIE, v);
    }
    r
}

/// `POST /ui/logout`: ends the session.
pub async fn logout(Shared(c): Shared<Arc<Console>>, req: Request) -> Response {
    let viewer = match c.viewer(&req) {
        Ok(v) => v,
        Err(e) => return e.page(None),
    };
    let id = cookie(&req, COOKIE).map(str::to_string);
    if let Err(e) = same_origin(&req) {
        return viewer.fail(e);
    }
    let form = match form_body(req).await {
        Ok(f) => f,
        Err(e) => return viewer.fail(e),
    };
    if let Err(e) = viewer.check_csrf(&form) {
        return viewer.fail(e);
    }
    if let Some(id) = id {
        c.sessions.close(&id);
    }
    let mut r = see_other("/ui/login");
    if let Ok(v) = HeaderValue::from_str(&c.cookie_for("", 0)) {
        r.headers_mut().insert(header::SET_COOKIE, v);
    }
    r
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sessions_expire_and_close() {
        let s = Sessions::default();
        let (id, csrf) = s.open(Identity::Open { ip: None }, false);
        assert_eq!(id.len(), 64);
        assert_eq!(s.get(&id).unwrap().1, csrf);
        assert_eq!(csrf.len(), 64);
        assert_ne!(csrf, id);
        assert!(s.get("not-a-session").is_none());
        s.map.lock().unwrap().get_mut(&id).unwrap().expires = Instant::now();
        assert!(s.get(&id).is_none(), "expired");
        let (id, _) = s.open(Identity::Open { ip: None }, false);
        s.close(&id);
        assert!(s.get(&id).is_none(), "closed");
    }

    #[test]
    fn the_cookie_is_strict_and_secure_under_tls() {
        assert_eq!(
            set_cookie("ab", 60, true),
            "clearance_session=ab; Path=/ui; HttpOnly; SameSite=Strict; Max-Age=60; Secure"
        );
        assert!(!set_cookie("ab", 60, false).contains("Secure"));
    }

    #[test]
    fn ids_are_random() {
        assert_ne!(random_hex(), random_hex());
    }

    #[test]
    fn the_csrf_token_must_be_the_sessions() {
        let v = Viewer {
            who: Identity::Open { ip: None },
            csrf: "abc".into(),
            signed_in: false,
            set_cookie: None,
        };
        let form = |t: &str| vec![("csrf".to_string(), t.to_string())];
        assert!(v.check_csrf(&form("abc")).is_ok());
        assert!(v.check_csrf(&form("abd")).is_err());
        assert!(v.check_csrf(&form("")).is_err());
        assert!(v.check_csrf(&[]).is_err());
    }

    #[test]
    fn sign_in_returns_only_to_console_paths() {
        assert_eq!(
            next_path("/ui/alerts?kind=new_hit"),
            "/ui/alerts?kind=new_hit"
        );
        for bad in [
            "https://evil.example/",
            "//evil.example/ui/",
            "/metrics",
            "",
            "/ui\\x",
        ] {
            assert_eq!(next_path(bad), "/ui/screen", "{bad}");
        }
    }

    #[test]
    fn a_post_from_another_origin_is_refused() {
        let post = |origin: Option<&str>| {
            let mut b = Request::builder()
                .method("POST")
                .uri("/ui/resolve")
                .header(header::HOST, "127.0.0.1:8080");
            if let Some(o) = origin {
                b = b.header(header::ORIGIN, o);
            }
            b.body(axum::body::Body::empty()).unwrap()
        };
        assert!(same_origin(&post(None)).is_ok());
        assert!(same_origin(&post(Some("http://127.0.0.1:8080"))).is_ok());
        assert!(same_origin(&post(Some("https://evil.example"))).is_err());
        assert!(same_origin(&post(Some("null"))).is_err());
        let fetched = |site: &str| {
            Request::builder()
                .method("POST")
                .uri("/ui/resolve")
                .header(header::HOST, "127.0.0.1:8080")
                .header("sec-fetch-site", site)
                .body(axum::body::Body::empty())
                .unwrap()
        };
        assert!(same_origin(&fetched("same-origin")).is_ok());
        assert!(same_origin(&fetched("cross-site")).is_err());
        assert!(same_origin(&fetched("same-site")).is_err());
    }
}
