-- Events received by the collector, and the hourly counts behind reports.
--
-- `seq` orders events as stored (newest first is `seq DESC`) and is the paging cursor:
-- AUTOINCREMENT so that a number is never given twice, even after the newest rows are
-- deleted. `first_seen` marks the first event of a `messageId` for its source and is NULL
-- on replays: NULLs never collide in a unique index, so only first events are unique and
-- a replayed `messageId` is stored too (invalid, with its reason). The same index finds
-- the message ids a source has seen.
CREATE TABLE events (
    seq          INTEGER PRIMARY KEY AUTOINCREMENT,
    app_id       TEXT NOT NULL REFERENCES applications(id) ON DELETE CASCADE,
    message_id   TEXT NOT NULL,
    type         TEXT NOT NULL,
    event        TEXT,
    user_id      TEXT,
    anonymous_id TEXT,
    received_at  TEXT NOT NULL,
    timestamp    TEXT,
    valid        INTEGER NOT NULL,
    problems     TEXT NOT NULL,                 -- a JSON array of stable reason strings
    payload      TEXT NOT NULL,                 -- the event as received, JSON
    first_seen   INTEGER                        -- 1 on the first of its messageId, else NULL
);
CREATE INDEX events_app_seq ON events(app_id, seq);
CREATE INDEX events_app_received ON events(app_id, received_at);
CREATE UNIQUE INDEX events_first_message ON events(app_id, message_id, first_seen);

-- Events counted per source, hour (its start, UTC, `YYYY-MM-DDTHH:00:00Z`), type and
-- validity; kept for good (retention deletes events, never counts).
CREATE TABLE event_counts (
    app_id TEXT NOT NULL REFERENCES applications(id) ON DELETE CASCADE,
    hour   TEXT NOT NULL,
    type   TEXT NOT NULL,
    valid  INTEGER NOT NULL,
    count  INTEGER NOT NULL,
    PRIMARY KEY (app_id, hour, type, valid)
);
