//! The reviewer's console: HTML pages under `/ui/` on the HTTP listener, for the people who
//! decide reviews, show auditors why a party was allowed, and watch the lists' freshness.
//!
//! Pages are rendered on the server with `maud` (every interpolated value is escaped; the
//! console never writes `PreEscaped` over data) and carry no JavaScript, so one strict
//! Content-Security-Policy covers them all and the console works air-gapped: the only other
//! resource is the stylesheet, embedded in the binary and served under `/ui/static/`.
//! The console screens, reads entities and resolves alerts through the same functions as the
//! gRPC handlers (`grpc::decide`, `monitoring::resolve_alert`), so an answer on a page is
//! the answer `Screen` gives, audited the same way. Sign-in, sessions and CSRF tokens are in
//! `session`; each page has its module.

mod alerts;
mod entity;
mod graph;
mod screen;
mod session;
mod status;

use std::net::SocketAddr;
use std::sync::Arc;

use axum::extract::connect_info::Connected;
use axum::extract::{ConnectInfo, Request, State as Shared};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::serve::IncomingStream;
use axum::Router;
use maud::{html, Markup, DOCTYPE};

use super::grpc::RequestError;
use super::State;
use crate::service::auth::AuthError;
use crate::service::monitor::store::StoreError;
use crate::service::monitor::MonitorError;
use session::{Sessions, Viewer};

/// The stylesheet, the console's one static resource.
const STYLE: &str = include_str!("console.css");
/// Where the stylesheet is served.
const STYLE_PATH: &str = "/ui/static/console.css";
/// No script, no frame, no form posting elsewhere, no resource but this origin's stylesheet
/// and inline SVG (which needs no `img-src`: it is part of the document).
const CSP: &str = "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; \
                   frame-ancestors 'none'; base-uri 'none'";

/// What the console's handlers share: the server's state and the signed-in sessions.
pub struct Console {
    state: Arc<State>,
    sessions: Sessions,
    /// The HTTP listener speaks TLS: session cookies are marked `Secure`.
    secure: bool,
}

/// The console's routes, to be merged into the HTTP listener's router.
pub fn router(state: Arc<State>) -> Router {
    let secure = state.config.tls.as_ref().is_some_and(|t| t.http);
    let console = Arc::new(Console {
        state,
        sessions: Sessions::default(),
        secure,
    });
    Router::new()
        .route("/ui", get(home))
        .route("/ui/", get(home))
        .route(STYLE_PATH, get(style))
        .route("/ui/login", get(session::form).post(session::login))
        .route("/ui/logout", post(session::logout))
        .route("/ui/screen", get(screen::page))
        .route("/ui/entity/{id}", get(entity::page))
        .route("/ui/status", get(status::page))
        .route("/ui/alerts", get(alerts::queue))
        .route("/ui/party/{reference}", get(alerts::party))
        .route("/ui/resolve", post(alerts::resolve))
        .route("/ui/{*rest}", get(missing).post(missing))
        .with_state(console)
}

async fn home() -> Response {
    see_other("/ui/screen")
}

async fn style() -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "max-age=3600"),
            (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        ],
        STYLE,
    )
        .into_response()
}

async fn missing(Shared(c): Shared<Arc<Console>>, req: Request) -> Response {
    let path = req.uri().path().to_string();
    match c.viewer(&req) {
        Ok(v) => v.fail(ConsoleError::NoPage(path)),
        Err(e) => e.page(None),
    }
}

/// A `303 See Other` to `location` (a path of this console).
fn see_other(location: &str) -> Response {
    let mut r = StatusCode::SEE_OTHER.into_response();
    if let Ok(v) = HeaderValue::from_str(location) {
        r.headers_mut().insert(header::LOCATION, v);
    }
    r
}

/// Why a console page could not be shown. [`ConsoleError::status`] is the one mapping to
/// HTTP status codes.
#[derive(Debug, thiserror::Error)]
pub enum ConsoleError {
    /// A form or query field is unusable.
    #[error("{field}: {message}")]
    Field { field: String, message: String },
    /// What the server's calls refuse (bad requests, unknown entities, access, monitoring).
    #[error(transparent)]
    Request(#[from] RequestError),
    /// No session (or an expired one) while callers are configured.
    #[error("sign in to use the console")]
    SignIn { next: String },
    /// A state-changing form without its session's token (or from another origin).
    #[error(
        "the form's CSRF token is missing or does not belong to this session; reload the page \
         and submit it again"
    )]
    Csrf,
    #[error("no console page at {0}")]
    NoPage(String),
}

