//! The store in PostgreSQL: for several replicas sharing one book, of which one, elected
//! through an advisory lock, re-screens.
//!
//! - **Commit order is cursor order.** Seqs and cursors come from the one-row `counters`
//!   table, which a write updates as its first statement; its row lock is held until the
//!   write commits, so a second writer takes its numbers only after the first has committed
//!   (a sequence would not do: numbers taken in one order can commit in another, and a
//!   reader paging by cursor would step over an alert that becomes visible later below
//!   its cursor). Every statement after that lock sees what earlier writers committed, so
//!   the check for already-stored alert ids is exact.
//! - **No deadlocks between writers.** `remove`, `start_job` and `finish_job` take the same
//!   row first, so every transaction that changes the book or the job state runs alone;
//!   `resolve` locks only the alert it resolves.
//! - **Batches are arrays.** A batch is sent as one `INSERT … SELECT FROM UNNEST(…)` per
//!   table, one array per column: a fixed statement (prepared once per connection) with no
//!   limit on rows from bound parameters. Key lists are arrays too (`= ANY($1)`).
//! - **Leadership.** [`PostgresStore::try_lead`] takes the session-level advisory lock
//!   [`LEADER_KEY`] on a connection of its own, outside the pool, which the returned lease
//!   owns; the lock lasts exactly as long as that session. [`Lease::held`] asks the
//!   session whether it still holds the lock; dropping the lease ends the session, and the
//!   server releases the lock with it (also when the process dies: the server sees the
//!   connection close).

use std::str::FromStr;
use std::time::Duration;

use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::{Connection, PgConnection, PgPool, Postgres};
use tokio::sync::Mutex;

use super::rows::{
    self, Batch, ALERT_COLUMNS, DISPOSITION_COLUMNS, PARTY_COLUMNS, SUPPRESSION_COLUMNS,
};
use super::{schema, Lease, Store, StoreError};
use crate::service::monitor::record::{
    Alert, Base, BasePrints, Disposition, Job, Micros, OutcomeWrite, PartyRecord, Stats,
    StoredSuppression, Verdict,
};

/// The advisory lock whose holder re-screens: the ASCII bytes of `clearanc` read as a
/// big-endian 64-bit integer, `0x636c656172616e63` (7164212576444837475). Advisory locks
/// are per database, so monitors of different databases on one server do not compete;
/// anything else taking this key in the same database would.
pub const LEADER_KEY: i64 = i64::from_be_bytes(*b"clearanc");

/// Connections in the pool (the lease's connection is not one of them).
const POOL_SIZE: u32 = 8;

/// How long a lease's check may take before the lease counts as lost.
const HELD_TIMEOUT: Duration = Duration::from_secs(5);

/// Rows per statement where a call can bring very many (a job's queue, a base's entries):
/// keeps each message to the server to a few megabytes.
const ROWS_PER_STATEMENT: usize = 50_000;

/// Takes the counters' row lock: the first statement of every transaction that writes the
/// book or the job state.
const LOCK_COUNTERS: &str = "SELECT 1 FROM counters WHERE id = 1 FOR UPDATE";

/// The store over one PostgreSQL database.
pub struct PostgresStore {
    pool: PgPool,
    /// For the lease's own connection.
    options: PgConnectOptions,
}

/// `url` with any password replaced, for error messages and logs.
fn redacted(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_string();
    };
    let authority_end = rest.find('/').unwrap_or(rest.len());
    let (authority, path) = rest.split_at(authority_end);
    match authority.rsplit_once('@') {
        Some((userinfo, host)) => match userinfo.split_once(':') {
            Some((user, _)) => format!("{scheme}://{user}:***@{host}{path}"),
            None => url.to_string(),
        },
        None => url.to_string(),
    }
}

impl PostgresStore {
    /// Connects to and migrates the database at `url` (`postgres://…`; the database must
    /// exist, its tables are created). Replicas may open it at the same time: the migrator
    /// serialises them with an advisory lock of its own.
    pub async fn open(url: &str) -> Result<PostgresStore, StoreError> {
        let url_error = |message: String| StoreError::Url {
            url: redacted(url),
            message,
        };
        let options = PgConnectOptions::from_str(url).map_err(|e| url_error(e.to_string()))?;
        let pool = PgPoolOptions::new()
            .max_connections(POOL_SIZE)
            .connect_with(options.clone())
            .await
            .map_err(|e| url_error(e.to_string()))?;
        schema::migrator(schema::POSTGRES).await?.run(&pool).await?;
        Ok(PostgresStore { pool, options })
    }

