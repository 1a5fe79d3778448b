//! `clearance build`: loads and indexes the configured lists and writes them as a snapshot
//! file (replaced atomically, left alone when lists and policy are unchanged).

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use anyhow::{bail, Result};
use clap::Args;

use super::{load_snapshot, ListArgs};

#[derive(Args)]
pub(super) struct BuildArgs {
    /// The snapshot file to write.
    #[arg(long, short)]
    output: PathBuf,
    /// Rewrite the file even when it already holds the same lists and policy.
    #[arg(long)]
    always: bool,
    #[command(flatten)]
    lists: ListArgs,
}

/// Writes the snapshot file, unless it already holds the same snapshot.
pub(super) fn run(args: BuildArgs) -> Result<ExitCode> {
    let BuildArgs {
        output,
        always,
        lists,
    } = args;
    let config = lists.config()?;
    let missing = crate::service::update::missing(&config.sources);
    if !missing.is_empty() {
        bail!(
            "no downloaded copy of {} yet: run `clearance update` with this config first",
            missing.join(", ")
        );
    }
    let snapshot = load_snapshot(&config)?;
    if !always && crate::engine::snapfile::holds(&output, &snapshot) {
        eprintln!(
            "{} already holds snapshot {} with the same policy; left unchanged",
            output.display(),
            snapshot.version()
        );
        return Ok(ExitCode::SUCCESS);
    }
    let started = Instant::now();
    let written = crate::engine::snapfile::write(&snapshot, &output)?;
    eprintln!(
        "wrote {} ({:.1} MB, sha256 {}) in {:.2}s: snapshot {}, format {}",
        output.display(),
        written.bytes as f64 / 1e6,
        written.sha256,
        started.elapsed().as_secs_f64(),
        written.meta.index_version,
        crate::engine::snapfile::FORMAT_VERSION
    );
    Ok(ExitCode::SUCCESS)
}
