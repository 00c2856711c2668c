-- Which associated data the sealed values use (see src/store/sealing.rs): 0 until the
-- one-time pass at open has sealed every value for its row's meaning (organization,
-- destination, source), 2 after it. From then on plaintext, and values sealed for their
-- row id only, are refused.
CREATE TABLE sealing_scheme (
    id      INTEGER PRIMARY KEY CHECK (id = 1),
    version INTEGER NOT NULL
);
