//! Re-screening the book: by difference when a snapshot is accepted or a rule's date comes,
//! or the whole book when the policy changed; and the worker that does it in one process.
//!
//! A job goes:
//! 1. the delta between the entries' content hashes stored with the base (the version the
//!    book was last brought up to) and the new snapshot's;
//! 2. the parties it can affect: those whose names the changed entries can match (the book
//!    index, [`crate::engine::book`]), those with a hit on a changed or removed entry, those
//!    written since the base against another snapshot, and on a rule's or ownership record's
//!    date those whose outcome depends on ownership (and every party the ownership graph's
//!    entries can match);
//! 3. the job and its queue of parties are stored; each batch of parties is screened and
//!    its outcomes, alerts and removal from the queue are committed in one transaction;
//! 4. the new base and its entries' hashes are stored, ending the job.
//!
//! A process killed at any point resumes at start-up: an unfinished job for the serving
//! snapshot continues with the parties still queued (those committed are not done twice, and
//! an alert stored already is not stored again: its id is its content); a job for another
//! snapshot is replaced by one from the same base, which covers the parties it had done.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use jiff::civil::Date;

use super::outcome::{self, AlertContext};
use super::record::{Base, BasePrints, Micros, OutcomeWrite, PartyRecord, StoredSuppression};
use super::{micros, Monitor, MonitorError, Screened};
use crate::engine::changes::Delta;
use crate::engine::screen::{Party, Snapshot};

/// Parties screened by one batch, with what the book holds of them.
pub struct Work {
    items: Vec<(String, Party)>,
    stored: HashMap<String, PartyRecord>,
    verdicts: HashMap<String, Vec<StoredSuppression>>,
}

impl Work {
    pub fn new(
        items: Vec<(String, Party)>,
        stored: Vec<PartyRecord>,
        verdicts: Vec<StoredSuppression>,
    ) -> Work {
        let mut by_party: HashMap<String, Vec<StoredSuppression>> = HashMap::new();
        for v in verdicts {
            by_party.entry(v.reference.clone()).or_default().push(v);
        }
        Work {
            items,
            stored: stored
                .into_iter()
                .map(|p| (p.reference.clone(), p))
                .collect(),
            verdicts: by_party,
        }
    }

    /// Screens every party (on all cores) and says what to write for each.
    pub fn screen_all(
        self,
        snapshot: &Snapshot,
        today: Date,
        at: Micros,
    ) -> Vec<(OutcomeWrite, Screened)> {
        let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
        let chunk = self.items.len().div_ceil(threads).max(1);
        let work = &self;
        std::thread::scope(|scope| {
            let handles: Vec<_> = work
                .items
                .chunks(chunk)
                .map(|items| {
                    scope.spawn(move || {
                        items
                            .iter()
                            .map(|(reference, party)| {
                                work.screen_one(snapshot, reference, party, today, at)
                            })
                            .collect::<Vec<_>>()
                    })
                })
                .collect();
            handles
                .into_iter()
                .flat_map(|h| h.join().unwrap_or_else(|p| std::panic::resume_unwind(p)))
                .collect()
        })
    }

    fn screen_one(
        &self,
        snapshot: &Snapshot,
        reference: &str,
        party: &Party,
        today: Date,
        at: Micros,
    ) -> (OutcomeWrite, Screened) {
        let facts = outcome::facts_of(party);
        let facts_hash = outcome::facts_hash(&facts);
        let verdicts = self.verdicts.get(reference).map_or(&[][..], Vec::as_slice);
        let (screening, suppressions) =
            outcome::screen(snapshot, party, &facts_hash, verdicts, today);
        let new = outcome::outcome_of(snapshot, &screening, &suppressions);
        let ctx = AlertContext {
            reference,
            facts_hash: &facts_hash,
            at,
        };
        let alerts = outcome::alerts(&ctx, self.stored.get(reference).map(|p| &p.outcome), &new);
        let write = OutcomeWrite {
            reference: reference.to_string(),
            ownership: outcome::depends_on_dates(party, &new),
            facts,
            facts_hash,
            outcome: new,
            alerts,
            at,
            expect_seq: None,
        };
        let screened = Screened {
            alerts: write.alerts.len(),
            screening,
            suppressions,
        };
        (write, screened)
    }
}

/// Which parties a job re-screens.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Those the difference can affect.
    Difference,
    /// Every party of the book (the reference a difference is checked against, and what a
    /// changed policy needs).
    Full,
}

