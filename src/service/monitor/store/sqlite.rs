//! The store in an embedded SQLite file: the default, for one serving process.
//!
//! - **One process per file.** Nothing stops a second process from opening the file, but
//!   two monitors would both re-screen: [`SqliteStore::try_lead`] always grants, since
//!   with one process there is no one to elect.
//! - **One writer, several readers.** Writes go through a pool of one connection, each in
//!   a `BEGIN IMMEDIATE` transaction, so they queue in the process instead of meeting
//!   `SQLITE_BUSY` in the database; reads use a pool of their own and, in WAL mode, see the
//!   last committed state without waiting for a write in progress. Counters need no lock
//!   beyond that: `BEGIN IMMEDIATE` holds the database's write lock from the start of a
//!   write to its commit, so the order seqs and cursors are taken in is the order they
//!   commit in (even for a second store on the same file).
//! - **Durable on commit.** WAL mode with `synchronous=FULL`: every commit is fsynced, so
//!   an acknowledged write survives a crash of the machine, not only of the process. With
//!   `NORMAL` a commit reaches the OS but not the disk, which survives a `SIGKILL` of the
//!   process but not a power loss; after one, the last transactions would be gone while
//!   their alert cursors may already have been read by a consumer, and the next alerts
//!   would be given those cursors again, so the consumer would skip them. A write commits a
//!   batch of parties (1,000 in the monitor), so the fsync is paid once per batch
//!   (measured on batches of 1,000: `NORMAL` would write about 15% more parties per
//!   second).
//! - **`sqlite::memory:`** (tests) is one database per [`SqliteStore::open`], reached
//!   through a single connection that is never closed (the database lives as long as it).
//!
//! Lists of keys are passed to `IN` as one JSON array (`json_each`), so no query depends on
//! SQLite's limit of 32,766 bound parameters; rows are inserted as multi-row `VALUES`
//! statements chunked under that limit.

use std::collections::{HashMap, HashSet};
use std::str::FromStr;
use std::time::Duration;

use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{Database, Sqlite, SqliteConnection, SqlitePool};

use super::rows::{
    self, Batch, ALERT_COLUMNS, DISPOSITION_COLUMNS, PARTY_COLUMNS, SUPPRESSION_COLUMNS,
};
use super::{schema, Lease, Store, StoreError};
use crate::service::monitor::record::{
    Alert, Base, BasePrints, Disposition, Job, Micros, OutcomeWrite, PartyRecord, Stats,
    StoredSuppression, Verdict,
};

/// How long a statement waits for a lock held by another connection (a checkpoint, or a
/// second process that should not be there) before failing.
const BUSY_TIMEOUT: Duration = Duration::from_secs(10);

/// Connections for reads.
const READERS: u32 = 4;

/// SQLite's default limit on bound parameters per statement (`SQLITE_MAX_VARIABLE_NUMBER`).
const MAX_PARAMETERS: usize = 32_766;

type Query<'q> = sqlx::query::Query<'q, Sqlite, <Sqlite as Database>::Arguments<'q>>;

/// The store over one SQLite file (or one in-memory database).
pub struct SqliteStore {
    writer: SqlitePool,
    reader: SqlitePool,
}

