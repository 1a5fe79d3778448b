//! The audit trail: one JSON line per screening decision the server makes, written durably
//! before the decision leaves, so that any decision can be shown later and re-run exactly.
//!
//! A [`Record`] holds the request *as received* (every field of the `ScreenRequest`, before
//! validation or normalization, so that [`replay()`] can feed it through the same conversion
//! the server used), who asked ([`Caller`]), when, and what the server answered: the
//! decision, each hit, the explanation, the evaluation date and the snapshot version with
//! every dataset's as-of date. Requests refused as invalid carry no decision; they are logged
//! as [`Rejected`] records, best effort (their answer is an error either way).
//!
//! [`writer`] appends records with group commit and rotation, [`read`] reads log files back
//! (skipping torn lines), [`mod@replay`] re-screens logged requests against a snapshot and
//! reports the decisions that changed. The server's hook is [`AuditLog::decision`], one call
//! per decision in `server::grpc`, whose [`writer::Pending`] the handler awaits before it
//! answers.
//!
//! Configured by the `[audit]` section of the config file ([`AuditConfig`], which
//! [`crate::service::config`] reads); without it nothing is logged.

pub mod read;
pub mod replay;
pub mod writer;

use std::path::PathBuf;
use std::str::FromStr;
use std::sync::atomic::{AtomicU64, Ordering};

use serde::{Deserialize, Serialize};

use crate::engine::policy::Decision;
use crate::engine::screen::{Screening, Snapshot};
use crate::service::proto;
pub use replay::{replay, Difference, ReplayOptions, ReplayReport};
pub use writer::{AuditLog, AuditObserver};

/// The record format written today. Readers refuse other versions rather than guess.
pub const FORMAT_VERSION: u32 = 1;

/// The metadata key a caller may set to name its request; the server returns the id it
/// used under the same key.
pub const REQUEST_ID_HEADER: &str = "x-request-id";

/// Longest request id accepted from a caller; a longer or non-printable one is replaced by a
/// generated id (returned to the caller, so it can correlate).
pub const MAX_REQUEST_ID_CHARS: usize = 128;

/// When the writer forces records to stable storage.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Fsync {
    /// Before the RPC answers: a decision never leaves without a durable record. Concurrent
    /// records share one fsync (group commit).
    #[default]
    Always,
    /// At most every `fsync_interval_ms`: a power loss may lose that window; a crash of the
    /// process alone loses nothing that was acknowledged.
    Interval,
    /// Never; the operating system writes back when it likes.
    Never,
}

impl FromStr for Fsync {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "always" => Ok(Fsync::Always),
            "interval" => Ok(Fsync::Interval),
            "never" => Ok(Fsync::Never),
            _ => Err(format!(
                "fsync {s:?}: expected \"always\", \"interval\" or \"never\""
            )),
        }
    }
}

/// What a screening RPC does when its record cannot be written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OnError {
    /// Answer UNAVAILABLE: no decision leaves without its record.
    #[default]
    FailClosed,
    /// Answer anyway; the lost record is counted (`clearance_audit_records_lost_total`) and
    /// logged as an error.
    FailOpen,
}

/// The `[audit]` section.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AuditConfig {
    /// The live log file; rotated files sit beside it as `PATH.1` (newest) to `PATH.{keep}`.
    pub path: PathBuf,
    #[serde(default)]
    pub fsync: Fsync,
    /// For `fsync = "interval"`.
    #[serde(default = "AuditConfig::default_interval_ms")]
    pub fsync_interval_ms: u64,
    /// Rotate before a record would take the live file past this size (0: never rotate).
    #[serde(default = "AuditConfig::default_max_bytes")]
    pub max_bytes: u64,
    /// Rotated files to keep; the oldest beyond this is deleted.
    #[serde(default = "AuditConfig::default_keep")]
    pub keep: usize,
    #[serde(default)]
    pub on_error: OnError,
}

impl AuditConfig {
    fn default_interval_ms() -> u64 {
        1000
    }
    fn default_max_bytes() -> u64 {
        100 * 1024 * 1024
    }
    fn default_keep() -> usize {
        10
    }

