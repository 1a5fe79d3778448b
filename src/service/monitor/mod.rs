//! Ongoing monitoring: a book of parties registered under the caller's references, kept in a
//! database ([`store`]), re-screened whenever an accepted snapshot or a rule's date can change
//! their outcome, with an alert for every changed outcome and reviewers' verdicts remembered.
//!
//! - [`Monitor`] answers the `Monitoring` calls: a party written (`Upsert`, `Import`) is
//!   screened at once against the serving snapshot, and its outcome and alerts are written in
//!   one transaction; verdicts (`Resolve`) become suppressions that [`outcome`] applies in
//!   re-screens and in `Screen` calls carrying the party's ref.
//! - [`rescreen`] is the worker: one process (elected through the store's lease) re-screens
//!   by difference, only the parties the changed entries can reach ([`crate::engine::book`]),
//!   and records its progress so that a process killed mid-way resumes the work at start-up.
//!
//! The monitor sits below the server and never names it: the server hands it each snapshot it
//! installs ([`Monitor::installed`]).

pub mod outcome;
pub mod record;
pub mod rescreen;
pub mod store;

use std::path::Path;
use std::sync::{Arc, Mutex};

use jiff::civil::Date;
use jiff::Timestamp;
use serde::Deserialize;

use crate::engine::book::{BookIndex, BookParty};
use crate::engine::screen::{Party, Screening, Snapshot};
use crate::service::metrics::Metrics;
use record::{
    Alert, Disposition, Micros, OutcomeWrite, PartyRecord, StoredSuppression, Suppression, Verdict,
};
use store::{Store, StoreError};

/// `[monitoring]`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MonitoringConfig {
    /// `sqlite://PATH`, a bare path (SQLite), or `postgres://…`.
    pub database: String,
    /// Parties per transaction when importing and re-screening.
    #[serde(default = "default_batch")]
    pub batch: usize,
    /// How often a following `Alerts` stream looks in the database for alerts written by
    /// other replicas (this one's wake it at once).
    #[serde(default = "default_follow_poll_ms")]
    pub follow_poll_ms: u64,
    /// How often a replica that is not the worker tries to become it.
    #[serde(default = "default_lead_retry_seconds")]
    pub lead_retry_seconds: u64,
    /// Share of the book (0 to 1) a list change may reach before the whole book is
    /// re-screened in its stored order instead of party by party: finding the parties and
    /// reading them one by one costs more than a full pass once a change reaches most of a
    /// book. 1 keeps every job a difference.
    #[serde(default = "default_full_pass_above")]
    pub full_pass_above: f64,
}

fn default_batch() -> usize {
    1000
}
fn default_follow_poll_ms() -> u64 {
    500
}
fn default_lead_retry_seconds() -> u64 {
    5
}
fn default_full_pass_above() -> f64 {
    0.6
}

impl MonitoringConfig {
    /// A config for `database` with the defaults.
    pub fn new(database: impl Into<String>) -> MonitoringConfig {
        MonitoringConfig {
            database: database.into(),
            batch: default_batch(),
            follow_poll_ms: default_follow_poll_ms(),
            lead_retry_seconds: default_lead_retry_seconds(),
            full_pass_above: default_full_pass_above(),
        }
    }

    /// Resolves a relative SQLite path against the config file's folder.
    pub fn resolve(&mut self, base: &Path) {
        let db = self.database.trim();
        if db.starts_with("postgres://")
            || db.starts_with("postgresql://")
            || db == "sqlite::memory:"
        {
            return;
        }
        let path = db.strip_prefix("sqlite://").unwrap_or(db);
        let path = Path::new(path);
        let path = if path.is_absolute() {
            path.to_path_buf()
        } else {
            base.join(path)
        };
        self.database = format!("sqlite://{}", path.display());
    }
}

/// Why a monitoring call failed.
#[derive(Debug, thiserror::Error)]
pub enum MonitorError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("no party with ref {0:?} in the book")]
    NoParty(String),
    #[error("no snapshot loaded yet; the server is starting")]
    NotReady,
}

/// What time it is, for screening dates and alert times; tests set it.
pub trait Clock: Send + Sync {
    fn now(&self) -> Timestamp;

    /// Today in UTC: the date rules are evaluated at.
    fn today(&self) -> Date {
        jiff::tz::TimeZone::UTC.to_datetime(self.now()).date()
    }
}

