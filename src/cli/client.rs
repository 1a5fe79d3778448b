//! `clearance client screen|status|reload`: talks to a running server as an operator would,
//! and how `client`, `health` and `monitor` reach a server (TLS material, a bearer token).

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, Result};
use clap::{Args, Subcommand};

use super::kind_flag;
use crate::service::request::kind_to_proto;

#[derive(Args)]
pub(super) struct ClientArgs {
    /// Server address: the Screening address, or the Admin address for `reload`.
    #[arg(long, default_value = "http://127.0.0.1:50051")]
    addr: String,
    #[command(flatten)]
    connect: ConnectArgs,
    #[command(subcommand)]
    command: ClientCommand,
}

/// Runs the client command and prints its answer.
pub(super) fn run(args: ClientArgs, out: &mut impl Write) -> Result<ExitCode> {
    let ClientArgs {
        addr,
        connect,
        command,
    } = args;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    let text = runtime.block_on(client(addr, connect, command))?;
    write!(out, "{text}")?;
    Ok(ExitCode::SUCCESS)
}

#[derive(Subcommand)]
pub(super) enum ClientCommand {
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

/// How `client`, `health` and `monitor` reach a server: TLS material and a bearer token.
#[derive(Args)]
pub(super) struct ConnectArgs {
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
    pub(super) async fn channel(&self, addr: &str) -> Result<tonic::transport::Channel> {
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

    /// Connects to `addr` and sends the bearer token of --token-file, if any, with every
    /// call: what every command that makes gRPC calls with credentials talks through.
    pub(super) async fn authorized_channel(&self, addr: &str) -> Result<AuthorizedChannel> {
        let channel = self.channel(addr).await?;
        Ok(tonic::service::interceptor::InterceptedService::new(
            channel,
            BearerToken(self.authorization()?),
        ))
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

/// A channel that sends the bearer token, if one was given, with every call.
pub(super) type AuthorizedChannel =
    tonic::service::interceptor::InterceptedService<tonic::transport::Channel, BearerToken>;

/// Adds `authorization` (a bearer token), if given, to every call. A named type rather than
/// a closure, so that functions can take a client over an [`AuthorizedChannel`].
#[derive(Clone)]
pub(super) struct BearerToken(Option<tonic::metadata::MetadataValue<tonic::metadata::Ascii>>);

impl tonic::service::Interceptor for BearerToken {
    fn call(
        &mut self,
        mut request: tonic::Request<()>,
    ) -> Result<tonic::Request<()>, tonic::Status> {
        if let Some(value) = &self.0 {
            request
                .metadata_mut()
                .insert("authorization", value.clone());
        }
        Ok(request)
    }
}

/// A gRPC error status as the client prints it.
pub(super) fn rpc_error(s: tonic::Status) -> anyhow::Error {
    anyhow::anyhow!("{}: {}", s.code(), s.message())
}

/// Runs one client command and returns what to print.
async fn client(addr: String, connect: ConnectArgs, command: ClientCommand) -> Result<String> {
    use crate::service::proto;
    let channel = connect.authorized_channel(&addr).await?;
    let mut text = String::new();
    match command {
        ClientCommand::Screen {
            name,
            country,
            kind,
            dob,
            nationality,
        } => {
            let kind = kind_to_proto(kind_flag(kind.as_deref())?);
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
