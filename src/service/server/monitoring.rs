//! The `Monitoring` service: the book's writes and reads over [`crate::service::monitor`],
//! messages converted both ways, errors through [`grpc::status_of`] like every other call.
//! Writes need the reviewer role (or admin) when callers are configured, reads the screen
//! role; a verdict is recorded in the audit trail with the caller's principal before it is
//! answered.

use std::sync::Arc;
use std::time::Duration;

use tokio_stream::wrappers::ReceiverStream;
use tokio_stream::StreamExt;
use tonic::{Request, Response, Status};

use super::grpc::{self, finish, invalid, RequestError};
use super::State;
use crate::engine::policy::Decision;
use crate::service::audit::{self, VerdictRecord};
use crate::service::auth::{Identity, Need, Role};
use crate::service::monitor::record::{Alert, AlertKind, Disposition, HitRecord, Verdict};
use crate::service::monitor::{outcome, rfc3339, Monitor};
use crate::service::proto;
use crate::service::request::{self, parse_party, parse_reference};

/// Longest accepted verdict note, in characters.
pub const MAX_NOTE_CHARS: usize = 4096;
/// Alerts read from the database per page of an `Alerts` stream.
const ALERTS_PAGE: usize = 500;

/// The `Monitoring` service.
pub struct MonitoringService {
    pub state: Arc<State>,
}

impl MonitoringService {
    fn monitor(&self) -> Result<&Arc<Monitor>, RequestError> {
        monitor_of(&self.state)
    }
}

/// The server's monitor, or why there is none (no `[monitoring]`, or its database has not
/// opened yet).
pub(super) fn monitor_of(state: &State) -> Result<&Arc<Monitor>, RequestError> {
    match state.monitor() {
        Some(m) => Ok(m),
        None if state.config.monitoring.is_none() => Err(RequestError::MonitoringOff(
            "the server has no [monitoring] section".into(),
        )),
        None => Err(RequestError::MonitoringOff(
            "its database has not opened yet".into(),
        )),
    }
}

/// Records a reviewer's verdict on an alert: checked, written to the audit trail with the
/// caller's principal, then applied. `Resolve` and the console's resolve form both use it.
pub(super) async fn resolve_alert(
    state: &State,
    who: &Identity,
    ctx: &audit::Context,
    alert_id: &str,
    verdict: Verdict,
    note: &str,
) -> Result<Disposition, RequestError> {
    let alert_id = alert_id.trim();
    if alert_id.is_empty() {
        return Err(invalid("alert_id", "required"));
    }
    if note.chars().count() > MAX_NOTE_CHARS {
        return Err(invalid(
            "note",
            format!("longer than {MAX_NOTE_CHARS} characters"),
        ));
    }
    let monitor = monitor_of(state)?;
    let reviewer = who.principal().unwrap_or("open");
    let alert = monitor
        .store()
        .alert(alert_id)
        .await
        .map_err(|e| RequestError::Monitoring(e.into()))?
        .ok_or_else(|| {
            RequestError::Monitoring(
                crate::service::monitor::store::StoreError::NoAlert(alert_id.to_string()).into(),
            )
        })?;
    // The verdict is in the audit trail before it takes effect.
    if let Some(log) = &state.audit {
        let record = VerdictRecord {
            alert_id: alert.alert.id.clone(),
            reference: alert.alert.reference.clone(),
            disposition: verdict.as_str().to_string(),
            note: note.to_string(),
            entities: alert
                .alert
                .hits
                .iter()
                .map(|h| h.entity_id.clone())
                .collect(),
        };
        log.verdict(ctx, record)
            .await
            .durable()
            .await
            .map_err(RequestError::Audit)?;
    }
    Ok(monitor
        .resolve(&alert.alert.id, verdict, note, reviewer)
        .await?)
}

fn verdict_of(d: i32) -> Result<Verdict, RequestError> {
    match proto::Disposition::try_from(d) {
        Ok(proto::Disposition::FalsePositive) => Ok(Verdict::FalsePositive),
        Ok(proto::Disposition::TrueMatch) => Ok(Verdict::TrueMatch),
        Ok(proto::Disposition::Escalated) => Ok(Verdict::Escalated),
        _ => Err(invalid(
            "disposition",
            format!("must be FALSE_POSITIVE, TRUE_MATCH or ESCALATED, not {d}"),
        )),
    }
}

fn disposition_to_proto(v: Verdict) -> proto::Disposition {
    match v {
        Verdict::FalsePositive => proto::Disposition::FalsePositive,
        Verdict::TrueMatch => proto::Disposition::TrueMatch,
        Verdict::Escalated => proto::Disposition::Escalated,
    }
}

fn kind_to_proto(k: AlertKind) -> proto::AlertKind {
    match k {
        AlertKind::NewHit => proto::AlertKind::NewHit,
        AlertKind::HitChanged => proto::AlertKind::HitChanged,
        AlertKind::HitRemoved => proto::AlertKind::HitRemoved,
        AlertKind::DecisionChanged => proto::AlertKind::DecisionChanged,
    }
}

