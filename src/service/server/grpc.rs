//! Request handling for `Screening` and `Admin`: conversion of the answers to the proto
//! messages, and the one place errors become `tonic::Status`. What a request means (its
//! validation and conversion to the engine's types) is [`crate::service::request`], which the
//! audit trail's replay shares.

use std::collections::VecDeque;
use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio_stream::wrappers::ReceiverStream;
use tokio_stream::StreamExt;
use tonic::{Request, Response, Status};

use super::reload::{self, ReloadError, Trigger};
use super::State;
use crate::engine::model::{Entity, NameKind};
use crate::engine::policy::Decision;
use crate::engine::screen::{Party, ScreenOptions, Screening, Snapshot};
use crate::service::audit::{self, AuditError};
use crate::service::auth::{AuthError, Identity, Need, Role};
use crate::service::metrics::Rpc;
use crate::service::monitor::record::Suppression;
use crate::service::monitor::store::StoreError;
use crate::service::monitor::{outcome, rfc3339, MonitorError};
use crate::service::proto;
pub use crate::service::request::parse_request;
use crate::service::request::{self, InvalidRequest};

/// Largest request message accepted.
pub const MAX_MESSAGE_BYTES: usize = 64 * 1024;
/// Responses buffered per stream before the server stops reading requests (back-pressure).
pub const STREAM_BUFFER: usize = 64;
/// Answers per stream screened but waiting for their audit records. The records of one
/// stream share fsyncs only as far as they are in flight together, so this bounds a single
/// stream's audited throughput (about this many per two fsyncs) as well as its memory.
pub const STREAM_UNRECORDED: usize = 1024;

