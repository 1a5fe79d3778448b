//! The gRPC service: `clearance.v1.Screening` (and `Admin` on its own address), the standard
//! health service and server reflection, over the live [`Screener`].
//!
//! Request handling is in [`grpc`]; this module wires the listeners, health and reflection,
//! and loads the first snapshot. Errors become `tonic::Status` in one place,
//! [`grpc::status_of`].

pub mod grpc;

use std::net::SocketAddr;
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

/// Loads the first snapshot and serves `Screening`, health and reflection on `public`, and
/// `Admin` on `admin`, until `shutdown` resolves; in-flight calls finish first.
pub async fn serve(
    config: Config,
    public: TcpListener,
    admin: TcpListener,
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

/// The local address a listener is bound to, for logs and tests.
pub fn local_addr(listener: &TcpListener) -> Option<SocketAddr> {
    listener.local_addr().ok()
}