/// The system's clock.
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> Timestamp {
        Timestamp::now()
    }
}

/// A clock that stands still until set (tests, simulations of a rule's date).
pub struct ManualClock(Mutex<Timestamp>);

impl ManualClock {
    pub fn new(at: Timestamp) -> ManualClock {
        ManualClock(Mutex::new(at))
    }

    /// Noon UTC on `date`.
    pub fn on(date: Date) -> ManualClock {
        ManualClock::new(noon(date))
    }

    pub fn set(&self, at: Timestamp) {
        *self.0.lock().unwrap_or_else(|p| p.into_inner()) = at;
    }

    pub fn set_date(&self, date: Date) {
        self.set(noon(date));
    }
}

fn noon(date: Date) -> Timestamp {
    jiff::tz::TimeZone::UTC
        .to_timestamp(date.at(12, 0, 0, 0))
        .unwrap_or(Timestamp::UNIX_EPOCH)
}

impl Clock for ManualClock {
    fn now(&self) -> Timestamp {
        *self.0.lock().unwrap_or_else(|p| p.into_inner())
    }
}

pub fn micros(t: Timestamp) -> Micros {
    t.as_microsecond()
}

/// A stored facts hash as the book index keeps it ([`BookParty::fingerprint`]).
fn fingerprint(facts_hash: &str) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut h = rustc_hash::FxHasher::default();
    facts_hash.hash(&mut h);
    h.finish()
}

/// RFC 3339 of a stored time.
pub fn rfc3339(at: Micros) -> String {
    Timestamp::from_microsecond(at)
        .map(|t| t.to_string())
        .unwrap_or_default()
}

/// The book's names in memory, and how far into the store's writes they reach.
#[derive(Default)]
struct Book {
    index: BookIndex,
    seen_seq: i64,
}

/// What the health endpoints and `Status` say of monitoring.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct MonitorStatus {
    /// The database answered the last time it was asked.
    pub database_ok: bool,
    pub database_error: String,
    /// The version the book was last fully brought up to date with.
    pub rescreened_version: String,
    /// This process is the re-screening worker.
    pub worker: bool,
    /// One line on the last re-screen.
    pub last_rescreen: String,
    /// When the serving snapshot was installed.
    pub installed_at: Option<std::time::Instant>,
}

/// A party's screening as a write answers it: the engine's screening with the verdicts
/// applied, and for each hit the suppression that took it out.
pub struct Screened {
    pub screening: Screening,
    pub suppressions: Vec<Option<Suppression>>,
    /// Alerts the write stored.
    pub alerts: usize,
}

/// How an import went.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ImportCounts {
    pub parties: u64,
    pub allowed: u64,
    pub reviewed: u64,
    pub denied: u64,
    pub alerts: u64,
}

impl ImportCounts {
    fn add(&mut self, s: &Screened) {
        self.parties += 1;
        self.alerts += s.alerts as u64;
        match s.screening.decision {
            crate::engine::policy::Decision::Allow => self.allowed += 1,
            crate::engine::policy::Decision::Review => self.reviewed += 1,
            crate::engine::policy::Decision::Deny => self.denied += 1,
        }
    }
}

/// A batch's write in flight.
type Writing = tokio::task::JoinHandle<Result<Vec<Alert>, StoreError>>;

/// Everything the book knows of one party.
pub struct PartyView {
    pub record: PartyRecord,
    pub open_alerts: Vec<Alert>,
    pub history: Vec<Disposition>,
}

/// The monitoring service's state.
pub struct Monitor {
    store: Arc<dyn Store>,
    config: MonitoringConfig,
    clock: Arc<dyn Clock>,
    metrics: Arc<Metrics>,
    book: tokio::sync::Mutex<Book>,
    /// Held while a party's stored outcome is read, screened and written, so that a write and
    /// a re-screen in this process never interleave on one party.
    writing: tokio::sync::Mutex<()>,
    /// The highest cursor this process committed: wakes following streams.
    written: tokio::sync::watch::Sender<i64>,
    /// The serving snapshot, as the server installs it: wakes the worker.
    serving: tokio::sync::watch::Sender<Option<Arc<Snapshot>>>,
    status: Mutex<MonitorStatus>,
}