impl ConsoleError {
    /// The HTTP status code of the error page.
    pub fn status(&self) -> StatusCode {
        match self {
            ConsoleError::Field { .. } => StatusCode::BAD_REQUEST,
            ConsoleError::SignIn { .. } => StatusCode::SEE_OTHER,
            ConsoleError::Csrf => StatusCode::FORBIDDEN,
            ConsoleError::NoPage(_) => StatusCode::NOT_FOUND,
            ConsoleError::Request(e) => match e {
                RequestError::Invalid(_) => StatusCode::BAD_REQUEST,
                RequestError::NotFound(_)
                | RequestError::Monitoring(MonitorError::NoParty(_))
                | RequestError::Monitoring(MonitorError::Store(StoreError::NoAlert(_))) => {
                    StatusCode::NOT_FOUND
                }
                RequestError::Access(AuthError::Unauthenticated(_)) => StatusCode::UNAUTHORIZED,
                RequestError::Access(AuthError::Role { .. } | AuthError::Dataset { .. }) => {
                    StatusCode::FORBIDDEN
                }
                RequestError::Access(AuthError::RateLimited { .. }) => {
                    StatusCode::TOO_MANY_REQUESTS
                }
                RequestError::NotReady
                | RequestError::Audit(_)
                | RequestError::Monitoring(_)
                | RequestError::MonitoringOff(_) => StatusCode::SERVICE_UNAVAILABLE,
                RequestError::Reload(_) | RequestError::Deadline => {
                    StatusCode::INTERNAL_SERVER_ERROR
                }
            },
        }
    }

    /// The error as a page (a redirect for [`ConsoleError::SignIn`]); `viewer` fills the
    /// navigation when the request had a session.
    fn page(&self, viewer: Option<&Viewer>) -> Response {
        if let ConsoleError::SignIn { next } = self {
            let mut location = String::from("/ui/login");
            if !next.is_empty() {
                location.push_str("?next=");
                location.extend(form_urlencoded::byte_serialize(next.as_bytes()));
            }
            return see_other(&location);
        }
        let status = self.status();
        let body = html! {
            h1 { "Cannot show this page" }
            p.error role="alert" { (self.to_string()) }
            p { (status.as_u16()) " " (status.canonical_reason().unwrap_or("")) }
        };
        render(status, "Error", viewer, body)
    }
}

/// A whole page: the layout around `body`, with the console's security headers.
fn render(status: StatusCode, title: &str, viewer: Option<&Viewer>, body: Markup) -> Response {
    let markup = html! {
        (DOCTYPE)
        html lang="en" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (title) " · clearance" }
                link rel="stylesheet" href=(STYLE_PATH);
            }
            body {
                a.skip href="#main" { "Skip to content" }
                header {
                    nav aria-label="Console" {
                        a.brand href="/ui/screen" { "clearance" }
                        a href="/ui/screen" { "Screen" }
                        a href="/ui/alerts" { "Alerts" }
                        a href="/ui/status" { "Status" }
                        @if let Some(v) = viewer {
                            span.who { (v.label()) }
                            @if v.signed_in() {
                                form.inline method="post" action="/ui/logout" {
                                    input type="hidden" name="csrf" value=(v.csrf());
                                    button type="submit" { "Sign out" }
                                }
                            }
                        }
                    }
                }
                main id="main" { (body) }
            }
        }
    };
    let mut r = (status, markup.into_string()).into_response();
    let h = r.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    secure_headers(h);
    if let Some(cookie) = viewer.and_then(Viewer::set_cookie) {
        if let Ok(v) = HeaderValue::from_str(&cookie) {
            h.append(header::SET_COOKIE, v);
        }
    }
    r
}

/// The headers every console page carries: the CSP, no sniffing, no caching (pages hold
/// screened names and list data), a referrer only to the console itself (a result URL holds
/// the screened name; `no-referrer` would also make browsers send `Origin: null` on the
/// console's own form posts, which the origin check must refuse).
fn secure_headers(h: &mut axum::http::HeaderMap) {
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(CSP),
    );
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("same-origin"),
    );
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
}

