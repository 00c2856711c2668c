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

-- Accounts made by invitations before this migration (pending, no password) squat their
-- address: each of their memberships becomes an invitation (accepted in the app once the
-- person signs up and confirms; its old link no longer works), and the account goes.
INSERT INTO invitations (id, org_id, email, role, token_hash, created_at, expires_at)
SELECT 'legacy-' || m.org_id || '-' || u.id, m.org_id, u.username, m.role,
       'legacy:' || m.org_id || ':' || u.id, m.created_at,
       COALESCE((SELECT MAX(l.expires_at) FROM link_tokens l
                 WHERE l.user_id = u.id AND l.kind = 'INVITATION'), m.created_at)
FROM users u JOIN memberships m ON m.user_id = u.id
WHERE u.status = 'pending' AND u.password_hash IS NULL;
DELETE FROM users WHERE status = 'pending' AND password_hash IS NULL;