impl Monitor {
    /// Opens the database (migrating it) and makes the monitor.
    pub async fn open(
        config: MonitoringConfig,
        clock: Arc<dyn Clock>,
        metrics: Arc<Metrics>,
    ) -> Result<Arc<Monitor>, MonitorError> {
        let store = store::open(&config.database).await?;
        Ok(Monitor::with_store(store, config, clock, metrics))
    }

    pub fn with_store(
        store: Arc<dyn Store>,
        config: MonitoringConfig,
        clock: Arc<dyn Clock>,
        metrics: Arc<Metrics>,
    ) -> Arc<Monitor> {
        Arc::new(Monitor {
            store,
            config,
            clock,
            metrics,
            book: tokio::sync::Mutex::new(Book::default()),
            writing: tokio::sync::Mutex::new(()),
            written: tokio::sync::watch::channel(0).0,
            serving: tokio::sync::watch::channel(None).0,
            status: Mutex::new(MonitorStatus {
                database_ok: true,
                ..MonitorStatus::default()
            }),
        })
    }

    pub fn store(&self) -> &Arc<dyn Store> {
        &self.store
    }

    pub fn config(&self) -> &MonitoringConfig {
        &self.config
    }

    pub fn clock(&self) -> &Arc<dyn Clock> {
        &self.clock
    }

    pub fn status(&self) -> MonitorStatus {
        self.status.lock().map(|s| s.clone()).unwrap_or_default()
    }

    fn update_status(&self, f: impl FnOnce(&mut MonitorStatus)) {
        if let Ok(mut s) = self.status.lock() {
            f(&mut s);
        }
    }

    /// Notes how the database answered, for readiness; passes the result on.
    fn observe<T>(&self, r: Result<T, StoreError>) -> Result<T, MonitorError> {
        let ok = r.is_ok();
        let error = r.as_ref().err().map(ToString::to_string);
        self.update_status(|s| {
            // A missing alert is the caller's mistake, not the database's.
            if ok || !matches!(error.as_deref(), Some(e) if e.starts_with("no alert")) {
                s.database_ok = ok;
                s.database_error = error.clone().unwrap_or_default();
            }
        });
        self.metrics.monitoring_ready(self.ready());
        r.map_err(MonitorError::from)
    }

    /// Whether monitoring can serve: its database answers. Screening does not depend on it.
    pub fn ready(&self) -> bool {
        self.status.lock().map(|s| s.database_ok).unwrap_or(false)
    }

    /// Asks the database whether it answers, for readiness.
    pub async fn check(&self) -> bool {
        let r = self.store.ping().await;
        self.observe(r).is_ok()
    }

    /// Tells the worker the server now serves `snapshot`.
    pub fn installed(&self, snapshot: Arc<Snapshot>) {
        self.update_status(|s| s.installed_at = Some(std::time::Instant::now()));
        self.serving.send_replace(Some(snapshot));
    }

    fn serving_snapshot(&self) -> Option<Arc<Snapshot>> {
        self.serving.borrow().clone()
    }

    /// Subscribes to the highest cursor committed by this process.
    pub fn written(&self) -> tokio::sync::watch::Receiver<i64> {
        self.written.subscribe()
    }

    fn committed(&self, alerts: &[Alert]) {
        if let Some(max) = alerts.iter().map(|a| a.cursor).max() {
            self.written.send_if_modified(|c| {
                let newer = max > *c;
                if newer {
                    *c = max;
                }
                newer
            });
        }
        for a in alerts {
            self.metrics.monitoring_alert(a.alert.kind.as_str());
        }
    }

    /// Registers or updates one party and returns its screening.
    pub async fn upsert(
        &self,
        snapshot: &Arc<Snapshot>,
        reference: &str,
        party: Party,
    ) -> Result<Screened, MonitorError> {
        let mut screened = self
            .write_parties(snapshot, vec![(reference.to_string(), party)])
            .await?;
        screened.pop().ok_or(MonitorError::NotReady)
    }

    /// Registers or updates a batch of parties (one transaction).
    pub async fn import(
        &self,
        snapshot: &Arc<Snapshot>,
        parties: Vec<(String, Party)>,
    ) -> Result<ImportCounts, MonitorError> {
        let screened = self.write_parties(snapshot, parties).await?;
        let mut counts = ImportCounts::default();
        for s in &screened {
            counts.add(s);
        }
        Ok(counts)
    }

