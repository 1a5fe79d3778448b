//! The updater inside `clearance serve`: one round of downloads before the first snapshot,
//! then one every `[update] every_seconds` (every `retry_seconds` while some list has no
//! usable copy), each followed by a reload when it brought new files. The updater reloads
//! directly; the file poller leaves downloaded sources alone, so one update never causes
//! two reloads.
//!
//! Which lists a reload loads is decided here too ([`lists_to_load`]): the configured ones
//! once every download has a cached copy; until then the sample list when the operator
//! allowed it (loudly marked as SAMPLE data), and otherwise nothing, so that the server
//! stays up but unready instead of screening against a part of the lists.

use std::borrow::Cow;
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::Duration;

use super::reload::{self, ReloadError, Trigger};
use super::State;
use crate::engine::lists::ListFormat;
use crate::engine::lists::Source;
use crate::service::config::{Config, ServerConfig};
use crate::service::update::cache::{FileRecord, Sidecar};
use crate::service::update::{self, SourceOutcome, UpdateOptions, UpdateResult};

/// The dataset name the sample list is served under.
pub const SAMPLE_DATASET: &str = "sample";

/// What `Status` and the metrics say about one downloaded source.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SourceStatus {
    pub dataset: String,
    /// (file name, URL) as configured.
    pub urls: Vec<(String, String)>,
    /// The cached files as last downloaded and validated.
    pub files: Vec<FileRecord>,
    /// When the publisher last confirmed the cached copy.
    pub last_success: Option<jiff::Timestamp>,
    pub last_attempt: Option<jiff::Timestamp>,
    /// `updated`, `not_modified` or `failed`; empty before the first attempt.
    pub last_result: &'static str,
    /// Why the last attempt failed; `None` when it succeeded.
    pub last_error: Option<String>,
}

/// The statuses before any attempt, from the sidecars of earlier runs.
pub fn initial_statuses(config: &Config) -> Vec<SourceStatus> {
    update::downloads(&config.sources)
        .map(|(s, d)| {
            let sidecar = Sidecar::read(&update::sidecar_of(s, d)).unwrap_or_default();
            SourceStatus {
                dataset: s.dataset.clone(),
                urls: d
                    .files
                    .iter()
                    .map(|f| (f.name.clone(), f.url.clone()))
                    .collect(),
                files: sidecar.files,
                last_success: sidecar.checked_at,
                ..SourceStatus::default()
            }
        })
        .collect()
}

/// The config a reload loads, and whether it is the sample: see the module doc.
pub fn lists_to_load(state: &State) -> Result<(Cow<'_, Config>, bool), ReloadError> {
    let config = &state.config;
    let missing = update::missing(&config.sources);
    if missing.is_empty() {
        let mut pinned = config.clone();
        for s in &mut pinned.sources {
            s.path = update::pinned(s);
        }
        return Ok((Cow::Owned(pinned), false));
    }
    let Some(sample) = &config.update.sample_data else {
        return Err(ReloadError::NotDownloaded(missing.join(", ")));
    };
    Ok((
        Cow::Owned(Config {
            sources: vec![Source {
                dataset: SAMPLE_DATASET.into(),
                format: ListFormat::Native,
                path: sample.clone(),
                skip_sdn_rows: None,
                download: None,
            }],
            policy: config.policy.clone(),
            // The probes describe the real lists; the sample need not reproduce them.
            server: ServerConfig {
                probes: Vec::new(),
                ..config.server.clone()
            },
            update: config.update.clone(),
            audit: config.audit.clone(),
            tls: config.tls.clone(),
            callers: config.callers.clone(),
            access: config.access.clone(),
            monitoring: config.monitoring.clone(),
        }),
        true,
    ))
}

/// Records a round's outcomes for `Status` and the metrics.
fn record(state: &State, outcomes: &[SourceOutcome]) {
    let now = jiff::Timestamp::now();
    let Ok(mut statuses) = state.updates.lock() else {
        return;
    };
    for o in outcomes {
        let Some(status) = statuses.iter_mut().find(|s| s.dataset == o.dataset) else {
            continue;
        };
        status.files = o.files.clone();
        status.last_success = o.checked_at;
        status.last_attempt = Some(now);
        status.last_result = o.result.as_str();
        status.last_error = match &o.result {
            UpdateResult::Failed(e) => Some(e.to_string()),
            _ => None,
        };
        state.metrics.source_updated(
            &o.dataset,
            o.result.as_str(),
            o.checked_at.map(|t| t.as_millisecond() as f64 / 1000.0),
        );
    }
    let errors: Vec<(String, String)> = statuses
        .iter()
        .filter_map(|s| Some((s.dataset.clone(), s.last_error.clone()?)))
        .collect();
    state.metrics.update_errors(&errors);
}

