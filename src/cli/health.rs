//! `clearance health`: asks a running server whether it serves (grpc.health.v1), for
//! container health checks and probes.

use std::io::Write;
use std::process::ExitCode;

use anyhow::Result;
use clap::Args;

use super::client::{rpc_error, ConnectArgs};

#[derive(Args)]
pub(super) struct HealthArgs {
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
}

/// Prints the status; exit 0 when SERVING, 1 otherwise.
pub(super) fn run(args: HealthArgs, out: &mut impl Write) -> Result<ExitCode> {
    let HealthArgs {
        addr,
        service,
        timeout_seconds,
        connect,
    } = args;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    let timeout = std::time::Duration::from_secs(timeout_seconds.max(1));
    let status = runtime.block_on(async {
        tokio::time::timeout(timeout, health(&addr, &connect, &service))
            .await
            .unwrap_or_else(|_| Err(anyhow::anyhow!("no answer from {addr} in {timeout:?}")))
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
