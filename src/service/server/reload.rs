//! Hot reload: build a new snapshot off the serving path, validate it, swap it in; and the
//! triggers that start one besides `Admin.Reload` (SIGHUP, changed source files, a schedule).
//!
//! Reloads run one at a time. A failed one keeps the last good snapshot serving and shows in
//! `Status`, in the metrics and in one log line.

use std::borrow::Cow;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};

use super::State;
use crate::engine::screen::{Snapshot, SnapshotError};
use crate::engine::snapfile::SnapfileError;
use crate::engine::validate::{self, ValidationError};
use crate::service::config::ServerConfig;

/// What started a reload; the `trigger` label of `clearance_reloads_total`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Trigger {
    Startup,
    Admin,
    Sighup,
    FilesChanged,
    Schedule,
    /// The updater downloaded new lists.
    Update,
}

impl Trigger {
    pub fn as_str(self) -> &'static str {
        match self {
            Trigger::Startup => "startup",
            Trigger::Admin => "admin",
            Trigger::Sighup => "sighup",
            Trigger::FilesChanged => "files_changed",
            Trigger::Schedule => "schedule",
            Trigger::Update => "update",
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ReloadError {
    #[error(transparent)]
    Load(#[from] SnapshotError),
    #[error(transparent)]
    File(#[from] SnapfileError),
    #[error(transparent)]
    Invalid(#[from] ValidationError),
    #[error("reload task failed: {0}")]
    Task(String),
    #[error(
        "no usable download yet for {0}: the lists load once it arrives (to serve the sample \
         list meanwhile: [update] sample_data, or serve --allow-sample-data)"
    )]
    NotDownloaded(String),
}

impl ReloadError {
    /// A reason to wait rather than fail at start-up: the snapshot file to serve does not
    /// exist yet (its first build has not run).
    pub fn is_awaitable(&self) -> bool {
        matches!(self, ReloadError::File(SnapfileError::Io { source, .. })
            if source.kind() == std::io::ErrorKind::NotFound)
    }
}

/// The configured snapshot file, or the sources (or the sample standing in for lists not
/// downloaded yet), loaded into a new snapshot; whether it is the sample; and the settings
/// to validate it with (the sample skips the probes, which describe the real lists).
fn load(state: &State) -> Result<(Snapshot, bool, Cow<'_, ServerConfig>), ReloadError> {
    if let Some(path) = &state.config.server.snapshot {
        let snapshot = crate::engine::snapfile::read(path)?;
        return Ok((snapshot, false, Cow::Borrowed(&state.config.server)));
    }
    let (config, sample) = super::updates::lists_to_load(state)?;
    let snapshot = Snapshot::load(&config.sources, &config.policy)?;
    Ok((snapshot, sample, Cow::Owned(config.into_owned().server)))
}

/// A successful reload.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reloaded {
    /// The version serving now.
    pub version: String,
    /// Whether that version is new (false: the lists were unchanged).
    pub swapped: bool,
    pub message: String,
}

/// Loads the configured sources, validates the result against the live snapshot and swaps
/// it in. Blocking: call it off the async workers (see [`reload_blocking`]).
pub fn reload(state: &State, trigger: Trigger, force: bool) -> Result<Reloaded, ReloadError> {
    let _one_at_a_time = state.reloading.lock().unwrap_or_else(|p| p.into_inner());
    let started = Instant::now();
    let outcome = (|| -> Result<Reloaded, ReloadError> {
        let (fresh, sample, settings) = load(state)?;
        let live = state.snapshot();
        let checked = validate::validate(&fresh, live.as_deref(), &settings.checks(), force)?;
        let version = fresh.version().to_string();
        let entities = fresh.index.entities().len();
        if live.as_ref().is_some_and(|l| l.version() == version) {
            return Ok(Reloaded {
                message: format!("lists unchanged, still serving {version}"),
                version,
                swapped: false,
            });
        }
        state.metrics.serving(&fresh);
        state.metrics.set_sample_data(sample);
        state
            .sample
            .store(sample, std::sync::atomic::Ordering::Relaxed);
        state.install(fresh);
        Ok(Reloaded {
            message: format!(
                "now serving {version} ({entities} entities; {} self-probes and {} probes passed)",
                checked.self_probes, checked.probes
            ),
            version,
            swapped: true,
        })
    })();
    let took = started.elapsed().as_secs_f64();
    let trigger_name = trigger.as_str();
    let note = match &outcome {
        Ok(r) => {
            let result = if r.swapped { "swapped" } else { "unchanged" };
            state.metrics.reloaded(trigger_name, result, took, None);
            tracing::info!(
                trigger = trigger_name,
                result,
                version = %r.version,
                seconds = took,
                "{}",
                r.message
            );
            if state.serving_sample() {
                tracing::warn!(
                    trigger = trigger_name,
                    sample = %state.config.update.sample_data.as_deref().unwrap_or(std::path::Path::new("")).display(),
                    "serving SAMPLE data, NOT the official lists: screening results are for demonstration only until the downloads arrive"
                );
            }
            format!("ok: {}", r.message)
        }
        Err(e) => {
            let error = e.to_string();
            state
                .metrics
                .reloaded(trigger_name, "failed", took, Some(&error));
            tracing::error!(
                trigger = trigger_name,
                result = "failed",
                seconds = took,
                error = %error,
                "reload rejected; the previous snapshot keeps serving"
            );
            format!("failed: {error}")
        }
    };
    state.set_last_reload(note);
    outcome
}

/// [`reload`] on the blocking pool.
pub async fn reload_blocking(
    state: Arc<State>,
    trigger: Trigger,
    force: bool,
) -> Result<Reloaded, ReloadError> {
    tokio::task::spawn_blocking(move || reload(&state, trigger, force))
        .await
        .map_err(|e| ReloadError::Task(e.to_string()))?
}

/// How the server notices that lists changed, besides `Admin.Reload`.
#[derive(Debug, Clone, Copy, Default)]
pub struct ReloadTriggers {
    /// Reload on SIGHUP (Unix).
    pub sighup: bool,
    /// Check the source files' sizes and modification times this often; reload when they
    /// change. `None`: no polling.
    pub poll: Option<Duration>,
    /// Reload this often whether or not the files changed. `None`: no schedule.
    pub every: Option<Duration>,
}

impl ReloadTriggers {
    /// The triggers `[server]` asks for, plus SIGHUP.
    pub fn from_config(server: &crate::service::config::ServerConfig) -> ReloadTriggers {
        let secs = |s: u64| (s > 0).then(|| Duration::from_secs(s));
        ReloadTriggers {
            sighup: true,
            poll: secs(server.poll_seconds),
            every: secs(server.reload_every_seconds),
        }
    }
}

type Fingerprint = Vec<(PathBuf, u64, Option<SystemTime>)>;

/// Size and modification time of every source file (or of the snapshot file served): cheap
/// to read, and it changes whenever a file is replaced.
fn fingerprint(state: &State) -> Fingerprint {
    let mut out = Vec::new();
    // Downloaded sources change only through the updater, which reloads itself.
    let paths: Vec<&PathBuf> = match &state.config.server.snapshot {
        Some(p) => vec![p],
        None => state
            .config
            .sources
            .iter()
            .filter(|s| s.download.is_none())
            .map(|s| &s.path)
            .collect(),
    };
    for path in paths {
        let files: Vec<PathBuf> = if path.is_dir() {
            let mut f: Vec<_> = std::fs::read_dir(path)
                .map(|d| d.filter_map(|e| e.ok().map(|e| e.path())).collect())
                .unwrap_or_default();
            f.sort();
            f
        } else {
            vec![path.clone()]
        };
        for f in files {
            let meta = std::fs::metadata(&f).ok();
            let len = meta.as_ref().map_or(0, |m| m.len());
            let modified = meta.and_then(|m| m.modified().ok());
            out.push((f, len, modified));
        }
    }
    out
}

/// A ticker that fires every `period`, or never.
fn ticker(period: Option<Duration>) -> Option<tokio::time::Interval> {
    period.map(|p| {
        let mut t = tokio::time::interval_at(tokio::time::Instant::now() + p, p);
        t.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        t
    })
}

async fn tick(t: &mut Option<tokio::time::Interval>) {
    match t {
        Some(t) => {
            t.tick().await;
        }
        None => std::future::pending().await,
    }
}

/// Watches for SIGHUP, changed source files and the schedule until `stop` fires. Sleeps
/// between ticks; no busy loop.
pub async fn watch(
    state: Arc<State>,
    triggers: ReloadTriggers,
    mut stop: tokio::sync::watch::Receiver<bool>,
) {
    #[cfg(unix)]
    let mut hangup = if triggers.sighup {
        tokio::signal::unix::signal(tokio::signal::unix::SignalKind::hangup()).ok()
    } else {
        None
    };
    let mut seen = fingerprint(&state);
    let mut poll = ticker(triggers.poll);
    let mut schedule = ticker(triggers.every);
    loop {
        #[cfg(unix)]
        let hup = async {
            match hangup.as_mut() {
                Some(h) => {
                    h.recv().await;
                }
                None => std::future::pending::<()>().await,
            }
        };
        #[cfg(not(unix))]
        let hup = std::future::pending::<()>();
        let trigger = tokio::select! {
            _ = stop.wait_for(|stop| *stop) => return,
            _ = hup => Trigger::Sighup,
            _ = tick(&mut schedule) => Trigger::Schedule,
            _ = tick(&mut poll) => {
                let now = fingerprint(&state);
                if now == seen {
                    continue;
                }
                seen = now;
                Trigger::FilesChanged
            }
        };
        // Taken before loading: a file replaced while the reload runs is noticed next tick.
        if trigger != Trigger::FilesChanged {
            seen = fingerprint(&state);
        }
        // The outcome is logged, counted and kept for Status by `reload` itself.
        let _ = reload_blocking(state.clone(), trigger, false).await;
    }
}