    /// The defaults for a log at `path`.
    pub fn new(path: impl Into<PathBuf>) -> AuditConfig {
        AuditConfig {
            path: path.into(),
            fsync: Fsync::default(),
            fsync_interval_ms: Self::default_interval_ms(),
            max_bytes: Self::default_max_bytes(),
            keep: Self::default_keep(),
            on_error: OnError::default(),
        }
    }

    /// Checks what serde cannot.
    pub fn validate(&self) -> Result<(), AuditError> {
        let bad = |message: &str| {
            Err(AuditError::Config {
                message: message.to_string(),
            })
        };
        if self.path.as_os_str().is_empty() {
            return bad("path must not be empty");
        }
        if self.fsync == Fsync::Interval && self.fsync_interval_ms == 0 {
            return bad("fsync_interval_ms must be above 0 with fsync = \"interval\"");
        }
        if self.max_bytes > 0 && self.keep == 0 {
            return bad("keep must be at least 1 when max_bytes rotates the log (an audit log must not delete its newest records)");
        }
        Ok(())
    }
}

/// Why an audit record could not be written or read.
#[derive(Debug, thiserror::Error)]
pub enum AuditError {
    #[error("[audit]: {message}")]
    Config { message: String },
    #[error("audit log {path}: {action}: {source}")]
    Io {
        path: PathBuf,
        action: &'static str,
        #[source]
        source: std::io::Error,
    },
    /// The write of a batch failed; the writer names the cause in its own log line.
    #[error("audit log {path}: record not written: {message}")]
    NotWritten { path: PathBuf, message: String },
    #[error("audit log writer has stopped")]
    WriterGone,
    #[error("audit record of request {request_id}: cannot serialize: {message}")]
    Serialize { request_id: String, message: String },
    #[error("{path}:{line}: not an audit record: {message}")]
    Record {
        path: PathBuf,
        line: usize,
        message: String,
    },
}

/// Who sent a request.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Caller {
    /// The transport's peer address, when it has one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub peer: Option<String>,
    /// The authenticated caller's name (its `[[caller]] name`, recognised by its TLS client
    /// certificate or bearer token); `None` when the server runs without access control.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub principal: Option<String>,
}

/// Identifies one screening for the log: the request id and who asked.
#[derive(Debug, Clone)]
pub struct Context {
    pub request_id: String,
    pub method: &'static str,
    pub caller: Caller,
}

impl Context {
    /// The context of an RPC: the caller's `x-request-id` when it is usable, else a fresh id;
    /// `principal` is the authenticated caller's name (`server::auth::Identity::principal`).
    pub fn of_request<T>(
        request: &tonic::Request<T>,
        method: &'static str,
        principal: Option<&str>,
    ) -> Context {
        let given = request
            .metadata()
            .get(REQUEST_ID_HEADER)
            .and_then(|v| v.to_str().ok())
            .filter(|id| usable_request_id(id));
        Context {
            request_id: given.map_or_else(new_request_id, str::to_string),
            method,
            caller: Caller {
                peer: request.remote_addr().map(|a| a.to_string()),
                principal: principal.map(str::to_string),
            },
        }
    }

    /// The context of the `n`th request (from 1) of a stream: `<stream id>-<n>`.
    pub fn item(&self, n: u64) -> Context {
        Context {
            request_id: format!("{}-{n}", self.request_id),
            method: self.method,
            caller: self.caller.clone(),
        }
    }
}

fn usable_request_id(id: &str) -> bool {
    !id.is_empty() && id.len() <= MAX_REQUEST_ID_CHARS && id.bytes().all(|b| b.is_ascii_graphic())
}

/// A fresh request id: 32 hex digits, a per-process random half and a counter, so ids never
/// repeat within a process and collide across processes only by chance (1 in 2^64).
pub fn new_request_id() -> String {
    use std::hash::{BuildHasher, Hasher};
    static SEED: std::sync::OnceLock<u64> = std::sync::OnceLock::new();
    static NEXT: AtomicU64 = AtomicU64::new(0);
    let seed = *SEED.get_or_init(|| {
        // RandomState is seeded from the OS's random source.
        let mut h = std::collections::hash_map::RandomState::new().build_hasher();
        h.write_u32(std::process::id());
        h.write_i128(jiff::Timestamp::now().as_nanosecond());
        h.finish()
    });
    format!("{seed:016x}{:016x}", NEXT.fetch_add(1, Ordering::Relaxed))
}

