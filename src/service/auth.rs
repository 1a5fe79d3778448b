//! Who is calling and what they may do: callers identified by a TLS client certificate or a
//! bearer token, their roles, the datasets they may screen against, and per-caller rate
//! limits.
//!
//! Every gRPC handler asks the [`Gate`] first ([`Gate::check`]), so access rules live here
//! and nowhere else; refusals are [`AuthError`]s, which `server::grpc::status_of` turns into
//! `UNAUTHENTICATED`, `PERMISSION_DENIED` or `RESOURCE_EXHAUSTED`, and which are counted in
//! `clearance_auth_rejections_total{caller, reason}`.
//!
//! Tokens are stored as the hex SHA-256 of the token (`clearance token hash`), never in
//! plain text; a presented token is hashed and compared against every caller's hash in
//! constant time. A certificate names a caller when the caller's `cert_subject` equals the
//! certificate's subject common name or one of its DNS or URI subject alternative names.
//!
//! With no `[[caller]]` configured the server is open, as before access control existed:
//! every client may screen and reload, and the optional `[access] open_rate_per_second`
//! limits each peer IP address.

use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::sync::{Arc, Mutex};
use std::time::Instant;

use rustls::pki_types::CertificateDer;
use serde::Deserialize;
use sha2::{Digest, Sha256};

use crate::engine::screen::ScreenOptions;
use crate::service::metrics::Metrics;

/// What a caller may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// `Screening`: Screen, ScreenStream, GetEntity, Status; `Monitoring`'s reads
    /// (GetParty, Alerts).
    Screen,
    /// `Monitoring`'s writes: Upsert, Remove, Import, Resolve (admin may too).
    Reviewer,
    /// `Admin`: Reload; and what `reviewer` may.
    Admin,
}

impl std::fmt::Display for Role {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Role::Screen => "screen",
            Role::Reviewer => "reviewer",
            Role::Admin => "admin",
        })
    }
}

/// One `[[caller]]`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CallerConfig {
    /// Names the caller in the audit log, the metrics and errors.
    pub name: String,
    /// Hex SHA-256 of the caller's bearer token (`clearance token hash`).
    #[serde(default)]
    pub token_sha256: Option<String>,
    /// The client certificate's subject CN, or one of its DNS or URI SANs.
    #[serde(default)]
    pub cert_subject: Option<String>,
    pub roles: Vec<Role>,
    /// The datasets the caller may screen against; empty: all.
    #[serde(default)]
    pub datasets: Vec<String>,
    /// Screenings per second, sustained (0: unlimited).
    #[serde(default)]
    pub rate_per_second: f64,
    /// Screenings allowed at once after an idle spell; default: one second's worth.
    #[serde(default)]
    pub burst: Option<u32>,
}

/// The `[access]` section: limits for the open mode (no `[[caller]]`).
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct AccessConfig {
    /// Screenings per second per peer IP address while no caller is configured (0: unlimited).
    pub open_rate_per_second: f64,
    /// Burst per peer IP address; default: one second's worth.
    pub open_burst: Option<u32>,
}

