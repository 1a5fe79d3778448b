//! `clearance batch`: screens a CSV file of parties into JSON lines, written to a temporary
//! file and renamed when complete, with a progress bar on a terminal.

use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use anyhow::{Context, Result};
use clap::Args;

use super::ListArgs;
use crate::engine::batch;

#[derive(Args)]
pub(super) struct BatchArgs {
    #[arg(long)]
    input: PathBuf,
    #[arg(long)]
    output: PathBuf,
    #[command(flatten)]
    lists: ListArgs,
}

/// Screens every row and writes the output file.
pub(super) fn run(args: BatchArgs) -> Result<ExitCode> {
    let BatchArgs {
        input,
        output,
        lists,
    } = args;
    let rows = batch::read_input(&input)?;
    let snapshot = lists.snapshot()?;
    let tmp = output.with_extension("jsonl.partial");
    let file =
        std::fs::File::create(&tmp).with_context(|| format!("{}: cannot create", tmp.display()))?;
    let mut out = std::io::BufWriter::new(file);
    let bar = indicatif::ProgressBar::new(rows.len() as u64);
    if !std::io::stderr().is_terminal() {
        bar.set_draw_target(indicatif::ProgressDrawTarget::hidden());
    }
    let started = Instant::now();
    batch::run(&snapshot, &rows, &mut out, &output, &|n| {
        bar.set_position(n as u64)
    })?;
    drop(out);
    bar.finish_and_clear();
    std::fs::rename(&tmp, &output)
        .with_context(|| format!("{}: cannot write", output.display()))?;
    let secs = started.elapsed().as_secs_f64();
    eprintln!(
        "screened {} names in {:.2}s: {:.0} names/s -> {}",
        rows.len(),
        secs,
        rows.len() as f64 / secs.max(1e-9),
        output.display()
    );
    Ok(ExitCode::SUCCESS)
}