fn decision(d: Decision) -> i32 {
    grpc::decision_to_proto(d) as i32
}

fn hit_to_proto(h: &HitRecord) -> proto::Hit {
    proto::Hit {
        entity_id: h.entity_id.clone(),
        dataset: h.dataset.clone(),
        name: h.name.clone(),
        matched_name: h.matched_name.clone(),
        score: h.score,
        kind: request::kind_to_proto(Some(h.kind)) as i32,
        programs: h.programs.clone(),
        explanation: h.explanation.clone(),
        via: h.via.clone(),
        rule: h.rule.clone().unwrap_or_default(),
        ownership_percent: h.ownership_percent.unwrap_or(0.0),
        decision: decision(h.decision),
        suppressed: h.suppressed.as_ref().map(grpc::suppression_to_proto),
    }
}

fn verdict_to_proto(d: &Disposition) -> proto::Verdict {
    proto::Verdict {
        alert_id: d.alert_id.clone(),
        disposition: disposition_to_proto(d.verdict) as i32,
        note: d.note.clone(),
        reviewer: d.reviewer.clone(),
        at: rfc3339(d.at),
    }
}

/// An alert as the stream sends it.
pub fn alert_to_proto(a: &Alert) -> proto::Alert {
    let n = &a.alert;
    proto::Alert {
        id: n.id.clone(),
        cursor: a.cursor.max(0) as u64,
        r#ref: n.reference.clone(),
        kind: kind_to_proto(n.kind) as i32,
        previous_decision: n.previous_decision.map_or(0, decision),
        decision: decision(n.decision),
        hits: n.hits.iter().map(hit_to_proto).collect(),
        from_version: n.from_version.clone().unwrap_or_default(),
        to_version: n.to_version.clone(),
        created_at: rfc3339(n.created_at),
        resolution: a.resolution.as_ref().map(verdict_to_proto),
    }
}

/// A validated party and its required ref, for a write.
fn party_of(
    request: &proto::UpsertRequest,
) -> Result<(String, crate::engine::screen::Party), RequestError> {
    let p = request
        .party
        .as_ref()
        .ok_or_else(|| invalid("party", "required"))?;
    let reference = parse_reference(p)?.ok_or_else(|| invalid("party.ref", "required"))?;
    Ok((reference, parse_party(p)?))
}

#[tonic::async_trait]
impl proto::monitoring_server::Monitoring for MonitoringService {
    async fn upsert(
        &self,
        request: Request<proto::UpsertRequest>,
    ) -> Result<Response<proto::ScreenResponse>, Status> {
        let rpc = self.state.metrics.rpc("Upsert");
        let result = async {
            self.state
                .gate
                .check(&request, Need::Role(Role::Reviewer))?;
            let monitor = self.monitor()?;
            let (reference, party) = party_of(request.get_ref())?;
            let snapshot = self.state.snapshot().ok_or(RequestError::NotReady)?;
            let screened = monitor.upsert(&snapshot, &reference, party).await?;
            Ok(grpc::response_with(
                reference,
                screened.screening,
                &screened.suppressions,
            ))
        }
        .await;
        finish(rpc, result)
    }

    async fn remove(
        &self,
        request: Request<proto::RemoveRequest>,
    ) -> Result<Response<proto::RemoveResponse>, Status> {
        let rpc = self.state.metrics.rpc("Remove");
        let result = async {
            self.state
                .gate
                .check(&request, Need::Role(Role::Reviewer))?;
            let reference = request.get_ref().r#ref.trim();
            if reference.is_empty() {
                return Err(invalid("ref", "required"));
            }
            let removed = self.monitor()?.remove(reference).await?;
            Ok(proto::RemoveResponse { removed })
        }
        .await;
        finish(rpc, result)
    }

    async fn import(
        &self,
        request: Request<tonic::Streaming<proto::UpsertRequest>>,
    ) -> Result<Response<proto::ImportSummary>, Status> {
        let rpc = self.state.metrics.rpc("Import");
        let result = async {
            self.state
                .gate
                .check(&request, Need::Role(Role::Reviewer))?;
            let monitor = self.monitor()?.clone();
            let batch = monitor.config().batch.max(1);
            let mut stream = request.into_inner();
            // The stream read into batches; a bad party ends it, after the batches before.
            let (tx, rx) = tokio::sync::mpsc::channel(2);
            let (bad_tx, mut bad_rx) = tokio::sync::oneshot::channel::<RequestError>();
            tokio::spawn(async move {
                let mut pending = Vec::with_capacity(batch);
                let mut position = 0usize;
                let mut bad = None;
                while let Some(next) = stream.next().await {
                    let parsed = next
                        .map_err(|s| invalid("stream", s.message().to_string()))
                        .and_then(|m| party_of(&m))
                        .map_err(|e| match e {
                            RequestError::Invalid(i) => {
                                invalid(format!("parties[{position}].{}", i.field), i.message)
                            }
                            other => other,
                        });
                    position += 1;
                    match parsed {
                        Ok(p) => pending.push(p),
                        Err(e) => {
                            bad = Some(e);
                            break;
                        }
                    }
                    if pending.len() >= batch
                        && tx.send(Ok(std::mem::take(&mut pending))).await.is_err()
                    {
                        return;
                    }
                }
                if !pending.is_empty() && tx.send(Ok(pending)).await.is_err() {
                    return;
                }
                if let Some(e) = bad {
                    // The import ends here: the batches before are written.
                    let _ = bad_tx.send(e);
                }
            });
            let state = self.state.clone();
            let (counts, version, written) =
                monitor.import_batches(move || state.snapshot(), rx).await;
            written?;
            if let Ok(e) = bad_rx.try_recv() {
                return Err(e);
            }
            Ok(proto::ImportSummary {
                parties: counts.parties,
                allowed: counts.allowed,
                reviewed: counts.reviewed,
                denied: counts.denied,
                alerts: counts.alerts,
                snapshot_version: version,
            })
        }
        .await;
        finish(rpc, result)
    }