/// One round of downloads, recorded: whether it changed any cached file, or `None` when
/// `stop` fired first (a download can take minutes; shutdown must not wait for it).
async fn round(state: &State, stop: &mut tokio::sync::watch::Receiver<bool>) -> Option<bool> {
    let options = UpdateOptions::from_config(&state.config.update);
    let outcomes = tokio::select! {
        _ = stop.wait_for(|s| *s) => return None,
        outcomes = update::update_all_async(&state.config.sources, &options) => outcomes,
    };
    record(state, &outcomes);
    Some(
        outcomes
            .iter()
            .any(|o| matches!(o.result, UpdateResult::Updated)),
    )
}

/// The round before the first snapshot (nothing to do without downloads). False when the
/// server shut down first.
pub async fn first_round(state: &State, mut stop: tokio::sync::watch::Receiver<bool>) -> bool {
    !state.config.has_downloads() || round(state, &mut stop).await.is_some()
}

/// Whether every downloaded source has a cached copy.
fn all_usable(state: &State) -> bool {
    state.config.sources.iter().all(update::usable)
}

/// The wait before the next round: `retry_seconds` while a list is missing, else
/// `every_seconds`; `None`: no further rounds.
fn next_round(state: &State) -> Option<Duration> {
    let u = &state.config.update;
    if !state.config.has_downloads() {
        return None;
    }
    let secs = if all_usable(state) {
        u.every_seconds
    } else {
        u.retry_seconds.max(1)
    };
    (secs > 0).then(|| Duration::from_secs(secs))
}

/// Sleeps `wait` (forever if `None`); false when `stop` fired first.
async fn sleep_or_stop(
    wait: Option<Duration>,
    stop: &mut tokio::sync::watch::Receiver<bool>,
) -> bool {
    tokio::select! {
        _ = stop.wait_for(|s| *s) => false,
        _ = async {
            match wait {
                Some(w) => tokio::time::sleep(w).await,
                None => std::future::pending().await,
            }
        } => true,
    }
}

/// Before the first snapshot, while lists are missing and no sample may stand in: retries
/// the downloads on the schedule until every list has a copy. False when the server shut
/// down first.
pub async fn wait_for_lists(state: &State, mut stop: tokio::sync::watch::Receiver<bool>) -> bool {
    loop {
        if !sleep_or_stop(next_round(state), &mut stop).await
            || round(state, &mut stop).await.is_none()
        {
            return false;
        }
        if all_usable(state) {
            return true;
        }
    }
}

/// The scheduled rounds once a snapshot serves, each followed by a reload when it brought
/// new files, or when the sample serves and the real lists have now all arrived.
pub async fn run(state: Arc<State>, mut stop: tokio::sync::watch::Receiver<bool>) {
    loop {
        if !sleep_or_stop(next_round(&state), &mut stop).await {
            return;
        }
        let Some(changed) = round(&state, &mut stop).await else {
            return;
        };
        let sample_replaceable = state.serving_sample() && all_usable(&state);
        if changed || sample_replaceable {
            // The outcome is logged, counted and kept for Status by `reload` itself.
            let _ = reload::reload_blocking(state.clone(), Trigger::Update, false).await;
        }
    }
}

impl State {
    /// Whether the serving snapshot is the sample list rather than the configured lists.
    pub fn serving_sample(&self) -> bool {
        self.sample.load(Ordering::Relaxed)
    }

    /// The downloaded sources' statuses, for `Status`.
    pub fn update_statuses(&self) -> Vec<SourceStatus> {
        self.updates.lock().map(|s| s.clone()).unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    #[test]
    fn missing_downloads_load_the_sample_only_when_allowed() {
        let dir = tempfile::tempdir().unwrap();
        let text = format!(
            "[update]\ncache_dir = {:?}\n[[source]]\ndataset = \"un_sc_sanctions\"\n\
             format = \"un-xml\"\nurl = \"http://127.0.0.1:9/consolidated.xml\"\n\
             [[server.probe]]\nname = \"Acme\"\nexpect = \"deny\"\n",
            dir.path().display().to_string()
        );
        let config = Config::from_toml(&text, Path::new(".")).unwrap();
        let state = State::new(config.clone());
        let e = lists_to_load(&state).unwrap_err().to_string();
        assert!(e.contains("un_sc_sanctions"), "{e}");

        let mut allowed = config.clone();
        allowed.update.sample_data = Some(dir.path().join("sample.jsonl"));
        let state = State::new(allowed);
        let (sample, is_sample) = lists_to_load(&state).unwrap();
        assert!(is_sample);
        assert_eq!(sample.sources[0].dataset, SAMPLE_DATASET);
        assert!(sample.server.probes.is_empty());

        // Once the copy exists the configured lists load, sample or not.
        let path = &config.sources[0].path;
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, "<CONSOLIDATED_LIST/>").unwrap();
        let (real, is_sample) = lists_to_load(&state).unwrap();
        assert!(!is_sample);
        assert_eq!(real.sources[0].dataset, "un_sc_sanctions");
    }
}
