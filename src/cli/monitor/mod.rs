//! `clearance monitor import|alerts|resolve|party|upsert|remove`: the monitoring book of a
//! running server (`clearance.v1.Monitoring`), for reviewers at a terminal and for scripts.
//!
//! It connects as `clearance client` does (the same address, TLS and token flags). Every
//! gRPC status becomes a [`MonitorError`] saying what to fix, in one place
//! ([`MonitorError::from_status`]); what is printed is in `print.rs`. What can be checked
//! without the server (the CSV file, a note's length) is checked before connecting.

mod print;

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use anyhow::Result;
use clap::{Args, Subcommand, ValueEnum};

use super::client::{AuthorizedChannel, ConnectArgs};
use super::kind_flag;
use crate::engine::batch::{self, InputRow};
use crate::service::proto;
use crate::service::proto::monitoring_client::MonitoringClient;
use crate::service::request::{kind_to_proto, party_to_proto};

#[derive(Args)]
pub(super) struct MonitorArgs {
    /// Server address: the Screening address, where Monitoring is served.
    #[arg(long, default_value = "http://127.0.0.1:50051")]
    addr: String,
    #[command(flatten)]
    connect: ConnectArgs,
    #[command(subcommand)]
    command: MonitorCommand,
}

#[derive(Subcommand)]
pub(super) enum MonitorCommand {
    /// Load a CSV file of parties into the book (the `batch` format: id,name and optional
    /// country,type,identifier,parent,nationality,dob,ref; the ref is the `id` unless a
    /// `ref` column gives one) and print what the import found. The whole file is checked
    /// before anything is sent.
    Import {
        #[arg(long, value_name = "FILE.csv")]
        input: PathBuf,
    },
    /// Print alerts in cursor order, one line each: cursor, alert id, ref, kind, previous ->
    /// new decision, the hits. The last cursor printed goes to stderr at the end, for
    /// `--after` next time.
    Alerts {
        /// Only alerts after this cursor (0: from the first).
        #[arg(long, value_name = "CURSOR", default_value_t = 0)]
        after: u64,
        /// Keep streaming new alerts as they are committed, until Ctrl-C or SIGTERM.
        #[arg(long)]
        follow: bool,
        /// One JSON object per line instead.
        #[arg(long)]
        json: bool,
    },
    /// Record a verdict on an alert, as the authenticated caller. A false positive
    /// suppresses the hit for this party until the listed entry or the party changes.
    Resolve {
        alert_id: String,
        #[arg(long)]
        disposition: Disposition,
        /// At most 4096 characters.
        #[arg(long)]
        note: Option<String>,
    },
    /// Show a party: its decision and hits (suppressed ones marked with who cleared them
    /// and when), its open alerts and its verdict history.
    Party {
        #[arg(value_name = "REF")]
        reference: String,
        /// As one JSON object.
        #[arg(long)]
        json: bool,
    },
    /// Register or update one party and print its screening.
    Upsert {
        #[arg(value_name = "REF")]
        reference: String,
        name: String,
        /// Where the party is: ISO code or English name, repeatable.
        #[arg(long)]
        country: Vec<String>,
        /// person, org, vessel or aircraft.
        #[arg(long = "type")]
        kind: Option<String>,
        /// A person's date of birth: YYYY-MM-DD, YYYY-MM or YYYY.
        #[arg(long, value_name = "DATE")]
        dob: Option<String>,
        /// A person's nationality (ISO code or English name), repeatable or `;`-separated.
        #[arg(long, value_name = "COUNTRY")]
        nationality: Vec<String>,
        /// An identifier, SCHEME:VALUE or a bare value, repeatable.
        #[arg(long, value_name = "SCHEME:VALUE")]
        identifier: Vec<String>,
        /// A known owner (name, entity id or identifier), repeatable.
        #[arg(long, value_name = "NAME")]
        parent: Vec<String>,
    },
    /// Take a party out of the book (its alerts and verdicts stay in the history). Exits 1
    /// when no party has the ref.
    Remove {
        #[arg(value_name = "REF")]
        reference: String,
    },
}

/// A reviewer's verdict, as `--disposition` spells it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub(super) enum Disposition {
    FalsePositive,
    TrueMatch,
    Escalated,
}

impl From<Disposition> for proto::Disposition {
    fn from(d: Disposition) -> Self {
        match d {
            Disposition::FalsePositive => proto::Disposition::FalsePositive,
            Disposition::TrueMatch => proto::Disposition::TrueMatch,
            Disposition::Escalated => proto::Disposition::Escalated,
        }
    }
}