/// The peer address of a connection to the HTTP listener, plain or TLS, for the console's
/// audit records and the open mode's per-address limits: what axum's connect info records
/// (`serve` builds the listener's service with it).
#[derive(Debug, Clone, Copy)]
pub struct PeerAddr(pub SocketAddr);

impl Connected<IncomingStream<'_, tokio::net::TcpListener>> for PeerAddr {
    fn connect_info(stream: IncomingStream<'_, tokio::net::TcpListener>) -> Self {
        PeerAddr(*stream.remote_addr())
    }
}

impl Connected<IncomingStream<'_, crate::service::tls::HttpsListener>> for PeerAddr {
    fn connect_info(stream: IncomingStream<'_, crate::service::tls::HttpsListener>) -> Self {
        PeerAddr(*stream.remote_addr())
    }
}

/// The peer's address, when the listener recorded it.
fn peer(req: &Request) -> Option<SocketAddr> {
    req.extensions()
        .get::<ConnectInfo<PeerAddr>>()
        .map(|c| c.0 .0)
}

/// `text` as one path segment of a console link: unreserved characters and `:` kept (entity
/// ids read as they are), everything else percent-encoded.
pub(crate) fn segment(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for b in text.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~' | b':') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// The pairs of a query string or form body, percent-decoded.
fn pairs(raw: &str) -> Vec<(String, String)> {
    form_urlencoded::parse(raw.as_bytes())
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect()
}

/// The first value of `key`, trimmed; empty when absent.
fn first<'a>(pairs: &'a [(String, String)], key: &str) -> &'a str {
    pairs
        .iter()
        .find(|(k, _)| k == key)
        .map_or("", |(_, v)| v.trim())
}

/// How strongly a name identifies its entry, in words.
fn name_kind(k: crate::engine::model::NameKind) -> &'static str {
    use crate::engine::model::NameKind;
    match k {
        NameKind::Primary => "primary",
        NameKind::Alias => "alias",
        NameKind::Weak => "weak alias",
        NameKind::Former => "former",
    }
}

/// A decision in words, with the class that colours it.
fn decision_badge(d: crate::engine::policy::Decision) -> Markup {
    let word = d.as_str();
    html! { span class={ "decision " (word) } { (word.to_uppercase()) } }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn segments_keep_ids_readable_and_encode_the_rest() {
        assert_eq!(segment("us_ofac_sdn:18299"), "us_ofac_sdn:18299");
        assert_eq!(segment("a/b c?<x>"), "a%2Fb%20c%3F%3Cx%3E");
        assert_eq!(segment("é"), "%C3%A9");
    }

    #[test]
    fn every_error_has_its_status() {
        let field = ConsoleError::Field {
            field: "as_of".into(),
            message: "not a date".into(),
        };
        assert_eq!(field.status(), StatusCode::BAD_REQUEST);
        assert_eq!(ConsoleError::Csrf.status(), StatusCode::FORBIDDEN);
        assert_eq!(
            ConsoleError::Request(RequestError::NotFound("x".into())).status(),
            StatusCode::NOT_FOUND
        );
        let signin = ConsoleError::SignIn {
            next: "/ui/screen?name=a b".into(),
        }
        .page(None);
        assert_eq!(signin.status(), StatusCode::SEE_OTHER);
        assert_eq!(
            signin.headers()[header::LOCATION],
            "/ui/login?next=%2Fui%2Fscreen%3Fname%3Da+b"
        );
    }

    #[tokio::test]
    async fn pages_carry_the_policy_and_escape_their_text() {
        let r = render(
            StatusCode::OK,
            "<t>",
            None,
            html! { p { ("<script>alert(1)</script>") } },
        );
        assert_eq!(r.headers()[header::CONTENT_SECURITY_POLICY], CSP);
        assert_eq!(r.headers()[header::X_CONTENT_TYPE_OPTIONS], "nosniff");
        let body = axum::body::to_bytes(r.into_body(), 1 << 20).await.unwrap();
        let body = String::from_utf8(body.to_vec()).unwrap();
        assert!(
            body.contains("&lt;script&gt;alert(1)&lt;/script&gt;"),
            "{body}"
        );
        assert!(
            body.contains("<title>&lt;t&gt; · clearance</title>"),
            "{body}"
        );
        assert!(!body.contains("<script>"), "{body}");
    }
}
