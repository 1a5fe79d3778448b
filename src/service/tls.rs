//! TLS for the three listeners, terminated here with rustls (the *ring* provider) rather than
//! by tonic, so that the certificate, its key and the client CA can be replaced on disk and
//! picked up without a restart.
//!
//! Each listener's accept loop hands every new connection the [`ServerConfig`] current at
//! that moment; a background task ([`Tls::watch`]) re-reads the three files every
//! `poll_seconds` and, when their bytes changed, builds new configs and swaps them in.
//! Connections already open keep the config they were accepted with. A replacement that does
//! not load (a half-written file, a key that does not match the certificate) is logged and
//! counted, and the last good config keeps serving; the next poll tries again.
//!
//! The gRPC listeners ask for client certificates when `client_ca` is set (required or
//! optional, `client_auth`); the HTTP listener never does, so that a kubelet's HTTPS probe
//! and a Prometheus scrape need only trust the server's certificate.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use arc_swap::ArcSwap;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use rustls::server::WebPkiClientVerifier;
use rustls::{RootCertStore, ServerConfig};
use serde::Deserialize;
use sha2::{Digest, Sha256};
use tokio::net::{TcpListener, TcpStream};
use tokio_rustls::server::TlsStream;
use tokio_rustls::TlsAcceptor;

use crate::service::metrics::Metrics;

/// A client that has not finished its handshake by then is dropped.
const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);

/// Whether a client must present a certificate signed by `client_ca`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ClientAuth {
    /// The handshake fails without a valid client certificate (mutual TLS).
    Required,
    /// A client certificate is verified when presented; without one the caller must send a
    /// bearer token (see [`super::auth`]).
    Optional,
}

/// The `[tls]` section.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TlsConfig {
    /// PEM certificate chain, the server's own certificate first.
    pub cert: PathBuf,
    /// PEM private key (PKCS#8, PKCS#1 or SEC1) of the first certificate.
    pub key: PathBuf,
    /// PEM certificates of the CAs whose client certificates are accepted; `None`: clients
    /// are not asked for certificates.
    #[serde(default)]
    pub client_ca: Option<PathBuf>,
    /// Default `required` when `client_ca` is set.
    #[serde(default)]
    pub client_auth: Option<ClientAuth>,
    /// Check the three files for new contents this often (0: never).
    #[serde(default = "TlsConfig::default_poll_seconds")]
    pub poll_seconds: u64,
    /// Serve the HTTP listener (`/metrics`, `/healthz`, `/readyz`) over TLS too.
    #[serde(default = "TlsConfig::default_http")]
    pub http: bool,
}

impl TlsConfig {
    fn default_poll_seconds() -> u64 {
        10
    }
    fn default_http() -> bool {
        true
    }

    /// A config serving `cert` and `key`, with the defaults otherwise.
    pub fn new(cert: impl Into<PathBuf>, key: impl Into<PathBuf>) -> TlsConfig {
        TlsConfig {
            cert: cert.into(),
            key: key.into(),
            client_ca: None,
            client_auth: None,
            poll_seconds: Self::default_poll_seconds(),
            http: Self::default_http(),
        }
    }

    /// How client certificates are handled on the gRPC listeners; `None`: not asked for.
    pub fn client_auth(&self) -> Option<ClientAuth> {
        self.client_ca
            .as_ref()
            .map(|_| self.client_auth.unwrap_or(ClientAuth::Required))
    }

    /// Resolves relative paths against `base` (the config file's folder).
    pub fn resolve(&mut self, base: &Path) {
        let resolve = |p: &mut PathBuf| {
            if p.is_relative() {
                *p = base.join(&*p);
            }
        };
        resolve(&mut self.cert);
        resolve(&mut self.key);
        if let Some(ca) = &mut self.client_ca {
            resolve(ca);
        }
    }

    /// Checks what serde cannot (the files themselves are read when the server starts).
    pub fn validate(&self) -> Result<(), TlsError> {
        for (field, path) in [("cert", &self.cert), ("key", &self.key)] {
            if path.as_os_str().is_empty() {
                return Err(TlsError::Config(format!("{field} must not be empty")));
            }
        }
        if self.client_auth.is_some() && self.client_ca.is_none() {
            return Err(TlsError::Config(
                "client_auth needs client_ca, the CA certificates client certificates are \
                 checked against"
                    .into(),
            ));
        }
        Ok(())
    }
}

/// Why TLS could not be set up.
#[derive(Debug, thiserror::Error)]
pub enum TlsError {
    #[error("[tls]: {0}")]
    Config(String),
    #[error("[tls] {field} = {path}: cannot read: {source}")]
    Read {
        field: &'static str,
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("[tls] {field} = {path}: {message}")]
    Invalid {
        field: &'static str,
        path: PathBuf,
        message: String,
    },
}

