//! What `clearance monitor` prints: an alert as one tab-separated line or one JSON object, a
//! party view, a verdict, a screening, an import summary. Pure functions of the messages, so
//! the output is tested without a server.
//!
//! Enum values are printed as words (`deny`, `new_hit`, `false-positive`, the last as
//! `--disposition` spells it, so a script can feed it back); a value this build does not know
//! (a newer server) is printed as its number rather than refused.

use serde::Serialize;

use crate::service::proto;

/// A decision as a word; `None` for unspecified (a party's first screening has no previous
/// decision).
fn decision_word(d: i32) -> Option<String> {
    match proto::Decision::try_from(d) {
        Ok(proto::Decision::Unspecified) => None,
        Ok(proto::Decision::Allow) => Some("allow".into()),
        Ok(proto::Decision::Review) => Some("review".into()),
        Ok(proto::Decision::Deny) => Some("deny".into()),
        Err(_) => Some(format!("decision({d})")),
    }
}

fn kind_word(k: i32) -> String {
    match proto::AlertKind::try_from(k) {
        Ok(proto::AlertKind::NewHit) => "new_hit".into(),
        Ok(proto::AlertKind::HitChanged) => "hit_changed".into(),
        Ok(proto::AlertKind::HitRemoved) => "hit_removed".into(),
        Ok(proto::AlertKind::DecisionChanged) => "decision_changed".into(),
        Ok(proto::AlertKind::Unspecified) => "unspecified".into(),
        Err(_) => format!("kind({k})"),
    }
}

fn disposition_word(d: i32) -> String {
    match proto::Disposition::try_from(d) {
        Ok(proto::Disposition::FalsePositive) => "false-positive".into(),
        Ok(proto::Disposition::TrueMatch) => "true-match".into(),
        Ok(proto::Disposition::Escalated) => "escalated".into(),
        Ok(proto::Disposition::Unspecified) => "unspecified".into(),
        Err(_) => format!("disposition({d})"),
    }
}

fn party_kind_word(k: i32) -> Option<String> {
    match proto::PartyKind::try_from(k) {
        Ok(proto::PartyKind::Unspecified) => None,
        Ok(proto::PartyKind::Person) => Some("person".into()),
        Ok(proto::PartyKind::Organization) => Some("organization".into()),
        Ok(proto::PartyKind::Vessel) => Some("vessel".into()),
        Ok(proto::PartyKind::Aircraft) => Some("aircraft".into()),
        Err(_) => Some(format!("kind({k})")),
    }
}

/// `previous -> decision`, with `none` for a first screening.
fn transition(previous: i32, decision: i32) -> String {
    format!(
        "{} -> {}",
        decision_word(previous).as_deref().unwrap_or("none"),
        decision_word(decision).as_deref().unwrap_or("none")
    )
}

/// One alert: cursor, id, ref, kind, `previous -> decision` and the hits (entity id and
/// quoted name, a suppressed one marked), tab-separated; a verdict, if any, last.
pub(super) fn alert_line(a: &proto::Alert) -> String {
    let hits = if a.hits.is_empty() {
        "-".to_string()
    } else {
        a.hits
            .iter()
            .map(|h| {
                let mark = if h.suppressed.is_some() {
                    " (suppressed)"
                } else {
                    ""
                };
                format!("{} {:?}{mark}", h.entity_id, h.name)
            })
            .collect::<Vec<_>>()
            .join(", ")
    };
    let mut line = format!(
        "{}\t{}\t{}\t{}\t{}\t{}",
        a.cursor,
        a.id,
        a.r#ref,
        kind_word(a.kind),
        transition(a.previous_decision, a.decision),
        hits
    );
    if let Some(v) = &a.resolution {
        line.push_str(&format!(
            "\t{} by {}",
            disposition_word(v.disposition),
            v.reviewer
        ));
    }
    line
}

#[derive(Serialize)]
struct SuppressionJson<'a> {
    alert_id: &'a str,
    reviewer: &'a str,
    at: &'a str,
    note: &'a str,
}

#[derive(Serialize)]
struct HitJson<'a> {
    entity_id: &'a str,
    dataset: &'a str,
    name: &'a str,
    matched_name: &'a str,
    score: f32,
    decision: Option<String>,
    kind: Option<String>,
    programs: &'a [String],
    explanation: &'a str,
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    via: &'a [String],
    #[serde(skip_serializing_if = "str::is_empty")]
    rule: &'a str,
    suppressed: Option<SuppressionJson<'a>>,
}

