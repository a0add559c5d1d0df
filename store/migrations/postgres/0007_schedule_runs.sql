-- Schedule runs: each firing of a schedule (or a run a client asked for)
-- lists the endpoint's inbox, claims the files it matches and scores each
-- through a batch job; the run ends when every file it claimed is done.
--
-- A run is recorded once per schedule and fire_time: replicas firing one
-- schedule together insert one row, the others find it (UNIQUE below).
-- status follows the jobs' words: NotStarted until a replica takes the
-- run, Running, then Finished, or Failed when the inbox could not be
-- listed (details says why). listed is set once the run has listed the
-- inbox; the files_* counts are what it found, left for later, claimed,
-- and of those scored or failed; rows_* add up its files' rows. notes is
-- a JSON array of strings. Times are UTC; started_at and finished_at stay
-- NULL until they happen. A run goes with its schedule (and so with its
-- endpoint); endpoint_id is a copy, for the claims' sake.

CREATE TABLE schedule_runs (
    id            TEXT PRIMARY KEY,
    workspace_id  TEXT NOT NULL,
    schedule_id   TEXT NOT NULL REFERENCES schedules (id) ON DELETE CASCADE,
    endpoint_id   TEXT NOT NULL,
    fire_time     TIMESTAMPTZ NOT NULL,
    manual        BOOLEAN NOT NULL DEFAULT FALSE,
    status        TEXT NOT NULL,
    details       TEXT NOT NULL DEFAULT '',
    listed        BOOLEAN NOT NULL DEFAULT FALSE,
    files_found   INTEGER NOT NULL DEFAULT 0,
    files_skipped INTEGER NOT NULL DEFAULT 0,
    files_claimed INTEGER NOT NULL DEFAULT 0,
    files_scored  INTEGER NOT NULL DEFAULT 0,
    files_failed  INTEGER NOT NULL DEFAULT 0,
    rows_read     BIGINT NOT NULL DEFAULT 0,
    rows_failed   BIGINT NOT NULL DEFAULT 0,
    notes         TEXT NOT NULL DEFAULT '[]',
    created_at    TIMESTAMPTZ NOT NULL,
    started_at    TIMESTAMPTZ,
    finished_at   TIMESTAMPTZ,
    updated_at    TIMESTAMPTZ NOT NULL,
    UNIQUE (schedule_id, fire_time)
);

-- A schedule's runs are listed newest first; led by schedule_id, the
-- unique key above serves the cascade when a schedule is deleted.
CREATE INDEX schedule_runs_schedule_created ON schedule_runs (schedule_id, created_at DESC);

-- Every replica's scheduler looks for enabled schedules that are due
-- (DueSchedules); only enabled schedules are in this index.
CREATE INDEX schedules_due ON schedules (next_run) WHERE enabled;

-- A job a run created to score a dropped file names the run; '' for a job
-- a client submitted.
ALTER TABLE jobs ADD COLUMN run_id TEXT NOT NULL DEFAULT '';

-- A claim now records the run that took the file and what became of it:
-- etag holds the file's version as package batch makes it (its key, etag
-- and size still identify it, and a claim still outlives its run, so a
-- file is never taken twice); name is its base name; once done, status is
-- 'scored' or 'failed', output the scored file's key, moved the input's
-- new key, rows_* its rows, details why it failed, done_at when. Claims
-- made before this migration have no run.
ALTER TABLE drop_claims ADD COLUMN run_id TEXT NOT NULL DEFAULT '';
ALTER TABLE drop_claims ADD COLUMN name TEXT NOT NULL DEFAULT '';
ALTER TABLE drop_claims ADD COLUMN output TEXT NOT NULL DEFAULT '';
ALTER TABLE drop_claims ADD COLUMN moved TEXT NOT NULL DEFAULT '';
ALTER TABLE drop_claims ADD COLUMN details TEXT NOT NULL DEFAULT '';
ALTER TABLE drop_claims ADD COLUMN rows_read BIGINT NOT NULL DEFAULT 0;
ALTER TABLE drop_claims ADD COLUMN rows_failed BIGINT NOT NULL DEFAULT 0;
ALTER TABLE drop_claims ADD COLUMN done_at TIMESTAMPTZ;

-- A job's end finds its claim (FinishDrop); a run's page lists its files,
-- oldest claim first. Claims are kept for good, so the look for ended jobs
-- whose file is still claimed (DropsToFinish) reads only the open ones.
CREATE INDEX drop_claims_job ON drop_claims (job_id);
CREATE INDEX drop_claims_run_claimed ON drop_claims (run_id, claimed_at);
CREATE INDEX drop_claims_open ON drop_claims (job_id) WHERE status = 'claimed';