impl SqliteStore {
    /// Opens (creating it if needed) and migrates the database at `url`: `sqlite://PATH`,
    /// or `sqlite::memory:` for a private in-memory database.
    pub async fn open(url: &str) -> Result<SqliteStore, StoreError> {
        let url_error = |message: String| StoreError::Url {
            url: url.to_string(),
            message,
        };
        let options = SqliteConnectOptions::from_str(url)
            .map_err(|e| url_error(e.to_string()))?
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Full)
            .busy_timeout(BUSY_TIMEOUT)
            // For a new file only (an existing one keeps its own): a party's row is about a
            // kilobyte, and larger pages hold more of them, so a batch dirties, and its
            // commit writes to the WAL, fewer pages (measured: +25% parties/s over 4 KiB).
            .page_size(16_384)
            // Per connection: 64 MiB of pages (the default is 2 MiB), and a checkpoint
            // every 8,192 pages of WAL rather than 1,000, so that hot index pages are copied
            // into the database once per many batches instead of once per batch or two.
            .pragma("cache_size", "-65536")
            .pragma("wal_autocheckpoint", "8192")
            // The statement journals that multi-row upserts need, in memory.
            .pragma("temp_store", "memory");
        let memory = url.contains(":memory:") || url.contains("mode=memory");
        // The writer's one connection is kept open for good: an in-memory database ends
        // with its last connection.
        let writer = SqlitePoolOptions::new()
            .max_connections(1)
            .min_connections(1)
            .idle_timeout(None)
            .max_lifetime(None)
            .connect_with(options.clone())
            .await
            .map_err(|e| url_error(e.to_string()))?;
        schema::migrator(schema::SQLITE).await?.run(&writer).await?;
        let reader = if memory {
            writer.clone()
        } else {
            SqlitePoolOptions::new()
                .max_connections(READERS)
                .connect_with(options)
                .await
                .map_err(|e| url_error(e.to_string()))?
        };
        Ok(SqliteStore { writer, reader })
    }

    async fn begin_write(&self) -> Result<sqlx::Transaction<'static, Sqlite>, StoreError> {
        Ok(self.writer.begin_with("BEGIN IMMEDIATE").await?)
    }
}

/// `(?, ?, …), (?, ?, …), …`: `rows` rows of `columns` placeholders.
fn placeholders(rows: usize, columns: usize) -> String {
    let row = format!("({})", vec!["?"; columns].join(", "));
    vec![row.as_str(); rows].join(", ")
}

/// Runs `head VALUES (…), (…) tail` over `rows`, as many statements as the parameter limit
/// needs, `bind` binding one row's `columns` values.
async fn insert_rows<T>(
    conn: &mut SqliteConnection,
    head: &str,
    tail: &str,
    columns: usize,
    rows: &[T],
    bind: impl for<'q> Fn(Query<'q>, &'q T) -> Query<'q>,
) -> Result<(), StoreError> {
    for chunk in rows.chunks(MAX_PARAMETERS / columns) {
        let sql = format!(
            "{head} VALUES {} {tail}",
            placeholders(chunk.len(), columns)
        );
        let mut query = sqlx::query(&sql);
        for row in chunk {
            query = bind(query, row);
        }
        query.execute(&mut *conn).await?;
    }
    Ok(())
}

/// A JSON array of `items`, for `IN (SELECT value FROM json_each(?))`.
fn json_list<'a>(items: impl IntoIterator<Item = &'a str>) -> String {
    serde_json::Value::Array(items.into_iter().map(serde_json::Value::from).collect()).to_string()
}

/// `IN` over a JSON array bound as one parameter.
const IN_LIST: &str = "IN (SELECT value FROM json_each(?))";

struct SqliteLease;

#[tonic::async_trait]
impl Lease for SqliteLease {
    async fn held(&self) -> bool {
        true
    }
}

