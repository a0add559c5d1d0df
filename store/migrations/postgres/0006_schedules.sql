-- Schedules score every new file of an endpoint's drop folder on a cron
-- schedule; package batch checks cron and time_zone, the store keeps them.
-- pattern, output_format and time_zone are '' for their defaults (both
-- *.csv and *.xlsx, the input's format, UTC). Times are UTC; next_run is
-- NULL while a schedule is disabled, last_run until its first run. A
-- schedule goes with its endpoint.

CREATE TABLE schedules (
    id              TEXT PRIMARY KEY,
    workspace_id    TEXT NOT NULL,
    endpoint_id     TEXT NOT NULL REFERENCES endpoints (id) ON DELETE CASCADE,
    cron            TEXT NOT NULL,
    time_zone       TEXT NOT NULL DEFAULT '',
    enabled         BOOLEAN NOT NULL DEFAULT TRUE,
    pattern         TEXT NOT NULL DEFAULT '',
    output_format   TEXT NOT NULL DEFAULT '',
    error_threshold DOUBLE PRECISION NOT NULL DEFAULT 0,
    next_run        TIMESTAMPTZ,
    last_run        TIMESTAMPTZ,
    created_at      TIMESTAMPTZ NOT NULL,
    updated_at      TIMESTAMPTZ NOT NULL
);

-- Schedules are listed by endpoint, oldest first; led by endpoint_id, the
-- index also serves the cascade when an endpoint is deleted.
CREATE INDEX schedules_endpoint_created ON schedules (endpoint_id, created_at);

-- A dropped file is processed exactly once: the replica whose INSERT of
-- its claim succeeds scores it, the others find the row and leave it. A
-- file is the same file while its key, etag and size are ('' when the
-- bucket has no etag); one replaced in place is new, and claimed again.
-- job_id names the job that scores it once there is one (no foreign key:
-- the claim must outlive nothing but its endpoint); status is the claim's
-- progress as package batch records it, 'claimed' to begin with.
CREATE TABLE drop_claims (
    endpoint_id TEXT NOT NULL REFERENCES endpoints (id) ON DELETE CASCADE,
    object_key  TEXT NOT NULL,
    etag        TEXT NOT NULL DEFAULT '',
    size        BIGINT NOT NULL,
    claimed_at  TIMESTAMPTZ NOT NULL,
    job_id      TEXT,
    status      TEXT NOT NULL DEFAULT 'claimed',
    PRIMARY KEY (endpoint_id, object_key, etag, size)
);