    async fn write_parties(
        &self,
        snapshot: &Arc<Snapshot>,
        parties: Vec<(String, Party)>,
    ) -> Result<Vec<Screened>, MonitorError> {
        let _one_writer = self.writing.lock().await;
        let (writes, screened) = self.prepare(snapshot, parties).await?;
        self.commit(writes).await?;
        Ok(screened)
    }

    /// Reads what the book holds of `parties` and screens them: what to write.
    async fn prepare(
        &self,
        snapshot: &Arc<Snapshot>,
        parties: Vec<(String, Party)>,
    ) -> Result<(Vec<OutcomeWrite>, Vec<Screened>), MonitorError> {
        let references: Vec<String> = parties.iter().map(|(r, _)| r.clone()).collect();
        let stored = self.observe(self.store.parties(&references).await)?;
        let verdicts = self.observe(self.store.suppressions(&references).await)?;
        let today = self.clock.today();
        let at = micros(self.clock.now());
        let snap = snapshot.clone();
        let work = rescreen::Work::new(parties, stored, verdicts);
        let results = tokio::task::spawn_blocking(move || work.screen_all(&snap, today, at))
            .await
            .map_err(|_| MonitorError::NotReady)?;
        Ok(results.into_iter().unzip())
    }

    async fn commit(&self, writes: Vec<OutcomeWrite>) -> Result<(), MonitorError> {
        let alerts = self.observe(self.store.write(&writes, None).await)?;
        self.committed(&alerts);
        Ok(())
    }

    /// The bulk load: batches of parties as they arrive, each against the snapshot
    /// `snapshot()` serves when it starts. One batch is screened while the one before it is
    /// written (screening and the database's writes overlap), unless the two share a
    /// reference. Re-screening waits until the import ends. An `Err` from `batches` ends the
    /// import after the batches before it are written, and is returned with the counts.
    pub async fn import_batches(
        &self,
        snapshot: impl Fn() -> Option<Arc<Snapshot>>,
        mut batches: tokio::sync::mpsc::Receiver<Result<Vec<(String, Party)>, MonitorError>>,
    ) -> (ImportCounts, String, Result<(), MonitorError>) {
        let _one_writer = self.writing.lock().await;
        let mut counts = ImportCounts::default();
        let mut version = String::new();
        let mut writing: Option<(Writing, std::collections::HashSet<String>)> = None;
        let outcome = loop {
            let batch = match batches.recv().await {
                None => break Ok(()),
                Some(Err(e)) => break Err(e),
                Some(Ok(batch)) => batch,
            };
            let Some(snap) = snapshot() else {
                break Err(MonitorError::NotReady);
            };
            version = snap.version().to_string();
            // A reference in the batch being written: wait for it, so this one reads it.
            if writing
                .as_ref()
                .is_some_and(|(_, refs)| batch.iter().any(|(r, _)| refs.contains(r)))
            {
                if let Some((w, _)) = writing.take() {
                    if let Err(e) = self.settle(w).await {
                        break Err(e);
                    }
                }
            }
            let refs: std::collections::HashSet<String> =
                batch.iter().map(|(r, _)| r.clone()).collect();
            let (writes, screened) = match self.prepare(&snap, batch).await {
                Ok(p) => p,
                Err(e) => break Err(e),
            };
            for s in &screened {
                counts.add(s);
            }
            if let Some((w, _)) = writing.take() {
                if let Err(e) = self.settle(w).await {
                    break Err(e);
                }
            }
            let store = self.store.clone();
            let handle = tokio::spawn(async move { store.write(&writes, None).await });
            writing = Some((handle, refs));
        };
        let last = match writing.take() {
            Some((w, _)) => self.settle(w).await,
            None => Ok(()),
        };
        (counts, version, outcome.and(last))
    }

    /// Waits for a batch's write; its alerts wake the followers.
    async fn settle(&self, writing: Writing) -> Result<(), MonitorError> {
        let written = writing.await.map_err(|_| MonitorError::NotReady)?;
        let alerts = self.observe(written)?;
        self.committed(&alerts);
        Ok(())
    }

    /// Takes a party out of the book.
    pub async fn remove(&self, reference: &str) -> Result<bool, MonitorError> {
        let _one_writer = self.writing.lock().await;
        let removed = self.observe(self.store.remove(reference).await)?;
        self.book.lock().await.index.remove(reference);
        Ok(removed)
    }

