-- Consent (issue 12): invitations apart from accounts, sign-in attempts per client, API
-- keys that expire and an audit of what each key did.

-- An Owner's invitation of an email address to an organization. No account is made or
-- changed until the address accepts (in the app, or by the mailed link whose hash is
-- here); unaccepted ones expire and are pruned.
CREATE TABLE invitations (
    id         TEXT PRIMARY KEY,
    org_id     TEXT NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    email      TEXT NOT NULL,                   -- lower-cased, as usernames are
    role       TEXT NOT NULL CHECK (role IN ('OWNER', 'USER')),
    token_hash TEXT NOT NULL UNIQUE,            -- SHA-256 of the mailed link's token
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL
);
CREATE INDEX invitations_email ON invitations(email);
CREATE INDEX invitations_org ON invitations(org_id);

-- Failed sign-ins counted per username and client, so that one client's guesses do not
-- lock the account's owner out. The counters are short-lived: the old ones go.
DROP TABLE login_failures;
CREATE TABLE login_failures (
    username     TEXT NOT NULL,
    client       TEXT NOT NULL,                 -- the client's address; '' in-process
    failures     INTEGER NOT NULL,
    window_start INTEGER NOT NULL,              -- unix seconds
    PRIMARY KEY (username, client)
);
CREATE INDEX login_failures_window ON login_failures(window_start);

-- An API key may expire (NULL: never).
ALTER TABLE api_keys ADD COLUMN expires_at TEXT;

-- What API keys did: one row per mutation a key ran, kept after the key is revoked (a
-- leaked key's doings matter most then), gone with its organization.
CREATE TABLE api_key_audit (
    seq       INTEGER PRIMARY KEY AUTOINCREMENT,
    org_id    TEXT NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    key_id    TEXT NOT NULL,
    key_label TEXT NOT NULL,
    operation TEXT NOT NULL,                    -- the mutation's field name
    success   INTEGER NOT NULL,
    at        TEXT NOT NULL
);
CREATE INDEX api_key_audit_org ON api_key_audit(org_id, seq);