/// Why a request could not be served.
#[derive(Debug, thiserror::Error)]
pub enum RequestError {
    #[error(transparent)]
    Invalid(#[from] InvalidRequest),
    #[error("no entity {0:?} in the live snapshot")]
    NotFound(String),
    #[error("no snapshot loaded yet; the server is starting")]
    NotReady,
    #[error("reload failed, the previous snapshot keeps serving: {0}")]
    Reload(#[source] ReloadError),
    #[error("deadline exceeded")]
    Deadline,
    /// The decision's audit record could not be written (`on_error = "fail_closed"`).
    #[error("{0}; the decision is withheld until it can be recorded")]
    Audit(#[source] AuditError),
    /// Refused by access control (see [`crate::service::auth`]).
    #[error(transparent)]
    Access(#[from] AuthError),
    #[error("monitoring: {0}")]
    Monitoring(#[from] MonitorError),
    /// A `Monitoring` call to a server without `[monitoring]`, or before its database opened.
    #[error("monitoring is not available: {0}")]
    MonitoringOff(String),
}

pub(super) fn invalid(field: impl Into<String>, message: impl Into<String>) -> RequestError {
    RequestError::Invalid(InvalidRequest {
        field: field.into(),
        message: message.into(),
    })
}

/// The single mapping from errors to gRPC status codes.
pub fn code_of(e: &RequestError) -> tonic::Code {
    use tonic::Code;
    match e {
        RequestError::Invalid(_) => Code::InvalidArgument,
        RequestError::NotFound(_) => Code::NotFound,
        RequestError::NotReady => Code::Unavailable,
        RequestError::Reload(_) => Code::FailedPrecondition,
        RequestError::Deadline => Code::DeadlineExceeded,
        RequestError::Audit(_) => Code::Unavailable,
        RequestError::Access(AuthError::Unauthenticated(_)) => Code::Unauthenticated,
        RequestError::Access(AuthError::Role { .. } | AuthError::Dataset { .. }) => {
            Code::PermissionDenied
        }
        RequestError::Access(AuthError::RateLimited { .. }) => Code::ResourceExhausted,
        RequestError::Monitoring(MonitorError::NoParty(_))
        | RequestError::Monitoring(MonitorError::Store(StoreError::NoAlert(_))) => Code::NotFound,
        RequestError::Monitoring(_) | RequestError::MonitoringOff(_) => Code::Unavailable,
    }
}

/// The error as the caller receives it: [`code_of`] and the error's message.
pub fn status_of(e: RequestError) -> Status {
    Status::new(code_of(&e), e.to_string())
}

/// Records how an RPC ended and turns its result into tonic's.
pub(super) fn finish<T>(rpc: Rpc, result: Result<T, RequestError>) -> Result<Response<T>, Status> {
    match result {
        Ok(v) => {
            rpc.finish(tonic::Code::Ok);
            Ok(Response::new(v))
        }
        Err(e) => {
            let status = status_of(e);
            log_error(&status);
            rpc.finish(status.code());
            Err(status)
        }
    }
}

/// One log line per failed call that points at the server. A caller's bad request or a
/// refusal by access control is counted in the metrics but not logged; a failed reload has
/// its own line from `reload`.
fn log_error(status: &Status) {
    if !matches!(
        status.code(),
        tonic::Code::InvalidArgument
            | tonic::Code::NotFound
            | tonic::Code::FailedPrecondition
            | tonic::Code::Unauthenticated
            | tonic::Code::PermissionDenied
            | tonic::Code::ResourceExhausted
    ) {
        tracing::warn!(code = ?status.code(), "{}", status.message());
    }
}

/// The `grpc-timeout` header (gRPC over HTTP/2 spec: up to 8 digits and a unit).
fn grpc_timeout(metadata: &tonic::metadata::MetadataMap) -> Option<Duration> {
    // `to_str` accepts visible ASCII only, so splitting off the last byte is safe.
    let value = metadata.get("grpc-timeout")?.to_str().ok()?;
    let (digits, unit) = value.split_at(value.len().checked_sub(1)?);
    if digits.is_empty() || digits.len() > 8 {
        return None;
    }
    let n: u64 = digits.parse().ok()?;
    Some(match unit {
        "H" => Duration::from_secs(n * 3600),
        "M" => Duration::from_secs(n * 60),
        "S" => Duration::from_secs(n),
        "m" => Duration::from_millis(n),
        "u" => Duration::from_micros(n),
        "n" => Duration::from_nanos(n),
        _ => return None,
    })
}

pub(super) fn decision_to_proto(d: Decision) -> proto::Decision {
    match d {
        Decision::Allow => proto::Decision::Allow,
        Decision::Review => proto::Decision::Review,
        Decision::Deny => proto::Decision::Deny,
    }
}

/// A reviewer's verdict on a hit, as the response shows it.
pub fn suppression_to_proto(s: &Suppression) -> proto::Suppression {
    proto::Suppression {
        alert_id: s.alert_id.clone(),
        reviewer: s.reviewer.clone(),
        at: rfc3339(s.at),
        note: s.note.clone(),
    }
}

/// Converts a library result into the response message, each hit with the verdict that
/// took it out of the decision (`suppressions[i]` for hit `i`; may be empty).
pub fn response_with(
    request_id: String,
    s: Screening,
    suppressions: &[Option<Suppression>],
) -> proto::ScreenResponse {
    let mut r = response(request_id, s);
    for (hit, cleared) in r.hits.iter_mut().zip(suppressions) {
        hit.suppressed = cleared.as_ref().map(suppression_to_proto);
    }
    r
}

/// Converts a library result into the response message.
pub fn response(request_id: String, s: Screening) -> proto::ScreenResponse {
    proto::ScreenResponse {
        request_id,
        decision: decision_to_proto(s.decision) as i32,
        hits: s
            .hits
            .into_iter()
            .map(|h| proto::Hit {
                entity_id: h.entity_id,
                dataset: h.dataset,
                name: h.name,
                matched_name: h.matched_name,
                score: h.score,
                kind: request::kind_to_proto(Some(h.kind)) as i32,
                programs: h.programs,
                explanation: h.explanation,
                via: h.via,
                rule: h.rule.unwrap_or_default(),
                ownership_percent: h.ownership_percent.unwrap_or(0.0),
                decision: decision_to_proto(h.decision) as i32,
                suppressed: None,
            })
            .collect(),
        snapshot_version: s.snapshot_version,
        as_of: s.as_of,
        explanation: s.explanation,
    }
}

fn entity_to_proto(e: &Entity) -> proto::Entity {
    proto::Entity {
        id: e.id.clone(),
        dataset: e.dataset.clone(),
        kind: request::kind_to_proto(Some(e.kind)) as i32,
        name: e.primary_name().to_string(),
        aliases: e
            .names
            .iter()
            .filter(|n| n.kind != NameKind::Primary)
            .map(|n| n.value.clone())
            .collect(),
        countries: e.countries.clone(),
        identifiers: e
            .identifiers
            .iter()
            .map(|i| proto::Identifier {
                scheme: i.scheme.clone(),
                value: i.value.clone(),
            })
            .collect(),
        programs: e.programs.clone(),
        addresses: e.addresses.clone(),
        birth_dates: e.birth_dates.clone(),
        nationalities: e.nationalities.clone(),
        gender: e.gender.map(|g| g.as_str().to_string()).unwrap_or_default(),
        listed_on: e.listed_on.clone().unwrap_or_default(),
        remarks: e.remarks.clone().unwrap_or_default(),
    }
}

/// A screening decided, with what the console shows beside the answer, and its audit record
/// on its way to the log.
pub(super) struct Decided {
    /// The engine's answer, the reviewers' verdicts applied.
    pub screening: Screening,
    /// For hit `i`, the false-positive verdict that took it out of the decision.
    pub suppressions: Vec<Option<Suppression>>,
    /// The snapshot that decided (held so that what is shown beside the answer is of the
    /// same version).
    pub snapshot: Arc<Snapshot>,
    /// The party and options as parsed, the caller's dataset restriction applied.
    pub party: Party,
    pub options: ScreenOptions,
    record: Option<audit::writer::Pending>,
}

impl Decided {
    /// Waits until the decision's audit record is durable (cancel-safe): the answer may not
    /// be shown before.
    pub async fn recorded(&mut self) -> Result<(), RequestError> {
        if let Some(record) = &mut self.record {
            record.durable().await.map_err(RequestError::Audit)?;
            self.record = None;
        }
        Ok(())
    }
}

/// Screens one request against the serving snapshot, loaded once so that a concurrent
/// reload cannot mix two list versions into one answer, and hands the decision's record to
/// the audit log. The answer may leave once [`Decided::recorded`] says the record is down.
/// Each screening takes one from the caller's rate limit, and screens only against the
/// datasets the caller may use. The gRPC calls and the console screen through here.
pub(super) async fn decide(
    state: &State,
    req: &proto::ScreenRequest,
    stream_started: Option<Instant>,
    ctx: &audit::Context,
    who: &Identity,
) -> Result<Decided, RequestError> {
    state.gate.admit(who)?;
    let (party, options) =
        match parse_request(req)
            .map_err(RequestError::from)
            .and_then(|(party, mut options)| {
                state.gate.restrict(who, &mut options)?;
                Ok((party, options))
            }) {
            Ok(parsed) => parsed,
            Err(e) => {
                if let Some(log) = &state.audit {
                    log.rejected(ctx, req, code_of(&e), e.to_string());
                }
                return Err(e);
            }
        };
    let snapshot = state.snapshot().ok_or(RequestError::NotReady)?;
    let mut result = snapshot.screen(&party, &options);
    // A party the book knows under its ref: the reviewers' false-positive verdicts apply.
    let mut suppressions = Vec::new();
    let reference = req.party.as_ref().map_or("", |p| p.r#ref.trim());
    if let (Some(monitor), false) = (state.monitor(), reference.is_empty()) {
        match monitor.verdicts(reference).await {
            Ok(verdicts) => {
                let facts_hash = outcome::facts_hash(&outcome::facts_of(&party));
                suppressions =
                    outcome::apply_verdicts(&snapshot, &mut result, &facts_hash, &verdicts);
            }
            // Fail closed: without the verdicts the hits stand, and the caller is told.
            Err(e) => {
                result.explanation = format!(
                    "{}; reviewers' verdicts on ref {reference:?} could not be read ({e}), so \
                     none is applied",
                    result.explanation
                );
            }
        }
    }
    state.metrics.screened(&result, stream_started);
    let record = match &state.audit {
        Some(log) => Some(log.decision(ctx, req, &result, &snapshot).await),
        None => None,
    };
    Ok(Decided {
        screening: result,
        suppressions,
        snapshot,
        party,
        options,
        record,
    })
}

/// [`decide`], answered as a gRPC response.
async fn screen_one(
    state: &State,
    req: &proto::ScreenRequest,
    stream_started: Option<Instant>,
    ctx: &audit::Context,
    who: &Identity,
) -> Settling {
    match decide(state, req, stream_started, ctx, who).await {
        Err(e) => Settling::done(Err(e)),
        Ok(d) => Settling {
            reply: Ok(response_with(
                req.request_id.clone(),
                d.screening,
                &d.suppressions,
            )),
            record: d.record,
        },
    }
}

/// An answer waiting for its audit record to be written.
struct Settling {
    reply: Result<proto::ScreenResponse, RequestError>,
    record: Option<audit::writer::Pending>,
}

impl Settling {
    fn done(reply: Result<proto::ScreenResponse, RequestError>) -> Settling {
        Settling {
            reply,
            record: None,
        }
    }

    /// Waits until the record is durable (cancel-safe); a failure to record replaces the
    /// answer.
    async fn settle(&mut self) {
        if let Some(record) = &mut self.record {
            if let Err(e) = record.durable().await {
                self.reply = Err(RequestError::Audit(e));
            }
            self.record = None;
        }
    }
}

/// Settles the oldest answer in the queue; never resolves on an empty one.
async fn settle_oldest(queue: &mut VecDeque<Settling>) {
    match queue.front_mut() {
        Some(s) => s.settle().await,
        None => std::future::pending().await,
    }
}

/// Returns the request id to the caller, in the response's or the error's metadata.
fn with_request_id<T>(
    result: Result<Response<T>, Status>,
    ctx: &audit::Context,
) -> Result<Response<T>, Status> {
    let Ok(id) = ctx.request_id.parse::<tonic::metadata::MetadataValue<_>>() else {
        return result;
    };
    match result {
        Ok(mut r) => {
            r.metadata_mut().insert(audit::REQUEST_ID_HEADER, id);
            Ok(r)
        }
        Err(mut status) => {
            status.metadata_mut().insert(audit::REQUEST_ID_HEADER, id);
            Err(status)
        }
    }
}

/// The `Screening` service.
pub struct ScreeningService {
    pub state: Arc<State>,
}

#[tonic::async_trait]
impl proto::screening_server::Screening for ScreeningService {
    async fn screen(
        &self,
        request: Request<proto::ScreenRequest>,
    ) -> Result<Response<proto::ScreenResponse>, Status> {
        let rpc = self.state.metrics.rpc("Screen");
        let who = match self.state.gate.check(&request, Need::Role(Role::Screen)) {
            Ok(who) => who,
            Err(e) => return finish(rpc, Err(e.into())),
        };
        let ctx = audit::Context::of_request(&request, "Screen", who.principal());
        let mut answer = screen_one(&self.state, request.get_ref(), None, &ctx, &who).await;
        answer.settle().await;
        with_request_id(finish(rpc, answer.reply), &ctx)
    }

    type ScreenStreamStream = ReceiverStream<Result<proto::ScreenResponse, Status>>;

    async fn screen_stream(
        &self,
        request: Request<tonic::Streaming<proto::ScreenRequest>>,
    ) -> Result<Response<Self::ScreenStreamStream>, Status> {
        let rpc = self.state.metrics.rpc("ScreenStream");
        let who = match self.state.gate.check(&request, Need::Role(Role::Screen)) {
            Ok(who) => who,
            Err(e) => return finish(rpc, Err(e.into())),
        };
        let ctx = audit::Context::of_request(&request, "ScreenStream", who.principal());
        let deadline = grpc_timeout(request.metadata()).map(|t| tokio::time::Instant::now() + t);
        let mut requests = request.into_inner();
        let (tx, rx) = tokio::sync::mpsc::channel(STREAM_BUFFER);
        let state = self.state.clone();
        let stream_ctx = ctx.clone();
        tokio::spawn(async move {
            let until_deadline = async {
                match deadline {
                    Some(d) => tokio::time::sleep_until(d).await,
                    None => std::future::pending().await,
                }
            };
            tokio::pin!(until_deadline);
            // Answers whose audit records are being written, oldest first: the stream goes
            // on reading and screening meanwhile, so one stream's records share fsyncs. Those
            // already settled go out through `tx` as before.
            let mut settling: VecDeque<Settling> = VecDeque::new();
            // Why reading stopped: the client closed its side (Ok) or broke it (Err).
            let mut ended: Option<Result<(), Status>> = None;
            let mut expired = false;
            let mut n = 0;
            let code = loop {
                let reply = if ended.is_some() && settling.is_empty() {
                    match ended.take() {
                        Some(Err(status)) => Err(status),
                        _ => break tonic::Code::Ok,
                    }
                } else {
                    tokio::select! {
                        biased;
                        _ = settle_oldest(&mut settling), if !settling.is_empty() => {
                            match settling.pop_front() {
                                Some(s) => s.reply.map_err(status_of),
                                None => continue,
                            }
                        }
                        next = requests.next(), if ended.is_none() && settling.len() < STREAM_UNRECORDED => {
                            match next {
                                Some(Ok(req)) => {
                                    n += 1;
                                    let item = stream_ctx.item(n);
                                    let s = screen_one(&state, &req, Some(Instant::now()), &item, &who)
                                        .await;
                                    // A bad request in a stream answers that request with its
                                    // error and ends the stream, as gRPC streams carry one final
                                    // status: nothing after it is read.
                                    if s.reply.is_err() {
                                        ended = Some(Ok(()));
                                    }
                                    settling.push_back(s);
                                    continue;
                                }
                                None => ended = Some(Ok(())),
                                // The client reset the stream or sent something undecodable.
                                Some(Err(status)) => ended = Some(Err(status)),
                            }
                            continue;
                        }
                        _ = &mut until_deadline => {
                            expired = true;
                            break tonic::Code::DeadlineExceeded;
                        }
                    }
                };
                let code = reply.as_ref().err().map(Status::code);
                // `send` waits while the buffer is full: a slow reader slows the stream down
                // instead of growing memory. A closed channel means the client went away.
                let sent = tokio::select! {
                    sent = tx.send(reply) => sent.is_ok(),
                    _ = &mut until_deadline => {
                        expired = true;
                        break tonic::Code::DeadlineExceeded;
                    }
                };
                if !sent {
                    break tonic::Code::Cancelled;
                }
                if let Some(code) = code {
                    break code;
                }
            };
            rpc.finish(code);
            // The final status must reach the client even when a slow reader keeps the
            // buffer full: without it the stream would end cut short with status OK. It
            // waits for room like any answer; a client that went away closes the channel.
            if expired && !tx.is_closed() {
                let _ = tx.send(Err(status_of(RequestError::Deadline))).await;
            }
        });
        with_request_id(Ok(Response::new(ReceiverStream::new(rx))), &ctx)
    }

    async fn get_entity(
        &self,
        request: Request<proto::GetEntityRequest>,
    ) -> Result<Response<proto::Entity>, Status> {
        let rpc = self.state.metrics.rpc("GetEntity");
        let who = match self.state.gate.check(&request, Need::Role(Role::Screen)) {
            Ok(who) => who,
            Err(e) => return finish(rpc, Err(e.into())),
        };
        let id = &request.get_ref().entity_id;
        let result = if id.is_empty() {
            Err(invalid("entity_id", "must not be empty"))
        } else {
            self.state
                .snapshot()
                .ok_or(RequestError::NotReady)
                .and_then(|s| {
                    let e = s
                        .index
                        .entity_by_id(id)
                        .ok_or_else(|| RequestError::NotFound(id.clone()))?;
                    self.state.gate.dataset(&who, &e.dataset)?;
                    Ok(entity_to_proto(e))
                })
        };
        finish(rpc, result)
    }

    async fn status(
        &self,
        request: Request<proto::StatusRequest>,
    ) -> Result<Response<proto::StatusResponse>, Status> {
        let rpc = self.state.metrics.rpc("Status");
        if let Err(e) = self.state.gate.check(&request, Need::Anyone) {
            return finish(rpc, Err(e.into()));
        }
        // Answered before the first snapshot too: the updates say why there is none.
        let result = match self.state.snapshot() {
            Some(s) => status_response(&s, &self.state),
            None => proto::StatusResponse {
                last_reload: self.state.last_reload(),
                updates: update_statuses(&self.state),
                ..proto::StatusResponse::default()
            },
        };
        finish(rpc, Ok(result))
    }
}

fn status_response(snapshot: &Snapshot, state: &State) -> proto::StatusResponse {
    proto::StatusResponse {
        snapshot_version: snapshot.version().to_string(),
        datasets: snapshot
            .index
            .datasets()
            .iter()
            .map(|d| proto::DatasetStatus {
                name: d.name.clone(),
                entities: d.entities as u64,
                names: d.names as u64,
                as_of: d.as_of.clone().unwrap_or_default(),
                sha256: d.sha256.clone().unwrap_or_default(),
            })
            .collect(),
        last_reload: state.last_reload(),
        updates: update_statuses(state),
        sample_data: state.serving_sample(),
    }
}

fn update_statuses(state: &State) -> Vec<proto::SourceUpdate> {
    let time = |t: Option<jiff::Timestamp>| t.map(|t| t.to_string()).unwrap_or_default();
    state
        .update_statuses()
        .into_iter()
        .map(|s| proto::SourceUpdate {
            files: s
                .urls
                .iter()
                .map(|(name, url)| {
                    let cached = s.files.iter().find(|f| &f.name == name && &f.url == url);
                    proto::DownloadedFile {
                        name: name.clone(),
                        url: url.clone(),
                        sha256: cached.map(|f| f.sha256.clone()).unwrap_or_default(),
                        bytes: cached.map_or(0, |f| f.bytes),
                        downloaded_at: time(cached.map(|f| f.downloaded_at)),
                    }
                })
                .collect(),
            dataset: s.dataset,
            last_result: s.last_result.to_string(),
            last_success: time(s.last_success),
            last_error: s.last_error.unwrap_or_default(),
            last_attempt: time(s.last_attempt),
        })
        .collect()
}

/// The `Admin` service.
pub struct AdminService {
    pub state: Arc<State>,
}

#[tonic::async_trait]
impl proto::admin_server::Admin for AdminService {
    async fn reload(
        &self,
        request: Request<proto::ReloadRequest>,
    ) -> Result<Response<proto::ReloadResponse>, Status> {
        let rpc = self.state.metrics.rpc("Reload");
        if let Err(e) = self.state.gate.check(&request, Need::Role(Role::Admin)) {
            return finish(rpc, Err(e.into()));
        }
        let force = request.get_ref().force;
        // Building a snapshot takes a second or more: off the async workers.
        let result = reload::reload_blocking(self.state.clone(), Trigger::Admin, force)
            .await
            .map(|r| proto::ReloadResponse {
                snapshot_version: r.version,
                swapped: r.swapped,
                message: r.message,
            })
            .map_err(RequestError::Reload);
        finish(rpc, result)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn timeout(value: &str) -> Option<Duration> {
        let mut m = tonic::metadata::MetadataMap::new();
        m.insert("grpc-timeout", value.parse().unwrap());
        grpc_timeout(&m)
    }

    #[test]
    fn grpc_timeout_header() {
        assert_eq!(timeout("300m"), Some(Duration::from_millis(300)));
        assert_eq!(timeout("2S"), Some(Duration::from_secs(2)));
        assert_eq!(timeout("1H"), Some(Duration::from_secs(3600)));
        assert_eq!(timeout("99999999n"), Some(Duration::from_nanos(99_999_999)));
        for bad in ["", "m", "300", "300x", "123456789m", "-5m"] {
            assert_eq!(timeout(bad), None, "{bad:?}");
        }
        assert_eq!(grpc_timeout(&tonic::metadata::MetadataMap::new()), None);
    }
}