    /// A party, its open alerts and its verdicts.
    pub async fn party(&self, reference: &str) -> Result<PartyView, MonitorError> {
        let record = self
            .observe(self.store.party(reference).await)?
            .ok_or_else(|| MonitorError::NoParty(reference.to_string()))?;
        let open_alerts = self
            .observe(self.store.alerts_of(reference).await)?
            .into_iter()
            .filter(|a| a.resolution.is_none())
            .collect();
        let history = self.observe(self.store.dispositions_of(reference).await)?;
        Ok(PartyView {
            record,
            open_alerts,
            history,
        })
    }

    /// Up to `limit` alerts after `cursor`.
    pub async fn alerts_after(
        &self,
        cursor: i64,
        limit: usize,
    ) -> Result<Vec<Alert>, MonitorError> {
        self.observe(self.store.alerts_after(cursor, limit).await)
    }

    /// A reviewer's verdict on an alert.
    pub async fn resolve(
        &self,
        alert_id: &str,
        verdict: Verdict,
        note: &str,
        reviewer: &str,
    ) -> Result<Disposition, MonitorError> {
        let at = micros(self.clock.now());
        let d = self.observe(
            self.store
                .resolve(alert_id, verdict, note, reviewer, at)
                .await,
        )?;
        // The book's outcome follows the verdict at once (a cleared hit no longer decides,
        // one confirmed decides again), without alerts: the verdict is the news.
        if let Some(snapshot) = self.serving_snapshot() {
            self.reapply(&snapshot, &d.reference).await?;
        }
        Ok(d)
    }

    /// Screens a party again with its verdicts and writes the outcome without alerts.
    async fn reapply(&self, snapshot: &Arc<Snapshot>, reference: &str) -> Result<(), MonitorError> {
        let _one_writer = self.writing.lock().await;
        let refs = [reference.to_string()];
        let stored = self.observe(self.store.parties(&refs).await)?;
        let Some((party, seq)) = stored.first().map(|p| (outcome::party_of(&p.facts), p.seq))
        else {
            return Ok(());
        };
        let (writes, _) = self
            .prepare(snapshot, vec![(reference.to_string(), party)])
            .await?;
        // Made from the stored facts: it yields to a write of the party that came between.
        let writes: Vec<OutcomeWrite> = writes
            .into_iter()
            .map(|mut w| {
                w.alerts.clear();
                w.expect_seq = Some(seq);
                w
            })
            .collect();
        self.observe(self.store.write(&writes, None).await)?;
        Ok(())
    }

    /// The false-positive verdicts on a party, for a `Screen` call carrying its ref.
    pub async fn verdicts(&self, reference: &str) -> Result<Vec<StoredSuppression>, MonitorError> {
        self.observe(self.store.suppressions(&[reference.to_string()]).await)
    }

    /// Brings the in-memory book up to the store's latest writes; returns the last `seq` it
    /// read.
    async fn refresh_book(&self) -> Result<i64, MonitorError> {
        let mut book = self.book.lock().await;
        loop {
            // The seqs and facts hashes first: a re-screen rewrites every party it screens,
            // with the facts it had, so most need no reading.
            let page = self.observe(self.store.facts_hashes_after(book.seen_seq, 10_000).await)?;
            let Some(&(last, _, _)) = page.last() else {
                break;
            };
            let changed: Vec<String> = page
                .into_iter()
                .filter(|(_, r, hash)| !book.index.holds(r, fingerprint(hash)))
                .map(|(_, r, _)| r)
                .collect();
            // Read after the page: a party written again meanwhile comes with its newer
            // facts (keys only add up), and comes again in the next page, then unchanged.
            for p in self.observe(self.store.parties(&changed).await)? {
                let identifiers: Vec<String> =
                    p.facts.identifiers.iter().map(|(_, v)| v.clone()).collect();
                book.index.insert(&BookParty {
                    reference: &p.reference,
                    name: &p.facts.name,
                    parents: &p.facts.parents,
                    identifiers: &identifiers,
                    fingerprint: fingerprint(&p.facts_hash),
                });
            }
            book.seen_seq = last;
        }
        Ok(book.seen_seq)
    }

    /// How long the serving snapshot has served without the book re-screened against it.
    pub fn lag_seconds(&self) -> f64 {
        let serving = self.serving_snapshot();
        let s = self.status();
        match (serving, s.installed_at) {
            (Some(snap), Some(at)) if snap.version() != s.rescreened_version => {
                at.elapsed().as_secs_f64()
            }
            _ => 0.0,
        }
    }
}