impl<'a> HitJson<'a> {
    fn of(h: &'a proto::Hit) -> Self {
        HitJson {
            entity_id: &h.entity_id,
            dataset: &h.dataset,
            name: &h.name,
            matched_name: &h.matched_name,
            // The score as the text output rounds it, not f32 noise (0.9120000004).
            score: (h.score * 1000.0).round() / 1000.0,
            decision: decision_word(h.decision),
            kind: party_kind_word(h.kind),
            programs: &h.programs,
            explanation: &h.explanation,
            via: &h.via,
            rule: &h.rule,
            suppressed: h.suppressed.as_ref().map(|s| SuppressionJson {
                alert_id: &s.alert_id,
                reviewer: &s.reviewer,
                at: &s.at,
                note: &s.note,
            }),
        }
    }
}

#[derive(Serialize)]
struct VerdictJson<'a> {
    alert_id: &'a str,
    disposition: String,
    note: &'a str,
    reviewer: &'a str,
    at: &'a str,
}

impl<'a> VerdictJson<'a> {
    fn of(v: &'a proto::Verdict) -> Self {
        VerdictJson {
            alert_id: &v.alert_id,
            disposition: disposition_word(v.disposition),
            note: &v.note,
            reviewer: &v.reviewer,
            at: &v.at,
        }
    }
}

#[derive(Serialize)]
struct AlertJson<'a> {
    cursor: u64,
    id: &'a str,
    #[serde(rename = "ref")]
    reference: &'a str,
    kind: String,
    previous_decision: Option<String>,
    decision: Option<String>,
    hits: Vec<HitJson<'a>>,
    from_version: &'a str,
    to_version: &'a str,
    created_at: &'a str,
    resolution: Option<VerdictJson<'a>>,
}

impl<'a> AlertJson<'a> {
    fn of(a: &'a proto::Alert) -> Self {
        AlertJson {
            cursor: a.cursor,
            id: &a.id,
            reference: &a.r#ref,
            kind: kind_word(a.kind),
            previous_decision: decision_word(a.previous_decision),
            decision: decision_word(a.decision),
            hits: a.hits.iter().map(HitJson::of).collect(),
            from_version: &a.from_version,
            to_version: &a.to_version,
            created_at: &a.created_at,
            resolution: a.resolution.as_ref().map(VerdictJson::of),
        }
    }
}

/// One alert as one line of JSON.
pub(super) fn alert_json(a: &proto::Alert) -> String {
    serde_json::to_string(&AlertJson::of(a)).expect("alerts hold only strings and numbers")
}

#[derive(Serialize)]
struct IdentifierJson<'a> {
    scheme: &'a str,
    value: &'a str,
}

#[derive(Serialize)]
struct PartyJson<'a> {
    #[serde(rename = "ref")]
    reference: &'a str,
    name: &'a str,
    kind: Option<String>,
    countries: &'a [String],
    identifiers: Vec<IdentifierJson<'a>>,
    addresses: &'a [String],
    birth_date: &'a str,
    parents: &'a [String],
    nationalities: &'a [String],
}

#[derive(Serialize)]
struct PartyViewJson<'a> {
    party: PartyJson<'a>,
    decision: Option<String>,
    explanation: &'a str,
    hits: Vec<HitJson<'a>>,
    snapshot_version: &'a str,
    as_of: &'a str,
    updated_at: &'a str,
    open_alerts: Vec<AlertJson<'a>>,
    history: Vec<VerdictJson<'a>>,
}

/// A party view as one JSON object.
pub(super) fn party_json(v: &proto::PartyView) -> String {
    let empty_party = proto::Party::default();
    let empty_screening = proto::ScreenResponse::default();
    let p = v.party.as_ref().unwrap_or(&empty_party);
    let s = v.screening.as_ref().unwrap_or(&empty_screening);
    let view = PartyViewJson {
        party: PartyJson {
            reference: &p.r#ref,
            name: &p.name,
            kind: party_kind_word(p.kind),
            countries: &p.countries,
            identifiers: p
                .identifiers
                .iter()
                .map(|i| IdentifierJson {
                    scheme: &i.scheme,
                    value: &i.value,
                })
                .collect(),
            addresses: &p.addresses,
            birth_date: &p.birth_date,
            parents: &p.parents,
            nationalities: &p.nationalities,
        },
        decision: decision_word(s.decision),
        explanation: &s.explanation,
        hits: s.hits.iter().map(HitJson::of).collect(),
        snapshot_version: &s.snapshot_version,
        as_of: &s.as_of,
        updated_at: &v.updated_at,
        open_alerts: v.open_alerts.iter().map(AlertJson::of).collect(),
        history: v.history.iter().map(VerdictJson::of).collect(),
    };
    serde_json::to_string(&view).expect("party views hold only strings and numbers")
}