/// Checks the `[[caller]]` and `[access]` sections; `client_certs`: whether the server asks
/// for client certificates (`[tls] client_ca`). Errors name the caller and the field.
pub fn validate(
    callers: &[CallerConfig],
    access: &AccessConfig,
    client_certs: bool,
) -> Result<(), String> {
    for (i, c) in callers.iter().enumerate() {
        let err = |m: String| Err(format!("caller {i} ({:?}): {m}", c.name));
        if c.name.trim().is_empty() {
            return err("name must not be empty".into());
        }
        if callers[..i].iter().any(|p| p.name == c.name) {
            return err("name is used by an earlier caller".into());
        }
        if c.token_sha256.is_none() && c.cert_subject.is_none() {
            return err(
                "give token_sha256, cert_subject or both: how the caller is recognised".into(),
            );
        }
        if let Some(h) = &c.token_sha256 {
            if parse_sha256(h).is_none() {
                return err(format!(
                    "token_sha256 must be 64 hex digits (clearance token hash), not {h:?}"
                ));
            }
            let same = callers[..i]
                .iter()
                .any(|p| p.token_sha256.as_deref().and_then(parse_sha256) == parse_sha256(h));
            if same {
                return err("token_sha256 is used by an earlier caller".into());
            }
        }
        if let Some(s) = &c.cert_subject {
            if s.is_empty() {
                return err("cert_subject must not be empty".into());
            }
            if !client_certs {
                return err("cert_subject needs [tls] client_ca: without it no client certificate is asked for".into());
            }
            if callers[..i]
                .iter()
                .any(|p| p.cert_subject.as_ref() == Some(s))
            {
                return err("cert_subject is used by an earlier caller".into());
            }
        }
        if c.roles.is_empty() {
            return err("roles must name at least one of \"screen\", \"admin\"".into());
        }
        if let Err(m) = rate(c.rate_per_second, c.burst) {
            return err(m);
        }
    }
    rate(access.open_rate_per_second, access.open_burst)
        .map(|_| ())
        .map_err(|m| format!("[access]: {m}"))
}

/// A limit from the config: `None` when unlimited.
fn rate(per_second: f64, burst: Option<u32>) -> Result<Option<Rate>, String> {
    if !per_second.is_finite() || per_second < 0.0 {
        return Err(format!(
            "rate_per_second must be 0 or more, not {per_second}"
        ));
    }
    if burst == Some(0) {
        return Err("burst must be at least 1".into());
    }
    Ok((per_second > 0.0).then(|| Rate {
        per_second,
        burst: burst.map_or(per_second.ceil().max(1.0), f64::from),
    }))
}

fn parse_sha256(hex: &str) -> Option<[u8; 32]> {
    if hex.len() != 64 {
        return None;
    }
    let mut out = [0u8; 32];
    for (i, byte) in out.iter_mut().enumerate() {
        *byte = u8::from_str_radix(hex.get(2 * i..2 * i + 2)?, 16).ok()?;
    }
    Some(out)
}

/// The hex SHA-256 of a token, as `token_sha256` holds it.
pub fn hash_token(token: &str) -> String {
    Sha256::digest(token.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Equality that takes the same time wherever the inputs differ.
fn constant_time_eq(a: &[u8; 32], b: &[u8; 32]) -> bool {
    let diff = a.iter().zip(b).fold(0u8, |d, (x, y)| d | (x ^ y));
    std::hint::black_box(diff) == 0
}

/// Why a call was refused.
#[derive(Debug, thiserror::Error)]
pub enum AuthError {
    #[error("unauthenticated: {0}")]
    Unauthenticated(String),
    #[error("caller {caller:?} does not have the {role} role")]
    Role { caller: String, role: Role },
    #[error("caller {caller:?} may not use dataset {dataset:?} (allowed: {allowed})")]
    Dataset {
        caller: String,
        dataset: String,
        allowed: String,
    },
    #[error("{who}: rate limit of {per_second} screenings/s exceeded; slow down and retry")]
    RateLimited { who: String, per_second: f64 },
}

impl AuthError {
    /// The `reason` label of `clearance_auth_rejections_total`.
    fn reason(&self) -> &'static str {
        match self {
            AuthError::Unauthenticated(_) => "unauthenticated",
            AuthError::Role { .. } => "role",
            AuthError::Dataset { .. } => "dataset",
            AuthError::RateLimited { .. } => "rate_limited",
        }
    }
}

/// A token bucket's settings.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Rate {
    per_second: f64,
    burst: f64,
}

/// A token bucket: `tokens` as of `at`.
#[derive(Debug, Clone, Copy)]
struct Bucket {
    tokens: f64,
    at: Instant,
}

impl Bucket {
    fn full(rate: Rate, now: Instant) -> Bucket {
        Bucket {
            tokens: rate.burst,
            at: now,
        }
    }

