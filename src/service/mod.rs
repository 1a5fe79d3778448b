//! The service around the engine: the configuration file, the gRPC and HTTP server, access
//! control, TLS, metrics, the audit trail and list downloads. It uses the engine
//! ([`crate::engine`]); nothing in the engine uses it.

pub mod audit;
pub mod auth;
pub mod config;
pub mod metrics;
pub mod monitor;
pub mod proto;
pub mod request;
pub mod server;
pub mod tls;
pub mod update;