/// The hits of a screening, two or three lines each: score, entity id, name and the hit's
/// own decision; the explanation; who cleared it, if it is suppressed.
fn hit_lines(hits: &[proto::Hit], text: &mut String) {
    for h in hits {
        let decision = decision_word(h.decision)
            .map(|d| format!("  [{d}]"))
            .unwrap_or_default();
        text.push_str(&format!(
            "  {:.3}  {}  {}{decision}\n         {}\n",
            h.score, h.entity_id, h.name, h.explanation
        ));
        if let Some(s) = &h.suppressed {
            text.push_str(&format!(
                "         suppressed: cleared as a false positive by {} at {} (alert {}){}\n",
                s.reviewer,
                s.at,
                s.alert_id,
                note_suffix(&s.note)
            ));
        }
    }
}

fn note_suffix(note: &str) -> String {
    if note.is_empty() {
        String::new()
    } else {
        format!(": {note:?}")
    }
}

/// A screening as `clearance client screen` prints one, suppressed hits marked.
pub(super) fn screening_text(r: &proto::ScreenResponse) -> String {
    let mut text = format!(
        "decision: {}\n",
        decision_word(r.decision).as_deref().unwrap_or("none")
    );
    hit_lines(&r.hits, &mut text);
    text.push_str(&format!("snapshot: {}\n", r.snapshot_version));
    text
}