    async fn begin_write(&self) -> Result<sqlx::Transaction<'static, Postgres>, StoreError> {
        let mut tx = self.pool.begin().await?;
        sqlx::query(LOCK_COUNTERS).execute(&mut *tx).await?;
        Ok(tx)
    }

    /// A read-only transaction on one snapshot, for answers read with several statements.
    async fn begin_snapshot(&self) -> Result<sqlx::Transaction<'static, Postgres>, StoreError> {
        Ok(self
            .pool
            .begin_with("BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            .await?)
    }
}

/// The lease: the session that holds [`LEADER_KEY`]. `None` once the lease is lost.
struct PgLease {
    session: Mutex<Option<PgConnection>>,
}

#[tonic::async_trait]
impl Lease for PgLease {
    async fn held(&self) -> bool {
        let mut session = self.session.lock().await;
        let Some(conn) = session.as_mut() else {
            return false;
        };
        // pg_locks shows a 64-bit advisory key as its high and low 32 bits.
        let check = sqlx::query_scalar::<_, bool>(
            "SELECT EXISTS (SELECT 1 FROM pg_locks WHERE locktype = 'advisory' \
             AND pid = pg_backend_pid() AND granted AND objsubid = 1 \
             AND classid::int8 = $1 AND objid::int8 = $2)",
        )
        .bind((LEADER_KEY >> 32) & 0xffff_ffff)
        .bind(LEADER_KEY & 0xffff_ffff)
        .fetch_one(conn);
        match tokio::time::timeout(HELD_TIMEOUT, check).await {
            Ok(Ok(true)) => true,
            _ => {
                // Lost, or unanswered: end the session so that the lock is surely gone
                // before anyone acts on `false`.
                *session = None;
                false
            }
        }
    }
}

impl Drop for PgLease {
    fn drop(&mut self) {
        let Some(conn) = self.session.get_mut().take() else {
            return;
        };
        // A polite goodbye (Terminate) when a runtime is at hand; otherwise dropping the
        // connection closes its socket, which ends the session just the same.
        if let Ok(runtime) = tokio::runtime::Handle::try_current() {
            runtime.spawn(async move {
                let _ = conn.close().await;
            });
        }
    }
}

