//! `clearance serve` as a child process, for what an in-process server cannot show: a limit
//! on the process (its file size), its resident memory, its shutdown on SIGTERM, its log.
//!
//! Every listener is on 127.0.0.1 with a port the system picks; the server says which in its
//! first JSON log line ("listening; loading lists"), which [`ChildServer::start`] waits for.

use std::io::{BufRead, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, ExitStatus, Stdio};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};
use clearance::service::proto::screening_client::ScreeningClient;
use tonic::transport::Channel;

/// The `clearance` binary: the one Cargo built for this integration test, or, in an example
/// (for which Cargo names none), the one in the profile folder above `examples/`.
pub fn clearance_binary() -> PathBuf {
    if let Some(path) = option_env!("CARGO_BIN_EXE_clearance") {
        return PathBuf::from(path);
    }
    let exe = std::env::current_exe().expect("the running executable's path");
    exe.parent()
        .and_then(Path::parent)
        .expect("an example runs from <profile>/examples/")
        .join("clearance")
}

/// `BINARY serve` with every listener on 127.0.0.1:0, no file polling (reloads come from
/// Admin.Reload) and JSON logs on stderr; the caller adds what to serve (`--config`,
/// `--source`, `--snapshot`) and any limits.
pub fn serve_command(binary: &Path) -> Command {
    let mut command = Command::new(binary);
    command
        .arg("serve")
        .args(["--listen", "127.0.0.1:0", "--admin-listen", "127.0.0.1:0"])
        .args([
            "--http-listen",
            "127.0.0.1:0",
            "--poll-seconds",
            "0",
            "--log-json",
        ])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
    command
}

/// What the server logged so far.
#[derive(Default)]
struct Log {
    lines: Vec<String>,
    errors: u64,
}

pub struct ChildServer {
    pub process: std::process::Child,
    /// `http://host:port` of Screening.
    pub screening: String,
    /// `http://host:port` of Admin.
    pub admin: String,
    /// `host:port` of the HTTP listener.
    pub http: String,
    log: Arc<Mutex<Log>>,
    reader: Option<JoinHandle<()>>,
}

impl ChildServer {
    /// Starts `command` (from [`serve_command`]) and waits up to a minute for the line that
    /// names its addresses. Every log line is kept, and copied to `log_file` when given.
    pub fn start(mut command: Command, log_file: Option<&Path>) -> Result<ChildServer> {
        let mut file = log_file.map(std::fs::File::create).transpose()?;
        let mut process = command
            .spawn()
            .with_context(|| format!("cannot start {:?}", command.get_program()))?;
        let stderr = process.stderr.take().context("no stderr")?;
        let log = Arc::new(Mutex::new(Log::default()));
        let (tx, rx) = std::sync::mpsc::channel();
        let kept = log.clone();
        let reader = std::thread::spawn(move || {
            for line in std::io::BufReader::new(stderr).lines() {
                let Ok(line) = line else { break };
                if let Some(f) = file.as_mut() {
                    let _ = writeln!(f, "{line}");
                }
                let json: serde_json::Value = serde_json::from_str(&line).unwrap_or_default();
                let f = &json["fields"];
                if let (Some(s), Some(a), Some(h)) = (
                    f["screening"].as_str(),
                    f["admin"].as_str(),
                    f["http"].as_str(),
                ) {
                    let _ = tx.send((s.to_string(), a.to_string(), h.to_string()));
                }
                let mut kept = kept.lock().unwrap();
                if json["level"] == "ERROR" {
                    kept.errors += 1;
                }
                kept.lines.push(line);
            }
        });
        let mut server = ChildServer {
            process,
            screening: String::new(),
            admin: String::new(),
            http: String::new(),
            log,
            reader: Some(reader),
        };
        match rx.recv_timeout(Duration::from_secs(60)) {
            Ok((s, a, h)) => {
                server.screening = format!("http://{s}");
                server.admin = format!("http://{a}");
                server.http = h;
                Ok(server)
            }
            Err(_) => {
                let _ = server.process.kill();
                bail!(
                    "the server did not say where it listens:\n{}",
                    server.tail(20).join("\n")
                )
            }
        }
    }

    pub fn pid(&self) -> u32 {
        self.process.id()
    }

    /// Waits until Screening reports SERVING, at most `limit`; fails at once when the
    /// process exits. Returns how long it took.
    pub async fn wait_serving(&mut self, limit: Duration) -> Result<Duration> {
        let started = Instant::now();
        while started.elapsed() < limit {
            if let Some(status) = self.process.try_wait()? {
                bail!(
                    "the server exited ({status}) before serving:\n{}",
                    self.tail(20).join("\n")
                );
            }
            if let Ok(c) = Channel::from_shared(self.screening.clone())?
                .connect()
                .await
            {
                if super::screening_serving(c).await {
                    return Ok(started.elapsed());
                }
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        bail!(
            "the server never reported SERVING:\n{}",
            self.tail(20).join("\n")
        )
    }

    pub async fn screening_client(&self) -> ScreeningClient<Channel> {
        ScreeningClient::new(super::Running::channel(&self.screening).await)
    }

    /// Every line the server logged so far.
    pub fn log(&self) -> Vec<String> {
        self.log.lock().unwrap().lines.clone()
    }

    /// The last `n` lines the server logged.
    pub fn tail(&self, n: usize) -> Vec<String> {
        let log = self.log.lock().unwrap();
        log.lines[log.lines.len().saturating_sub(n)..].to_vec()
    }

    /// Lines logged at level ERROR.
    pub fn errors(&self) -> u64 {
        self.log.lock().unwrap().errors
    }

    /// SIGKILL: the process ends at once, mid-write if it was writing.
    pub fn kill(&mut self) -> Result<()> {
        self.process.kill()?;
        self.process.wait()?;
        if let Some(reader) = self.reader.take() {
            let _ = reader.join();
        }
        Ok(())
    }

    /// SIGTERM, then waits up to 30 s for the drain and for the last log line. `None` when
    /// the server had not exited by then (it is killed).
    pub fn stop(&mut self) -> Result<Option<ExitStatus>> {
        let pid = self.process.id().to_string();
        Command::new("kill").args(["-TERM", &pid]).status()?;
        let deadline = Instant::now() + Duration::from_secs(30);
        let status = loop {
            if let Some(status) = self.process.try_wait()? {
                break Some(status);
            }
            if Instant::now() >= deadline {
                self.process.kill()?;
                self.process.wait()?;
                break None;
            }
            std::thread::sleep(Duration::from_millis(20));
        };
        // The reader ends at the end of the server's stderr: every line is in by then.
        if let Some(reader) = self.reader.take() {
            let _ = reader.join();
        }
        Ok(status)
    }
}

/// A server left running by a failed test or run is killed, not orphaned.
impl Drop for ChildServer {
    fn drop(&mut self) {
        if let Ok(None) = self.process.try_wait() {
            let _ = self.process.kill();
            let _ = self.process.wait();
        }
    }
}