    async fn get_party(
        &self,
        request: Request<proto::GetPartyRequest>,
    ) -> Result<Response<proto::PartyView>, Status> {
        let rpc = self.state.metrics.rpc("GetParty");
        let result = async {
            self.state.gate.check(&request, Need::Role(Role::Screen))?;
            let reference = request.get_ref().r#ref.trim();
            let view = self.monitor()?.party(reference).await?;
            let record = &view.record;
            let o = &record.outcome;
            let screening = proto::ScreenResponse {
                request_id: String::new(),
                decision: decision(o.decision),
                hits: o.hits.iter().map(hit_to_proto).collect(),
                snapshot_version: o.snapshot_version.clone(),
                as_of: o.as_of.clone(),
                explanation: String::new(),
            };
            Ok(proto::PartyView {
                party: Some(request::party_to_proto(
                    &outcome::party_of(&record.facts),
                    &record.reference,
                )),
                screening: Some(screening),
                open_alerts: view.open_alerts.iter().map(alert_to_proto).collect(),
                history: view.history.iter().map(verdict_to_proto).collect(),
                updated_at: rfc3339(record.updated_at),
            })
        }
        .await;
        finish(rpc, result)
    }

    type AlertsStream = ReceiverStream<Result<proto::Alert, Status>>;

    async fn alerts(
        &self,
        request: Request<proto::AlertsRequest>,
    ) -> Result<Response<Self::AlertsStream>, Status> {
        let rpc = self.state.metrics.rpc("Alerts");
        let started = async {
            self.state.gate.check(&request, Need::Role(Role::Screen))?;
            Ok(self.monitor()?.clone())
        }
        .await;
        let monitor = match started {
            Ok(m) => m,
            Err(e) => return finish(rpc, Err(e)),
        };
        let req = request.into_inner();
        let follow = req.follow;
        let mut cursor = i64::try_from(req.after_cursor).unwrap_or(i64::MAX);
        let poll = Duration::from_millis(monitor.config().follow_poll_ms.max(10));
        let (tx, rx) = tokio::sync::mpsc::channel(grpc::STREAM_BUFFER);
        tokio::spawn(async move {
            let mut written = monitor.written();
            loop {
                let page = match monitor.alerts_after(cursor, ALERTS_PAGE).await {
                    Ok(page) => page,
                    Err(e) => {
                        let _ = tx.send(Err(grpc::status_of(e.into()))).await;
                        return;
                    }
                };
                let full = page.len() == ALERTS_PAGE;
                for a in &page {
                    cursor = cursor.max(a.cursor);
                    if tx.send(Ok(alert_to_proto(a))).await.is_err() {
                        return;
                    }
                }
                if full {
                    continue;
                }
                if !follow {
                    return;
                }
                // New alerts: this process's wake the stream at once, other replicas' are
                // found by polling.
                tokio::select! {
                    _ = written.changed() => {}
                    _ = tokio::time::sleep(poll) => {}
                    _ = tx.closed() => return,
                }
            }
        });
        finish(rpc, Ok(ReceiverStream::new(rx)))
    }

    async fn resolve(
        &self,
        request: Request<proto::ResolveRequest>,
    ) -> Result<Response<proto::ResolveResponse>, Status> {
        let rpc = self.state.metrics.rpc("Resolve");
        let result = async {
            let who = self
                .state
                .gate
                .check(&request, Need::Role(Role::Reviewer))?;
            let ctx = audit::Context::of_request(&request, "Resolve", who.principal());
            let r = request.get_ref();
            let verdict = verdict_of(r.disposition)?;
            let d = resolve_alert(&self.state, &who, &ctx, &r.alert_id, verdict, &r.note).await?;
            Ok(proto::ResolveResponse {
                verdict: Some(verdict_to_proto(&d)),
            })
        }
        .await;
        finish(rpc, result)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dispositions_convert_both_ways() {
        for v in Verdict::ALL {
            assert_eq!(verdict_of(disposition_to_proto(v) as i32).ok(), Some(v));
        }
        assert!(verdict_of(0).is_err());
        assert!(verdict_of(99).is_err());
    }
}
