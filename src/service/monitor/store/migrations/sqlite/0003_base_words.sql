-- Version 3: beside the base's entries, what matching read of each word and acronym key of
-- that snapshot (`engine::changes::Fingerprints::words`). A word whose print changed moves
-- the scores of every party with a word near it, which the next job re-screens. A base
-- recorded before this version has no words; its next job re-screens the whole book.
CREATE TABLE base_words (
    word TEXT PRIMARY KEY NOT NULL,
    print BIGINT NOT NULL
) WITHOUT ROWID;
