-- Workspaces (tenants) and the credentials that open them.
--
-- A credential is a workspace token (endpoint_id NULL) or an endpoint key. It
-- is found by digest (HMAC-SHA256 under a key derived from the server secret)
-- and stored encrypted (AES-GCM) so the store can show it to its owner again.

CREATE TABLE workspaces (
    id         TEXT PRIMARY KEY,
    name       TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL
);

CREATE TABLE credentials (
    id           TEXT PRIMARY KEY,
    digest       TEXT NOT NULL UNIQUE,
    workspace_id TEXT NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    endpoint_id  TEXT,
    key_type     TEXT NOT NULL CHECK (key_type IN ('Primary', 'Secondary')),
    ciphertext   BYTEA NOT NULL,
    created_at   TIMESTAMPTZ NOT NULL
);

-- One primary and one secondary per owner.
CREATE UNIQUE INDEX credentials_owner
    ON credentials (workspace_id, COALESCE(endpoint_id, ''), key_type);