/// One line of the audit log.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Record {
    /// The record format, [`FORMAT_VERSION`].
    pub v: u32,
    pub request_id: String,
    /// When the decision was made (RFC 3339, UTC).
    pub time: jiff::Timestamp,
    /// `Screen` or `ScreenStream`; `Console` for a screening from the reviewer's console,
    /// `Resolve` or `ConsoleResolve` for a verdict.
    pub method: String,
    pub caller: Caller,
    pub request: RequestRecord,
    /// What the server answered; absent on a rejected request.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub result: Option<ResultRecord>,
    /// Why the request was refused; absent on a decision.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rejected: Option<Rejected>,
    /// A reviewer's verdict on a monitoring alert (`Monitoring.Resolve`): the record has no
    /// request or result then.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub verdict: Option<VerdictRecord>,
}

/// A reviewer's verdict as the audit trail keeps it; the reviewer is the record's caller.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct VerdictRecord {
    pub alert_id: String,
    /// The party's reference.
    #[serde(rename = "ref")]
    pub reference: String,
    /// `false_positive`, `true_match` or `escalated`.
    pub disposition: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub note: String,
    /// The entries the alert's hits named.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub entities: Vec<String>,
}

/// A `ScreenRequest` exactly as received: strings untrimmed, countries as the caller wrote
/// them, the party kind as its wire number's name (or the number itself when unknown).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct RequestRecord {
    /// The caller's `request_id` field (distinct from the record's id, which may come from
    /// metadata or be generated).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub request_id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub party: Option<PartyRecord>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub options: Option<OptionsRecord>,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub as_of: String,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct PartyRecord {
    pub name: String,
    /// `person`, `organization`, `vessel`, `aircraft`; empty when unspecified; a number when
    /// the caller sent one the proto does not define.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub kind: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub countries: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub identifiers: Vec<IdentifierRecord>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub addresses: Vec<String>,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub birth_date: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub parents: Vec<String>,
    /// As the caller wrote them (codes or names).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub nationalities: Vec<String>,
    /// The caller's reference for the party (`Party.ref`); reviewers' verdicts on it applied.
    #[serde(default, rename = "ref", skip_serializing_if = "String::is_empty")]
    pub reference: String,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct IdentifierRecord {
    pub scheme: String,
    pub value: String,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct OptionsRecord {
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub datasets: Vec<String>,
    /// 0 means the policy's.
    #[serde(default)]
    pub min_score: f32,
    /// 0 means the policy's.
    #[serde(default)]
    pub max_hits: u32,
}

/// The answer as the caller received it, and the list version that gave it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ResultRecord {
    pub decision: Decision,
    pub explanation: String,
    /// The date rules and ownership records were evaluated at.
    pub as_of: String,
    pub hits: Vec<HitRecord>,
    pub snapshot: SnapshotRecord,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HitRecord {
    pub entity_id: String,
    pub dataset: String,
    /// The entity's primary name.
    pub name: String,
    /// The name (primary or alias) that matched.
    pub matched_name: String,
    pub score: f32,
    pub decision: Decision,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rule: Option<String>,
    /// The ownership path, nearest owner first.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub via: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ownership_percent: Option<f32>,
    pub explanation: String,
}

/// The list version that answered.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SnapshotRecord {
    pub version: String,
    pub datasets: Vec<DatasetRecord>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DatasetRecord {
    pub name: String,
    /// The publisher's date for the list version, when it states one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub as_of: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sha256: Option<String>,
}

/// A request refused before screening.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Rejected {
    /// The gRPC status code name, e.g. `InvalidArgument`.
    pub code: String,
    pub message: String,
}

const KINDS: [(proto::PartyKind, &str); 4] = [
    (proto::PartyKind::Person, "person"),
    (proto::PartyKind::Organization, "organization"),
    (proto::PartyKind::Vessel, "vessel"),
    (proto::PartyKind::Aircraft, "aircraft"),
];

