// Version 5: every write to a tokpipe.jobs row stamps it with the writing transaction's id, so each
// server can turn queue posts' outcomes into outgoing events (REST hooks) by reading the rows changed
// since its cursor. A cursor is a snapshot's xmin: every transaction below it has ended, so a row
// changed later always carries an id at or above the cursor (commit order cannot hide a change).
export const sql = `
ALTER TABLE tokpipe.jobs ADD COLUMN changed_xid xid8 NOT NULL DEFAULT pg_current_xact_id();
CREATE INDEX jobs_changed_xid ON tokpipe.jobs (changed_xid);

CREATE FUNCTION tokpipe.jobs_stamp_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  NEW.changed_xid := pg_current_xact_id();
  RETURN NEW;
END $$;

CREATE TRIGGER jobs_stamp_change BEFORE UPDATE ON tokpipe.jobs
  FOR EACH ROW WHEN (OLD.state IS DISTINCT FROM NEW.state OR OLD.publish_id IS DISTINCT FROM NEW.publish_id)
  EXECUTE FUNCTION tokpipe.jobs_stamp_change();
`;
