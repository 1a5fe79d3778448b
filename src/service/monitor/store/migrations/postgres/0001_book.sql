-- The monitoring store, version 1 (PostgreSQL). Applied once, in one transaction, by the
-- migrator in schema.rs; never edit it once released (the migrator checks its checksum):
-- later changes are new numbered files.
--
-- Times are microseconds since the Unix epoch (BIGINT). Facts, outcomes and hits are JSON
-- text (not jsonb: the store writes and reads them whole and never queries inside them, and
-- text costs no parsing on the write path).

-- The counters that order the book and the alerts. One row: every write updates it first
-- and holds its row lock until it commits, so writers commit in the order they took their
-- numbers, and a reader never sees a seq or cursor before a smaller one (a sequence would
-- hand out numbers in start order, not commit order).
CREATE TABLE counters (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    party_seq BIGINT NOT NULL,
    alert_cursor BIGINT NOT NULL
);
INSERT INTO counters (id, party_seq, alert_cursor) VALUES (1, 0, 0);

-- The book: each party with its facts and its current outcome.
CREATE TABLE parties (
    reference TEXT PRIMARY KEY,
    facts TEXT NOT NULL,
    facts_hash TEXT NOT NULL,
    outcome TEXT NOT NULL,
    decision TEXT NOT NULL,
    snapshot_version TEXT NOT NULL,
    ownership BOOLEAN NOT NULL,
    updated_at BIGINT NOT NULL,
    seq BIGINT NOT NULL UNIQUE
);
-- Covering indexes: the re-screening's questions can be answered from the index alone.
CREATE INDEX parties_by_version ON parties (snapshot_version, reference);
CREATE INDEX parties_with_ownership ON parties (reference) WHERE ownership;

-- The hits of each party's current outcome, one row per listed entry.
CREATE TABLE party_hits (
    reference TEXT NOT NULL,
    entity_id TEXT NOT NULL,
    entity_hash TEXT NOT NULL,
    PRIMARY KEY (reference, entity_id)
);
CREATE INDEX party_hits_by_entity ON party_hits (entity_id, reference);

-- Alerts, in cursor order. resolution_* is the last verdict.
CREATE TABLE alerts (
    cursor BIGINT PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    reference TEXT NOT NULL,
    kind TEXT NOT NULL,
    previous_decision TEXT,
    decision TEXT NOT NULL,
    hits TEXT NOT NULL,
    from_version TEXT,
    to_version TEXT NOT NULL,
    facts_hash TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    resolution_verdict TEXT,
    resolution_note TEXT,
    resolution_reviewer TEXT,
    resolution_at BIGINT
);
CREATE INDEX alerts_by_reference ON alerts (reference, cursor);
CREATE INDEX alerts_open ON alerts (created_at) WHERE resolution_verdict IS NULL;

-- Every verdict ever given, in the order given.
CREATE TABLE dispositions (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    alert_id TEXT NOT NULL,
    reference TEXT NOT NULL,
    verdict TEXT NOT NULL,
    note TEXT NOT NULL,
    reviewer TEXT NOT NULL,
    at BIGINT NOT NULL
);
CREATE INDEX dispositions_by_reference ON dispositions (reference, at, id);

-- The hits a false-positive verdict takes out of a party's decision, while its facts keep
-- the hash they had.
CREATE TABLE suppressions (
    reference TEXT NOT NULL,
    entity_id TEXT NOT NULL,
    entity_hash TEXT NOT NULL,
    facts_hash TEXT NOT NULL,
    alert_id TEXT NOT NULL,
    reviewer TEXT NOT NULL,
    note TEXT NOT NULL,
    at BIGINT NOT NULL,
    UNIQUE (alert_id, entity_id, entity_hash)
);
CREATE INDEX suppressions_by_reference ON suppressions (reference);

-- The list version the book was last re-screened against (one row), and its entries.
CREATE TABLE base (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    version TEXT NOT NULL,
    as_of TEXT NOT NULL,
    policy_digest TEXT NOT NULL,
    -- The parties' seq when the job that made this base started.
    seq BIGINT NOT NULL DEFAULT 0
);
CREATE TABLE base_entities (
    entity_id TEXT PRIMARY KEY,
    hash TEXT NOT NULL
);

-- The re-screening in progress (at most one) and the parties it has still to do. An
-- identity never hands out an id twice, so a worker holding a replaced job's id cannot take
-- parties out of its successor's queue.
CREATE TABLE jobs (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    from_version TEXT,
    to_version TEXT NOT NULL,
    started_at BIGINT NOT NULL
);
CREATE TABLE job_queue (
    job BIGINT NOT NULL,
    reference TEXT NOT NULL,
    PRIMARY KEY (job, reference)
);