fn kind_name(kind: i32) -> String {
    if kind == proto::PartyKind::Unspecified as i32 {
        return String::new();
    }
    KINDS
        .iter()
        .find(|(k, _)| *k as i32 == kind)
        .map_or_else(|| kind.to_string(), |(_, name)| name.to_string())
}

fn kind_number(name: &str) -> Result<i32, String> {
    if name.is_empty() {
        return Ok(proto::PartyKind::Unspecified as i32);
    }
    KINDS
        .iter()
        .find(|(_, n)| *n == name)
        .map(|(k, _)| *k as i32)
        .or_else(|| name.parse().ok())
        .ok_or_else(|| format!("party.kind {name:?} is neither a kind nor a number"))
}

impl RequestRecord {
    /// The request as received.
    pub fn from_proto(r: &proto::ScreenRequest) -> RequestRecord {
        RequestRecord {
            request_id: r.request_id.clone(),
            party: r.party.as_ref().map(|p| PartyRecord {
                name: p.name.clone(),
                kind: kind_name(p.kind),
                countries: p.countries.clone(),
                identifiers: p
                    .identifiers
                    .iter()
                    .map(|i| IdentifierRecord {
                        scheme: i.scheme.clone(),
                        value: i.value.clone(),
                    })
                    .collect(),
                addresses: p.addresses.clone(),
                birth_date: p.birth_date.clone(),
                parents: p.parents.clone(),
                nationalities: p.nationalities.clone(),
                reference: p.r#ref.clone(),
            }),
            options: r.options.as_ref().map(|o| OptionsRecord {
                datasets: o.datasets.clone(),
                min_score: o.min_score,
                max_hits: o.max_hits,
            }),
            as_of: r.as_of.clone(),
        }
    }

    /// The request message again, field for field; the error names a kind that is neither
    /// one of ours nor a number (a hand-edited record).
    pub fn to_proto(&self) -> Result<proto::ScreenRequest, String> {
        let party = match &self.party {
            None => None,
            Some(p) => Some(proto::Party {
                name: p.name.clone(),
                kind: kind_number(&p.kind)?,
                countries: p.countries.clone(),
                identifiers: p
                    .identifiers
                    .iter()
                    .map(|i| proto::Identifier {
                        scheme: i.scheme.clone(),
                        value: i.value.clone(),
                    })
                    .collect(),
                addresses: p.addresses.clone(),
                birth_date: p.birth_date.clone(),
                parents: p.parents.clone(),
                nationalities: p.nationalities.clone(),
                r#ref: p.reference.clone(),
            }),
        };
        Ok(proto::ScreenRequest {
            request_id: self.request_id.clone(),
            party,
            options: self.options.as_ref().map(|o| proto::ScreenOptions {
                datasets: o.datasets.clone(),
                min_score: o.min_score,
                max_hits: o.max_hits,
            }),
            as_of: self.as_of.clone(),
        })
    }
}

impl ResultRecord {
    pub fn new(result: &Screening, snapshot: &Snapshot) -> ResultRecord {
        ResultRecord {
            decision: result.decision,
            explanation: result.explanation.clone(),
            as_of: result.as_of.clone(),
            hits: result
                .hits
                .iter()
                .map(|h| HitRecord {
                    entity_id: h.entity_id.clone(),
                    dataset: h.dataset.clone(),
                    name: h.name.clone(),
                    matched_name: h.matched_name.clone(),
                    score: h.score,
                    decision: h.decision,
                    rule: h.rule.clone(),
                    via: h.via.clone(),
                    ownership_percent: h.ownership_percent,
                    explanation: h.explanation.clone(),
                })
                .collect(),
            snapshot: SnapshotRecord {
                version: result.snapshot_version.clone(),
                datasets: snapshot
                    .index
                    .datasets()
                    .iter()
                    .map(|d| DatasetRecord {
                        name: d.name.clone(),
                        as_of: d.as_of.clone(),
                        sha256: d.sha256.clone(),
                    })
                    .collect(),
            },
        }
    }
}

