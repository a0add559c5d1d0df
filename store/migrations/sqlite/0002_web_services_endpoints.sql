-- Web services, their published versions, and their endpoints.
--
-- Schemas and resources are JSON text, read and written whole. An endpoint's
-- resources_customised records a PATCH of its Resources, which a refresh
-- without OverwriteResources keeps.

CREATE TABLE web_services (
    id            TEXT PRIMARY KEY,
    workspace_id  TEXT NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    name          TEXT NOT NULL,
    description   TEXT NOT NULL DEFAULT '',
    version       INTEGER NOT NULL,
    model_kind    TEXT NOT NULL,
    input_schema  TEXT NOT NULL,
    output_schema TEXT NOT NULL,
    created_at    DATETIME NOT NULL,
    updated_at    DATETIME NOT NULL,
    UNIQUE (workspace_id, name)
);

CREATE TABLE model_versions (
    web_service_id TEXT NOT NULL REFERENCES web_services (id) ON DELETE CASCADE,
    version        INTEGER NOT NULL,
    model_kind     TEXT NOT NULL,
    function_name  TEXT NOT NULL,
    input_schema   TEXT NOT NULL,
    output_schema  TEXT NOT NULL,
    resource       TEXT NOT NULL,
    sha256         TEXT NOT NULL,
    created_at     DATETIME NOT NULL,
    PRIMARY KEY (web_service_id, version)
);

CREATE TABLE endpoints (
    id                      TEXT PRIMARY KEY,
    workspace_id            TEXT NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    web_service_id          TEXT NOT NULL REFERENCES web_services (id) ON DELETE CASCADE,
    name                    TEXT NOT NULL,
    description             TEXT NOT NULL DEFAULT '',
    version                 INTEGER NOT NULL,
    throttle_level          TEXT NOT NULL,
    max_concurrent_calls    INTEGER NOT NULL,
    diagnostics_trace_level TEXT NOT NULL,
    sample_data_enabled     BOOLEAN NOT NULL DEFAULT FALSE,
    prevent_update          BOOLEAN NOT NULL DEFAULT FALSE,
    resources               TEXT NOT NULL,
    resources_customised    BOOLEAN NOT NULL DEFAULT FALSE,
    created_at              DATETIME NOT NULL,
    updated_at              DATETIME NOT NULL,
    UNIQUE (web_service_id, name)
);

CREATE INDEX endpoints_workspace ON endpoints (workspace_id);

-- SQLite cannot add a foreign key to an existing table, so credentials is
-- rebuilt with endpoint_id referencing endpoints. Nothing references
-- credentials, so the rename needs no other change.
CREATE TABLE credentials_v2 (
    id           TEXT PRIMARY KEY,
    digest       TEXT NOT NULL UNIQUE,
    workspace_id TEXT NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    endpoint_id  TEXT REFERENCES endpoints (id) ON DELETE CASCADE,
    key_type     TEXT NOT NULL CHECK (key_type IN ('Primary', 'Secondary')),
    ciphertext   BLOB NOT NULL,
    created_at   DATETIME NOT NULL
);

INSERT INTO credentials_v2 (id, digest, workspace_id, endpoint_id, key_type, ciphertext, created_at)
    SELECT id, digest, workspace_id, endpoint_id, key_type, ciphertext, created_at FROM credentials;

DROP TABLE credentials;

ALTER TABLE credentials_v2 RENAME TO credentials;

CREATE UNIQUE INDEX credentials_owner
    ON credentials (workspace_id, COALESCE(endpoint_id, ''), key_type);

CREATE INDEX credentials_endpoint ON credentials (endpoint_id);