/// Longest note `Resolve` accepts, in characters (monitoring.proto).
const MAX_NOTE_CHARS: usize = 4096;

/// Parties converted ahead of the import stream. The rows are in memory already
/// (`read_input` validates the whole file first); this bounds the messages waiting for
/// the HTTP/2 window, so a slow server slows the reader instead of growing memory.
const IMPORT_BUFFER: usize = 256;

/// A Monitoring call, for errors and the roles it needs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Rpc {
    Upsert,
    Remove,
    Import,
    GetParty,
    Alerts,
    Resolve,
}

impl Rpc {
    fn roles(self) -> &'static str {
        match self {
            Rpc::Upsert | Rpc::Remove | Rpc::Import | Rpc::Resolve => "the reviewer or admin role",
            Rpc::GetParty | Rpc::Alerts => "the screen role",
        }
    }
}

impl std::fmt::Display for Rpc {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Monitoring.{self:?}")
    }
}

/// What went wrong, worded for the person at the terminal. The server's own message is kept
/// in each, since it names the field or the party.
#[derive(Debug, thiserror::Error)]
pub(super) enum MonitorError {
    #[error(
        "{rpc}: monitoring is not configured or its database is unreachable \
         (UNAVAILABLE: {message})"
    )]
    Unavailable { rpc: Rpc, message: String },
    #[error("{rpc}: lost the connection to the server: {message}")]
    Disconnected { rpc: Rpc, message: String },
    #[error("{rpc} needs {} (PERMISSION_DENIED: {message})", rpc.roles())]
    PermissionDenied { rpc: Rpc, message: String },
    #[error(
        "{rpc}: the server wants credentials: pass --token-file, or --cert and --key \
         (UNAUTHENTICATED: {message})"
    )]
    Unauthenticated { rpc: Rpc, message: String },
    #[error(
        "{rpc}: the server does not serve clearance.v1.Monitoring: an older version, or one \
         built without monitoring (UNIMPLEMENTED: {message})"
    )]
    Unimplemented { rpc: Rpc, message: String },
    #[error("{rpc}: not found: {message}")]
    NotFound { rpc: Rpc, message: String },
    #[error("{rpc}: refused: {message}")]
    InvalidArgument { rpc: Rpc, message: String },
    #[error("{rpc}: {code}: {message}")]
    Other {
        rpc: Rpc,
        code: tonic::Code,
        message: String,
    },
    #[error(
        "{path}: the server refused the import: {message} (parties are sent in file order; \
         those before the refused one are kept)"
    )]
    ImportRefused { path: PathBuf, message: String },
    #[error("{path}:{line}: {message}")]
    Row {
        path: PathBuf,
        line: u64,
        message: String,
    },
    #[error(transparent)]
    Input(#[from] batch::BatchError),
    #[error("--note: longer than {MAX_NOTE_CHARS} characters")]
    NoteTooLong,
}

impl MonitorError {
    /// The one place a status becomes an error.
    pub(super) fn from_status(rpc: Rpc, s: tonic::Status) -> MonitorError {
        // Some statuses come without a message (UNIMPLEMENTED from tonic's router).
        let message = match s.message() {
            "" => s.code().description().to_string(),
            m => m.to_string(),
        };
        match s.code() {
            // A status the client made from a transport failure carries its cause; one the
            // server sent does not.
            tonic::Code::Unavailable if std::error::Error::source(&s).is_some() => {
                MonitorError::Disconnected { rpc, message }
            }
            tonic::Code::Unavailable => MonitorError::Unavailable { rpc, message },
            tonic::Code::PermissionDenied => MonitorError::PermissionDenied { rpc, message },
            tonic::Code::Unauthenticated => MonitorError::Unauthenticated { rpc, message },
            tonic::Code::Unimplemented => MonitorError::Unimplemented { rpc, message },
            tonic::Code::NotFound => MonitorError::NotFound { rpc, message },
            tonic::Code::InvalidArgument => MonitorError::InvalidArgument { rpc, message },
            code => MonitorError::Other { rpc, code, message },
        }
    }
}

/// Runs the monitor command and prints its answer.
pub(super) fn run(args: MonitorArgs, out: &mut impl Write) -> Result<ExitCode> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    runtime.block_on(monitor(args, out))
}