impl Record {
    /// The record of a decision, timed now.
    pub fn decision(
        ctx: &Context,
        request: &proto::ScreenRequest,
        result: &Screening,
        snapshot: &Snapshot,
    ) -> Record {
        Record {
            v: FORMAT_VERSION,
            request_id: ctx.request_id.clone(),
            time: jiff::Timestamp::now(),
            method: ctx.method.to_string(),
            caller: ctx.caller.clone(),
            request: RequestRecord::from_proto(request),
            result: Some(ResultRecord::new(result, snapshot)),
            rejected: None,
            verdict: None,
        }
    }

    /// The record of a reviewer's verdict, timed now.
    pub fn verdict(ctx: &Context, verdict: VerdictRecord) -> Record {
        Record {
            v: FORMAT_VERSION,
            request_id: ctx.request_id.clone(),
            time: jiff::Timestamp::now(),
            method: ctx.method.to_string(),
            caller: ctx.caller.clone(),
            request: RequestRecord::default(),
            result: None,
            rejected: None,
            verdict: Some(verdict),
        }
    }

    /// The record of a request refused before screening.
    pub fn rejected(
        ctx: &Context,
        request: &proto::ScreenRequest,
        code: tonic::Code,
        message: String,
    ) -> Record {
        Record {
            v: FORMAT_VERSION,
            request_id: ctx.request_id.clone(),
            time: jiff::Timestamp::now(),
            method: ctx.method.to_string(),
            caller: ctx.caller.clone(),
            request: RequestRecord::from_proto(request),
            result: None,
            rejected: Some(Rejected {
                code: format!("{code:?}"),
                message,
            }),
            verdict: None,
        }
    }

    /// The record as one log line, newline included. JSON escapes control characters in
    /// strings, so the only newline is the last byte.
    pub fn to_line(&self) -> Result<Vec<u8>, AuditError> {
        let mut line = Vec::with_capacity(2048);
        serde_json::to_writer(&mut line, self).map_err(|e| AuditError::Serialize {
            request_id: self.request_id.clone(),
            message: e.to_string(),
        })?;
        line.push(b'\n');
        Ok(line)
    }

    /// Parses one line (without its newline) and checks the format version and shape.
    pub fn parse(line: &[u8]) -> Result<Record, String> {
        let record: Record = serde_json::from_slice(line).map_err(|e| e.to_string())?;
        record.check()?;
        Ok(record)
    }

