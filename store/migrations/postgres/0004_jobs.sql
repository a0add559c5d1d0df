-- Batch jobs: one input file scored through one endpoint into one output
-- file. The row is the truth about a job's status and progress; the queue
-- only decides which replica executes it.
--
-- Times are UTC; started_at, finished_at and lease_until stay NULL until
-- they happen. options is JSON text, read and written whole. owner and
-- lease_until name the replica executing a Running job and until when its
-- claim holds; an empty owner is a job queued and not yet claimed. A job
-- goes with its endpoint.

CREATE TABLE jobs (
    id               TEXT PRIMARY KEY,
    workspace_id     TEXT NOT NULL,
    endpoint_id      TEXT NOT NULL REFERENCES endpoints (id) ON DELETE CASCADE,
    status           TEXT NOT NULL,
    input            TEXT NOT NULL,
    input_name       TEXT NOT NULL DEFAULT '',
    output           TEXT NOT NULL DEFAULT '',
    options          TEXT NOT NULL DEFAULT '{}',
    rows_read        BIGINT NOT NULL DEFAULT 0,
    rows_scored      BIGINT NOT NULL DEFAULT 0,
    rows_failed      BIGINT NOT NULL DEFAULT 0,
    bytes_read       BIGINT NOT NULL DEFAULT 0,
    bytes_total      BIGINT NOT NULL DEFAULT 0,
    details          TEXT NOT NULL DEFAULT '',
    attempts         INTEGER NOT NULL DEFAULT 0,
    cancel_requested BOOLEAN NOT NULL DEFAULT FALSE,
    owner            TEXT NOT NULL DEFAULT '',
    lease_until      TIMESTAMPTZ,
    created_at       TIMESTAMPTZ NOT NULL,
    started_at       TIMESTAMPTZ,
    finished_at      TIMESTAMPTZ,
    updated_at       TIMESTAMPTZ NOT NULL
);

-- Jobs are listed by endpoint, newest first; endpoint ids are unique
-- across workspaces, so this index also serves the cascade when an
-- endpoint is deleted (one led by workspace_id would not).
CREATE INDEX jobs_endpoint_created ON jobs (endpoint_id, created_at DESC);

-- Every replica looks for running jobs whose executor's lease ran out
-- (StaleJobs); only running jobs are in this index.
CREATE INDEX jobs_running_lease ON jobs (lease_until) WHERE status = 'Running';
