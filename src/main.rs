//! The `clearance` binary: parse the command line, run, map errors to an exit code.

use std::process::ExitCode;

use clap::Parser;

/// mimalloc instead of the system allocator: screening allocates many small strings per
/// request, and glibc malloc showed up at several percent of server time under load.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    let cli = clearance::cli::Cli::parse();
    match clearance::cli::run(cli) {
        Ok(code) => code,
        // The reader of our output went away (`clearance eval ... | head`): not an error.
        Err(e)
            if e.downcast_ref::<std::io::Error>()
                .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe) =>
        {
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: {}", message(&e));
            ExitCode::FAILURE
        }
    }
}

/// The error and its causes, skipping a cause whose text the message already contains (our
/// error types spell out their cause, and repeating it would print it twice).
fn message(e: &anyhow::Error) -> String {
    let mut text = e.to_string();
    for cause in e.chain().skip(1) {
        let cause = cause.to_string();
        if !text.contains(&cause) {
            text.push_str(": ");
            text.push_str(&cause);
        }
    }
    text
}
