-- The Houston store, SQLite flavour. Times are RFC 3339 UTC strings (they sort as text).

CREATE TABLE users (
    id            TEXT PRIMARY KEY,
    username      TEXT NOT NULL UNIQUE,          -- the email, lower-cased
    password_hash TEXT,                          -- NULL until an invited user sets one
    first_name    TEXT,
    last_name     TEXT,
    company       TEXT,
    status        TEXT NOT NULL CHECK (status IN ('pending', 'active', 'locked')),
    email_verified INTEGER NOT NULL DEFAULT 0,
    token_version INTEGER NOT NULL DEFAULT 0,    -- bumped to revoke every token at once
    created_at    TEXT NOT NULL
);

CREATE TABLE organizations (
    id          TEXT PRIMARY KEY,
    name        TEXT NOT NULL,
    description TEXT,
    enabled     INTEGER NOT NULL DEFAULT 1,
    created_at  TEXT NOT NULL
);

CREATE TABLE memberships (
    org_id     TEXT NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    user_id    TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    role       TEXT NOT NULL CHECK (role IN ('OWNER', 'USER')),
    created_at TEXT NOT NULL,
    PRIMARY KEY (org_id, user_id)
);
CREATE INDEX memberships_user ON memberships(user_id);

CREATE TABLE applications (
    id         TEXT PRIMARY KEY,
    org_id     TEXT NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    name       TEXT NOT NULL,
    platform   TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX applications_org ON applications(org_id);

CREATE TABLE connections (
    id                      TEXT PRIMARY KEY,
    org_id                  TEXT NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    name                    TEXT NOT NULL,
    integration_code        TEXT NOT NULL,
    connection_prototype_id TEXT NOT NULL,
    details                 TEXT NOT NULL,      -- JSON
    created_at              TEXT NOT NULL,
    updated_at              TEXT NOT NULL
);
CREATE INDEX connections_org ON connections(org_id);

CREATE TABLE integrations (
    id            TEXT PRIMARY KEY,
    app_id        TEXT NOT NULL REFERENCES applications(id) ON DELETE CASCADE,
    -- A connection in use cannot be deleted (RESTRICT); deleting the organization
    -- removes applications first through its own cascade.
    connection_id TEXT REFERENCES connections(id) ON DELETE RESTRICT,
    name          TEXT NOT NULL,
    code          TEXT NOT NULL,
    config        TEXT NOT NULL,                -- JSON, the configPayload
    enabled       INTEGER NOT NULL DEFAULT 1,
    created_at    TEXT NOT NULL,
    updated_at    TEXT NOT NULL
);
CREATE INDEX integrations_app ON integrations(app_id);
CREATE INDEX integrations_connection ON integrations(connection_id);

CREATE TABLE api_keys (
    id           TEXT PRIMARY KEY,
    org_id       TEXT NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    label        TEXT NOT NULL,
    role         TEXT NOT NULL CHECK (role IN ('OWNER', 'USER')),
    key_hash     TEXT NOT NULL UNIQUE,           -- SHA-256 of the key; the key itself is never stored
    created_at   TEXT NOT NULL,
    last_used_at TEXT
);
CREATE INDEX api_keys_org ON api_keys(org_id);

-- One-use links mailed to people (confirm email, invitation, password reset).
CREATE TABLE link_tokens (
    token_hash TEXT PRIMARY KEY,                 -- SHA-256 of the token
    user_id    TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    kind       TEXT NOT NULL CHECK (kind IN ('CONFIRM_EMAIL', 'INVITATION', 'PASSWORD_RESET')),
    expires_at TEXT NOT NULL,
    used_at    TEXT
);
CREATE INDEX link_tokens_user ON link_tokens(user_id);

CREATE TABLE mail (
    id         TEXT PRIMARY KEY,
    to_address TEXT NOT NULL,
    kind       TEXT NOT NULL,
    subject    TEXT NOT NULL,
    body       TEXT NOT NULL,
    token      TEXT,
    created_at TEXT NOT NULL
);
CREATE INDEX mail_to ON mail(to_address, created_at);

-- Failed createToken attempts per username, in a fixed window.
CREATE TABLE login_failures (
    username     TEXT PRIMARY KEY,
    failures     INTEGER NOT NULL,
    window_start INTEGER NOT NULL                -- unix seconds
);
