-- Paged lists (issue 14). See the SQLite twin for the why. Every text column here is
-- COLLATE "C" already, so the indexes order as SQLite's BINARY does.

CREATE INDEX applications_org_name ON applications(org_id, name, id);
CREATE INDEX connections_org_name ON connections(org_id, name, id);

ALTER TABLE integrations ADD COLUMN org_id TEXT COLLATE "C"; -- goes with its source
UPDATE integrations i SET org_id = a.org_id FROM applications a WHERE a.id = i.app_id;
ALTER TABLE integrations ALTER COLUMN org_id SET NOT NULL;
CREATE INDEX integrations_org_name ON integrations(org_id, name, id);
CREATE INDEX integrations_app_name ON integrations(app_id, name, id);

-- Mail newest first: the mail's order is (created_at, seq).
CREATE INDEX mail_to_page ON mail(to_address, created_at, seq);
