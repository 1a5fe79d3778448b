//! `clearance eval`: scores a labelled query file (the format of shared/eval/dev.csv) and
//! prints the report.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Result;
use clap::Args;

use super::ListArgs;
use crate::engine::eval;

#[derive(Args)]
pub(super) struct EvalArgs {
    #[arg(long)]
    input: PathBuf,
    /// Also list every miss and false positive.
    #[arg(long)]
    misses: bool,
    /// Print the report as JSON.
    #[arg(long)]
    json: bool,
    #[command(flatten)]
    lists: ListArgs,
}

/// Scores the file and prints the report, as text or JSON.
pub(super) fn run(args: EvalArgs, out: &mut impl Write) -> Result<ExitCode> {
    let EvalArgs {
        input,
        misses,
        json,
        lists,
    } = args;
    let snapshot = lists.snapshot()?;
    let report = eval::run(&snapshot, &input)?;
    if json {
        writeln!(out, "{}", serde_json::to_string_pretty(&report)?)?;
    } else {
        write!(out, "{}", report.summary())?;
        if misses {
            writeln!(out, "\nmisses:")?;
            for m in &report.misses {
                writeln!(
                    out,
                    "  {} [{}] {:?} expect {} {} -> {} top {:?}",
                    m.id,
                    m.kind,
                    m.name,
                    m.expect,
                    m.expect_key,
                    m.decision.as_str(),
                    m.top_hit
                )?;
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}
