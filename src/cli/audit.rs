//! `clearance audit replay`: re-screens the requests of audit log files and lists the
//! records whose decision differs.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Result;
use clap::Subcommand;

use super::ListArgs;

#[derive(Subcommand)]
pub(super) enum AuditCommand {
    /// Re-screen every request in audit log files (live or rotated, torn lines skipped)
    /// against the configured lists, at each record's own date, and list the records whose
    /// decision differs. Exit status: 0 all match, 1 some differ, 2 errors.
    Replay {
        /// Audit log files, e.g. audit.jsonl.2 audit.jsonl.1 audit.jsonl.
        #[arg(required = true)]
        files: Vec<PathBuf>,
        /// Also report records whose hits (entity ids and per-hit decisions) changed.
        #[arg(long)]
        hits: bool,
        /// Replay against this snapshot file (`clearance build --output`) instead of the
        /// lists of --config/--source.
        #[arg(long, conflicts_with_all = ["config", "sources"])]
        snapshot: Option<PathBuf>,
        #[command(flatten)]
        lists: ListArgs,
    },
}

/// Runs the audit command.
pub(super) fn run(command: AuditCommand, out: &mut impl Write) -> Result<ExitCode> {
    match command {
        AuditCommand::Replay {
            files,
            hits,
            snapshot,
            lists,
        } => replay(out, &files, hits, snapshot.as_deref(), &lists),
    }
}

/// `clearance audit replay`: differences on stdout, warnings and the summary on stderr.
/// Errors exit 2 rather than 1, which means "differences".
fn replay(
    out: &mut impl Write,
    files: &[PathBuf],
    hits: bool,
    snapshot_file: Option<&std::path::Path>,
    lists: &ListArgs,
) -> Result<ExitCode> {
    let snapshot = match snapshot_file {
        Some(path) => crate::engine::snapfile::read(path).map_err(anyhow::Error::from),
        None => lists.snapshot(),
    };
    let snapshot = match snapshot {
        Ok(s) => s,
        Err(e) => {
            eprintln!("error: {e:#}");
            return Ok(ExitCode::from(2));
        }
    };
    let options = crate::service::audit::ReplayOptions { compare_hits: hits };
    let report = crate::service::audit::replay::replay_files(files, &snapshot, options);
    for t in &report.torn {
        eprintln!("warning: {t}");
    }
    for e in &report.errors {
        eprintln!("error: {e}");
    }
    for d in &report.differences {
        writeln!(
            out,
            "{}: request {}: decision {} -> {}, snapshot {} -> {}",
            d.location,
            d.request_id,
            d.old_decision.as_str(),
            d.new_decision.as_str(),
            d.old_snapshot,
            d.new_snapshot
        )?;
        for h in &d.added_hits {
            writeln!(out, "  + {h}")?;
        }
        for h in &d.removed_hits {
            writeln!(out, "  - {h}")?;
        }
    }
    eprintln!(
        "replayed {} decision(s): {} differ; {} rejected request(s) and {} torn line(s) \
         skipped; {} error(s)",
        report.replayed,
        report.differences.len(),
        report.rejected,
        report.torn.len(),
        report.errors.len()
    );
    Ok(ExitCode::from(report.exit_code()))
}
