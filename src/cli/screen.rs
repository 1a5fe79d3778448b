//! `clearance screen`: screens one party against the configured lists and prints the
//! decision, the hits and, with `--explain`, the near misses.

use std::io::Write;
use std::process::ExitCode;

use anyhow::{bail, Context, Result};
use clap::Args;

use super::{kind_flag, ListArgs};
use crate::engine::batch;
use crate::engine::countries;
use crate::engine::screen::{NearMiss, Party, ScreenOptions, NEAR_MISS_FLOOR};

#[derive(Args)]
pub(super) struct ScreenArgs {
    /// The party's name.
    name: String,
    /// Country of the party: ISO code or English name.
    #[arg(long)]
    country: Option<String>,
    /// person, org, vessel or aircraft.
    #[arg(long = "type")]
    kind: Option<String>,
    /// Identifier as scheme:value (e.g. imo:9187629) or a bare value.
    #[arg(long)]
    identifier: Vec<String>,
    /// A known owner of the party (name, entity id or identifier), repeatable: screened
    /// too, and applied through the policy's ownership rules.
    #[arg(long)]
    parent: Vec<String>,
    /// An address of the party, repeatable (checked against the policy's jurisdictions).
    #[arg(long)]
    address: Vec<String>,
    /// Evaluate rules and ownership records at this date (YYYY-MM-DD) instead of today.
    #[arg(long)]
    as_of: Option<String>,
    /// A person's date of birth (YYYY-MM-DD, YYYY-MM or YYYY): confirms or contradicts
    /// hits on listed persons.
    #[arg(long, value_name = "DATE")]
    dob: Option<String>,
    /// A person's nationality (ISO code or English name), repeatable or `;`-separated:
    /// confirms or contradicts hits on listed persons.
    #[arg(long, value_name = "COUNTRY")]
    nationality: Vec<String>,
    /// Also list the near misses: entries whose names matched (score 0.5 or more) but
    /// scored below the review threshold, each with why it fell short.
    #[arg(long)]
    explain: bool,
    /// Print the full result as JSON.
    #[arg(long)]
    json: bool,
    #[command(flatten)]
    lists: ListArgs,
}

/// Screens the party and prints the result, as text or JSON.
pub(super) fn run(args: ScreenArgs, out: &mut impl Write) -> Result<ExitCode> {
    let ScreenArgs {
        name,
        country,
        kind,
        identifier,
        parent,
        address,
        as_of,
        dob,
        nationality,
        explain,
        json,
        lists,
    } = args;
    if let Err(m) = batch::check_name(name.trim()) {
        bail!("the name is {m}");
    }
    let kind = kind_flag(kind.as_deref())?;
    let nationalities = batch::country_list(&nationality.join(";"))
        .map_err(|m| anyhow::anyhow!("--nationality: {m}"))?;
    let birth_date = batch::birth_date(dob.as_deref().unwrap_or(""))
        .map_err(|m| anyhow::anyhow!("--dob: {m}"))?;
    let countries = match country.as_deref() {
        None => Vec::new(),
        Some(c) => vec![countries::to_iso2(c)
            .with_context(|| format!("--country {c:?}: unknown country"))?
            .to_string()],
    };
    let identifiers = identifier
        .iter()
        .map(|s| {
            let (scheme, value) = s.split_once(':').unwrap_or(("", s));
            crate::engine::model::Identifier {
                scheme: scheme.to_ascii_lowercase(),
                value: value.to_string(),
                country: None,
            }
        })
        .collect();
    let as_of = match as_of.as_deref() {
        None => None,
        Some(d) => Some(
            d.parse::<jiff::civil::Date>()
                .with_context(|| format!("--as-of {d:?}: expected YYYY-MM-DD"))?,
        ),
    };
    let snapshot = lists.snapshot()?;
    let party = Party {
        name,
        kind,
        countries,
        identifiers,
        addresses: address,
        parents: parent,
        birth_date,
        nationalities,
    };
    let options = ScreenOptions {
        as_of,
        ..ScreenOptions::default()
    };
    let result = snapshot.screen(&party, &options);
    // Near misses come from a second search with a lower floor, so that the decision
    // and hits above are exactly what screening without --explain gives.
    let near_misses: Vec<NearMiss> = if explain {
        snapshot
            .near_misses(&party, &options, NEAR_MISS_FLOOR)
            .into_iter()
            .filter(|m| !result.hits.iter().any(|h| h.entity_id == m.hit.entity_id))
            .collect()
    } else {
        Vec::new()
    };
    if json {
        let value = if explain {
            serde_json::json!({"result": &result, "near_misses": &near_misses})
        } else {
            serde_json::to_value(&result)?
        };
        writeln!(out, "{}", serde_json::to_string_pretty(&value)?)?;
    } else {
        writeln!(out, "decision: {}", result.decision.as_str())?;
        for h in &result.hits {
            writeln!(
                out,
                "  {:.3}  {}  {}  [{}; {:?}]\n         {}",
                h.score,
                h.entity_id,
                h.name,
                h.programs.join(", "),
                h.decision,
                h.explanation
            )?;
            if let Some(rule) = &h.rule {
                writeln!(out, "         rule: {rule}")?;
            }
            if !h.via.is_empty() {
                writeln!(out, "         via: {}", h.via.join(" <- "))?;
            }
        }
        if explain {
            writeln!(
                out,
                "near misses (below the review threshold {:.2}, down to {NEAR_MISS_FLOOR:.2}):{}",
                snapshot.policy.review_threshold,
                if near_misses.is_empty() { " none" } else { "" }
            )?;
            for m in &near_misses {
                writeln!(
                    out,
                    "  {:.3}  {}  {}\n         fell short: {}",
                    m.hit.score, m.hit.entity_id, m.hit.name, m.shortfall
                )?;
            }
        }
        writeln!(out, "why: {}", result.explanation)?;
        writeln!(
            out,
            "snapshot: {} (as of {})",
            result.snapshot_version, result.as_of
        )?;
    }
    Ok(ExitCode::SUCCESS)
}