    /// What serde cannot check: the format version, and one of `result` and `rejected`.
    pub fn check(&self) -> Result<(), String> {
        if self.v != FORMAT_VERSION {
            return Err(format!(
                "format version {} (this build reads {FORMAT_VERSION})",
                self.v
            ));
        }
        let parts = [
            self.result.is_some(),
            self.rejected.is_some(),
            self.verdict.is_some(),
        ];
        if parts.iter().filter(|&&p| p).count() != 1 {
            return Err("a record holds exactly one of `result`, `rejected` and `verdict`".into());
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::screen::{test_snapshot, Party, ScreenOptions};

    fn full_request() -> proto::ScreenRequest {
        proto::ScreenRequest {
            request_id: "caller-7".into(),
            party: Some(proto::Party {
                name: "  Acme Trading ".into(),
                kind: proto::PartyKind::Organization as i32,
                countries: vec!["Singapore".into(), "cn".into()],
                identifiers: vec![proto::Identifier {
                    scheme: "LEI".into(),
                    value: "5493001KJTIIGC8Y1R12".into(),
                }],
                addresses: vec!["1 Harbour Rd, Sevastopol".into()],
                birth_date: "1970".into(),
                parents: vec!["Parent Holding".into()],
                nationalities: vec!["Iraq".into(), "tr".into()],
                r#ref: "cust-42".into(),
            }),
            options: Some(proto::ScreenOptions {
                datasets: vec!["t".into()],
                min_score: 0.7,
                max_hits: 5,
            }),
            as_of: "2026-01-15".into(),
        }
    }

    #[test]
    fn a_record_round_trips_and_restores_the_request_field_for_field() {
        let snapshot = test_snapshot(&["Acme Trading"]);
        let request = full_request();
        let result = snapshot.screen(
            &Party {
                name: "Acme Trading".into(),
                ..Party::default()
            },
            &ScreenOptions::default(),
        );
        let ctx = Context {
            request_id: "rid-1".into(),
            method: "Screen",
            caller: Caller {
                peer: Some("127.0.0.1:5000".into()),
                principal: None,
            },
        };
        let record = Record::decision(&ctx, &request, &result, &snapshot);
        let line = record.to_line().unwrap();
        assert_eq!(line.iter().filter(|&&b| b == b'\n').count(), 1);
        assert_eq!(line.last(), Some(&b'\n'));
        let back = Record::parse(&line[..line.len() - 1]).unwrap();
        assert_eq!(back, record);
        assert_eq!(back.request.to_proto().unwrap(), request);
        let result = back.result.unwrap();
        assert_eq!(result.decision, Decision::Deny);
        assert_eq!(result.hits[0].entity_id, "t:0");
        assert_eq!(result.snapshot.version, snapshot.version());
        assert_eq!(result.snapshot.datasets[0].name, "t");
        let text = String::from_utf8(line).unwrap();
        assert!(text.contains("\"kind\":\"organization\""), "{text}");
        assert!(text.contains("\"time\":\""), "{text}");
    }

    #[test]
    fn an_unknown_kind_is_kept_as_its_number() {
        let mut request = full_request();
        request.party.as_mut().unwrap().kind = 42;
        let record = RequestRecord::from_proto(&request);
        assert_eq!(record.party.as_ref().unwrap().kind, "42");
        assert_eq!(record.to_proto().unwrap(), request);
        let mut bad = record;
        bad.party.as_mut().unwrap().kind = "spaceship".into();
        assert!(bad.to_proto().unwrap_err().contains("spaceship"));
    }

    #[test]
    fn parse_refuses_other_versions_and_shapes() {
        let e = Record::parse(br#"{"v":2}"#).unwrap_err();
        assert!(e.contains("missing field"), "{e}");
        let ctx = Context {
            request_id: "r".into(),
            method: "Screen",
            caller: Caller::default(),
        };
        let mut r = Record::rejected(
            &ctx,
            &proto::ScreenRequest::default(),
            tonic::Code::InvalidArgument,
            "party: required".into(),
        );
        r.v = 2;
        let line = r.to_line().unwrap();
        let e = Record::parse(&line[..line.len() - 1]).unwrap_err();
        assert!(e.contains("format version 2"), "{e}");
        r.v = FORMAT_VERSION;
        r.rejected = None;
        let line = r.to_line().unwrap();
        let e = Record::parse(&line[..line.len() - 1]).unwrap_err();
        assert!(e.contains("exactly one"), "{e}");
    }

    #[test]
    fn request_ids_are_fresh_unless_the_caller_sends_a_usable_one() {
        let a = new_request_id();
        let b = new_request_id();
        assert_ne!(a, b);
        assert_eq!(a.len(), 32);
        let mut req = tonic::Request::new(());
        assert_eq!(
            Context::of_request(&req, "Screen", None).request_id.len(),
            32
        );
        req.metadata_mut()
            .insert(REQUEST_ID_HEADER, "order-1234".parse().unwrap());
        let ctx = Context::of_request(&req, "Screen", None);
        assert_eq!(ctx.request_id, "order-1234");
        assert_eq!(ctx.item(3).request_id, "order-1234-3");
        req.metadata_mut()
            .insert(REQUEST_ID_HEADER, "x".repeat(200).parse().unwrap());
        assert_ne!(
            Context::of_request(&req, "Screen", None).request_id,
            "x".repeat(200)
        );
    }

    #[test]
    fn config_validation_names_the_key() {
        assert!(AuditConfig::new("a.jsonl").validate().is_ok());
        let mut c = AuditConfig::new("a.jsonl");
        c.keep = 0;
        assert!(c.validate().unwrap_err().to_string().contains("keep"));
        let mut c = AuditConfig::new("a.jsonl");
        c.fsync = Fsync::Interval;
        c.fsync_interval_ms = 0;
        let e = c.validate().unwrap_err().to_string();
        assert!(e.contains("fsync_interval_ms"), "{e}");
        assert_eq!("never".parse::<Fsync>(), Ok(Fsync::Never));
        assert!("sometimes".parse::<Fsync>().unwrap_err().contains("always"));
    }
}
