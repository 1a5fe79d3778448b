-- Version 2: the index of parties by the snapshot version they were screened at answered
-- "which parties were not screened at these versions", which re-screening no longer asks
-- (it reads the parties written since its base, by `seq`). Dropped, so that no write of a
-- party maintains it.
DROP INDEX IF EXISTS parties_by_version;