/// Which listener a connection arrived on, for the handshake settings and the metrics.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Listener {
    /// Screening, health and reflection.
    Public,
    Admin,
    /// `/metrics`, `/healthz`, `/readyz`.
    Http,
}

impl Listener {
    fn label(self) -> &'static str {
        match self {
            Listener::Public => "public",
            Listener::Admin => "admin",
            Listener::Http => "http",
        }
    }
}

/// One loaded version of the files: the configs built from them and their digest.
struct Loaded {
    digest: [u8; 32],
    grpc: Arc<ServerConfig>,
    http: Arc<ServerConfig>,
}

/// The live TLS settings of a server.
pub struct Tls {
    config: TlsConfig,
    current: ArcSwap<Loaded>,
    /// The digest of the last contents that failed to load, so that a broken file is
    /// reported once, not at every poll.
    last_failed: Mutex<Option<[u8; 32]>>,
    metrics: Arc<Metrics>,
}

impl Tls {
    /// Reads the files and builds the first configs.
    pub fn load(config: TlsConfig, metrics: Arc<Metrics>) -> Result<Arc<Tls>, TlsError> {
        let loaded = load(&config, read_files(&config)?)?;
        Ok(Arc::new(Tls {
            config,
            current: ArcSwap::from_pointee(loaded),
            last_failed: Mutex::new(None),
            metrics,
        }))
    }

    /// The settings this was loaded with.
    pub fn config(&self) -> &TlsConfig {
        &self.config
    }

    /// Re-reads the files; when their contents changed, builds and swaps in new configs.
    /// Returns whether it swapped. On an error the current configs stay.
    pub fn reload_if_changed(&self) -> Result<bool, TlsError> {
        let files = read_files(&self.config)?;
        let digest = files.digest();
        if digest == self.current.load().digest {
            return Ok(false);
        }
        match load(&self.config, files) {
            Ok(loaded) => {
                self.current.store(Arc::new(loaded));
                self.metrics.tls_reloaded("swapped");
                tracing::info!(cert = %self.config.cert.display(), "TLS certificate files changed: new connections use them");
                Ok(true)
            }
            Err(e) => {
                let mut last = self.last_failed.lock().unwrap_or_else(|p| p.into_inner());
                if *last != Some(digest) {
                    *last = Some(digest);
                    self.metrics.tls_reloaded("failed");
                    tracing::warn!(error = %e, "new TLS files do not load; the previous ones keep serving");
                }
                Err(e)
            }
        }
    }

    /// Polls the files every `poll_seconds` until `stop` turns true.
    pub async fn watch(self: Arc<Self>, mut stop: tokio::sync::watch::Receiver<bool>) {
        if self.config.poll_seconds == 0 {
            return;
        }
        let mut tick = tokio::time::interval(Duration::from_secs(self.config.poll_seconds));
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        tick.tick().await;
        loop {
            tokio::select! {
                _ = tick.tick() => {}
                _ = stop.wait_for(|s| *s) => return,
            }
            // A read error (a file briefly missing while it is replaced) is retried at the
            // next tick; `reload_if_changed` logs the ones that matter.
            let _ = self.reload_if_changed();
        }
    }

    /// Accepts connections on `listener` and completes their TLS handshakes, each on its
    /// own task so a slow client holds up no one; yields the connections ready for HTTP.
    /// Stops accepting once the returned receiver is dropped.
    pub fn accept(
        self: &Arc<Self>,
        listener: TcpListener,
        which: Listener,
    ) -> tokio::sync::mpsc::Receiver<(TlsStream<TcpStream>, SocketAddr)> {
        let (tx, rx) = tokio::sync::mpsc::channel(64);
        let tls = self.clone();
        tokio::spawn(async move {
            loop {
                let accepted = tokio::select! {
                    a = listener.accept() => a,
                    _ = tx.closed() => return,
                };
                let (tcp, peer) = match accepted {
                    Ok(a) => a,
                    Err(e) => {
                        // Out of file descriptors and the like: back off instead of spinning.
                        tracing::warn!(error = %e, listener = which.label(), "accept failed");
                        tokio::time::sleep(Duration::from_millis(50)).await;
                        continue;
                    }
                };
                // As for plaintext connections: small responses must not wait for a
                // delayed ACK.
                let _ = tcp.set_nodelay(true);
                let loaded = tls.current.load();
                let config = match which {
                    Listener::Http => loaded.http.clone(),
                    Listener::Public | Listener::Admin => loaded.grpc.clone(),
                };
                let (tx, metrics) = (tx.clone(), tls.metrics.clone());
                tokio::spawn(async move {
                    let handshake = TlsAcceptor::from(config).accept(tcp);
                    match tokio::time::timeout(HANDSHAKE_TIMEOUT, handshake).await {
                        Ok(Ok(stream)) => {
                            let _ = tx.send((stream, peer)).await;
                        }
                        Ok(Err(e)) => {
                            metrics.tls_handshake_failed(which.label());
                            tracing::debug!(%peer, error = %e, listener = which.label(), "TLS handshake failed");
                        }
                        Err(_) => {
                            metrics.tls_handshake_failed(which.label());
                            tracing::debug!(%peer, listener = which.label(), "TLS handshake timed out");
                        }
                    }
                });
            }
        });
        rx
    }

