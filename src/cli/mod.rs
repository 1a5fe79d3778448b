//! The command line: `screen`, `batch`, `eval`, `serve`, `client`, `monitor`, `health`,
//! `update`, `build`, `audit replay` and `token hash|new`. Parsing and printing only; the work
//! is in the library.
//!
//! One module per command, holding its flags and what it runs; this one holds the command
//! list, the list flags (`--config`, `--source`) every list-reading command shares, and the
//! dispatch.

mod audit;
mod batch;
mod build;
mod client;
mod eval;
mod health;
mod monitor;
mod screen;
mod serve;
mod token;
mod update;

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use anyhow::{bail, Result};
use clap::{Args, Parser, Subcommand};

use crate::engine::model::EntityKind;
use crate::engine::screen::Snapshot;
use crate::service::config::Config;

#[derive(Parser)]
#[command(
    name = "clearance",
    version,
    about = "Sanctions and entity-list screening"
)]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Args)]
struct ListArgs {
    /// Configuration file (sources, policy).
    #[arg(long, short)]
    config: Option<PathBuf>,
    /// Extra source, repeatable: FORMAT:DATASET=PATH (formats: ofac-csv, trade-csl, un-xml,
    /// bis-dpl, native).
    #[arg(long = "source", value_name = "FORMAT:DATASET=PATH")]
    sources: Vec<String>,
}

impl ListArgs {
    fn config(&self) -> Result<Config> {
        let config = self.config_maybe_without_sources()?;
        if config.sources.is_empty() {
            bail!(crate::service::config::ConfigError::NoSources);
        }
        Ok(config)
    }

    /// The config, which may name no source (a server given a snapshot file needs none).
    fn config_maybe_without_sources(&self) -> Result<Config> {
        let mut config = match &self.config {
            Some(path) => Config::from_file(path)?,
            None => Config::default(),
        };
        for s in &self.sources {
            config.add_source_flag(s)?;
        }
        Ok(config)
    }

    fn snapshot(&self) -> Result<Snapshot> {
        load_snapshot(&self.config()?)
    }
}

/// Loads and indexes `config`'s lists, reporting warnings and counts on stderr.
fn load_snapshot(config: &Config) -> Result<Snapshot> {
    let started = Instant::now();
    let snapshot = Snapshot::load(&config.sources, &config.policy)?;
    let ix = &snapshot.index;
    for d in ix.datasets() {
        for w in &d.warnings {
            eprintln!("warning: {}: {w}", d.name);
        }
    }
    eprintln!(
        "loaded {} entities, {} names, {} tokens from {} datasets in {:.2}s (snapshot {})",
        ix.entities().len(),
        ix.name_count(),
        ix.token_count(),
        ix.datasets().len(),
        started.elapsed().as_secs_f64(),
        ix.version()
    );
    let edges = snapshot.ownership.edges().len();
    if edges > 0 || snapshot.ownership.unresolved > 0 {
        eprintln!(
            "ownership: {edges} records resolved, {} naming no loaded party (not used)",
            snapshot.ownership.unresolved
        );
    }
    Ok(snapshot)
}

#[derive(Subcommand)]
enum Command {
    /// Ask a running server whether it serves (grpc.health.v1): exit 0 when SERVING, 1
    /// otherwise. For container health checks and probes; needs no other tool.
    Health(health::HealthArgs),
    /// Bearer tokens for [[caller]] entries: hash one, or make a new one.
    Token {
        #[command(subcommand)]
        command: token::TokenCommand,
    },
    /// Talk to a running server, as an operator would.
    Client(client::ClientArgs),
    /// Work with a running server's monitoring book (clearance.v1.Monitoring): import
    /// parties, follow alerts, resolve them, look a party up. Connects as `client` does.
    Monitor(monitor::MonitorArgs),
    /// Serve the gRPC API (Screening, Admin, health, reflection) and the HTTP endpoints
    /// (/metrics, /healthz, /readyz) until SIGTERM or Ctrl-C. Addresses and reload settings
    /// come from the config's [server] section; these flags override it.
    Serve(serve::ServeArgs),
    /// Load and index the configured lists and write the result as a snapshot file, which
    /// `serve --snapshot` starts from in well under a second. The file is replaced
    /// atomically, and left alone when lists and policy are unchanged.
    Build(build::BuildArgs),
    /// Download the lists configured by URL once, into the cache, and report each one:
    /// updated, not modified, or failed and why. Exits 1 when a list has no usable copy.
    Update(update::UpdateArgs),
    /// Screen one name.
    Screen(screen::ScreenArgs),
    /// Screen a CSV file of parties into JSON lines.
    Batch(batch::BatchArgs),
    /// Score a labelled query file (the format of shared/eval/dev.csv).
    Eval(eval::EvalArgs),
    /// Work with the audit log that `serve` writes (config section [audit]).
    Audit {
        #[command(subcommand)]
        command: audit::AuditCommand,
    },
}

/// Runs the parsed command.
pub fn run(cli: Cli) -> Result<ExitCode> {
    // Results go to stdout through one locked handle; a closed pipe (`| head`) surfaces as an
    // io::Error that main treats as a normal end.
    let mut out = std::io::stdout().lock();
    match cli.command {
        Command::Token { command } => token::run(command, &mut out),
        Command::Health(args) => health::run(args, &mut out),
        Command::Client(args) => client::run(args, &mut out),
        Command::Monitor(args) => monitor::run(args, &mut out),
        Command::Serve(args) => serve::run(args),
        Command::Build(args) => build::run(args),
        Command::Update(args) => update::run(args, &mut out),
        Command::Screen(args) => screen::run(args, &mut out),
        Command::Batch(args) => batch::run(args),
        Command::Eval(args) => eval::run(args, &mut out),
        Command::Audit { command } => audit::run(command, &mut out),
    }
}

/// The `--type` flag: `None` when absent or "unknown".
fn kind_flag(kind: Option<&str>) -> Result<Option<EntityKind>> {
    match kind {
        None => Ok(None),
        Some(k) => match EntityKind::parse(k) {
            Some(EntityKind::Unknown) => Ok(None),
            Some(k) => Ok(Some(k)),
            None => bail!("--type {k:?}: expected person, org, vessel or aircraft"),
        },
    }
}
