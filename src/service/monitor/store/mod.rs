//! The monitoring store: one interface ([`Store`]) over two databases, an embedded SQLite
//! file (the default; one serving process) and PostgreSQL (several replicas, which elect
//! the one re-screening worker through an advisory lock). Each has its own versioned
//! migrations, applied in order at [`open`].
//!
//! The guarantees the monitor builds on:
//! - [`Store::write`] commits a batch of parties' outcomes, their alerts and the removal of
//!   those parties from a job's queue in one transaction;
//! - alert cursors are assigned inside that transaction and increase strictly in commit
//!   order, so an alert is never visible before one with a smaller cursor;
//! - an alert whose `id` is already stored is not stored again.
//!
//! `sqlite.rs` and `postgres.rs` hold the backends, `schema.rs` their migrations (the SQL
//! files under `migrations/`), `rows.rs` what they share between records and rows.

pub mod postgres;
mod rows;
mod schema;
pub mod sqlite;

use std::sync::Arc;

use super::record::{
    Alert, Base, BasePrints, Disposition, Job, Micros, OutcomeWrite, PartyRecord, Stats,
    StoredSuppression, Verdict,
};

/// Why the store failed.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("monitoring database {url}: {message}")]
    Url { url: String, message: String },
    #[error("monitoring database: {0}")]
    Database(#[from] sqlx::Error),
    #[error("monitoring database migration: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    /// A stored JSON column did not read back (written by another version?).
    #[error("monitoring database: {table}.{column} of {key}: {message}")]
    Corrupt {
        table: &'static str,
        column: &'static str,
        key: String,
        message: String,
    },
    /// A record could not be encoded as JSON for its column.
    #[error("monitoring database: could not encode {table}.{column} of {key}: {message}")]
    Encode {
        table: &'static str,
        column: &'static str,
        key: String,
        message: String,
    },
    #[error("no alert {0:?}")]
    NoAlert(String),
    /// [`Store::finish_job`] of a job that is not the unfinished one (another
    /// [`Store::start_job`] replaced it, or it was finished already).
    #[error("no unfinished re-screening job {0}")]
    NoJob(i64),
}

/// A held leadership: the holder is the one process that re-screens. Dropping it gives it up.
#[tonic::async_trait]
pub trait Lease: Send + Sync {
    /// Whether the lease still holds (for PostgreSQL: the session holding the advisory lock is
    /// still alive and holds it). Once false, always false: the holder must stop
    /// re-screening and try to lead again.
    async fn held(&self) -> bool;
}

/// The book, its alerts and dispositions, and the re-screening's state.
#[tonic::async_trait]
pub trait Store: Send + Sync {
    /// "sqlite" or "postgres", for logs and metrics.
    fn backend(&self) -> &'static str;

    /// Whether the database answers (readiness).
    async fn ping(&self) -> Result<(), StoreError>;

    /// Tries to become the re-screening worker; `None` while another process holds it.
    async fn try_lead(&self) -> Result<Option<Box<dyn Lease>>, StoreError>;

    // The book.

    /// Writes parties' outcomes (inserting or replacing each party and its hits), inserts
    /// their alerts (skipping ids already stored, assigning cursors to the rest), and removes
    /// the parties from `job`'s queue, all in one transaction. Returns the alerts stored,
    /// with their cursors. A reference written twice in one call keeps its last write; an
    /// alert id given twice is stored once.
    async fn write(
        &self,
        writes: &[OutcomeWrite],
        job: Option<i64>,
    ) -> Result<Vec<Alert>, StoreError>;

    /// Removes a party and its hits, and takes it out of a job's queue (its alerts,
    /// dispositions and suppressions stay); false if unknown.
    async fn remove(&self, reference: &str) -> Result<bool, StoreError>;

    async fn party(&self, reference: &str) -> Result<Option<PartyRecord>, StoreError>;

    /// The parties among `references` that exist, in any order.
    async fn parties(&self, references: &[String]) -> Result<Vec<PartyRecord>, StoreError>;

    /// Up to `limit` parties with `seq > after_seq`, by increasing `seq`: the whole book page
    /// by page, or what was written since.
    async fn parties_after(
        &self,
        after_seq: i64,
        limit: usize,
    ) -> Result<Vec<PartyRecord>, StoreError>;