/// What a job did.
#[derive(Debug, Clone, PartialEq)]
pub struct JobReport {
    pub from_version: Option<String>,
    pub to_version: String,
    pub as_of: String,
    /// Whether every party was re-screened (a changed policy, asked for, or `wide`).
    pub full: bool,
    /// Whether the change reached more of the book than `[monitoring] full_pass_above`, so
    /// that the whole book was re-screened in its stored order.
    pub wide: bool,
    /// Entries added or changed, and removed, since the base.
    pub changed: usize,
    pub removed: usize,
    /// Of `changed`, those new or changed in what matching reads (their names were looked
    /// up in the book).
    pub rematched: usize,
    /// Words and acronym keys read differently by matching (their parties were re-screened).
    pub reprinted: usize,
    /// Parties re-screened.
    pub parties: usize,
    /// Alerts stored.
    pub alerts: usize,
    /// Whether it continued a job a killed process left.
    pub resumed: bool,
    /// Of `seconds`, the time spent finding the parties to re-screen (the difference, the
    /// book's index, the stored hits).
    pub finding_seconds: f64,
    pub seconds: f64,
}

impl std::fmt::Display for JobReport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} -> {} as of {}: {} changed ({} in what matching reads) and {} removed entries, \
             {} words read differently, {} parties re-screened{}, {} alerts, {:.2} s \
             ({:.2} s finding them){}",
            self.from_version.as_deref().unwrap_or("(none)"),
            self.to_version,
            self.as_of,
            self.changed,
            self.rematched,
            self.removed,
            self.reprinted,
            self.parties,
            match (self.full, self.wide) {
                (true, true) => " (the whole book: the change reached most of it)",
                (true, false) => " (the whole book)",
                _ => "",
            },
            self.alerts,
            self.seconds,
            self.finding_seconds,
            if self.resumed { " (resumed)" } else { "" },
        )
    }
}

impl Monitor {
    /// Brings the book up to `snapshot` on today's date; `None` when it already is.
    pub async fn rescreen(
        &self,
        snapshot: &Arc<Snapshot>,
        mode: Mode,
    ) -> Result<Option<JobReport>, MonitorError> {
        let started = Instant::now();
        let today = self.clock.today();
        let target = snapshot.version().to_string();
        let prints = {
            let s = snapshot.clone();
            tokio::task::spawn_blocking(move || {
                s.fingerprints();
            })
            .await
            .map_err(|_| MonitorError::NotReady)?;
            snapshot.fingerprints()
        };
        let base = self.observe(self.store.base().await)?;
        let pending = self.observe(self.store.pending_job().await)?;
        let up_to_date = |b: &Base| {
            b.version == target
                && b.as_of == today.to_string()
                && b.policy_digest == prints.policy_digest()
        };
        if mode == Mode::Difference
            && pending.is_none()
            && base.as_ref().is_some_and(|(b, _)| up_to_date(b))
        {
            return Ok(None);
        }
        let watermark = self.refresh_book().await?;
        let mut report = JobReport {
            from_version: base.as_ref().map(|(b, _)| b.version.clone()),
            to_version: target.clone(),
            as_of: today.to_string(),
            full: false,
            wide: false,
            changed: 0,
            removed: 0,
            rematched: 0,
            reprinted: 0,
            parties: 0,
            alerts: 0,
            resumed: false,
            finding_seconds: 0.0,
            seconds: 0.0,
        };
        let (job, queue) = match pending.filter(|j| j.to_version == target) {
            Some(j) => {
                report.resumed = true;
                (j.id, j.remaining)
            }
            None => {
                let finding = std::time::Instant::now();
                let refs = self
                    .affected(snapshot, base.as_ref(), mode, today, &mut report)
                    .await?;
                report.finding_seconds = finding.elapsed().as_secs_f64();
                let from = base.as_ref().map(|(b, _)| b.version.as_str());
                let job = self.observe(self.store.start_job(from, &target, &refs).await)?;
                (job, refs)
            }
        };
        tracing::info!(
            parties = queue.len(),
            from = report.from_version.as_deref().unwrap_or(""),
            to = %target,
            resumed = report.resumed,
            "monitoring: re-screening"
        );
        for chunk in queue.chunks(self.config.batch.max(1)) {
            let _one_writer = self.writing.lock().await;
            let stored = self.observe(self.store.parties(chunk).await)?;
            let verdicts = self.observe(self.store.suppressions(chunk).await)?;
            let items: Vec<(String, Party)> = stored
                .iter()
                .map(|p| (p.reference.clone(), outcome::party_of(&p.facts)))
                .collect();
            report.parties += items.len();
            // Each write holds only while the party is as read: another replica may write it
            // meanwhile (see `OutcomeWrite::expect_seq`).
            let read: HashMap<String, i64> = stored
                .iter()
                .map(|p| (p.reference.clone(), p.seq))
                .collect();
            let work = Work::new(items, stored, verdicts);
            let (snap, at) = (snapshot.clone(), micros(self.clock.now()));
            let results = tokio::task::spawn_blocking(move || work.screen_all(&snap, today, at))
                .await
                .map_err(|_| MonitorError::NotReady)?;
            let writes: Vec<OutcomeWrite> = results
                .into_iter()
                .map(|(mut w, _)| {
                    w.expect_seq = read.get(&w.reference).copied();
                    w
                })
                .collect();
            let alerts = self.observe(self.store.write(&writes, Some(job)).await)?;
            report.alerts += alerts.len();
            self.committed(&alerts);
        }
        let new_base = Base {
            version: target.clone(),
            as_of: today.to_string(),
            policy_digest: prints.policy_digest().to_string(),
            seq: watermark,
        };
        let base_prints = BasePrints {
            entities: prints
                .entries(snapshot)
                .map(|(id, h)| (id.to_string(), h.to_string()))
                .collect(),
            words: prints
                .words()
                .map(|(w, p)| (w.to_string(), p as i64))
                .collect(),
        };
        self.observe(self.store.finish_job(job, &new_base, &base_prints).await)?;
        report.seconds = started.elapsed().as_secs_f64();
        self.metrics.monitoring_rescreened(
            report.changed + report.removed,
            report.parties,
            report.seconds,
        );
        self.update_status(|s| {
            s.rescreened_version = target.clone();
            s.last_rescreen = report.to_string();
        });
        Ok(Some(report))
    }

