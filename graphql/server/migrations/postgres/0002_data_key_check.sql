-- Which data key seals this database's connection details and integration configurations:
-- one constant, sealed with it (see src/seal.rs). A server given another key finds it does
-- not open and refuses to start, before it writes anything with the wrong key; servers
-- sharing the database must share the key.
CREATE TABLE data_key_check (
    id     INTEGER PRIMARY KEY CHECK (id = 1),
    sealed TEXT NOT NULL
);