/// A party view: the party's facts, its decision and hits, its open alerts (one alert line
/// each, indented) and its verdicts.
pub(super) fn party_text(v: &proto::PartyView) -> String {
    let empty_party = proto::Party::default();
    let empty_screening = proto::ScreenResponse::default();
    let p = v.party.as_ref().unwrap_or(&empty_party);
    let s = v.screening.as_ref().unwrap_or(&empty_screening);
    let mut text = format!("party {}: {}\n", p.r#ref, p.name);
    let mut facts = Vec::new();
    if let Some(k) = party_kind_word(p.kind) {
        facts.push(k);
    }
    let lists = [
        ("countries", &p.countries),
        ("nationalities", &p.nationalities),
        ("parents", &p.parents),
        ("addresses", &p.addresses),
    ];
    for (label, values) in lists {
        if !values.is_empty() {
            facts.push(format!("{label} {}", values.join("; ")));
        }
    }
    if !p.birth_date.is_empty() {
        facts.push(format!("born {}", p.birth_date));
    }
    if !p.identifiers.is_empty() {
        let ids: Vec<String> = p
            .identifiers
            .iter()
            .map(|i| {
                if i.scheme.is_empty() {
                    i.value.clone()
                } else {
                    format!("{}:{}", i.scheme, i.value)
                }
            })
            .collect();
        facts.push(format!("identifiers {}", ids.join("; ")));
    }
    if !facts.is_empty() {
        text.push_str(&format!("  {}\n", facts.join(", ")));
    }
    text.push_str(&format!(
        "decision: {} (snapshot {}, as of {}, updated {})\n",
        decision_word(s.decision).as_deref().unwrap_or("none"),
        s.snapshot_version,
        s.as_of,
        v.updated_at
    ));
    if !s.explanation.is_empty() {
        text.push_str(&format!("  {}\n", s.explanation));
    }
    if s.hits.is_empty() {
        text.push_str("hits: none\n");
    } else {
        text.push_str("hits:\n");
        hit_lines(&s.hits, &mut text);
    }
    if v.open_alerts.is_empty() {
        text.push_str("open alerts: none\n");
    } else {
        text.push_str("open alerts:\n");
        for a in &v.open_alerts {
            text.push_str(&format!("  {}\n", alert_line(a)));
        }
    }
    if v.history.is_empty() {
        text.push_str("verdicts: none\n");
    } else {
        text.push_str("verdicts:\n");
        for h in &v.history {
            text.push_str(&format!(
                "  {}  {}  {}  alert {}{}\n",
                h.at,
                h.reviewer,
                disposition_word(h.disposition),
                h.alert_id,
                note_suffix(&h.note)
            ));
        }
    }
    text
}

/// The verdict `Resolve` recorded.
pub(super) fn verdict_text(v: &proto::Verdict) -> String {
    format!(
        "alert {}: {} by {} at {}{}\n",
        v.alert_id,
        disposition_word(v.disposition),
        v.reviewer,
        v.at,
        note_suffix(&v.note)
    )
}

/// The import's summary, and its rate over `seconds` (from the first party sent to the
/// summary's arrival).
pub(super) fn summary_text(s: &proto::ImportSummary, seconds: f64) -> String {
    format!(
        "imported {} parties: {} allowed, {} reviewed, {} denied; {} alerts; snapshot {}\n\
         {} parties in {:.2}s: {:.0} parties/s\n",
        s.parties,
        s.allowed,
        s.reviewed,
        s.denied,
        s.alerts,
        s.snapshot_version,
        s.parties,
        seconds,
        s.parties as f64 / seconds.max(1e-9)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hit(entity_id: &str, name: &str) -> proto::Hit {
        proto::Hit {
            entity_id: entity_id.into(),
            dataset: entity_id.split(':').next().unwrap().into(),
            name: name.into(),
            matched_name: name.into(),
            score: 0.912_000_04,
            decision: proto::Decision::Review as i32,
            explanation: "all words match".into(),
            ..proto::Hit::default()
        }
    }

    fn suppression() -> proto::Suppression {
        proto::Suppression {
            alert_id: "a-1".into(),
            reviewer: "alice".into(),
            at: "2026-12-01T10:00:00Z".into(),
            note: "different person, born 1990".into(),
        }
    }

    fn alert() -> proto::Alert {
        proto::Alert {
            id: "a-2".into(),
            cursor: 17,
            r#ref: "cust-42".into(),
            kind: proto::AlertKind::NewHit as i32,
            previous_decision: proto::Decision::Allow as i32,
            decision: proto::Decision::Review as i32,
            hits: vec![
                hit("us_trade_csl:08cb", "Huawei Cloud Singapore, Pte. Ltd."),
                proto::Hit {
                    suppressed: Some(suppression()),
                    ..hit("us_ofac_sdn:306", "BANCO NACIONAL DE CUBA")
                },
            ],
            from_version: "aaaa".into(),
            to_version: "bbbb".into(),
            created_at: "2026-12-06T10:00:00Z".into(),
            resolution: None,
        }
    }

    #[test]
    fn alert_lines() {
        assert_eq!(
            alert_line(&alert()),
            "17\ta-2\tcust-42\tnew_hit\tallow -> review\t\
             us_trade_csl:08cb \"Huawei Cloud Singapore, Pte. Ltd.\", \
             us_ofac_sdn:306 \"BANCO NACIONAL DE CUBA\" (suppressed)"
        );
        let first = proto::Alert {
            previous_decision: 0,
            kind: proto::AlertKind::DecisionChanged as i32,
            hits: Vec::new(),
            resolution: Some(proto::Verdict {
                disposition: proto::Disposition::TrueMatch as i32,
                reviewer: "bob".into(),
                ..proto::Verdict::default()
            }),
            ..alert()
        };
        assert_eq!(
            alert_line(&first),
            "17\ta-2\tcust-42\tdecision_changed\tnone -> review\t-\ttrue-match by bob"
        );
        // A kind from a newer server is shown, not refused.
        let newer = proto::Alert { kind: 9, ..alert() };
        assert!(alert_line(&newer).contains("\tkind(9)\t"));
    }

    #[test]
    fn alert_as_json() {
        let v: serde_json::Value = serde_json::from_str(&alert_json(&alert())).unwrap();
        assert_eq!(
            v,
            serde_json::json!({
                "cursor": 17, "id": "a-2", "ref": "cust-42", "kind": "new_hit",
                "previous_decision": "allow", "decision": "review",
                "hits": [
                    {"entity_id": "us_trade_csl:08cb", "dataset": "us_trade_csl",
                     "name": "Huawei Cloud Singapore, Pte. Ltd.",
                     "matched_name": "Huawei Cloud Singapore, Pte. Ltd.", "score": 0.912,
                     "decision": "review", "kind": null, "programs": [],
                     "explanation": "all words match", "suppressed": null},
                    {"entity_id": "us_ofac_sdn:306", "dataset": "us_ofac_sdn",
                     "name": "BANCO NACIONAL DE CUBA", "matched_name": "BANCO NACIONAL DE CUBA",
                     "score": 0.912, "decision": "review", "kind": null, "programs": [],
                     "explanation": "all words match",
                     "suppressed": {"alert_id": "a-1", "reviewer": "alice",
                                    "at": "2026-12-01T10:00:00Z",
                                    "note": "different person, born 1990"}}
                ],
                "from_version": "aaaa", "to_version": "bbbb",
                "created_at": "2026-12-06T10:00:00Z", "resolution": null
            })
        );
        let first = proto::Alert {
            previous_decision: 0,
            ..alert()
        };
        assert!(alert_json(&first).contains("\"previous_decision\":null"));
    }

    fn view() -> proto::PartyView {
        proto::PartyView {
            party: Some(proto::Party {
                name: "Acme Trading".into(),
                kind: proto::PartyKind::Organization as i32,
                countries: vec!["SG".into()],
                identifiers: vec![proto::Identifier {
                    scheme: "lei".into(),
                    value: "5299001".into(),
                }],
                r#ref: "cust-42".into(),
                ..proto::Party::default()
            }),
            screening: Some(proto::ScreenResponse {
                decision: proto::Decision::Review as i32,
                hits: alert().hits,
                snapshot_version: "bbbb".into(),
                as_of: "2026-12-06".into(),
                explanation: "a hit reaches review".into(),
                ..proto::ScreenResponse::default()
            }),
            open_alerts: vec![alert()],
            history: vec![proto::Verdict {
                alert_id: "a-1".into(),
                disposition: proto::Disposition::FalsePositive as i32,
                note: "different person, born 1990".into(),
                reviewer: "alice".into(),
                at: "2026-12-01T10:00:00Z".into(),
            }],
            updated_at: "2026-12-06T10:00:01Z".into(),
        }
    }

    #[test]
    fn party_view_text() {
        let expected = "\
party cust-42: Acme Trading
  organization, countries SG, identifiers lei:5299001
decision: review (snapshot bbbb, as of 2026-12-06, updated 2026-12-06T10:00:01Z)
  a hit reaches review
hits:
  0.912  us_trade_csl:08cb  Huawei Cloud Singapore, Pte. Ltd.  [review]
         all words match
  0.912  us_ofac_sdn:306  BANCO NACIONAL DE CUBA  [review]
         all words match
         suppressed: cleared as a false positive by alice at 2026-12-01T10:00:00Z (alert a-1): \"different person, born 1990\"
open alerts:
  17\ta-2\tcust-42\tnew_hit\tallow -> review\tus_trade_csl:08cb \"Huawei Cloud Singapore, Pte. Ltd.\", us_ofac_sdn:306 \"BANCO NACIONAL DE CUBA\" (suppressed)
verdicts:
  2026-12-01T10:00:00Z  alice  false-positive  alert a-1: \"different person, born 1990\"
";
        assert_eq!(party_text(&view()), expected);
        let bare = proto::PartyView {
            party: Some(proto::Party {
                name: "Nobody".into(),
                r#ref: "c-1".into(),
                ..proto::Party::default()
            }),
            screening: Some(proto::ScreenResponse {
                decision: proto::Decision::Allow as i32,
                ..proto::ScreenResponse::default()
            }),
            ..proto::PartyView::default()
        };
        assert_eq!(
            party_text(&bare),
            "party c-1: Nobody\ndecision: allow (snapshot , as of , updated )\n\
             hits: none\nopen alerts: none\nverdicts: none\n"
        );
    }

    #[test]
    fn party_view_json() {
        let v: serde_json::Value = serde_json::from_str(&party_json(&view())).unwrap();
        assert_eq!(v["party"]["ref"], "cust-42");
        assert_eq!(v["party"]["kind"], "organization");
        assert_eq!(
            v["party"]["identifiers"],
            serde_json::json!([{"scheme": "lei", "value": "5299001"}])
        );
        assert_eq!(v["decision"], "review");
        assert_eq!(v["hits"][1]["suppressed"]["reviewer"], "alice");
        assert_eq!(v["open_alerts"][0]["cursor"], 17);
        assert_eq!(v["history"][0]["disposition"], "false-positive");
        assert_eq!(v["updated_at"], "2026-12-06T10:00:01Z");
    }

    #[test]
    fn verdict_summary_and_screening() {
        let verdict = view().history.remove(0);
        assert_eq!(
            verdict_text(&verdict),
            "alert a-1: false-positive by alice at 2026-12-01T10:00:00Z: \
             \"different person, born 1990\"\n"
        );
        let summary = proto::ImportSummary {
            parties: 1000,
            allowed: 950,
            reviewed: 40,
            denied: 10,
            alerts: 12,
            snapshot_version: "5ebb83c8977001bd".into(),
        };
        assert_eq!(
            summary_text(&summary, 4.0),
            "imported 1000 parties: 950 allowed, 40 reviewed, 10 denied; 12 alerts; \
             snapshot 5ebb83c8977001bd\n1000 parties in 4.00s: 250 parties/s\n"
        );
        let screening = view().screening.unwrap();
        let text = screening_text(&screening);
        assert!(text.starts_with("decision: review\n  0.912  us_trade_csl:08cb"));
        assert!(text.contains("suppressed: cleared as a false positive by alice"));
        assert!(text.ends_with("snapshot: bbbb\n"));
    }
}
