//! The gRPC service: `clearance.v1.Screening` (and `Admin` on its own address), the standard
//! health service and server reflection, over the live [`Screener`].
//!
//! Request handling is in [`grpc`]; this module wires the listeners, health and reflection,
//! and loads the first snapshot. Errors become `tonic::Status` in one place,
//! [`grpc::status_of`].

pub mod grpc;

use std::sync::{Arc, Mutex};

use tokio::net::TcpListener;
use tokio_stream::wrappers::TcpListenerStream;

use crate::config::Config;
use crate::screen::{Screener, Snapshot, SnapshotError};

/// Code generated from `proto/clearance/v1/*.proto`.
pub mod proto {
    #![allow(clippy::all, missing_docs)]
    tonic::include_proto!("clearance.v1");

    /// Encoded descriptors of the protos, for server reflection.
    pub const FILE_DESCRIPTOR_SET: &[u8] =
        tonic::include_file_descriptor_set!("clearance_descriptor");
}

#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    #[error(transparent)]
    Snapshot(#[from] SnapshotError),
    #[error("cannot listen on {addr}: {source}")]
    Listen {
        addr: String,
        #[source]
        source: std::io::Error,
    },
    #[error("gRPC server failed: {0}")]
    Transport(#[from] tonic::transport::Error),
    #[error("reflection service: {0}")]
    Reflection(#[from] tonic_reflection::server::Error),
}

/// What the services share: the live snapshot, the config to reload from, and the outcome
/// of the last reload.
pub struct State {
    pub screener: Screener,
    pub config: Config,
    pub last_reload: Mutex<String>,
}

/// Binds an address such as `127.0.0.1:50051` (port 0 picks a free port).
pub async fn bind(addr: &str) -> Result<TcpListener, ServeError> {
    TcpListener::bind(addr)
        .await
        .map_err(|source| ServeError::Listen {
            addr: addr.to_string(),
            source,
        })
}

/// How the server notices that lists changed, besides `Admin.Reload`.
#[derive(Debug, Clone, Copy, Default)]
pub struct ReloadTriggers {
    /// Reload on SIGHUP (Unix).
    pub sighup: bool,
    /// Check the source files' sizes and modification times this often; reload when they
    /// change. `None`: no polling.
    pub poll: Option<std::time::Duration>,
}

/// Size and modification time of every source file: cheap to read, and it changes whenever a
/// list file is replaced.
fn fingerprint(config: &Config) -> Vec<(std::path::PathBuf, u64, Option<std::time::SystemTime>)> {
    let mut out = Vec::new();
    for s in &config.sources {
        let files: Vec<std::path::PathBuf> = if s.path.is_dir() {
            let mut f: Vec<_> = std::fs::read_dir(&s.path)
                .map(|d| d.filter_map(|e| e.ok().map(|e| e.path())).collect())
                .unwrap_or_default();
            f.sort();
            f
        } else {
            vec![s.path.clone()]
        };
        for f in files {
            let meta = std::fs::metadata(&f).ok();
            let len = meta.as_ref().map_or(0, |m| m.len());
            let modified = meta.and_then(|m| m.modified().ok());
            out.push((f, len, modified));
        }
    }
    out
}

/// Runs one reload off the async workers and reports it on stderr (one line per reload).
async fn reload_now(state: Arc<State>, why: &str) {
    let result = tokio::task::spawn_blocking(move || grpc::reload(&state, false)).await;
    match result {
        Ok(Ok(r)) => eprintln!("reload ({why}): {}", r.message),
        Ok(Err(e)) => eprintln!("reload ({why}) rejected, previous snapshot keeps serving: {e}"),
        Err(e) => eprintln!("reload ({why}) task failed: {e}"),
    }
}

/// Watches for SIGHUP and for changed source files until `stop` fires.
async fn watch(
    state: Arc<State>,
    triggers: ReloadTriggers,
    mut stop: tokio::sync::watch::Receiver<bool>,
) {
    #[cfg(unix)]
    let mut hangup = if triggers.sighup {
        tokio::signal::unix::signal(tokio::signal::unix::SignalKind::hangup()).ok()
    } else {
        None
    };
    let mut seen = fingerprint(&state.config);
    let period = triggers
        .poll
        .unwrap_or(std::time::Duration::from_secs(3600));
    let mut ticker = tokio::time::interval(period);
    ticker.tick().await;
    loop {
        #[cfg(unix)]
        let hup = async {
            match hangup.as_mut() {
                Some(h) => {
                    h.recv().await;
                }
                None => std::future::pending::<()>().await,
            }
        };
        #[cfg(not(unix))]
        let hup = std::future::pending::<()>();
        tokio::select! {
            _ = stop.changed() => return,
            _ = hup => reload_now(state.clone(), "SIGHUP").await,
            _ = ticker.tick(), if triggers.poll.is_some() => {
                let now = fingerprint(&state.config);
                if now != seen {
                    seen = now;
                    reload_now(state.clone(), "source files changed").await;
                }
            }
        }
    }
}

/// Loads the first snapshot and serves `Screening`, health and reflection on `public`, and
/// `Admin` on `admin`, until `shutdown` resolves; in-flight calls finish first. `triggers`
/// add SIGHUP and file polling to `Admin.Reload`.
pub async fn serve(
    config: Config,
    public: TcpListener,
    admin: TcpListener,
    triggers: ReloadTriggers,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> Result<(), ServeError> {
    let (health, health_service) = tonic_health::server::health_reporter();
    health
        .set_not_serving::<proto::screening_server::ScreeningServer<grpc::ScreeningService>>()
        .await;
    let snapshot = {
        let config = config.clone();
        tokio::task::spawn_blocking(move || Snapshot::load(&config))
            .await
            .unwrap_or_else(|e| std::panic::resume_unwind(e.into_panic()))?
    };
    let state = Arc::new(State {
        screener: Screener::new(snapshot),
        config,
        last_reload: Mutex::new(String::new()),
    });
    health
        .set_serving::<proto::screening_server::ScreeningServer<grpc::ScreeningService>>()
        .await;

    let reflection_v1 = tonic_reflection::server::Builder::configure()
        .register_encoded_file_descriptor_set(proto::FILE_DESCRIPTOR_SET)
        .register_encoded_file_descriptor_set(tonic_health::pb::FILE_DESCRIPTOR_SET)
        .build_v1()?;
    let reflection_v1alpha = tonic_reflection::server::Builder::configure()
        .register_encoded_file_descriptor_set(proto::FILE_DESCRIPTOR_SET)
        .register_encoded_file_descriptor_set(tonic_health::pb::FILE_DESCRIPTOR_SET)
        .build_v1alpha()?;

    let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
    tokio::spawn(async move {
        shutdown.await;
        let _ = stop_tx.send(true);
    });
    let stopped = |mut rx: tokio::sync::watch::Receiver<bool>| async move {
        let _ = rx.wait_for(|stop| *stop).await;
    };
    tokio::spawn(watch(state.clone(), triggers, stop_rx.clone()));

    let public_server = tonic::transport::Server::builder()
        .add_service(health_service)
        .add_service(reflection_v1)
        .add_service(reflection_v1alpha)
        .add_service(
            proto::screening_server::ScreeningServer::new(grpc::ScreeningService {
                state: state.clone(),
            })
            .max_decoding_message_size(grpc::MAX_MESSAGE_BYTES),
        )
        .serve_with_incoming_shutdown(TcpListenerStream::new(public), stopped(stop_rx.clone()));
    let admin_server = tonic::transport::Server::builder()
        .add_service(proto::admin_server::AdminServer::new(grpc::AdminService {
            state,
        }))
        .serve_with_incoming_shutdown(TcpListenerStream::new(admin), stopped(stop_rx));
    let (a, b) = tokio::join!(public_server, admin_server);
    a?;
    b?;
    Ok(())
}