    /// Up to `limit` `(seq, reference, facts_hash)` of the parties with `seq > after_seq`, by
    /// increasing `seq`: what was written since, without reading the rows (a re-screen
    /// writes every party it screens, and most come back with the facts they had).
    async fn facts_hashes_after(
        &self,
        after_seq: i64,
        limit: usize,
    ) -> Result<Vec<(i64, String, String)>, StoreError>;

    /// References of the parties with `seq > after_seq` whose outcome came from none of
    /// `versions`: written since against another snapshot.
    async fn references_written_elsewhere(
        &self,
        after_seq: i64,
        versions: &[String],
    ) -> Result<Vec<String>, StoreError>;

    /// References of the parties with a hit on any of `entity_ids`.
    async fn references_with_hits_on(
        &self,
        entity_ids: &[String],
    ) -> Result<Vec<String>, StoreError>;

    /// References of the parties whose `ownership` flag is set.
    async fn references_with_ownership(&self) -> Result<Vec<String>, StoreError>;

    // Alerts and verdicts.

    /// Up to `limit` alerts with `cursor > after`, by increasing cursor.
    async fn alerts_after(&self, after: i64, limit: usize) -> Result<Vec<Alert>, StoreError>;

    async fn alert(&self, id: &str) -> Result<Option<Alert>, StoreError>;

    /// A party's alerts, oldest first.
    async fn alerts_of(&self, reference: &str) -> Result<Vec<Alert>, StoreError>;

    /// Records a verdict on an alert (the alert's `resolution` becomes it). A
    /// `FalsePositive` stores a suppression for each of the alert's hits, for the alert's
    /// party and `facts_hash`; any other verdict removes the suppressions an earlier
    /// `FalsePositive` on the same alert stored (the reviewer changed their mind: the hits
    /// count again). Fails with [`StoreError::NoAlert`].
    async fn resolve(
        &self,
        alert_id: &str,
        verdict: Verdict,
        note: &str,
        reviewer: &str,
        at: Micros,
    ) -> Result<Disposition, StoreError>;

    /// A party's verdicts, oldest first.
    async fn dispositions_of(&self, reference: &str) -> Result<Vec<Disposition>, StoreError>;

    /// The suppressions stored for these parties.
    async fn suppressions(
        &self,
        references: &[String],
    ) -> Result<Vec<StoredSuppression>, StoreError>;

    // The re-screening's state.

    /// The version the book was last re-screened against, and that snapshot's fingerprints;
    /// `None` before the first.
    async fn base(&self) -> Result<Option<(Base, BasePrints)>, StoreError>;

    /// Starts a job over `references` (replacing any unfinished one).
    async fn start_job(
        &self,
        from_version: Option<&str>,
        to_version: &str,
        references: &[String],
    ) -> Result<i64, StoreError>;

    /// The unfinished job, with the parties it has not done yet.
    async fn pending_job(&self) -> Result<Option<Job>, StoreError>;

    /// Ends a job and records the new base and its fingerprints (replacing the previous
    /// ones), in one transaction. Fails with [`StoreError::NoJob`] when `job` is not the
    /// unfinished job, and then changes nothing.
    async fn finish_job(
        &self,
        job: i64,
        base: &Base,
        prints: &BasePrints,
    ) -> Result<(), StoreError>;

    /// Counts for the metrics, with ages measured at `now`: every kind appears in
    /// `alerts_by_kind`, and the age buckets of open (never resolved) alerts are disjoint.
    async fn stats(&self, now: Micros) -> Result<Stats, StoreError>;
}

/// Opens (creating it if needed) and migrates the database at `url`: `sqlite://PATH`
/// (relative paths against the working directory; `sqlite::memory:` for tests) or
/// `postgres://…` / `postgresql://…`.
pub async fn open(url: &str) -> Result<Arc<dyn Store>, StoreError> {
    if url.starts_with("sqlite:") {
        Ok(Arc::new(sqlite::SqliteStore::open(url).await?))
    } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        Ok(Arc::new(postgres::PostgresStore::open(url).await?))
    } else {
        Err(StoreError::Url {
            url: url.to_string(),
            message: "expected sqlite://PATH or postgres://…".to_string(),
        })
    }
}