#[tonic::async_trait]
impl Store for PostgresStore {
    fn backend(&self) -> &'static str {
        "postgres"
    }

    async fn ping(&self) -> Result<(), StoreError> {
        sqlx::query("SELECT 1").execute(&self.pool).await?;
        Ok(())
    }

    async fn try_lead(&self) -> Result<Option<Box<dyn Lease>>, StoreError> {
        let mut conn = PgConnection::connect_with(&self.options).await?;
        let granted: bool = sqlx::query_scalar("SELECT pg_try_advisory_lock($1)")
            .bind(LEADER_KEY)
            .fetch_one(&mut conn)
            .await?;
        if !granted {
            // Nothing was taken; a failure to say goodbye changes nothing.
            let _ = conn.close().await;
            return Ok(None);
        }
        Ok(Some(Box::new(PgLease {
            session: Mutex::new(Some(conn)),
        })))
    }

    async fn write(
        &self,
        writes: &[OutcomeWrite],
        job: Option<i64>,
    ) -> Result<Vec<Alert>, StoreError> {
        if writes.is_empty() {
            return Ok(Vec::new());
        }
        let mut batch = Batch::prepare(writes)?;
        let count = batch.parties.len() as i64;
        // Every reference given leaves the job's queue, a stale write's too: the write that
        // came between screened it.
        let given: Vec<&str> = batch.references().collect();
        let mut tx = self.pool.begin().await?;
        // The counters row first: it orders this write after every other one (and so after
        // the write a stale one must yield to).
        let (last_seq, cursor): (i64, i64) = sqlx::query_as(
            "UPDATE counters SET party_seq = party_seq + $1 WHERE id = 1 \
             RETURNING party_seq, alert_cursor",
        )
        .bind(count)
        .fetch_one(&mut *tx)
        .await?;
        let conditional = batch.conditional();
        if !conditional.is_empty() {
            let current: std::collections::HashMap<String, i64> =
                sqlx::query_as("SELECT reference, seq FROM parties WHERE reference = ANY($1)")
                    .bind(&conditional)
                    .fetch_all(&mut *tx)
                    .await?
                    .into_iter()
                    .collect();
            batch.drop_stale(&current);
        }
        let references: Vec<&str> = batch.references().collect();
        let p = &batch.parties;
        sqlx::query(
            "INSERT INTO parties (reference, facts, facts_hash, outcome, decision, \
             snapshot_version, ownership, updated_at, seq) \
             SELECT * FROM UNNEST($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], \
             $6::text[], $7::bool[], $8::int8[], $9::int8[]) \
             ON CONFLICT (reference) DO UPDATE SET facts = excluded.facts, \
             facts_hash = excluded.facts_hash, outcome = excluded.outcome, \
             decision = excluded.decision, snapshot_version = excluded.snapshot_version, \
             ownership = excluded.ownership, updated_at = excluded.updated_at, \
             seq = excluded.seq",
        )
        .bind(&references)
        .bind(p.iter().map(|p| p.facts.as_str()).collect::<Vec<_>>())
        .bind(p.iter().map(|p| p.facts_hash).collect::<Vec<_>>())
        .bind(p.iter().map(|p| p.outcome.as_str()).collect::<Vec<_>>())
        .bind(p.iter().map(|p| p.decision).collect::<Vec<_>>())
        .bind(p.iter().map(|p| p.snapshot_version).collect::<Vec<_>>())
        .bind(p.iter().map(|p| p.ownership).collect::<Vec<_>>())
        .bind(p.iter().map(|p| p.updated_at).collect::<Vec<_>>())
        // A stale write leaves a gap in the seqs: they need only increase.
        .bind(
            (last_seq - count + 1..)
                .take(references.len())
                .collect::<Vec<i64>>(),
        )
        .execute(&mut *tx)
        .await?;
        let stored_hits = sqlx::query_as(
            "SELECT reference, entity_id, entity_hash FROM party_hits WHERE reference = ANY($1)",
        )
        .bind(&references)
        .fetch_all(&mut *tx)
        .await?;
        let changed = batch.changed_hits(stored_hits);
        if !changed.is_empty() {
            let changed_references: Vec<&str> = changed.iter().map(|p| p.reference).collect();
            sqlx::query("DELETE FROM party_hits WHERE reference = ANY($1)")
                .bind(&changed_references)
                .execute(&mut *tx)
                .await?;
            let h = rows::hit_rows(&changed);
            sqlx::query(
                "INSERT INTO party_hits (reference, entity_id, entity_hash) \
                 SELECT * FROM UNNEST($1::text[], $2::text[], $3::text[])",
            )
            .bind(h.iter().map(|h| h.reference).collect::<Vec<_>>())
            .bind(h.iter().map(|h| h.entity_id).collect::<Vec<_>>())
            .bind(h.iter().map(|h| h.entity_hash).collect::<Vec<_>>())
            .execute(&mut *tx)
            .await?;
        }

        let mut stored = Vec::new();
        if !batch.alerts.is_empty() {
            let ids: Vec<&str> = batch.alerts.iter().map(|a| a.alert.id.as_str()).collect();
            let existing: std::collections::HashSet<String> =
                sqlx::query_scalar("SELECT id FROM alerts WHERE id = ANY($1)")
                    .bind(&ids)
                    .fetch_all(&mut *tx)
                    .await?
                    .into_iter()
                    .collect();
            let new: Vec<_> = batch
                .alerts
                .iter()
                .filter(|a| !existing.contains(&a.alert.id))
                .collect();
            if !new.is_empty() {
                let last = cursor + new.len() as i64;
                sqlx::query(
                    "INSERT INTO alerts (id, reference, kind, previous_decision, decision, hits, \
                     from_version, to_version, facts_hash, created_at, cursor) \
                     SELECT * FROM UNNEST($1::text[], $2::text[], $3::text[], $4::text[], \
                     $5::text[], $6::text[], $7::text[], $8::text[], $9::text[], $10::int8[], \
                     $11::int8[])",
                )
                .bind(new.iter().map(|a| a.alert.id.as_str()).collect::<Vec<_>>())
                .bind(
                    new.iter()
                        .map(|a| a.alert.reference.as_str())
                        .collect::<Vec<_>>(),
                )
                .bind(new.iter().map(|a| a.kind).collect::<Vec<_>>())
                .bind(new.iter().map(|a| a.previous_decision).collect::<Vec<_>>())
                .bind(new.iter().map(|a| a.decision).collect::<Vec<_>>())
                .bind(new.iter().map(|a| a.hits.as_str()).collect::<Vec<_>>())
                .bind(
                    new.iter()
                        .map(|a| a.alert.from_version.as_deref())
                        .collect::<Vec<_>>(),
                )
                .bind(
                    new.iter()
                        .map(|a| a.alert.to_version.as_str())
                        .collect::<Vec<_>>(),
                )
                .bind(
                    new.iter()
                        .map(|a| a.alert.facts_hash.as_str())
                        .collect::<Vec<_>>(),
                )
                .bind(new.iter().map(|a| a.alert.created_at).collect::<Vec<_>>())
                .bind((cursor + 1..=last).collect::<Vec<i64>>())
                .execute(&mut *tx)
                .await?;
                sqlx::query("UPDATE counters SET alert_cursor = $1 WHERE id = 1")
                    .bind(last)
                    .execute(&mut *tx)
                    .await?;
                stored = rows::stored_alerts(&new, cursor + 1);
            }
        }
        if let Some(job) = job {
            sqlx::query("DELETE FROM job_queue WHERE job = $1 AND reference = ANY($2)")
                .bind(job)
                .bind(&given)
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        Ok(stored)
    }

    async fn remove(&self, reference: &str) -> Result<bool, StoreError> {
        let mut tx = self.begin_write().await?;
        let removed = sqlx::query("DELETE FROM parties WHERE reference = $1")
            .bind(reference)
            .execute(&mut *tx)
            .await?
            .rows_affected();
        for sql in [
            "DELETE FROM party_hits WHERE reference = $1",
            "DELETE FROM job_queue WHERE reference = $1",
        ] {
            sqlx::query(sql).bind(reference).execute(&mut *tx).await?;
        }
        tx.commit().await?;
        Ok(removed > 0)
    }

    async fn party(&self, reference: &str) -> Result<Option<PartyRecord>, StoreError> {
        let sql = format!("SELECT {PARTY_COLUMNS} FROM parties WHERE reference = $1");
        let row = sqlx::query(&sql)
            .bind(reference)
            .fetch_optional(&self.pool)
            .await?;
        row.as_ref().map(rows::party).transpose()
    }

    async fn parties(&self, references: &[String]) -> Result<Vec<PartyRecord>, StoreError> {
        if references.is_empty() {
            return Ok(Vec::new());
        }
        let sql = format!("SELECT {PARTY_COLUMNS} FROM parties WHERE reference = ANY($1)");
        let found = sqlx::query(&sql)
            .bind(references)
            .fetch_all(&self.pool)
            .await?;
        found.iter().map(rows::party).collect()
    }

    async fn parties_after(
        &self,
        after_seq: i64,
        limit: usize,
    ) -> Result<Vec<PartyRecord>, StoreError> {
        let sql =
            format!("SELECT {PARTY_COLUMNS} FROM parties WHERE seq > $1 ORDER BY seq LIMIT $2");
        let found = sqlx::query(&sql)
            .bind(after_seq)
            .bind(rows::limit(limit))
            .fetch_all(&self.pool)
            .await?;
        found.iter().map(rows::party).collect()
    }

    async fn facts_hashes_after(
        &self,
        after_seq: i64,
        limit: usize,
    ) -> Result<Vec<(i64, String, String)>, StoreError> {
        Ok(sqlx::query_as(
            "SELECT seq, reference, facts_hash FROM parties WHERE seq > $1 ORDER BY seq LIMIT $2",
        )
        .bind(after_seq)
        .bind(rows::limit(limit))
        .fetch_all(&self.pool)
        .await?)
    }

    async fn references_written_elsewhere(
        &self,
        after_seq: i64,
        versions: &[String],
    ) -> Result<Vec<String>, StoreError> {
        Ok(sqlx::query_scalar(
            "SELECT reference FROM parties WHERE seq > $1 AND NOT (snapshot_version = ANY($2))",
        )
        .bind(after_seq)
        .bind(versions)
        .fetch_all(&self.pool)
        .await?)
    }

    async fn references_with_hits_on(
        &self,
        entity_ids: &[String],
    ) -> Result<Vec<String>, StoreError> {
        if entity_ids.is_empty() {
            return Ok(Vec::new());
        }
        Ok(sqlx::query_scalar(
            "SELECT DISTINCT reference FROM party_hits WHERE entity_id = ANY($1)",
        )
        .bind(entity_ids)
        .fetch_all(&self.pool)
        .await?)
    }

    async fn references_with_ownership(&self) -> Result<Vec<String>, StoreError> {
        Ok(
            sqlx::query_scalar("SELECT reference FROM parties WHERE ownership")
                .fetch_all(&self.pool)
                .await?,
        )
    }

    async fn alerts_after(&self, after: i64, limit: usize) -> Result<Vec<Alert>, StoreError> {
        let sql = format!(
            "SELECT {ALERT_COLUMNS} FROM alerts WHERE cursor > $1 ORDER BY cursor LIMIT $2"
        );
        let found = sqlx::query(&sql)
            .bind(after)
            .bind(rows::limit(limit))
            .fetch_all(&self.pool)
            .await?;
        found.iter().map(rows::alert).collect()
    }

    async fn alert(&self, id: &str) -> Result<Option<Alert>, StoreError> {
        let sql = format!("SELECT {ALERT_COLUMNS} FROM alerts WHERE id = $1");
        let row = sqlx::query(&sql)
            .bind(id)
            .fetch_optional(&self.pool)
            .await?;
        row.as_ref().map(rows::alert).transpose()
    }

    async fn alerts_of(&self, reference: &str) -> Result<Vec<Alert>, StoreError> {
        let sql =
            format!("SELECT {ALERT_COLUMNS} FROM alerts WHERE reference = $1 ORDER BY cursor");
        let found = sqlx::query(&sql)
            .bind(reference)
            .fetch_all(&self.pool)
            .await?;
        found.iter().map(rows::alert).collect()
    }

    async fn resolve(
        &self,
        alert_id: &str,
        verdict: Verdict,
        note: &str,
        reviewer: &str,
        at: Micros,
    ) -> Result<Disposition, StoreError> {
        let mut tx = self.pool.begin().await?;
        // The alert's row lock orders two verdicts on one alert: the last to commit is
        // both the resolution and the last disposition.
        let found: Option<(String, String, String)> = sqlx::query_as(
            "SELECT reference, hits, facts_hash FROM alerts WHERE id = $1 FOR UPDATE",
        )
        .bind(alert_id)
        .fetch_optional(&mut *tx)
        .await?;
        let Some((reference, hits, facts_hash)) = found else {
            return Err(StoreError::NoAlert(alert_id.to_string()));
        };
        sqlx::query(
            "INSERT INTO dispositions (alert_id, reference, verdict, note, reviewer, at) \
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(alert_id)
        .bind(reference.as_str())
        .bind(verdict.as_str())
        .bind(note)
        .bind(reviewer)
        .bind(at)
        .execute(&mut *tx)
        .await?;
        sqlx::query(
            "UPDATE alerts SET resolution_verdict = $1, resolution_note = $2, \
             resolution_reviewer = $3, resolution_at = $4 WHERE id = $5",
        )
        .bind(verdict.as_str())
        .bind(note)
        .bind(reviewer)
        .bind(at)
        .bind(alert_id)
        .execute(&mut *tx)
        .await?;
        if verdict == Verdict::FalsePositive {
            let suppressed = rows::suppressed_hits(&hits, alert_id)?;
            sqlx::query(
                "INSERT INTO suppressions (reference, entity_id, entity_hash, facts_hash, \
                 alert_id, reviewer, note, at) \
                 SELECT $1::text, hit.entity_id, hit.entity_hash, $2::text, $3::text, $4::text, \
                 $5::text, $6::int8 FROM UNNEST($7::text[], $8::text[]) AS hit(entity_id, entity_hash) \
                 ON CONFLICT (alert_id, entity_id, entity_hash) DO UPDATE SET \
                 reviewer = excluded.reviewer, note = excluded.note, at = excluded.at",
            )
            .bind(reference.as_str())
            .bind(facts_hash.as_str())
            .bind(alert_id)
            .bind(reviewer)
            .bind(note)
            .bind(at)
            .bind(suppressed.iter().map(|(id, _)| id.as_str()).collect::<Vec<_>>())
            .bind(suppressed.iter().map(|(_, hash)| hash.as_str()).collect::<Vec<_>>())
            .execute(&mut *tx)
            .await?;
        } else {
            sqlx::query("DELETE FROM suppressions WHERE alert_id = $1")
                .bind(alert_id)
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        Ok(Disposition {
            alert_id: alert_id.to_string(),
            reference,
            verdict,
            note: note.to_string(),
            reviewer: reviewer.to_string(),
            at,
        })
    }

    async fn dispositions_of(&self, reference: &str) -> Result<Vec<Disposition>, StoreError> {
        let sql = format!(
            "SELECT {DISPOSITION_COLUMNS} FROM dispositions WHERE reference = $1 ORDER BY at, id"
        );
        let found = sqlx::query(&sql)
            .bind(reference)
            .fetch_all(&self.pool)
            .await?;
        found.iter().map(rows::disposition).collect()
    }

    async fn suppressions(
        &self,
        references: &[String],
    ) -> Result<Vec<StoredSuppression>, StoreError> {
        if references.is_empty() {
            return Ok(Vec::new());
        }
        let sql =
            format!("SELECT {SUPPRESSION_COLUMNS} FROM suppressions WHERE reference = ANY($1)");
        let found = sqlx::query(&sql)
            .bind(references)
            .fetch_all(&self.pool)
            .await?;
        found.iter().map(rows::suppression).collect()
    }

    async fn base(&self) -> Result<Option<(Base, BasePrints)>, StoreError> {
        let mut tx = self.begin_snapshot().await?;
        let found: Option<(String, String, String, i64)> =
            sqlx::query_as("SELECT version, as_of, policy_digest, seq FROM base WHERE id = 1")
                .fetch_optional(&mut *tx)
                .await?;
        let Some((version, as_of, policy_digest, seq)) = found else {
            return Ok(None);
        };
        let entities =
            sqlx::query_as("SELECT entity_id, hash FROM base_entities ORDER BY entity_id")
                .fetch_all(&mut *tx)
                .await?;
        let words = sqlx::query_as("SELECT word, print FROM base_words ORDER BY word")
            .fetch_all(&mut *tx)
            .await?;
        tx.commit().await?;
        let base = Base {
            version,
            as_of,
            policy_digest,
            seq,
        };
        Ok(Some((base, BasePrints { entities, words })))
    }

    async fn start_job(
        &self,
        from_version: Option<&str>,
        to_version: &str,
        references: &[String],
    ) -> Result<i64, StoreError> {
        let mut tx = self.begin_write().await?;
        for sql in ["DELETE FROM job_queue", "DELETE FROM jobs"] {
            sqlx::query(sql).execute(&mut *tx).await?;
        }
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO jobs (from_version, to_version, started_at) VALUES ($1, $2, $3) \
             RETURNING id",
        )
        .bind(from_version)
        .bind(to_version)
        .bind(rows::now_micros())
        .fetch_one(&mut *tx)
        .await?;
        for chunk in references.chunks(ROWS_PER_STATEMENT) {
            sqlx::query(
                "INSERT INTO job_queue (job, reference) SELECT $1, r FROM UNNEST($2::text[]) AS r \
                 ON CONFLICT DO NOTHING",
            )
            .bind(id)
            .bind(chunk)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(id)
    }

    async fn pending_job(&self) -> Result<Option<Job>, StoreError> {
        let mut tx = self.begin_snapshot().await?;
        let found: Option<(i64, Option<String>, String)> = sqlx::query_as(
            "SELECT id, from_version, to_version FROM jobs ORDER BY id DESC LIMIT 1",
        )
        .fetch_optional(&mut *tx)
        .await?;
        let Some((id, from_version, to_version)) = found else {
            return Ok(None);
        };
        let remaining =
            sqlx::query_scalar("SELECT reference FROM job_queue WHERE job = $1 ORDER BY reference")
                .bind(id)
                .fetch_all(&mut *tx)
                .await?;
        tx.commit().await?;
        Ok(Some(Job {
            id,
            from_version,
            to_version,
            remaining,
        }))
    }

    async fn finish_job(
        &self,
        job: i64,
        base: &Base,
        prints: &BasePrints,
    ) -> Result<(), StoreError> {
        let mut tx = self.begin_write().await?;
        let ended = sqlx::query("DELETE FROM jobs WHERE id = $1")
            .bind(job)
            .execute(&mut *tx)
            .await?
            .rows_affected();
        if ended == 0 {
            return Err(StoreError::NoJob(job));
        }
        sqlx::query("DELETE FROM job_queue WHERE job = $1")
            .bind(job)
            .execute(&mut *tx)
            .await?;
        sqlx::query(
            "INSERT INTO base (id, version, as_of, policy_digest, seq) VALUES (1, $1, $2, $3, $4) \
             ON CONFLICT (id) DO UPDATE SET version = excluded.version, \
             as_of = excluded.as_of, policy_digest = excluded.policy_digest, seq = excluded.seq",
        )
        .bind(base.version.as_str())
        .bind(base.as_of.as_str())
        .bind(base.policy_digest.as_str())
        .bind(base.seq)
        .execute(&mut *tx)
        .await?;
        sqlx::query("DELETE FROM base_entities")
            .execute(&mut *tx)
            .await?;
        for chunk in prints.entities.chunks(ROWS_PER_STATEMENT) {
            sqlx::query(
                "INSERT INTO base_entities (entity_id, hash) \
                 SELECT * FROM UNNEST($1::text[], $2::text[]) ON CONFLICT DO NOTHING",
            )
            .bind(chunk.iter().map(|(id, _)| id.as_str()).collect::<Vec<_>>())
            .bind(
                chunk
                    .iter()
                    .map(|(_, hash)| hash.as_str())
                    .collect::<Vec<_>>(),
            )
            .execute(&mut *tx)
            .await?;
        }
        sqlx::query("DELETE FROM base_words")
            .execute(&mut *tx)
            .await?;
        for chunk in prints.words.chunks(ROWS_PER_STATEMENT) {
            sqlx::query(
                "INSERT INTO base_words (word, print) \
                 SELECT * FROM UNNEST($1::text[], $2::bigint[]) ON CONFLICT DO NOTHING",
            )
            .bind(chunk.iter().map(|(w, _)| w.as_str()).collect::<Vec<_>>())
            .bind(chunk.iter().map(|(_, p)| *p).collect::<Vec<_>>())
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    async fn stats(&self, now: Micros) -> Result<Stats, StoreError> {
        let parties: i64 = sqlx::query_scalar("SELECT count(*) FROM parties")
            .fetch_one(&self.pool)
            .await?;
        let kinds: Vec<(String, i64)> =
            sqlx::query_as("SELECT kind, count(*) FROM alerts GROUP BY kind")
                .fetch_all(&self.pool)
                .await?;
        let [day, week, month] = rows::OPEN_AGE_LIMITS.map(|age| now.saturating_sub(age));
        let open: (i64, i64, i64, i64) = sqlx::query_as(
            "SELECT count(*) FILTER (WHERE created_at > $1), \
             count(*) FILTER (WHERE created_at <= $1 AND created_at > $2), \
             count(*) FILTER (WHERE created_at <= $2 AND created_at > $3), \
             count(*) FILTER (WHERE created_at <= $3) \
             FROM alerts WHERE resolution_verdict IS NULL",
        )
        .bind(day)
        .bind(week)
        .bind(month)
        .fetch_one(&self.pool)
        .await?;
        rows::stats(parties, &kinds, open)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redaction_hides_only_the_password() {
        assert_eq!(
            redacted("postgres://app:s3cret@db:5432/book?sslmode=disable"),
            "postgres://app:***@db:5432/book?sslmode=disable"
        );
        assert_eq!(redacted("postgres://app@db/book"), "postgres://app@db/book");
        assert_eq!(redacted("postgres:///book"), "postgres:///book");
    }

    #[test]
    fn the_leader_key_is_the_documented_number() {
        assert_eq!(LEADER_KEY, 0x636c_6561_7261_6e63);
        assert_eq!(LEADER_KEY, 7_164_212_576_444_837_475);
    }
}
