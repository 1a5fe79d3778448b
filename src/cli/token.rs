//! `clearance token hash|new`: bearer tokens for `[[caller]]` entries.

use std::io::Write;
use std::process::ExitCode;

use anyhow::{bail, Result};
use clap::Subcommand;

#[derive(Subcommand)]
pub(super) enum TokenCommand {
    /// Read a bearer token from stdin (one line) and print its hex SHA-256, the value of a
    /// [[caller]]'s token_sha256.
    Hash,
    /// Print a fresh random token (256 bits, hex) on the first line and its SHA-256 on the
    /// second: give the first to the caller, put the second in the config.
    New,
}

/// Prints the token's hash (and, for `new`, the token first).
pub(super) fn run(command: TokenCommand, out: &mut impl Write) -> Result<ExitCode> {
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
