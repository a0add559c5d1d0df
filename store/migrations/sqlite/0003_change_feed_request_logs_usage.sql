-- What the serving replicas need besides the catalogue: an endpoint setting,
-- the change feed they invalidate their caches by, the requests recorded for
-- endpoints whose DiagnosticsTraceLevel asks for it, and hourly usage.
--
-- Times are UTC. changes has no foreign keys: a change must outlive what it
-- names (a deleted endpoint is exactly what a replica must hear about).
-- Recorded requests and usage go with their endpoint.

ALTER TABLE endpoints ADD COLUMN echo_inputs BOOLEAN NOT NULL DEFAULT FALSE;

-- AUTOINCREMENT: a seq is never reused, not even after every row is pruned,
-- so a replica's cursor never skips a later change.
CREATE TABLE changes (
    seq            INTEGER PRIMARY KEY AUTOINCREMENT,
    workspace_id   TEXT NOT NULL,
    web_service_id TEXT NOT NULL DEFAULT '',
    endpoint_id    TEXT NOT NULL DEFAULT '',
    at             DATETIME NOT NULL
);

CREATE INDEX changes_at ON changes (at);

CREATE TABLE request_logs (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    endpoint_id  TEXT NOT NULL REFERENCES endpoints (id) ON DELETE CASCADE,
    workspace_id TEXT NOT NULL,
    at           DATETIME NOT NULL,
    request_id   TEXT NOT NULL DEFAULT '',
    method       TEXT NOT NULL DEFAULT '',
    path         TEXT NOT NULL DEFAULT '',
    status       INTEGER NOT NULL,
    latency_us   BIGINT NOT NULL DEFAULT 0,
    "rows"       INTEGER NOT NULL DEFAULT 0,
    error_code   TEXT NOT NULL DEFAULT '',
    request      TEXT NOT NULL DEFAULT '',
    response     TEXT NOT NULL DEFAULT '',
    truncated    BOOLEAN NOT NULL DEFAULT FALSE
);

-- Reads are by endpoint and time, and so is the retention job (an index
-- on at alone would cost every insert one more b-tree).
CREATE INDEX request_logs_endpoint_at ON request_logs (endpoint_id, at);

-- One row per endpoint, hour and replica; latency is a JSON array of
-- request counts per bucket of scoregate.LatencyBuckets.
CREATE TABLE usage_hours (
    endpoint_id  TEXT NOT NULL REFERENCES endpoints (id) ON DELETE CASCADE,
    workspace_id TEXT NOT NULL,
    hour         DATETIME NOT NULL,
    replica      TEXT NOT NULL,
    calls        BIGINT NOT NULL DEFAULT 0,
    errors       BIGINT NOT NULL DEFAULT 0,
    throttled    BIGINT NOT NULL DEFAULT 0,
    "rows"       BIGINT NOT NULL DEFAULT 0,
    latency      TEXT NOT NULL DEFAULT '[]',
    PRIMARY KEY (endpoint_id, hour, replica)
);

CREATE INDEX usage_hours_hour ON usage_hours (hour);