    /// The gRPC listeners' incoming connections, for tonic's `serve_with_incoming`.
    pub fn incoming(
        self: &Arc<Self>,
        listener: TcpListener,
        which: Listener,
    ) -> impl tokio_stream::Stream<Item = Result<TlsStream<TcpStream>, std::io::Error>> {
        use tokio_stream::StreamExt;
        tokio_stream::wrappers::ReceiverStream::new(self.accept(listener, which))
            .map(|(stream, _)| Ok(stream))
    }

    /// The HTTP listener's connections, for `axum::serve`.
    pub fn http_listener(
        self: &Arc<Self>,
        listener: TcpListener,
    ) -> std::io::Result<HttpsListener> {
        let local = listener.local_addr()?;
        Ok(HttpsListener {
            connections: self.accept(listener, Listener::Http),
            local,
        })
    }
}

/// An [`axum::serve::Listener`] over TLS connections.
pub struct HttpsListener {
    connections: tokio::sync::mpsc::Receiver<(TlsStream<TcpStream>, SocketAddr)>,
    local: SocketAddr,
}

impl axum::serve::Listener for HttpsListener {
    type Io = TlsStream<TcpStream>;
    type Addr = SocketAddr;

    async fn accept(&mut self) -> (Self::Io, Self::Addr) {
        match self.connections.recv().await {
            Some(c) => c,
            // The accept loop has ended; it only does so when this receiver is dropped.
            None => std::future::pending().await,
        }
    }

    fn local_addr(&self) -> std::io::Result<SocketAddr> {
        Ok(self.local)
    }
}

/// The bytes of the configured files.
struct Files {
    cert: Vec<u8>,
    key: Vec<u8>,
    client_ca: Option<Vec<u8>>,
}

impl Files {
    fn digest(&self) -> [u8; 32] {
        let mut h = Sha256::new();
        for part in [Some(&self.cert), Some(&self.key), self.client_ca.as_ref()] {
            match part {
                Some(bytes) => {
                    h.update((bytes.len() as u64).to_le_bytes());
                    h.update(bytes);
                }
                None => h.update(u64::MAX.to_le_bytes()),
            }
        }
        h.finalize().into()
    }
}

fn read_files(config: &TlsConfig) -> Result<Files, TlsError> {
    let read = |field: &'static str, path: &Path| {
        std::fs::read(path).map_err(|source| TlsError::Read {
            field,
            path: path.to_path_buf(),
            source,
        })
    };
    Ok(Files {
        cert: read("cert", &config.cert)?,
        key: read("key", &config.key)?,
        client_ca: match &config.client_ca {
            Some(p) => Some(read("client_ca", p)?),
            None => None,
        },
    })
}

/// Builds the listeners' configs from the files' bytes.
fn load(config: &TlsConfig, files: Files) -> Result<Loaded, TlsError> {
    let invalid = |field: &'static str, path: &Path, message: String| TlsError::Invalid {
        field,
        path: path.to_path_buf(),
        message,
    };
    let certs = pem_certificates(&files.cert).map_err(|m| invalid("cert", &config.cert, m))?;
    let key = PrivateKeyDer::from_pem_slice(&files.key).map_err(|e| {
        invalid(
            "key",
            &config.key,
            format!("no PEM private key (PKCS#8, PKCS#1 or SEC1): {e}"),
        )
    })?;
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let builder = || {
        ServerConfig::builder_with_provider(provider.clone())
            .with_safe_default_protocol_versions()
            .map_err(|e| TlsError::Config(e.to_string()))
    };
    let single = |b: rustls::ConfigBuilder<ServerConfig, rustls::server::WantsServerCert>| {
        b.with_single_cert(certs.clone(), key.clone_key())
            .map_err(|e| {
                invalid(
                    "key",
                    &config.key,
                    format!(
                        "does not fit the certificate in {}: {e}",
                        config.cert.display()
                    ),
                )
            })
    };
    let mut grpc = match (&files.client_ca, config.client_auth()) {
        (Some(ca), Some(auth)) => {
            let path = config.client_ca.as_deref().unwrap_or(Path::new(""));
            let mut roots = RootCertStore::empty();
            for c in pem_certificates(ca).map_err(|m| invalid("client_ca", path, m))? {
                roots.add(c).map_err(|e| {
                    invalid("client_ca", path, format!("not a CA certificate: {e}"))
                })?;
            }
            let mut verifier =
                WebPkiClientVerifier::builder_with_provider(Arc::new(roots), provider.clone());
            if auth == ClientAuth::Optional {
                verifier = verifier.allow_unauthenticated();
            }
            let verifier = verifier
                .build()
                .map_err(|e| invalid("client_ca", path, e.to_string()))?;
            single(builder()?.with_client_cert_verifier(verifier))?
        }
        _ => single(builder()?.with_no_client_auth())?,
    };
    grpc.alpn_protocols = vec![b"h2".to_vec()];
    let mut http = single(builder()?.with_no_client_auth())?;
    http.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(Loaded {
        digest: files.digest(),
        grpc: Arc::new(grpc),
        http: Arc::new(http),
    })
}