    fn refill(&mut self, rate: Rate, now: Instant) {
        let elapsed = now.saturating_duration_since(self.at).as_secs_f64();
        self.tokens = (self.tokens + elapsed * rate.per_second).min(rate.burst);
        self.at = now;
    }

    /// Takes one token if there is one.
    fn take(&mut self, rate: Rate, now: Instant) -> bool {
        self.refill(rate, now);
        if self.tokens >= 1.0 {
            self.tokens -= 1.0;
            true
        } else {
            false
        }
    }
}

/// A configured caller, ready for lookups.
#[derive(Debug)]
pub struct Caller {
    pub name: String,
    roles: Vec<Role>,
    datasets: Vec<String>,
    token: Option<[u8; 32]>,
    cert_subject: Option<String>,
    limit: Option<(Rate, Mutex<Bucket>)>,
}

/// Who a call comes from.
#[derive(Debug, Clone)]
pub enum Identity {
    /// No caller is configured: anyone may call; limited per peer address.
    Open {
        ip: Option<IpAddr>,
    },
    Caller(Arc<Caller>),
}

impl Identity {
    /// The caller's name, for the audit log; `None` in the open mode.
    pub fn principal(&self) -> Option<&str> {
        match self {
            Identity::Open { .. } => None,
            Identity::Caller(c) => Some(&c.name),
        }
    }

    /// Whether the caller holds `role` (an admin may do what a reviewer may); in the open
    /// mode everyone does. Asks without counting a refusal: [`Gate::authorize`] refuses.
    pub fn may(&self, role: Role) -> bool {
        match self {
            Identity::Open { .. } => true,
            Identity::Caller(c) => {
                c.roles.contains(&role)
                    || (role == Role::Reviewer && c.roles.contains(&Role::Admin))
            }
        }
    }

    fn label(&self) -> &str {
        self.principal().unwrap_or("open")
    }
}

/// What a call needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Need {
    Role(Role),
    /// Any authenticated caller (server reflection).
    Anyone,
}

/// Above this many per-address buckets in the open mode, full ones are dropped: a full
/// bucket behaves exactly like a missing one, so this loses nothing.
const OPEN_BUCKETS_PRUNE_AT: usize = 4096;

/// The access rules of a server.
pub struct Gate {
    callers: Vec<Arc<Caller>>,
    open_limit: Option<Rate>,
    open_buckets: Mutex<HashMap<Option<IpAddr>, Bucket>>,
    metrics: Arc<Metrics>,
}

impl Gate {
    /// The gate for validated config sections (see [`validate`]).
    pub fn new(callers: &[CallerConfig], access: &AccessConfig, metrics: Arc<Metrics>) -> Gate {
        let now = Instant::now();
        Gate {
            callers: callers
                .iter()
                .map(|c| {
                    let limit = rate(c.rate_per_second, c.burst).ok().flatten();
                    Arc::new(Caller {
                        name: c.name.clone(),
                        roles: c.roles.clone(),
                        datasets: c.datasets.clone(),
                        token: c.token_sha256.as_deref().and_then(parse_sha256),
                        cert_subject: c.cert_subject.clone(),
                        limit: limit.map(|r| (r, Mutex::new(Bucket::full(r, now)))),
                    })
                })
                .collect(),
            open_limit: rate(access.open_rate_per_second, access.open_burst)
                .ok()
                .flatten(),
            open_buckets: Mutex::new(HashMap::new()),
            metrics,
        }
    }

    /// Whether any caller is configured (otherwise the server is open).
    pub fn enforcing(&self) -> bool {
        !self.callers.is_empty()
    }

    /// Whether any caller is recognised by a bearer token.
    pub fn uses_tokens(&self) -> bool {
        self.callers.iter().any(|c| c.token.is_some())
    }

