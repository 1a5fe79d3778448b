//! The service: `clearance.v1.Screening` with the standard health service and reflection on
//! the public address, `Admin` on its own address, and an HTTP listener for `/metrics`,
//! `/healthz`, `/readyz` and the reviewer's console under `/ui/` ([`console`]), all over the
//! live [`Screener`].
//!
//! Request handling is in [`grpc`], the HTTP endpoints in [`http`], reloads and their
//! triggers in [`reload`], list downloads in [`updates`]. It uses the service's parts beside
//! it: metrics ([`crate::service::metrics`]), TLS ([`crate::service::tls`]) and access control
//! (callers, roles, datasets, rate limits: [`crate::service::auth`]). Errors become
//! `tonic::Status` in one place, [`grpc::status_of`].

pub mod console;
pub mod grpc;
pub mod http;
pub mod monitoring;
pub mod reload;
pub mod updates;

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, OnceLock};

use tokio::net::TcpListener;

use crate::engine::screen::{Screener, Snapshot};
use crate::service::config::Config;
use crate::service::metrics::Metrics;
use crate::service::monitor::Monitor;
use crate::service::proto;
use crate::service::{auth, tls};
pub use reload::{ReloadError, ReloadTriggers, Trigger};

#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    #[error("first snapshot: {0}")]
    FirstSnapshot(#[from] ReloadError),
    #[error("cannot listen on {addr}: {source}")]
    Listen {
        addr: String,
        #[source]
        source: std::io::Error,
    },
    #[error("gRPC server failed: {0}")]
    Transport(#[from] tonic::transport::Error),
    #[error("HTTP server failed: {0}")]
    Http(#[source] std::io::Error),
    #[error("reflection service: {0}")]
    Reflection(#[from] tonic_reflection::server::Error),
    #[error(transparent)]
    Tls(#[from] tls::TlsError),
}

/// What the services share: the live snapshot (once the first one is loaded), the config to
/// reload from, the metrics and the outcome of the last reload.
pub struct State {
    /// Where every screening decision is recorded; `None` without an `[audit]` section.
    pub audit: Option<crate::service::audit::AuditLog>,
    live: OnceLock<Screener>,
    pub config: Config,
    pub metrics: Arc<Metrics>,
    /// Who may call what.
    pub gate: auth::Gate,
    last_reload: Mutex<String>,
    /// Held for the whole of a reload, so reloads never overlap.
    reloading: Mutex<()>,
    draining: AtomicBool,
    /// [`State::ready`], for the task that mirrors it into the health service.
    ready_tx: tokio::sync::watch::Sender<bool>,
    /// The downloaded sources' last updates, for `Status`.
    updates: Mutex<Vec<updates::SourceStatus>>,
    /// The serving snapshot is the sample list (see [`updates::lists_to_load`]).
    sample: AtomicBool,
    /// Ongoing monitoring, once its database opened (with a `[monitoring]` section).
    monitor: OnceLock<Arc<Monitor>>,
}

impl State {
    pub fn new(config: Config) -> State {
        let metrics = Arc::new(Metrics::new());
        State {
            audit: open_audit(&config, &metrics),
            updates: Mutex::new(updates::initial_statuses(&config)),
            sample: AtomicBool::new(false),
            live: OnceLock::new(),
            gate: auth::Gate::new(&config.callers, &config.access, metrics.clone()),
            config,
            metrics,
            last_reload: Mutex::new(String::new()),
            reloading: Mutex::new(()),
            draining: AtomicBool::new(false),
            ready_tx: tokio::sync::watch::channel(false).0,
            monitor: OnceLock::new(),
        }
    }

    /// Ongoing monitoring; `None` without `[monitoring]` or before its database opened.
    pub fn monitor(&self) -> Option<&Arc<Monitor>> {
        self.monitor.get()
    }

    /// Makes `monitor` this server's, and hands it the serving snapshot.
    fn set_monitor(&self, monitor: Arc<Monitor>) {
        let monitor = self.monitor.get_or_init(|| monitor);
        if let Some(s) = self.snapshot() {
            monitor.installed(s);
        }
    }

    /// The serving snapshot; `None` until the first one is loaded. Hold the `Arc` for the
    /// whole request so the request sees one version.
    pub fn snapshot(&self) -> Option<Arc<Snapshot>> {
        self.live.get().map(Screener::snapshot)
    }

    /// Makes `snapshot` the serving one.
    fn install(&self, snapshot: Snapshot) {
        let mut fresh = Some(snapshot);
        let screener = self
            .live
            .get_or_init(|| Screener::new(fresh.take().expect("taken once")));
        if let Some(snapshot) = fresh {
            screener.swap(snapshot);
        }
        if let Some(m) = self.monitor.get() {
            m.installed(screener.snapshot());
        }
        self.publish_ready();
    }

    fn publish_ready(&self) {
        let ready = self.ready();
        self.metrics.set_ready(ready);
        self.ready_tx.send_replace(ready);
    }

    /// Serving a snapshot and not shutting down: what `/readyz` reports.
    pub fn ready(&self) -> bool {
        self.live.get().is_some() && !self.draining.load(Ordering::Relaxed)
    }

    fn start_draining(&self) {
        self.draining.store(true, Ordering::Relaxed);
        self.publish_ready();
    }

    /// The outcome of the last reload, as `Status` reports it.
    pub fn last_reload(&self) -> String {
        self.last_reload
            .lock()
            .map(|s| s.clone())
            .unwrap_or_default()
    }

    fn set_last_reload(&self, note: String) {
        if let Ok(mut last) = self.last_reload.lock() {
            *last = note;
        }
    }
}

/// The audit log the config asks for, or `None` (said in the log either way).
fn open_audit(config: &Config, metrics: &Arc<Metrics>) -> Option<crate::service::audit::AuditLog> {
    let Some(c) = &config.audit else {
        tracing::info!("auditing is off: no [audit] section in the config");
        return None;
    };
    tracing::info!(path = %c.path.display(), fsync = ?c.fsync, on_error = ?c.on_error, "audit log on");
    Some(crate::service::audit::AuditLog::open(c, metrics.clone()))
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

/// The bound sockets to serve on.
pub struct Listeners {
    /// Screening, health and reflection.
    pub public: TcpListener,
    /// Admin.
    pub admin: TcpListener,
    /// `/metrics`, `/healthz`, `/readyz` and the console (`/ui/`); `None`: no HTTP listener.
    pub http: Option<TcpListener>,
}

impl Listeners {
    /// Binds the three addresses (`http` optional).
    pub async fn bind(public: &str, admin: &str, http: Option<&str>) -> Result<Self, ServeError> {
        Ok(Listeners {
            public: bind(public).await?,
            admin: bind(admin).await?,
            http: match http {
                Some(a) => Some(bind(a).await?),
                None => None,
            },
        })
    }
}

/// Accepted connections with Nagle's algorithm off: a response of a few hundred bytes must
/// not wait for the client's delayed ACK (40 ms on Linux).
fn incoming(listener: TcpListener) -> tonic::transport::server::TcpIncoming {
    tonic::transport::server::TcpIncoming::from(listener).with_nodelay(Some(true))
}

type ScreeningServer = proto::screening_server::ScreeningServer<grpc::ScreeningService>;

/// Says at start-up how callers are checked, and warns when they are not.
fn log_access(state: &State) {
    let tls = state.config.tls.as_ref();
    if !state.gate.enforcing() {
        tracing::warn!(
            "access control is off: no [[caller]] in the config, so every client that reaches \
             the listeners may screen and reload"
        );
    } else {
        tracing::info!(callers = state.config.callers.len(), "access control on");
        if tls.is_none() && state.gate.uses_tokens() {
            tracing::warn!("bearer tokens travel in plain text: no [tls] section");
        }
    }
    match tls {
        None => tracing::info!("TLS is off: no [tls] section"),
        Some(t) => tracing::info!(
            cert = %t.cert.display(),
            client_auth = ?t.client_auth(),
            http = t.http,
            "TLS on"
        ),
    }
}

type ServerFuture = std::pin::Pin<
    Box<dyn std::future::Future<Output = Result<(), tonic::transport::Error>> + Send>,
>;

/// Serves `router` on `listener`, over TLS when `tls` is given.
fn serve_grpc(
    router: tonic::transport::server::Router,
    listener: TcpListener,
    tls: Option<(&Arc<tls::Tls>, tls::Listener)>,
    stop: impl std::future::Future<Output = ()> + Send + 'static,
) -> ServerFuture {
    match tls {
        None => Box::pin(router.serve_with_incoming_shutdown(incoming(listener), stop)),
        Some((tls, which)) => {
            Box::pin(router.serve_with_incoming_shutdown(tls.incoming(listener, which), stop))
        }
    }
}

/// The gRPC health service's name for monitoring: SERVING while its database answers, so a
/// probe can tell monitoring from screening (which never waits on it).
pub const MONITORING_HEALTH: &str = "clearance.v1.Monitoring";

/// Opens the monitoring database (retrying while it cannot be reached: screening serves
/// meanwhile, and `Monitoring` calls answer UNAVAILABLE), then runs the re-screening worker
/// and mirrors the database's health into the health service until `stop`.
async fn start_monitoring(
    state: Arc<State>,
    config: crate::service::monitor::MonitoringConfig,
    health: tonic_health::server::HealthReporter,
    mut stop: tokio::sync::watch::Receiver<bool>,
) {
    use tonic_health::ServingStatus;
    let retry = std::time::Duration::from_secs(config.lead_retry_seconds.max(1));
    health
        .set_service_status(MONITORING_HEALTH, ServingStatus::NotServing)
        .await;
    state.metrics.monitoring_ready(false);
    let clock: Arc<dyn crate::service::monitor::Clock> =
        Arc::new(crate::service::monitor::SystemClock);
    let monitor = loop {
        match Monitor::open(config.clone(), clock.clone(), state.metrics.clone()).await {
            Ok(m) => break m,
            Err(e) => {
                tracing::warn!(error = %e, "monitoring: cannot open its database; screening serves, monitoring waits");
            }
        }
        tokio::select! {
            _ = tokio::time::sleep(retry) => {}
            _ = stop.changed() => return,
        }
    };
    tracing::info!(
        backend = monitor.store().backend(),
        "monitoring: database open"
    );
    state.set_monitor(monitor.clone());
    tokio::spawn(monitor.clone().run(stop.clone()));
    loop {
        let status = if monitor.check().await {
            ServingStatus::Serving
        } else {
            ServingStatus::NotServing
        };
        health.set_service_status(MONITORING_HEALTH, status).await;
        state.metrics.monitoring_lag(monitor.lag_seconds());
        tokio::select! {
            _ = tokio::time::sleep(std::time::Duration::from_secs(5)) => {}
            _ = stop.changed() => return,
        }
    }
}

/// Serves until `shutdown` resolves. The listeners accept at once, with health NOT_SERVING
/// and `/readyz` failing until the first snapshot is loaded and validated; if that fails,
/// the servers stop and the error is returned. On shutdown, readiness drops first, then
/// in-flight calls and streams finish before the servers exit.
pub async fn serve(
    config: Config,
    listeners: Listeners,
    triggers: ReloadTriggers,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> Result<(), ServeError> {
    serve_until(config, listeners, triggers, Box::pin(shutdown)).await
}

/// The body of [`serve`], not generic, so that it is compiled once, here. Were it generic over
/// the shutdown future, every crate calling `serve` (each integration test, the load
/// generator) would compile the whole server again: about 20 s of CPU each in release.
async fn serve_until(
    config: Config,
    listeners: Listeners,
    triggers: ReloadTriggers,
    shutdown: std::pin::Pin<Box<dyn std::future::Future<Output = ()> + Send>>,
) -> Result<(), ServeError> {
    let state = Arc::new(State::new(config));
    log_access(&state);
    let tls = match &state.config.tls {
        Some(c) => Some(tls::Tls::load(c.clone(), state.metrics.clone())?),
        None => None,
    };
    let (health, health_service) = tonic_health::server::health_reporter();
    let monitoring_health = health.clone();
    health.set_not_serving::<ScreeningServer>().await;
    health
        .set_service_status("", tonic_health::ServingStatus::NotServing)
        .await;

    // Reflection answers any authenticated caller; health answers everyone (probes carry
    // no credentials).
    let reflection_gate = {
        let state = state.clone();
        move |request: tonic::Request<()>| match state.gate.check(&request, auth::Need::Anyone) {
            Ok(_) => Ok(request),
            Err(e) => Err(grpc::status_of(e.into())),
        }
    };
    let reflection_v1 = tonic::service::interceptor::InterceptedService::new(
        tonic_reflection::server::Builder::configure()
            .register_encoded_file_descriptor_set(proto::FILE_DESCRIPTOR_SET)
            .register_encoded_file_descriptor_set(tonic_health::pb::FILE_DESCRIPTOR_SET)
            .build_v1()?,
        reflection_gate.clone(),
    );
    let reflection_v1alpha = tonic::service::interceptor::InterceptedService::new(
        tonic_reflection::server::Builder::configure()
            .register_encoded_file_descriptor_set(proto::FILE_DESCRIPTOR_SET)
            .register_encoded_file_descriptor_set(tonic_health::pb::FILE_DESCRIPTOR_SET)
            .build_v1alpha()?,
        reflection_gate,
    );

    // The health service follows readiness: serving once a snapshot is installed (which
    // may be long after start-up, when the first snapshot file or download is awaited), not
    // serving again while draining.
    {
        let mut ready = state.ready_tx.subscribe();
        tokio::spawn(async move {
            loop {
                let now = *ready.borrow_and_update();
                let status = if now {
                    tonic_health::ServingStatus::Serving
                } else {
                    tonic_health::ServingStatus::NotServing
                };
                health
                    .set_service_status(
                        <ScreeningServer as tonic::server::NamedService>::NAME,
                        status,
                    )
                    .await;
                health.set_service_status("", status).await;
                if ready.changed().await.is_err() {
                    return;
                }
            }
        });
    }

    // `stop` turns true on shutdown or when the first snapshot fails.
    let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
    let stop_tx = Arc::new(stop_tx);
    {
        let (stop_tx, state) = (stop_tx.clone(), state.clone());
        tokio::spawn(async move {
            shutdown.await;
            state.start_draining();
            tracing::info!("shutting down: draining in-flight calls and streams");
            let _ = stop_tx.send(true);
        });
    }
    let stopped = |mut rx: tokio::sync::watch::Receiver<bool>| async move {
        let _ = rx.wait_for(|stop| *stop).await;
    };
    if let Some(tls) = &tls {
        tokio::spawn(tls.clone().watch(stop_rx.clone()));
    }

    if let Some(config) = state.config.monitoring.clone() {
        tokio::spawn(start_monitoring(
            state.clone(),
            config,
            monitoring_health,
            stop_rx.clone(),
        ));
    }

    let mut builder = tonic::transport::Server::builder();
    if state.config.server.max_connection_age_seconds > 0 {
        builder = builder.max_connection_age(std::time::Duration::from_secs(
            state.config.server.max_connection_age_seconds,
        ));
    }
    let public_router = builder
        .add_service(health_service)
        .add_service(reflection_v1)
        .add_service(reflection_v1alpha)
        .add_service(
            ScreeningServer::new(grpc::ScreeningService {
                state: state.clone(),
            })
            .max_decoding_message_size(grpc::MAX_MESSAGE_BYTES),
        )
        .add_service(
            proto::monitoring_server::MonitoringServer::new(monitoring::MonitoringService {
                state: state.clone(),
            })
            .max_decoding_message_size(grpc::MAX_MESSAGE_BYTES),
        );
    let public_server = serve_grpc(
        public_router,
        listeners.public,
        tls.as_ref().map(|t| (t, tls::Listener::Public)),
        stopped(stop_rx.clone()),
    );
    let admin_router = tonic::transport::Server::builder().add_service(
        proto::admin_server::AdminServer::new(grpc::AdminService {
            state: state.clone(),
        }),
    );
    let admin_server = serve_grpc(
        admin_router,
        listeners.admin,
        tls.as_ref().map(|t| (t, tls::Listener::Admin)),
        stopped(stop_rx.clone()),
    );
    // The HTTP listener outlives the gRPC servers, so that `/readyz` reports the drain.
    let (grpc_done_tx, grpc_done_rx) = tokio::sync::watch::channel(false);
    let grpc_servers = async move {
        let done = tokio::join!(public_server, admin_server);
        let _ = grpc_done_tx.send(true);
        done
    };
    let https = tls.clone().filter(|t| t.config().http);
    let http_server = {
        let (state, stop) = (state.clone(), stopped(grpc_done_rx));
        async move {
            match (listeners.http, https) {
                (Some(l), None) => axum::serve(
                    l,
                    http::router(state).into_make_service_with_connect_info::<console::PeerAddr>(),
                )
                .with_graceful_shutdown(stop)
                .await
                .map_err(ServeError::Http),
                (Some(l), Some(tls)) => axum::serve(
                    tls.http_listener(l).map_err(ServeError::Http)?,
                    http::router(state).into_make_service_with_connect_info::<console::PeerAddr>(),
                )
                .with_graceful_shutdown(stop)
                .await
                .map_err(ServeError::Http),
                (None, _) => Ok(()),
            }
        }
    };

    let first = {
        let (state, stop_tx) = (state.clone(), stop_tx.clone());
        let stop_rx = stop_rx.clone();
        async move {
            // Downloaded lists are fetched before the first snapshot. While some have no
            // copy yet (and no sample may stand in), the server stays up, unready, and
            // keeps trying; so it does while the snapshot file to serve does not exist yet.
            // Any other failure of the first snapshot stops it. A server given a snapshot
            // file downloads nothing: whoever builds the file does.
            let from_file = state.config.server.snapshot.is_some();
            let first = if !from_file && !updates::first_round(&state, stop_rx.clone()).await {
                None
            } else {
                loop {
                    match reload::reload_blocking(state.clone(), Trigger::Startup, false).await {
                        Err(ReloadError::NotDownloaded(_)) => {
                            if !updates::wait_for_lists(&state, stop_rx.clone()).await {
                                break None;
                            }
                        }
                        other => break Some(other),
                    }
                }
            };
            match first {
                // Shut down before the lists arrived.
                None => Ok(()),
                Some(Err(e)) if e.is_awaitable() => {
                    tracing::warn!(
                        error = %e,
                        "not ready: waiting for the snapshot file to appear (checked every \
                         poll interval, or on SIGHUP and Admin.Reload)"
                    );
                    tokio::spawn(reload::watch(state, triggers, stop_rx));
                    Ok(())
                }
                Some(Ok(_)) => {
                    if !from_file {
                        tokio::spawn(updates::run(state.clone(), stop_rx.clone()));
                    }
                    tokio::spawn(reload::watch(state, triggers, stop_rx));
                    Ok(())
                }
                Some(Err(e)) => {
                    let _ = stop_tx.send(true);
                    Err(ServeError::FirstSnapshot(e))
                }
            }
        }
    };
    let (first, (public, admin), http) = tokio::join!(first, grpc_servers, http_server);
    first?;
    public?;
    admin?;
    http?;
    Ok(())
}
