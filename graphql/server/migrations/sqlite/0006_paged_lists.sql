-- Paged lists (issue 14): every page is one index range read in order, from the
-- organization (or source, or mailbox) and the keyset of the previous page's last row, so
-- a deep page costs what the first one does.

-- Sources and connections: by name then id within an organization.
CREATE INDEX applications_org_name ON applications(org_id, name, id);
CREATE INDEX connections_org_name ON connections(org_id, name, id);

-- Integrations belong to an organization through their source; the organization is
-- copied into the row (a source never changes organization) so that an organization's
-- integrations in name order are one range instead of a join sorted at every page.
ALTER TABLE integrations ADD COLUMN org_id TEXT; -- goes with its source (app_id cascades)
UPDATE integrations
   SET org_id = (SELECT a.org_id FROM applications a WHERE a.id = integrations.app_id);
CREATE INDEX integrations_org_name ON integrations(org_id, name, id);
CREATE INDEX integrations_app_name ON integrations(app_id, name, id);

-- Mail, newest first: the existing mail_to(to_address, created_at) index ends with the
-- rowid on SQLite, which is the tie-break, so it already serves the page.
