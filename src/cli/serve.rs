//! `clearance serve`: the gRPC API and the HTTP endpoints until SIGTERM or Ctrl-C, with
//! the config's `[server]` settings overridden by the flags.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{bail, Result};
use clap::Args;

use super::ListArgs;

#[derive(Args)]
pub(super) struct ServeArgs {
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
}

/// Binds the listeners and serves until a shutdown signal.
pub(super) fn run(args: ServeArgs) -> Result<ExitCode> {
    let ServeArgs {
        listen,
        admin_listen,
        http_listen,
        poll_seconds,
        log_json,
        snapshot,
        allow_sample_data,
        lists,
    } = args;
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
            crate::service::server::Listeners::bind(&s.listen, &s.admin_listen, http).await?;
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
        crate::service::server::serve(config, listeners, triggers, shutdown_signal()).await?;
        tracing::info!("stopped");
        Ok::<_, anyhow::Error>(())
    })?;
    Ok(ExitCode::SUCCESS)
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
pub(super) async fn shutdown_signal() {
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
