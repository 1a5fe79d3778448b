//! The command line: `screen`, `batch`, `eval`, `serve`, `client`, `health`, `update`, `build`,
//! `audit replay` and `token hash|new`. Parsing and printing only; the work is in the library.

use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use anyhow::{bail, Context, Result};
use clap::{Args, Parser, Subcommand};

use crate::engine::countries;
use crate::engine::model::EntityKind;
use crate::engine::screen::{NearMiss, Party, ScreenOptions, Snapshot, NEAR_MISS_FLOOR};
use crate::engine::{batch, eval};
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
enum ClientCommand {
    /// Screen one name on a running server.
    Screen {
        name: String,
        /// Country: ISO code or English name (the server validates it).
        #[arg(long)]
        country: Option<String>,
        /// person, org, vessel or aircraft.
        #[arg(long = "type")]
        kind: Option<String>,
        /// A person's date of birth: YYYY-MM-DD, YYYY-MM or YYYY (the server validates it).
        #[arg(long, value_name = "DATE")]
        dob: Option<String>,
        /// A person's nationality (ISO code or English name), repeatable or `;`-separated.
        #[arg(long, value_name = "COUNTRY")]
        nationality: Vec<String>,
    },
    /// Show the server's snapshot version and datasets.
    Status,
    /// Ask the server to reload its lists (Admin service address).
    Reload {
        /// Swap even if the new lists hold far fewer entities.
        #[arg(long)]
        force: bool,
    },
}

/// How `client` and `health` reach a server: TLS material and a bearer token.
#[derive(Args)]
struct ConnectArgs {
    /// PEM CA certificate(s) to verify the server with; implied by an https:// address.
    #[arg(long, value_name = "PEM")]
    ca_cert: Option<PathBuf>,
    /// PEM client certificate, for servers that ask for one ([tls] client_ca).
    #[arg(long, value_name = "PEM", requires = "key")]
    cert: Option<PathBuf>,
    /// PEM private key of --cert.
    #[arg(long, value_name = "PEM", requires = "cert")]
    key: Option<PathBuf>,
    /// The server name to expect in its certificate [default: the address's host].
    #[arg(long)]
    tls_server_name: Option<String>,
    /// File holding the bearer token to send (authorization: Bearer ...).
    #[arg(long, value_name = "FILE")]
    token_file: Option<PathBuf>,
}

impl ConnectArgs {
    /// Connects to `addr` (http:// or https://).
    async fn channel(&self, addr: &str) -> Result<tonic::transport::Channel> {
        use tonic::transport::{Certificate, ClientTlsConfig, Identity};
        let mut endpoint = tonic::transport::Channel::from_shared(addr.to_string())
            .with_context(|| format!("--addr {addr:?}: not a URI"))?;
        let tls_wanted = addr.starts_with("https://") || self.ca_cert.is_some();
        if tls_wanted {
            let read = |p: &PathBuf| {
                std::fs::read(p).with_context(|| format!("cannot read {}", p.display()))
            };
            let mut tls = ClientTlsConfig::new();
            if let Some(ca) = &self.ca_cert {
                tls = tls.ca_certificate(Certificate::from_pem(read(ca)?));
            }
            if let (Some(cert), Some(key)) = (&self.cert, &self.key) {
                tls = tls.identity(Identity::from_pem(read(cert)?, read(key)?));
            }
            if let Some(name) = &self.tls_server_name {
                tls = tls.domain_name(name.clone());
            }
            endpoint = endpoint
                .tls_config(tls)
                .with_context(|| format!("TLS settings for {addr}"))?;
        }
        endpoint
            .connect()
            .await
            .with_context(|| format!("cannot connect to {addr}"))
    }