    /// The parties a job from `base` to `snapshot` on `today` must re-screen.
    async fn affected(
        &self,
        snapshot: &Snapshot,
        base: Option<&(Base, BasePrints)>,
        mode: Mode,
        today: Date,
        report: &mut JobReport,
    ) -> Result<Vec<String>, MonitorError> {
        let target = snapshot.version();
        let prints = snapshot.fingerprints();
        let whole = match base {
            _ if mode == Mode::Full => true,
            None => false,
            // A base recorded before words had prints: what matching read of them is unknown.
            Some((b, p)) => {
                b.policy_digest != prints.policy_digest()
                    || (p.words.is_empty() && !p.entities.is_empty())
            }
        };
        if whole {
            return self.whole_book(report, false).await;
        }
        // Written since the base against another snapshot (another replica's, or one the
        // worker never re-screened against).
        let (since, mut versions) = match base {
            Some((b, _)) => (b.seq, vec![b.version.clone()]),
            None => (0, Vec::new()),
        };
        versions.push(target.to_string());
        let mut refs: Vec<String> = self.observe(
            self.store
                .references_written_elsewhere(since, &versions)
                .await,
        )?;
        let Some((b, before)) = base else {
            return Ok(refs);
        };
        let entries: HashMap<String, String> = before.entities.iter().cloned().collect();
        // Prints are stored as the database's signed integers, bit for bit.
        let words: HashMap<String, u64> = before
            .words
            .iter()
            .map(|(w, p)| (w.clone(), *p as u64))
            .collect();
        let delta = Delta::between(&entries, &words, snapshot);
        report.reprinted = delta.reprinted.len();
        report.changed = delta.changed.len();
        report.rematched = delta.rematch.len();
        report.removed = delta.removed.len();
        let index = &snapshot.index;
        // A rule or record that started or stopped applying: the entries in the ownership
        // graph may be judged differently, and so may whoever resembles them.
        let mut in_graph: Vec<u32> = Vec::new();
        let old_date = b.as_of.parse::<Date>().unwrap_or(today);
        if prints.changes_between(old_date, today) {
            refs.extend(self.observe(self.store.references_with_ownership().await)?);
            let graph = &snapshot.ownership;
            for e in graph.edges() {
                in_graph.push(graph.entity(e.owner));
                in_graph.push(graph.entity(e.owned));
            }
            in_graph.sort_unstable();
            in_graph.dedup();
            in_graph.retain(|o| delta.rematch.binary_search(o).is_err());
        }
        let limit;
        {
            let mut book = self.book.lock().await;
            limit = self.whole_book_limit(book.index.live());
            let Some(reached) = book.index.reached_within(&delta, snapshot, limit) else {
                drop(book);
                return self.whole_book(report, true).await;
            };
            refs.extend(reached);
            refs.extend(
                book.index
                    .candidates(in_graph.iter().map(|&o| index.entity(o))),
            );
        }
        let mut ids: Vec<String> = delta
            .changed
            .iter()
            .map(|&o| index.entity(o).id.clone())
            .collect();
        ids.extend(delta.removed.iter().cloned());
        for chunk in ids.chunks(10_000) {
            refs.extend(self.observe(self.store.references_with_hits_on(chunk).await)?);
        }
        refs.sort_unstable();
        refs.dedup();
        if refs.len() > limit {
            return self.whole_book(report, true).await;
        }
        Ok(refs)
    }