async fn monitor(args: MonitorArgs, out: &mut impl Write) -> Result<ExitCode> {
    let MonitorArgs {
        addr,
        connect,
        command,
    } = args;
    let (connect, addr) = (&connect, addr.as_str());
    let client = || async move {
        Ok::<_, anyhow::Error>(MonitoringClient::new(
            connect.authorized_channel(addr).await?,
        ))
    };
    match command {
        MonitorCommand::Import { input } => {
            let rows = import_rows(&input)?;
            import(&mut client().await?, &input, rows, out).await?;
        }
        MonitorCommand::Alerts {
            after,
            follow,
            json,
        } => {
            let mut last = after;
            let streamed = {
                let stream = async {
                    alerts(&mut client().await?, after, follow, json, out, &mut last).await
                };
                tokio::select! {
                    r = stream => r,
                    _ = super::serve::shutdown_signal() => Ok(()),
                }
            };
            // Also after an error or a closed pipe: a script resumes from what it received.
            eprintln!("last cursor: {last}");
            streamed?;
        }
        MonitorCommand::Resolve {
            alert_id,
            disposition,
            note,
        } => {
            let request = resolve_request(alert_id, disposition, note)?;
            let r = client()
                .await?
                .resolve(request)
                .await
                .map_err(|s| MonitorError::from_status(Rpc::Resolve, s))?
                .into_inner();
            let verdict = r.verdict.unwrap_or_default();
            write!(out, "{}", print::verdict_text(&verdict))?;
        }
        MonitorCommand::Party { reference, json } => {
            let view = client()
                .await?
                .get_party(proto::GetPartyRequest { r#ref: reference })
                .await
                .map_err(|s| MonitorError::from_status(Rpc::GetParty, s))?
                .into_inner();
            if json {
                writeln!(out, "{}", print::party_json(&view))?;
            } else {
                write!(out, "{}", print::party_text(&view))?;
            }
        }
        MonitorCommand::Upsert {
            reference,
            name,
            country,
            kind,
            dob,
            nationality,
            identifier,
            parent,
        } => {
            let party = proto::Party {
                name,
                kind: kind_to_proto(kind_flag(kind.as_deref())?) as i32,
                countries: country,
                identifiers: identifier.iter().map(|i| identifier_of(i)).collect(),
                birth_date: dob.unwrap_or_default(),
                parents: parent,
                // Sent as written; the server resolves and validates them.
                nationalities: nationality
                    .iter()
                    .flat_map(|n| n.split(';'))
                    .map(str::trim)
                    .filter(|n| !n.is_empty())
                    .map(str::to_string)
                    .collect(),
                r#ref: reference,
                ..proto::Party::default()
            };
            let r = client()
                .await?
                .upsert(proto::UpsertRequest { party: Some(party) })
                .await
                .map_err(|s| MonitorError::from_status(Rpc::Upsert, s))?
                .into_inner();
            write!(out, "{}", print::screening_text(&r))?;
        }
        MonitorCommand::Remove { reference } => {
            let r = client()
                .await?
                .remove(proto::RemoveRequest {
                    r#ref: reference.clone(),
                })
                .await
                .map_err(|s| MonitorError::from_status(Rpc::Remove, s))?
                .into_inner();
            if r.removed {
                writeln!(out, "removed {reference}")?;
            } else {
                writeln!(out, "no party has ref {reference:?}: nothing removed")?;
                return Ok(ExitCode::FAILURE);
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// `--identifier`: `scheme:value`, or a bare value (any scheme).
fn identifier_of(s: &str) -> proto::Identifier {
    match s.split_once(':') {
        Some((scheme, value)) if !scheme.contains(' ') => proto::Identifier {
            scheme: scheme.trim().to_ascii_lowercase(),
            value: value.trim().to_string(),
        },
        _ => proto::Identifier {
            scheme: String::new(),
            value: s.trim().to_string(),
        },
    }
}

fn resolve_request(
    alert_id: String,
    disposition: Disposition,
    note: Option<String>,
) -> Result<proto::ResolveRequest, MonitorError> {
    let note = note.unwrap_or_default();
    if note.chars().nth(MAX_NOTE_CHARS).is_some() {
        return Err(MonitorError::NoteTooLong);
    }
    Ok(proto::ResolveRequest {
        alert_id,
        disposition: proto::Disposition::from(disposition) as i32,
        note,
    })
}

/// The file's rows, each also checked as the server will check it (through the server's
/// own `parse_party`), so that a bad row late in a large file fails before the import
/// starts rather than ending it halfway.
fn import_rows(path: &Path) -> Result<Vec<InputRow>, MonitorError> {
    let rows = batch::read_input(path)?;
    for row in &rows {
        let request = upsert_request(row);
        let party = request
            .party
            .as_ref()
            .expect("upsert_request sets the party");
        if let Err(e) = crate::service::request::parse_party(party) {
            // The message's field as the file's column, in read_input's words.
            let field = e.field.split('[').next().unwrap_or_default();
            let column = match field {
                "party.ref" if row.reference.is_none() => "`id` (the ref, as there is no `ref`)",
                "party.ref" => "`ref`",
                "party.name" => "`name`",
                "party.kind" => "`type`",
                "party.countries" => "`country`",
                "party.nationalities" => "`nationality`",
                "party.birth_date" => "`dob`",
                "party.identifiers" => "`identifier`",
                "party.parents" => "`parent`",
                _ => field,
            };
            let message = format!("field {column}: {}", e.message);
            return Err(MonitorError::Row {
                path: path.to_path_buf(),
                line: row.line,
                message,
            });
        }
    }
    Ok(rows)
}

/// A row as the message `Import` takes: the `ref` column, or the `id`.
fn upsert_request(row: &InputRow) -> proto::UpsertRequest {
    let reference = row.reference.as_deref().unwrap_or(&row.id);
    proto::UpsertRequest {
        party: Some(party_to_proto(&row.party, reference)),
    }
}

/// Streams `rows` to `Import` through a bounded channel and prints the summary and the rate.
/// The progress bar (on a terminal only) counts parties handed to the stream.
async fn import(
    client: &mut MonitoringClient<AuthorizedChannel>,
    path: &Path,
    rows: Vec<InputRow>,
    out: &mut impl Write,
) -> Result<()> {
    let bar = indicatif::ProgressBar::new(rows.len() as u64);
    if !std::io::stderr().is_terminal() {
        bar.set_draw_target(indicatif::ProgressDrawTarget::hidden());
    }
    let started = Instant::now();
    let (tx, rx) = tokio::sync::mpsc::channel(IMPORT_BUFFER);
    let progress = bar.clone();
    let send = async move {
        for (i, row) in rows.iter().enumerate() {
            // A closed channel means the call has ended; its status says why.
            if tx.send(upsert_request(row)).await.is_err() {
                break;
            }
            progress.set_position(i as u64 + 1);
        }
        // Dropping the sender ends the stream, which asks the server for its summary.
    };
    let call = client.import(tokio_stream::wrappers::ReceiverStream::new(rx));
    tokio::pin!(call);
    // A call the server ends early (a refused party, a missing role) stops the sending at
    // once, whether or not the transport has let go of the stream yet.
    let answer = tokio::select! {
        answer = &mut call => answer,
        () = send => call.await,
    };
    bar.finish_and_clear();
    let summary = answer
        .map_err(|s| match s.code() {
            tonic::Code::InvalidArgument => MonitorError::ImportRefused {
                path: path.to_path_buf(),
                message: s.message().to_string(),
            },
            _ => MonitorError::from_status(Rpc::Import, s),
        })?
        .into_inner();
    write!(
        out,
        "{}",
        print::summary_text(&summary, started.elapsed().as_secs_f64())
    )?;
    Ok(())
}

/// Prints the alerts after `after`, and with `follow` those committed later, until the server
/// ends the stream. `last` is the cursor of the last alert printed.
async fn alerts(
    client: &mut MonitoringClient<AuthorizedChannel>,
    after: u64,
    follow: bool,
    json: bool,
    out: &mut impl Write,
    last: &mut u64,
) -> Result<()> {
    let error = |s| MonitorError::from_status(Rpc::Alerts, s);
    let mut stream = client
        .alerts(proto::AlertsRequest {
            after_cursor: after,
            follow,
        })
        .await
        .map_err(error)?
        .into_inner();
    while let Some(alert) = stream.message().await.map_err(error)? {
        let line = if json {
            print::alert_json(&alert)
        } else {
            print::alert_line(&alert)
        };
        writeln!(out, "{line}")?;
        // Flushed per alert: a follower's reader sees each one as it arrives.
        out.flush()?;
        *last = alert.cursor;
    }
    Ok(())
}

#[cfg(test)]
mod tests;
