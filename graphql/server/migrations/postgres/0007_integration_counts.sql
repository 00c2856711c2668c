-- How many integrations each organization has, kept by a trigger. See the SQLite twin.
CREATE TABLE org_integration_counts (
    org_id TEXT COLLATE "C" PRIMARY KEY REFERENCES organizations(id) ON DELETE CASCADE,
    n      BIGINT NOT NULL
);
INSERT INTO org_integration_counts (org_id, n)
    SELECT org_id, COUNT(*) FROM integrations GROUP BY org_id;

CREATE FUNCTION count_integrations() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        INSERT INTO org_integration_counts (org_id, n) VALUES (NEW.org_id, 1)
            ON CONFLICT (org_id) DO UPDATE SET n = org_integration_counts.n + 1;
    ELSE
        UPDATE org_integration_counts SET n = n - 1 WHERE org_id = OLD.org_id;
    END IF;
    RETURN NULL;
END
$$;

CREATE TRIGGER integrations_counted AFTER INSERT OR DELETE ON integrations
    FOR EACH ROW EXECUTE FUNCTION count_integrations();