    /// Every party, for a job that re-screens the whole book; `wide` when the change reached
    /// past `full_pass_above`.
    async fn whole_book(
        &self,
        report: &mut JobReport,
        wide: bool,
    ) -> Result<Vec<String>, MonitorError> {
        report.full = true;
        report.wide = wide;
        self.all_references().await
    }

    /// Most parties of a book of `parties` a job re-screens one by one
    /// ([`super::MonitoringConfig::full_pass_above`]); past it, it re-screens them all.
    fn whole_book_limit(&self, parties: usize) -> usize {
        let share = self.config.full_pass_above;
        if share >= 1.0 {
            usize::MAX
        } else {
            (parties as f64 * share.max(0.0)) as usize
        }
    }

    async fn all_references(&self) -> Result<Vec<String>, MonitorError> {
        let mut refs = Vec::new();
        let mut after = 0;
        loop {
            let page = self.observe(self.store.facts_hashes_after(after, 10_000).await)?;
            let Some(&(last, _, _)) = page.last() else {
                break;
            };
            after = last;
            refs.extend(page.into_iter().map(|(_, r, _)| r));
        }
        Ok(refs)
    }

    /// The worker: becomes the one re-screening process (retrying while another holds the
    /// lease), then brings the book up to every snapshot the server installs and to every new
    /// day, until `stop` turns true. Errors are logged and retried; screening never waits on
    /// monitoring.
    pub async fn run(self: Arc<Self>, mut stop: tokio::sync::watch::Receiver<bool>) {
        let retry = Duration::from_secs(self.config.lead_retry_seconds.max(1));
        let mut serving = self.serving.subscribe();
        loop {
            let lease = loop {
                if *stop.borrow() {
                    return;
                }
                let attempt = self.store.try_lead().await;
                match self.observe(attempt) {
                    Ok(Some(lease)) => break lease,
                    Ok(None) => {}
                    Err(e) => tracing::warn!(error = %e, "monitoring: cannot reach the database"),
                }
                tokio::select! {
                    _ = tokio::time::sleep(retry) => {}
                    _ = stop.changed() => {}
                }
            };
            tracing::info!(
                backend = self.store.backend(),
                "monitoring: this process re-screens the book"
            );
            self.update_status(|s| s.worker = true);
            let mut done: Option<(String, Date)> = None;
            loop {
                if *stop.borrow() {
                    return;
                }
                if !lease.held().await {
                    tracing::warn!("monitoring: lost the worker's lease; trying again");
                    break;
                }
                let snapshot = self.serving_snapshot();
                if let Some(snap) = snapshot.filter(|s| {
                    done.as_ref() != Some(&(s.version().to_string(), self.clock.today()))
                }) {
                    match self.rescreen(&snap, Mode::Difference).await {
                        Ok(report) => {
                            if let Some(r) = report {
                                tracing::info!("monitoring: re-screened {r}");
                            }
                            done = Some((snap.version().to_string(), self.clock.today()));
                        }
                        Err(e) => {
                            tracing::warn!(error = %e, "monitoring: re-screen failed; retrying");
                            tokio::select! {
                                _ = tokio::time::sleep(retry) => {}
                                _ = stop.changed() => {}
                            }
                            continue;
                        }
                    }
                }
                self.publish_stats().await;
                // A new snapshot, the next check of the date, or the end.
                tokio::select! {
                    _ = serving.changed() => {}
                    _ = tokio::time::sleep(Duration::from_secs(60)) => {}
                    _ = stop.changed() => {}
                }
            }
            self.update_status(|s| s.worker = false);
        }
    }

    /// Book size and open alerts by age, into the metrics.
    pub async fn publish_stats(&self) {
        let now = micros(self.clock.now());
        if let Ok(stats) = self.observe(self.store.stats(now).await) {
            self.metrics
                .monitoring_stats(stats.parties, stats.open_by_age);
        }
        self.metrics.monitoring_lag(self.lag_seconds());
    }
}