    /// Identifies the caller of `request` and checks it may make a call that needs `need`.
    pub fn check<T>(&self, request: &tonic::Request<T>, need: Need) -> Result<Identity, AuthError> {
        let certs = request.peer_certs();
        self.check_parts(
            request.metadata(),
            certs.as_deref().map(Vec::as_slice),
            request.remote_addr(),
            need,
        )
    }

    fn check_parts(
        &self,
        metadata: &tonic::metadata::MetadataMap,
        certs: Option<&[CertificateDer<'static>]>,
        peer: Option<SocketAddr>,
        need: Need,
    ) -> Result<Identity, AuthError> {
        if !self.enforcing() {
            return Ok(Identity::Open {
                ip: peer.map(|p| p.ip()),
            });
        }
        let caller = self
            .identify(metadata, certs)
            .map_err(|e| self.count("-", e))?;
        let who = Identity::Caller(caller);
        self.authorize(&who, need)?;
        Ok(who)
    }

    /// Identifies the caller whose bearer token is `token` and checks it may make a call that
    /// needs `need`: the console's sign-in, which has no gRPC request to read.
    pub fn check_token(&self, token: &str, need: Need) -> Result<Identity, AuthError> {
        let mut metadata = tonic::metadata::MetadataMap::new();
        let value = format!("Bearer {}", token.trim()).parse().map_err(|_| {
            self.count(
                "-",
                AuthError::Unauthenticated("unknown bearer token".into()),
            )
        })?;
        metadata.insert("authorization", value);
        self.check_parts(&metadata, None, None, need)
    }

    /// Checks that an identified caller may make a call that needs `need` (in the open mode
    /// everyone may): the console checks its sessions' callers with it on every request.
    pub fn authorize(&self, who: &Identity, need: Need) -> Result<(), AuthError> {
        let (Identity::Caller(caller), Need::Role(role)) = (who, need) else {
            return Ok(());
        };
        if who.may(role) {
            return Ok(());
        }
        Err(self.count(
            &caller.name,
            AuthError::Role {
                caller: caller.name.clone(),
                role,
            },
        ))
    }

    /// The caller named by the bearer token and by the client certificate; when both are
    /// given they must name the same caller.
    fn identify(
        &self,
        metadata: &tonic::metadata::MetadataMap,
        certs: Option<&[CertificateDer<'static>]>,
    ) -> Result<Arc<Caller>, AuthError> {
        let unauthenticated = |m: &str| AuthError::Unauthenticated(m.to_string());
        let by_token = match metadata.get("authorization") {
            None => None,
            Some(value) => {
                let token = value
                    .to_str()
                    .ok()
                    .and_then(|v| {
                        let (scheme, token) = v.split_once(' ')?;
                        scheme.eq_ignore_ascii_case("bearer").then(|| token.trim())
                    })
                    .filter(|t| !t.is_empty())
                    .ok_or_else(|| {
                        unauthenticated("the authorization metadata is not \"Bearer <token>\"")
                    })?;
                let hash: [u8; 32] = Sha256::digest(token.as_bytes()).into();
                // Every caller is compared, matching or not, so the time taken does not
                // tell which one matched.
                let mut found = None;
                for c in &self.callers {
                    if let Some(t) = &c.token {
                        if constant_time_eq(t, &hash) {
                            found = Some(c.clone());
                        }
                    }
                }
                Some(found.ok_or_else(|| unauthenticated("unknown bearer token"))?)
            }
        };
        let by_cert = match certs.and_then(|c| c.first()) {
            None => None,
            Some(cert) => {
                let names = certificate_names(cert);
                let found = self.callers.iter().find(|c| {
                    c.cert_subject
                        .as_ref()
                        .is_some_and(|s| names.iter().any(|n| n == s))
                });
                match (found, &by_token) {
                    (Some(c), _) => Some(c.clone()),
                    // A certificate no caller claims, with a token: the token decides.
                    (None, Some(_)) => None,
                    (None, None) => {
                        return Err(AuthError::Unauthenticated(format!(
                            "the client certificate ({}) names no configured caller",
                            names.join(", ")
                        )))
                    }
                }
            }
        };
        match (by_token, by_cert) {
            (Some(t), Some(c)) if !Arc::ptr_eq(&t, &c) => Err(unauthenticated(
                "the bearer token and the client certificate name different callers",
            )),
            (Some(c), _) | (None, Some(c)) => Ok(c),
            (None, None) => Err(unauthenticated(
                "send a bearer token (authorization: Bearer <token>) or a client certificate",
            )),
        }
    }

    /// Takes one screening from the caller's rate limit.
    pub fn admit(&self, who: &Identity) -> Result<(), AuthError> {
        let now = Instant::now();
        let (allowed, per_second) = match who {
            Identity::Caller(c) => match &c.limit {
                None => return Ok(()),
                Some((rate, bucket)) => {
                    let mut b = bucket.lock().unwrap_or_else(|p| p.into_inner());
                    (b.take(*rate, now), rate.per_second)
                }
            },
            Identity::Open { ip } => match self.open_limit {
                None => return Ok(()),
                Some(rate) => {
                    let mut buckets = self.open_buckets.lock().unwrap_or_else(|p| p.into_inner());
                    if buckets.len() >= OPEN_BUCKETS_PRUNE_AT && !buckets.contains_key(ip) {
                        buckets.retain(|_, b| {
                            b.refill(rate, now);
                            b.tokens < rate.burst
                        });
                    }
                    let b = buckets
                        .entry(*ip)
                        .or_insert_with(|| Bucket::full(rate, now));
                    (b.take(rate, now), rate.per_second)
                }
            },
        };
        if allowed {
            return Ok(());
        }
        let who_text = match who {
            Identity::Caller(c) => format!("caller {:?}", c.name),
            Identity::Open { ip: Some(ip) } => format!("client {ip}"),
            Identity::Open { ip: None } => "client".to_string(),
        };
        Err(self.count(
            who.label(),
            AuthError::RateLimited {
                who: who_text,
                per_second,
            },
        ))
    }

    /// Applies the caller's dataset restriction to a screening's options: with none
    /// requested, the caller screens against its own datasets; one outside them is refused.
    pub fn restrict(&self, who: &Identity, options: &mut ScreenOptions) -> Result<(), AuthError> {
        let Identity::Caller(c) = who else {
            return Ok(());
        };
        if c.datasets.is_empty() {
            return Ok(());
        }
        if options.datasets.is_empty() {
            options.datasets = c.datasets.clone();
            return Ok(());
        }
        for d in &options.datasets {
            self.dataset(who, d)?;
        }
        Ok(())
    }

    /// Checks the caller may see entities of `dataset`.
    pub fn dataset(&self, who: &Identity, dataset: &str) -> Result<(), AuthError> {
        let Identity::Caller(c) = who else {
            return Ok(());
        };
        if c.datasets.is_empty() || c.datasets.iter().any(|d| d == dataset) {
            return Ok(());
        }
        Err(self.count(
            &c.name,
            AuthError::Dataset {
                caller: c.name.clone(),
                dataset: dataset.to_string(),
                allowed: c.datasets.join(", "),
            },
        ))
    }

    fn count(&self, caller: &str, e: AuthError) -> AuthError {
        self.metrics.auth_rejected(caller, e.reason());
        e
    }
}

/// The names a certificate offers for `cert_subject`: the subject's common name, then its
/// DNS and URI subject alternative names.
pub fn certificate_names(cert: &CertificateDer<'_>) -> Vec<String> {
    let Ok(parsed) = webpki::EndEntityCert::try_from(cert) else {
        return Vec::new();
    };
    let mut names: Vec<String> = common_name(parsed.subject()).into_iter().collect();
    names.extend(parsed.valid_dns_names().map(str::to_string));
    names.extend(parsed.valid_uri_names().map(str::to_string));
    names
}

/// The common name (OID 2.5.4.3) of a DER `Name` given without its outer SEQUENCE header:
/// a sequence of SETs of SEQUENCE { OID, string }.
fn common_name(mut subject: &[u8]) -> Option<String> {
    const CN: &[u8] = &[0x55, 0x04, 0x03];
    while !subject.is_empty() {
        let (tag, mut set, rest) = der(subject)?;
        subject = rest;
        if tag != 0x31 {
            return None;
        }
        while !set.is_empty() {
            let (tag, attribute, rest) = der(set)?;
            set = rest;
            if tag != 0x30 {
                return None;
            }
            let (oid_tag, oid, value) = der(attribute)?;
            let (string_tag, string, _) = der(value)?;
            // UTF8String, PrintableString, IA5String.
            if oid_tag == 0x06 && oid == CN && matches!(string_tag, 0x0c | 0x13 | 0x16) {
                return std::str::from_utf8(string).ok().map(str::to_string);
            }
        }
    }
    None
}

/// One DER element: (tag, contents, what follows). Single-byte tags, definite lengths.
fn der(input: &[u8]) -> Option<(u8, &[u8], &[u8])> {
    let (&tag, rest) = input.split_first()?;
    let (&first, mut rest) = rest.split_first()?;
    let len = if first < 0x80 {
        usize::from(first)
    } else {
        let n = usize::from(first & 0x7f);
        if n == 0 || n > 4 || rest.len() < n {
            return None;
        }
        let (bytes, after) = rest.split_at(n);
        rest = after;
        bytes.iter().fold(0usize, |l, &b| (l << 8) | usize::from(b))
    };
    if rest.len() < len {
        return None;
    }
    let (contents, after) = rest.split_at(len);
    Some((tag, contents, after))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    fn caller(
        name: &str,
        token: Option<&str>,
        subject: Option<&str>,
        roles: &[Role],
    ) -> CallerConfig {
        CallerConfig {
            name: name.into(),
            token_sha256: token.map(hash_token),
            cert_subject: subject.map(str::to_string),
            roles: roles.to_vec(),
            datasets: Vec::new(),
            rate_per_second: 0.0,
            burst: None,
        }
    }

    fn bearer(token: &str) -> tonic::metadata::MetadataMap {
        let mut m = tonic::metadata::MetadataMap::new();
        m.insert("authorization", format!("Bearer {token}").parse().unwrap());
        m
    }

    /// A self-signed certificate for `cn`; SANs with "://" are URIs, the others DNS names.
    fn cert_with(cn: &str, sans: &[&str]) -> CertificateDer<'static> {
        let key = rcgen::KeyPair::generate().unwrap();
        let mut params = rcgen::CertificateParams::default();
        params.distinguished_name = rcgen::DistinguishedName::new();
        params
            .distinguished_name
            .push(rcgen::DnType::OrganizationName, "Example");
        params
            .distinguished_name
            .push(rcgen::DnType::CommonName, cn);
        params.subject_alt_names = sans
            .iter()
            .map(|s| {
                let ia5 = rcgen::Ia5String::try_from(*s).unwrap();
                if s.contains("://") {
                    rcgen::SanType::URI(ia5)
                } else {
                    rcgen::SanType::DnsName(ia5)
                }
            })
            .collect();
        params.self_signed(&key).unwrap().der().clone()
    }

    #[test]
    fn token_hash_is_sha256_hex() {
        assert_eq!(
            hash_token("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        assert_eq!(parse_sha256(&hash_token("abc")).unwrap()[0], 0xba);
        assert!(parse_sha256("ba78").is_none());
        assert!(parse_sha256(&"zz".repeat(32)).is_none());
        let a = parse_sha256(&hash_token("a")).unwrap();
        let b = parse_sha256(&hash_token("b")).unwrap();
        assert!(constant_time_eq(&a, &a) && !constant_time_eq(&a, &b));
    }

    #[test]
    fn certificates_name_callers_by_common_name_or_san() {
        let cert = cert_with(
            "billing",
            &["billing.svc.example", "spiffe://example/billing"],
        );
        assert_eq!(
            certificate_names(&cert),
            ["billing", "billing.svc.example", "spiffe://example/billing"]
        );
        let gate = Gate::new(
            &[
                caller(
                    "billing",
                    None,
                    Some("spiffe://example/billing"),
                    &[Role::Screen],
                ),
                caller("ops", Some("ops-token"), None, &[Role::Admin]),
            ],
            &AccessConfig::default(),
            Arc::new(Metrics::new()),
        );
        let none = tonic::metadata::MetadataMap::new();
        let certs = [cert];
        let who = gate
            .check_parts(&none, Some(&certs), None, Need::Role(Role::Screen))
            .unwrap();
        assert_eq!(who.principal(), Some("billing"));
        let e = gate
            .check_parts(&none, Some(&certs), None, Need::Role(Role::Admin))
            .unwrap_err();
        assert!(matches!(e, AuthError::Role { .. }), "{e}");
        // Token and certificate naming two different callers.
        let e = gate
            .check_parts(&bearer("ops-token"), Some(&certs), None, Need::Anyone)
            .unwrap_err();
        assert!(e.to_string().contains("different callers"), "{e}");
        // An unknown certificate alone.
        let stranger = [cert_with("stranger", &[])];
        let e = gate
            .check_parts(&none, Some(&stranger), None, Need::Anyone)
            .unwrap_err();
        assert!(e.to_string().contains("stranger"), "{e}");
        // ... with a valid token, the token decides.
        let who = gate
            .check_parts(
                &bearer("ops-token"),
                Some(&stranger),
                None,
                Need::Role(Role::Admin),
            )
            .unwrap();
        assert_eq!(who.principal(), Some("ops"));
    }

    #[test]
    fn tokens_are_checked_and_open_mode_lets_everyone_in() {
        let metrics = Arc::new(Metrics::new());
        let gate = Gate::new(
            &[caller("billing", Some("s3cret"), None, &[Role::Screen])],
            &AccessConfig::default(),
            metrics.clone(),
        );
        let need = Need::Role(Role::Screen);
        let ok = gate
            .check_parts(&bearer("s3cret"), None, None, need)
            .unwrap();
        assert_eq!(ok.principal(), Some("billing"));
        for bad in [
            bearer("s3cre"),
            bearer(""),
            tonic::metadata::MetadataMap::new(),
        ] {
            let e = gate.check_parts(&bad, None, None, need).unwrap_err();
            assert!(matches!(e, AuthError::Unauthenticated(_)), "{e}");
        }
        let mut basic = tonic::metadata::MetadataMap::new();
        basic.insert("authorization", "Basic czNjcmV0".parse().unwrap());
        assert!(gate.check_parts(&basic, None, None, need).is_err());
        assert!(metrics.render().contains(
            "clearance_auth_rejections_total{caller=\"-\",reason=\"unauthenticated\"} 4"
        ));
        let open = Gate::new(&[], &AccessConfig::default(), metrics);
        let who = open
            .check_parts(
                &tonic::metadata::MetadataMap::new(),
                None,
                None,
                Need::Role(Role::Admin),
            )
            .unwrap();
        assert_eq!(who.principal(), None);
    }

    #[test]
    fn datasets_restrict_or_refuse() {
        let mut c = caller("billing", Some("t"), None, &[Role::Screen]);
        c.datasets = vec!["us_ofac_sdn".into(), "own".into()];
        let gate = Gate::new(&[c], &AccessConfig::default(), Arc::new(Metrics::new()));
        let who = gate
            .check_parts(&bearer("t"), None, None, Need::Anyone)
            .unwrap();
        let mut options = ScreenOptions::default();
        gate.restrict(&who, &mut options).unwrap();
        assert_eq!(options.datasets, ["us_ofac_sdn", "own"]);
        let mut options = ScreenOptions {
            datasets: vec!["own".into()],
            ..ScreenOptions::default()
        };
        gate.restrict(&who, &mut options).unwrap();
        assert_eq!(options.datasets, ["own"]);
        options.datasets.push("us_trade_csl".into());
        let e = gate.restrict(&who, &mut options).unwrap_err();
        assert!(e.to_string().contains("\"us_trade_csl\""), "{e}");
    }

    #[test]
    fn token_bucket_allows_the_burst_then_the_rate() {
        let rate = Rate {
            per_second: 10.0,
            burst: 3.0,
        };
        let t0 = Instant::now();
        let mut b = Bucket::full(rate, t0);
        assert!((0..3).all(|_| b.take(rate, t0)));
        assert!(!b.take(rate, t0));
        assert!(!b.take(rate, t0 + Duration::from_millis(50)));
        assert!(b.take(rate, t0 + Duration::from_millis(100)));
        assert!(!b.take(rate, t0 + Duration::from_millis(100)));
        // Idle time refills no further than the burst.
        let later = t0 + Duration::from_secs(60);
        assert!((0..3).all(|_| b.take(rate, later)));
        assert!(!b.take(rate, later));
    }

    #[test]
    fn open_mode_limits_each_address_separately() {
        let gate = Gate::new(
            &[],
            &AccessConfig {
                open_rate_per_second: 0.001,
                open_burst: Some(2),
            },
            Arc::new(Metrics::new()),
        );
        let a = Identity::Open {
            ip: Some("10.0.0.1".parse().unwrap()),
        };
        let b = Identity::Open {
            ip: Some("10.0.0.2".parse().unwrap()),
        };
        assert!(gate.admit(&a).is_ok() && gate.admit(&a).is_ok());
        assert!(matches!(gate.admit(&a), Err(AuthError::RateLimited { .. })));
        assert!(gate.admit(&b).is_ok());
    }

    #[test]
    fn validation_names_the_caller_and_field() {
        let ok = caller("billing", Some("t"), None, &[Role::Screen]);
        let check = |c: Vec<CallerConfig>, certs: bool| {
            validate(&c, &AccessConfig::default(), certs).unwrap_err()
        };
        let mut bad = ok.clone();
        bad.token_sha256 = Some("abc".into());
        assert!(check(vec![bad], false).contains("caller 0 (\"billing\"): token_sha256"));
        let mut bad = ok.clone();
        bad.token_sha256 = None;
        assert!(check(vec![bad], false).contains("token_sha256, cert_subject"));
        let e = check(
            vec![caller("ops", None, Some("ops"), &[Role::Admin])],
            false,
        );
        assert!(e.contains("cert_subject needs [tls] client_ca"), "{e}");
        let e = check(vec![ok.clone(), ok.clone()], false);
        assert!(e.contains("caller 1") && e.contains("name"), "{e}");
        let mut other = ok.clone();
        other.name = "other".into();
        let e = check(vec![ok.clone(), other], false);
        assert!(e.contains("token_sha256 is used"), "{e}");
        let mut bad = ok.clone();
        bad.roles.clear();
        assert!(check(vec![bad], false).contains("roles"));
        let mut bad = ok.clone();
        bad.rate_per_second = -1.0;
        assert!(check(vec![bad], false).contains("rate_per_second"));
        assert!(validate(&[ok], &AccessConfig::default(), false).is_ok());
    }

    #[test]
    fn der_reader_refuses_truncated_input() {
        assert_eq!(der(&[0x30, 0x02, 0x01]), None);
        assert_eq!(der(&[0x30, 0x81]), None);
        assert_eq!(
            der(&[0x04, 0x01, 0xaa, 0xbb]),
            Some((0x04, &[0xaa][..], &[0xbb][..]))
        );
        assert_eq!(common_name(&[0x31, 0x05, 0x30]), None);
    }
}