#[tonic::async_trait]
impl Store for SqliteStore {
    fn backend(&self) -> &'static str {
        "sqlite"
    }

    async fn ping(&self) -> Result<(), StoreError> {
        sqlx::query("SELECT 1").execute(&self.reader).await?;
        Ok(())
    }

    /// Always granted: one process per SQLite file (see the module's doc).
    async fn try_lead(&self) -> Result<Option<Box<dyn Lease>>, StoreError> {
        Ok(Some(Box::new(SqliteLease)))
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
        // Every reference given leaves the job's queue, a stale write's too: the write that
        // came between screened it.
        let given = json_list(batch.references());
        let mut tx = self.begin_write().await?;
        let count = batch.parties.len() as i64;
        let (last_seq, mut cursor): (i64, i64) = sqlx::query_as(
            "UPDATE counters SET party_seq = party_seq + ? WHERE id = 1 \
             RETURNING party_seq, alert_cursor",
        )
        .bind(count)
        .fetch_one(&mut *tx)
        .await?;
        let conditional = batch.conditional();
        if !conditional.is_empty() {
            let current: HashMap<String, i64> = sqlx::query_as(&format!(
                "SELECT reference, seq FROM parties WHERE reference {IN_LIST}"
            ))
            .bind(json_list(conditional))
            .fetch_all(&mut *tx)
            .await?
            .into_iter()
            .collect();
            batch.drop_stale(&current);
        }
        // A stale write leaves a gap in the seqs: they need only increase.
        let parties: Vec<_> = batch.parties.iter().zip(last_seq - count + 1..).collect();
        insert_rows(
            &mut tx,
            "INSERT INTO parties (reference, facts, facts_hash, outcome, decision, \
             snapshot_version, ownership, updated_at, seq)",
            "ON CONFLICT (reference) DO UPDATE SET facts = excluded.facts, \
             facts_hash = excluded.facts_hash, outcome = excluded.outcome, \
             decision = excluded.decision, snapshot_version = excluded.snapshot_version, \
             ownership = excluded.ownership, updated_at = excluded.updated_at, \
             seq = excluded.seq",
            9,
            &parties,
            |q, (p, seq)| {
                q.bind(p.reference)
                    .bind(p.facts.as_str())
                    .bind(p.facts_hash)
                    .bind(p.outcome.as_str())
                    .bind(p.decision)
                    .bind(p.snapshot_version)
                    .bind(p.ownership)
                    .bind(p.updated_at)
                    .bind(*seq)
            },
        )
        .await?;
        let references = json_list(batch.references());
        let stored_hits = sqlx::query_as(&format!(
            "SELECT reference, entity_id, entity_hash FROM party_hits WHERE reference {IN_LIST}"
        ))
        .bind(references.as_str())
        .fetch_all(&mut *tx)
        .await?;
        let changed = batch.changed_hits(stored_hits);
        if !changed.is_empty() {
            sqlx::query(&format!("DELETE FROM party_hits WHERE reference {IN_LIST}"))
                .bind(json_list(changed.iter().map(|p| p.reference)))
                .execute(&mut *tx)
                .await?;
            insert_rows(
                &mut tx,
                "INSERT INTO party_hits (reference, entity_id, entity_hash)",
                "",
                3,
                &rows::hit_rows(&changed),
                |q, h| q.bind(h.reference).bind(h.entity_id).bind(h.entity_hash),
            )
            .await?;
        }

        let mut stored = Vec::new();
        if !batch.alerts.is_empty() {
            let ids = json_list(batch.alerts.iter().map(|a| a.alert.id.as_str()));
            let existing: HashSet<String> =
                sqlx::query_scalar(&format!("SELECT id FROM alerts WHERE id {IN_LIST}"))
                    .bind(ids.as_str())
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
                let rows: Vec<_> = new.iter().zip(cursor + 1..).collect();
                insert_rows(
                    &mut tx,
                    "INSERT INTO alerts (id, reference, kind, previous_decision, decision, hits, \
                     from_version, to_version, facts_hash, created_at, cursor)",
                    "",
                    11,
                    &rows,
                    |q, (a, cursor)| {
                        q.bind(a.alert.id.as_str())
                            .bind(a.alert.reference.as_str())
                            .bind(a.kind)
                            .bind(a.previous_decision)
                            .bind(a.decision)
                            .bind(a.hits.as_str())
                            .bind(a.alert.from_version.as_deref())
                            .bind(a.alert.to_version.as_str())
                            .bind(a.alert.facts_hash.as_str())
                            .bind(a.alert.created_at)
                            .bind(*cursor)
                    },
                )
                .await?;
                stored = rows::stored_alerts(&new, cursor + 1);
                cursor += new.len() as i64;
                sqlx::query("UPDATE counters SET alert_cursor = ? WHERE id = 1")
                    .bind(cursor)
                    .execute(&mut *tx)
                    .await?;
            }
        }
        if let Some(job) = job {
            sqlx::query(&format!(
                "DELETE FROM job_queue WHERE job = ? AND reference {IN_LIST}"
            ))
            .bind(job)
            .bind(given.as_str())
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(stored)
    }

    async fn remove(&self, reference: &str) -> Result<bool, StoreError> {
        let mut tx = self.begin_write().await?;
        for sql in [
            "DELETE FROM party_hits WHERE reference = ?",
            "DELETE FROM job_queue WHERE reference = ?",
        ] {
            sqlx::query(sql).bind(reference).execute(&mut *tx).await?;
        }
        let removed = sqlx::query("DELETE FROM parties WHERE reference = ?")
            .bind(reference)
            .execute(&mut *tx)
            .await?
            .rows_affected();
        tx.commit().await?;
        Ok(removed > 0)
    }

    async fn party(&self, reference: &str) -> Result<Option<PartyRecord>, StoreError> {
        let sql = format!("SELECT {PARTY_COLUMNS} FROM parties WHERE reference = ?");
        let row = sqlx::query(&sql)
            .bind(reference)
            .fetch_optional(&self.reader)
            .await?;
        row.as_ref().map(rows::party).transpose()
    }

    async fn parties(&self, references: &[String]) -> Result<Vec<PartyRecord>, StoreError> {
        if references.is_empty() {
            return Ok(Vec::new());
        }
        let sql = format!("SELECT {PARTY_COLUMNS} FROM parties WHERE reference {IN_LIST}");
        let list = json_list(references.iter().map(String::as_str));
        let found = sqlx::query(&sql)
            .bind(list.as_str())
            .fetch_all(&self.reader)
            .await?;
        found.iter().map(rows::party).collect()
    }

    async fn parties_after(
        &self,
        after_seq: i64,
        limit: usize,
    ) -> Result<Vec<PartyRecord>, StoreError> {
        let sql = format!("SELECT {PARTY_COLUMNS} FROM parties WHERE seq > ? ORDER BY seq LIMIT ?");
        let found = sqlx::query(&sql)
            .bind(after_seq)
            .bind(rows::limit(limit))
            .fetch_all(&self.reader)
            .await?;
        found.iter().map(rows::party).collect()
    }

    async fn facts_hashes_after(
        &self,
        after_seq: i64,
        limit: usize,
    ) -> Result<Vec<(i64, String, String)>, StoreError> {
        Ok(sqlx::query_as(
            "SELECT seq, reference, facts_hash FROM parties WHERE seq > ? ORDER BY seq LIMIT ?",
        )
        .bind(after_seq)
        .bind(rows::limit(limit))
        .fetch_all(&self.reader)
        .await?)
    }

    async fn references_written_elsewhere(
        &self,
        after_seq: i64,
        versions: &[String],
    ) -> Result<Vec<String>, StoreError> {
        let sql = format!(
            "SELECT reference FROM parties WHERE seq > ? AND snapshot_version NOT {IN_LIST}"
        );
        Ok(sqlx::query_scalar(&sql)
            .bind(after_seq)
            .bind(json_list(versions.iter().map(String::as_str)))
            .fetch_all(&self.reader)
            .await?)
    }

    async fn references_with_hits_on(
        &self,
        entity_ids: &[String],
    ) -> Result<Vec<String>, StoreError> {
        if entity_ids.is_empty() {
            return Ok(Vec::new());
        }
        let sql = format!("SELECT DISTINCT reference FROM party_hits WHERE entity_id {IN_LIST}");
        let list = json_list(entity_ids.iter().map(String::as_str));
        Ok(sqlx::query_scalar(&sql)
            .bind(list.as_str())
            .fetch_all(&self.reader)
            .await?)
    }

    async fn references_with_ownership(&self) -> Result<Vec<String>, StoreError> {
        Ok(
            sqlx::query_scalar("SELECT reference FROM parties WHERE ownership = 1")
                .fetch_all(&self.reader)
                .await?,
        )
    }

    async fn alerts_after(&self, after: i64, limit: usize) -> Result<Vec<Alert>, StoreError> {
        let sql =
            format!("SELECT {ALERT_COLUMNS} FROM alerts WHERE cursor > ? ORDER BY cursor LIMIT ?");
        let found = sqlx::query(&sql)
            .bind(after)
            .bind(rows::limit(limit))
            .fetch_all(&self.reader)
            .await?;
        found.iter().map(rows::alert).collect()
    }

    async fn alert(&self, id: &str) -> Result<Option<Alert>, StoreError> {
        let sql = format!("SELECT {ALERT_COLUMNS} FROM alerts WHERE id = ?");
        let row = sqlx::query(&sql)
            .bind(id)
            .fetch_optional(&self.reader)
            .await?;
        row.as_ref().map(rows::alert).transpose()
    }

    async fn alerts_of(&self, reference: &str) -> Result<Vec<Alert>, StoreError> {
        let sql = format!("SELECT {ALERT_COLUMNS} FROM alerts WHERE reference = ? ORDER BY cursor");
        let found = sqlx::query(&sql)
            .bind(reference)
            .fetch_all(&self.reader)
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
        let mut tx = self.begin_write().await?;
        let found: Option<(String, String, String)> =
            sqlx::query_as("SELECT reference, hits, facts_hash FROM alerts WHERE id = ?")
                .bind(alert_id)
                .fetch_optional(&mut *tx)
                .await?;
        let Some((reference, hits, facts_hash)) = found else {
            return Err(StoreError::NoAlert(alert_id.to_string()));
        };
        sqlx::query(
            "INSERT INTO dispositions (alert_id, reference, verdict, note, reviewer, at) \
             VALUES (?, ?, ?, ?, ?, ?)",
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
            "UPDATE alerts SET resolution_verdict = ?, resolution_note = ?, \
             resolution_reviewer = ?, resolution_at = ? WHERE id = ?",
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
            // Everything a row binds is in the row: `insert_rows`' binder takes no borrows.
            let rows: Vec<_> = suppressed
                .iter()
                .map(|(entity_id, entity_hash)| {
                    (
                        [reference.as_str(), entity_id, entity_hash, &facts_hash],
                        [alert_id, reviewer, note],
                    )
                })
                .collect();
            insert_rows(
                &mut tx,
                "INSERT INTO suppressions (reference, entity_id, entity_hash, facts_hash, \
                 alert_id, reviewer, note, at)",
                "ON CONFLICT (alert_id, entity_id, entity_hash) DO UPDATE SET \
                 reviewer = excluded.reviewer, note = excluded.note, at = excluded.at",
                8,
                &rows,
                |q, (hit, by)| {
                    let q = hit.iter().fold(q, |q, text| q.bind(*text));
                    by.iter().fold(q, |q, text| q.bind(*text)).bind(at)
                },
            )
            .await?;
        } else {
            sqlx::query("DELETE FROM suppressions WHERE alert_id = ?")
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
            "SELECT {DISPOSITION_COLUMNS} FROM dispositions WHERE reference = ? ORDER BY at, id"
        );
        let found = sqlx::query(&sql)
            .bind(reference)
            .fetch_all(&self.reader)
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
            format!("SELECT {SUPPRESSION_COLUMNS} FROM suppressions WHERE reference {IN_LIST}");
        let list = json_list(references.iter().map(String::as_str));
        let found = sqlx::query(&sql)
            .bind(list.as_str())
            .fetch_all(&self.reader)
            .await?;
        found.iter().map(rows::suppression).collect()
    }

    async fn base(&self) -> Result<Option<(Base, BasePrints)>, StoreError> {
        // One read transaction: the base and its entries as one `finish_job` wrote them.
        let mut tx = self.reader.begin().await?;
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
            "INSERT INTO jobs (from_version, to_version, started_at) VALUES (?, ?, ?) RETURNING id",
        )
        .bind(from_version)
        .bind(to_version)
        .bind(rows::now_micros())
        .fetch_one(&mut *tx)
        .await?;
        insert_rows(
            &mut tx,
            "INSERT INTO job_queue (job, reference)",
            "ON CONFLICT DO NOTHING",
            2,
            references,
            |q, reference| q.bind(id).bind(reference.as_str()),
        )
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    async fn pending_job(&self) -> Result<Option<Job>, StoreError> {
        let mut tx = self.reader.begin().await?;
        let found: Option<(i64, Option<String>, String)> = sqlx::query_as(
            "SELECT id, from_version, to_version FROM jobs ORDER BY id DESC LIMIT 1",
        )
        .fetch_optional(&mut *tx)
        .await?;
        let Some((id, from_version, to_version)) = found else {
            return Ok(None);
        };
        let remaining =
            sqlx::query_scalar("SELECT reference FROM job_queue WHERE job = ? ORDER BY reference")
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
        let ended = sqlx::query("DELETE FROM jobs WHERE id = ?")
            .bind(job)
            .execute(&mut *tx)
            .await?
            .rows_affected();
        if ended == 0 {
            return Err(StoreError::NoJob(job));
        }
        sqlx::query("DELETE FROM job_queue WHERE job = ?")
            .bind(job)
            .execute(&mut *tx)
            .await?;
        sqlx::query(
            "INSERT INTO base (id, version, as_of, policy_digest, seq) VALUES (1, ?, ?, ?, ?) \
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
        insert_rows(
            &mut tx,
            "INSERT INTO base_entities (entity_id, hash)",
            "ON CONFLICT DO NOTHING",
            2,
            &prints.entities,
            |q, (id, hash)| q.bind(id.as_str()).bind(hash.as_str()),
        )
        .await?;
        sqlx::query("DELETE FROM base_words")
            .execute(&mut *tx)
            .await?;
        insert_rows(
            &mut tx,
            "INSERT INTO base_words (word, print)",
            "ON CONFLICT DO NOTHING",
            2,
            &prints.words,
            |q, (word, print)| q.bind(word.as_str()).bind(*print),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    async fn stats(&self, now: Micros) -> Result<Stats, StoreError> {
        let parties: i64 = sqlx::query_scalar("SELECT count(*) FROM parties")
            .fetch_one(&self.reader)
            .await?;
        let kinds: Vec<(String, i64)> =
            sqlx::query_as("SELECT kind, count(*) FROM alerts GROUP BY kind")
                .fetch_all(&self.reader)
                .await?;
        let [day, week, month] = rows::OPEN_AGE_LIMITS.map(|age| now.saturating_sub(age));
        let open: (i64, i64, i64, i64) = sqlx::query_as(
            "SELECT count(*) FILTER (WHERE created_at > ?), \
             count(*) FILTER (WHERE created_at <= ? AND created_at > ?), \
             count(*) FILTER (WHERE created_at <= ? AND created_at > ?), \
             count(*) FILTER (WHERE created_at <= ?) \
             FROM alerts WHERE resolution_verdict IS NULL",
        )
        .bind(day)
        .bind(day)
        .bind(week)
        .bind(week)
        .bind(month)
        .bind(month)
        .fetch_one(&self.reader)
        .await?;
        rows::stats(parties, &kinds, open)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_make_rows_of_columns() {
        assert_eq!(placeholders(2, 3), "(?, ?, ?), (?, ?, ?)");
        assert_eq!(placeholders(1, 1), "(?)");
    }

    #[test]
    fn json_lists_escape_what_they_hold() {
        assert_eq!(json_list(["a", "b\"c"]), r#"["a","b\"c"]"#);
        assert_eq!(json_list([]), "[]");
    }
}