/// Every `CERTIFICATE` block of a PEM file; at least one.
fn pem_certificates(pem: &[u8]) -> Result<Vec<CertificateDer<'static>>, String> {
    let certs = CertificateDer::pem_slice_iter(pem)
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| format!("not PEM: {e}"))?;
    if certs.is_empty() {
        return Err("no PEM CERTIFICATE block".into());
    }
    Ok(certs)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn self_signed(name: &str) -> (String, String) {
        let key = rcgen::KeyPair::generate().unwrap();
        let cert = rcgen::CertificateParams::new(vec![name.to_string()])
            .unwrap()
            .self_signed(&key)
            .unwrap();
        (cert.pem(), key.serialize_pem())
    }

    #[test]
    fn loads_and_reloads_only_when_the_bytes_change() {
        let dir = tempfile::tempdir().unwrap();
        let (cert, key) = self_signed("localhost");
        std::fs::write(dir.path().join("c.pem"), &cert).unwrap();
        std::fs::write(dir.path().join("k.pem"), &key).unwrap();
        let mut config = TlsConfig::new("c.pem", "k.pem");
        config.resolve(dir.path());
        let tls = Tls::load(config, Arc::new(Metrics::new())).unwrap();
        assert!(!tls.reload_if_changed().unwrap());
        // A key from another certificate is refused, naming the key, and the old config stays.
        let (other_cert, other_key) = self_signed("localhost");
        std::fs::write(dir.path().join("k.pem"), &other_key).unwrap();
        let e = tls.reload_if_changed().unwrap_err().to_string();
        assert!(e.contains("[tls] key") && e.contains("does not fit"), "{e}");
        std::fs::write(dir.path().join("c.pem"), &other_cert).unwrap();
        assert!(tls.reload_if_changed().unwrap());
        assert!(!tls.reload_if_changed().unwrap());
    }

    #[test]
    fn bad_files_name_the_field() {
        let dir = tempfile::tempdir().unwrap();
        let (cert, key) = self_signed("localhost");
        std::fs::write(dir.path().join("c.pem"), &cert).unwrap();
        std::fs::write(dir.path().join("k.pem"), &key).unwrap();
        std::fs::write(dir.path().join("empty.pem"), "").unwrap();
        let metrics = Arc::new(Metrics::new());
        let err = |c: TlsConfig| {
            let mut c = c;
            c.resolve(dir.path());
            match Tls::load(c, metrics.clone()) {
                Ok(_) => panic!("loaded"),
                Err(e) => e.to_string(),
            }
        };
        let e = err(TlsConfig::new("missing.pem", "k.pem"));
        assert!(e.contains("[tls] cert") && e.contains("cannot read"), "{e}");
        let e = err(TlsConfig::new("empty.pem", "k.pem"));
        assert!(
            e.contains("[tls] cert") && e.contains("no PEM CERTIFICATE"),
            "{e}"
        );
        let e = err(TlsConfig::new("c.pem", "c.pem"));
        assert!(
            e.contains("[tls] key") && e.contains("no PEM private key"),
            "{e}"
        );
        let mut c = TlsConfig::new("c.pem", "k.pem");
        c.client_ca = Some("empty.pem".into());
        let e = err(c);
        assert!(e.contains("[tls] client_ca"), "{e}");
        let mut c = TlsConfig::new("c.pem", "k.pem");
        c.client_auth = Some(ClientAuth::Optional);
        assert!(c
            .validate()
            .unwrap_err()
            .to_string()
            .contains("client_auth needs client_ca"));
    }
}
