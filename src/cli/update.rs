//! `clearance update`: downloads the lists configured by URL once, into the cache, and
//! reports each one.

use std::io::Write;
use std::process::ExitCode;

use anyhow::Result;
use clap::Args;

use super::ListArgs;

#[derive(Args)]
pub(super) struct UpdateArgs {
    #[command(flatten)]
    lists: ListArgs,
}

/// Downloads every list once; exit 1 when a list has no usable copy.
pub(super) fn run(args: UpdateArgs, out: &mut impl Write) -> Result<ExitCode> {
    let UpdateArgs { lists } = args;
    let config = lists.config()?;
    let options = crate::service::update::UpdateOptions::from_config(&config.update);
    let outcomes = crate::service::update::update_all(&config.sources, &options);
    if outcomes.is_empty() {
        writeln!(out, "no source names a url or urls: nothing to download")?;
    }
    for o in &outcomes {
        writeln!(out, "{}", update_line(o))?;
    }
    Ok(if outcomes.iter().all(|o| o.usable) {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

/// One source's line in the `update` report.
fn update_line(o: &crate::service::update::SourceOutcome) -> String {
    use crate::service::update::UpdateResult;
    let files: Vec<String> = o
        .files
        .iter()
        .map(|f| format!("{} sha256:{} ({} bytes)", f.name, f.sha256, f.bytes))
        .collect();
    let files = files.join(", ");
    match &o.result {
        UpdateResult::Updated => format!("{}: updated: {files}", o.dataset),
        UpdateResult::NotModified => format!("{}: not modified: {files}", o.dataset),
        UpdateResult::Failed(e) if o.usable => format!(
            "{}: failed: {e}; keeping the last good copy: {files}",
            o.dataset
        ),
        UpdateResult::Failed(e) => format!("{}: failed: {e}; no usable copy", o.dataset),
    }
}