    /// The `authorization` value to send, from --token-file.
    fn authorization(
        &self,
    ) -> Result<Option<tonic::metadata::MetadataValue<tonic::metadata::Ascii>>> {
        let Some(path) = &self.token_file else {
            return Ok(None);
        };
        let token = std::fs::read_to_string(path)
            .with_context(|| format!("--token-file {}: cannot read", path.display()))?;
        let value = format!("Bearer {}", token.trim())
            .parse()
            .with_context(|| {
                format!(
                    "--token-file {}: not a printable ASCII token",
                    path.display()
                )
            })?;
        Ok(Some(value))
    }
}

#[derive(Subcommand)]
enum TokenCommand {
    /// Read a bearer token from stdin (one line) and print its hex SHA-256, the value of a
    /// [[caller]]'s token_sha256.
    Hash,
    /// Print a fresh random token (256 bits, hex) on the first line and its SHA-256 on the
    /// second: give the first to the caller, put the second in the config.
    New,
}

#[derive(Subcommand)]
enum AuditCommand {
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

#[derive(Subcommand)]
enum Command {
    /// Ask a running server whether it serves (grpc.health.v1): exit 0 when SERVING, 1
    /// otherwise. For container health checks and probes; needs no other tool.
    Health {
        /// Server address (Screening).
        #[arg(long, default_value = "http://127.0.0.1:50051")]
        addr: String,
        /// The service to ask about; "" asks about the server as a whole.
        #[arg(long, default_value = "clearance.v1.Screening")]
        service: String,
        /// Give up after this many seconds.
        #[arg(long, default_value_t = 3)]
        timeout_seconds: u64,
        #[command(flatten)]
        connect: ConnectArgs,
    },
    /// Bearer tokens for [[caller]] entries: hash one, or make a new one.
    Token {
        #[command(subcommand)]
        command: TokenCommand,
    },
    /// Talk to a running server, as an operator would.
    Client {
        /// Server address: the Screening address, or the Admin address for `reload`.
        #[arg(long, default_value = "http://127.0.0.1:50051")]
        addr: String,
        #[command(flatten)]
        connect: ConnectArgs,
        #[command(subcommand)]
        command: ClientCommand,
    },
    /// Serve the gRPC API (Screening, Admin, health, reflection) and the HTTP endpoints
    /// (/metrics, /healthz, /readyz) until SIGTERM or Ctrl-C. Addresses and reload settings
    /// come from the config's [server] section; these flags override it.
    Serve {
        /// Address of Screening, health and reflection [default: 127.0.0.1:50051].
        #[arg(long)]
        listen: Option<String>,
        /// Address of the Admin service (Reload); keep it private [default: 127.0.0.1:50052].
        #[arg(long)]
        admin_listen: Option<String>,
        /// Address of /metrics, /healthz and /readyz [default: 127.0.0.1:8080]; "off" for none.
        #[arg(long)]
        http_listen: Option<String>,
        /// Check the list files for changes this often and reload when they change
        /// (0: never; SIGHUP and Admin.Reload still work) [default: 30].
        #[arg(long)]
        poll_seconds: Option<u64>,
        /// Log lines as JSON objects instead of text.
        #[arg(long)]
        log_json: bool,
        /// Serve this snapshot file (see `build`) instead of loading the config's sources;
        /// reload when it is replaced. The snapshot's own policy applies. Until the file
        /// exists the server runs not ready.
        #[arg(long)]
        snapshot: Option<PathBuf>,
        /// While lists configured by URL have not been downloaded yet, serve this native
        /// list instead, loudly marked as SAMPLE data (overrides [update] sample_data).
        /// Without it (or the config key) the server stays unready until the lists arrive.
        #[arg(long, value_name = "PATH", num_args = 0..=1, default_missing_value = "data/sample-list.jsonl")]
        allow_sample_data: Option<PathBuf>,
        #[command(flatten)]
        lists: ListArgs,
    },
    /// Load and index the configured lists and write the result as a snapshot file, which
    /// `serve --snapshot` starts from in well under a second. The file is replaced
    /// atomically, and left alone when lists and policy are unchanged.
    Build {
        /// The snapshot file to write.
        #[arg(long, short)]
        output: PathBuf,
        /// Rewrite the file even when it already holds the same lists and policy.
        #[arg(long)]
        always: bool,
        #[command(flatten)]
        lists: ListArgs,
    },
    /// Download the lists configured by URL once, into the cache, and report each one:
    /// updated, not modified, or failed and why. Exits 1 when a list has no usable copy.
    Update {
        #[command(flatten)]
        lists: ListArgs,
    },
    /// Screen one name.
    Screen {
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
    },
    /// Screen a CSV file of parties into JSON lines.
    Batch {
        #[arg(long)]
        input: PathBuf,
        #[arg(long)]
        output: PathBuf,
        #[command(flatten)]
        lists: ListArgs,
    },
    /// Score a labelled query file (the format of shared/eval/dev.csv).
    Eval {
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
    },
    /// Work with the audit log that `serve` writes (config section [audit]).
    Audit {
        #[command(subcommand)]
        command: AuditCommand,
    },
}

/// Runs the parsed command.
pub fn run(cli: Cli) -> Result<ExitCode> {
    // Results go to stdout through one locked handle; a closed pipe (`| head`) surfaces as an
    // io::Error that main treats as a normal end.
    let mut out = std::io::stdout().lock();
    match cli.command {
        Command::Token { command } => {
            let token = match command {
                TokenCommand::Hash => {
                    let mut line = String::new();
                    std::io::stdin().read_line(&mut line)?;
                    let token = line.trim_end_matches(['\n', '\r']);
                    if token.is_empty() {
                        bail!("no token on stdin");
                    }
                    token.to_string()
                }
                TokenCommand::New => {
                    let mut bytes = [0u8; 32];
                    rustls::crypto::ring::default_provider()
                        .secure_random
                        .fill(&mut bytes)
                        .map_err(|_| anyhow::anyhow!("no random numbers from the OS"))?;
                    let token: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
                    writeln!(out, "{token}")?;
                    token
                }
            };
            writeln!(out, "{}", crate::service::auth::hash_token(&token))?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Health {
            addr,
            service,
            timeout_seconds,
            connect,
        } => {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()?;
            let timeout = std::time::Duration::from_secs(timeout_seconds.max(1));
            let status = runtime.block_on(async {
                tokio::time::timeout(timeout, health(&addr, &connect, &service))
                    .await
                    .unwrap_or_else(|_| {
                        Err(anyhow::anyhow!("no answer from {addr} in {timeout:?}"))
                    })
            });
            match status {
                Ok(s) if s == "SERVING" => {
                    writeln!(out, "{s}")?;
                    Ok(ExitCode::SUCCESS)
                }
                Ok(s) => {
                    writeln!(out, "{s}")?;
                    Ok(ExitCode::FAILURE)
                }
                Err(e) => {
                    eprintln!("error: {e:#}");
                    Ok(ExitCode::FAILURE)
                }
            }
        }
        Command::Client {
            addr,
            connect,
            command,
        } => {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()?;
            let text = runtime.block_on(client(addr, connect, command))?;
            write!(out, "{text}")?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Serve {
            listen,
            admin_listen,
            http_listen,
            poll_seconds,
            log_json,
            snapshot,
            allow_sample_data,
            lists,
        } => {
            init_logging(log_json);
            let mut config = lists.config_maybe_without_sources()?;
            if snapshot.is_some() {
                config.server.snapshot = snapshot;
            }
            if config.server.snapshot.is_none() && config.sources.is_empty() {
                bail!(crate::service::config::ConfigError::NoSources);
            }
            if allow_sample_data.is_some() {
                config.update.sample_data = allow_sample_data;
            }
            let server = &mut config.server;
            server.listen = listen.unwrap_or(server.listen.clone());
            server.admin_listen = admin_listen.unwrap_or(server.admin_listen.clone());
            server.http_listen = http_listen.unwrap_or(server.http_listen.clone());
            server.poll_seconds = poll_seconds.unwrap_or(server.poll_seconds);
            let triggers = crate::service::server::ReloadTriggers::from_config(server);
            let runtime = tokio::runtime::Builder::new_multi_thread()
                .enable_all()
                .build()?;
            runtime.block_on(async move {
                let s = &config.server;
                let http = (s.http_listen != "off").then_some(s.http_listen.as_str());
                let listeners =
                    crate::service::server::Listeners::bind(&s.listen, &s.admin_listen, http)
                        .await?;
                tracing::info!(
                    screening = %listeners.public.local_addr()?,
                    admin = %listeners.admin.local_addr()?,
                    http = %listeners
                        .http
                        .as_ref()
                        .and_then(|l| l.local_addr().ok())
                        .map_or("off".to_string(), |a| a.to_string()),
                    "listening; loading lists"
                );
                crate::service::server::serve(config, listeners, triggers, shutdown_signal())
                    .await?;
                tracing::info!("stopped");
                Ok::<_, anyhow::Error>(())
            })?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Build {
            output,
            always,
            lists,
        } => {
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
        Command::Update { lists } => {
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
        Command::Screen {
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
        } => {
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
        Command::Batch {
            input,
            output,
            lists,
        } => {
            let rows = batch::read_input(&input)?;
            let snapshot = lists.snapshot()?;
            let tmp = output.with_extension("jsonl.partial");
            let file = std::fs::File::create(&tmp)
                .with_context(|| format!("{}: cannot create", tmp.display()))?;
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
        Command::Eval {
            input,
            misses,
            json,
            lists,
        } => {
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
        Command::Audit {
            command:
                AuditCommand::Replay {
                    files,
                    hits,
                    snapshot,
                    lists,
                },
        } => audit_replay(&mut out, &files, hits, snapshot.as_deref(), &lists),
    }
}

/// `clearance audit replay`: differences on stdout, warnings and the summary on stderr.
/// Errors exit 2 rather than 1, which means "differences".
fn audit_replay(
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

/// Logs to stderr, filtered by `RUST_LOG` (default `info`), as text or JSON lines.
fn init_logging(json: bool) {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()));
    if json {
        builder.json().init();
    } else {
        builder.init();
    }
}

/// Resolves on Ctrl-C or SIGTERM, so that in-flight calls can finish before exit.
async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = term => {},
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

/// The grpc.health.v1 status of `service` at `addr`, as its proto name (`SERVING`, ...).
async fn health(addr: &str, connect: &ConnectArgs, service: &str) -> Result<String> {
    use tonic_health::pb::health_check_response::ServingStatus;
    let channel = connect.channel(addr).await?;
    let mut client = tonic_health::pb::health_client::HealthClient::new(channel);
    let r = client
        .check(tonic_health::pb::HealthCheckRequest {
            service: service.to_string(),
        })
        .await
        .map_err(rpc_error)?;
    let status = r.get_ref().status;
    Ok(ServingStatus::try_from(status)
        .map(|s| s.as_str_name().to_string())
        .unwrap_or_else(|_| format!("UNKNOWN({status})")))
}

/// A channel that sends `authorization` (a bearer token) with every call, if given.
fn with_token(
    channel: tonic::transport::Channel,
    authorization: Option<tonic::metadata::MetadataValue<tonic::metadata::Ascii>>,
) -> tonic::service::interceptor::InterceptedService<
    tonic::transport::Channel,
    impl tonic::service::Interceptor + Clone,
> {
    tonic::service::interceptor::InterceptedService::new(
        channel,
        move |mut request: tonic::Request<()>| {
            if let Some(value) = &authorization {
                request
                    .metadata_mut()
                    .insert("authorization", value.clone());
            }
            Ok(request)
        },
    )
}

/// A gRPC error status as the client prints it.
fn rpc_error(s: tonic::Status) -> anyhow::Error {
    anyhow::anyhow!("{}: {}", s.code(), s.message())
}

/// Runs one client command and returns what to print.
async fn client(addr: String, connect: ConnectArgs, command: ClientCommand) -> Result<String> {
    use crate::service::proto;
    let channel = connect.channel(&addr).await?;
    let authorization = connect.authorization()?;
    let channel = with_token(channel, authorization);
    let mut text = String::new();
    match command {
        ClientCommand::Screen {
            name,
            country,
            kind,
            dob,
            nationality,
        } => {
            let kind = match kind_flag(kind.as_deref())? {
                None | Some(EntityKind::Unknown) => proto::PartyKind::Unspecified,
                Some(EntityKind::Person) => proto::PartyKind::Person,
                Some(EntityKind::Organization) => proto::PartyKind::Organization,
                Some(EntityKind::Vessel) => proto::PartyKind::Vessel,
                Some(EntityKind::Aircraft) => proto::PartyKind::Aircraft,
            };
            let mut client = proto::screening_client::ScreeningClient::new(channel);
            let r = client
                .screen(proto::ScreenRequest {
                    request_id: "cli".into(),
                    party: Some(proto::Party {
                        name,
                        kind: kind as i32,
                        countries: country.into_iter().collect(),
                        birth_date: dob.unwrap_or_default(),
                        // Names are sent as written; the server resolves and validates them.
                        nationalities: nationality
                            .iter()
                            .flat_map(|n| n.split(';'))
                            .map(str::trim)
                            .filter(|n| !n.is_empty())
                            .map(str::to_string)
                            .collect(),
                        ..proto::Party::default()
                    }),
                    options: None,
                    as_of: String::new(),
                })
                .await
                .map_err(rpc_error)?
                .into_inner();
            let decision = proto::Decision::try_from(r.decision)
                .map(|d| {
                    d.as_str_name()
                        .trim_start_matches("DECISION_")
                        .to_lowercase()
                })
                .unwrap_or_else(|_| r.decision.to_string());
            text.push_str(&format!("decision: {decision}\n"));
            for h in &r.hits {
                text.push_str(&format!(
                    "  {:.3}  {}  {}\n         {}\n",
                    h.score, h.entity_id, h.name, h.explanation
                ));
            }
            text.push_str(&format!("snapshot: {}\n", r.snapshot_version));
        }
        ClientCommand::Status => {
            let mut client = proto::screening_client::ScreeningClient::new(channel);
            let s = client
                .status(proto::StatusRequest {})
                .await
                .map_err(rpc_error)?
                .into_inner();
            text.push_str(&format!("snapshot: {}\n", s.snapshot_version));
            for d in &s.datasets {
                text.push_str(&format!(
                    "  {}: {} entities, {} names{}\n",
                    d.name,
                    d.entities,
                    d.names,
                    if d.as_of.is_empty() {
                        String::new()
                    } else {
                        format!(", as of {}", d.as_of)
                    }
                ));
            }
            if !s.last_reload.is_empty() {
                text.push_str(&format!("last reload: {}\n", s.last_reload));
            }
            if s.sample_data {
                text.push_str("SAMPLE DATA: the configured lists have not been downloaded yet\n");
            }
            for u in &s.updates {
                text.push_str(&format!(
                    "  download {}: {} (last success {}){}\n",
                    u.dataset,
                    if u.last_result.is_empty() {
                        "not tried"
                    } else {
                        &u.last_result
                    },
                    if u.last_success.is_empty() {
                        "never"
                    } else {
                        &u.last_success
                    },
                    if u.last_error.is_empty() {
                        String::new()
                    } else {
                        format!(": {}", u.last_error)
                    }
                ));
            }
        }
        ClientCommand::Reload { force } => {
            let mut client = proto::admin_client::AdminClient::new(channel);
            let r = client
                .reload(proto::ReloadRequest { force })
                .await
                .map_err(rpc_error)?
                .into_inner();
            text.push_str(&format!("{}\n", r.message));
        }
    }
    Ok(text)
}
