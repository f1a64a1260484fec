// Version 4: core's pipeline jobs (`campaign run`, `tokpipe post`, the server's in-process pipeline)
// get a table of their own instead of JSON rows in tokpipe.kv. Each row has one owner: the process
// whose INSERT created it (or that took it over). Another process with the same job follows the row
// instead of posting it. The owner is a number whose advisory lock that process holds while it
// runs, so a row whose owner crashed or stopped is seen as free at once. Existing rows move over.
export const sql = `
CREATE TABLE tokpipe.pipeline_jobs (
  id text PRIMARY KEY,
  seq bigint NOT NULL,
  state text NOT NULL,
  account text,
  publish_id text,
  -- The process posting this job (see SqlJobStore); NULL: nobody (imported, or written by a store
  -- used by one process only).
  owner integer,
  record text NOT NULL
);

INSERT INTO tokpipe.pipeline_jobs (id, seq, state, account, publish_id, record)
SELECT substr(key, 22), COALESCE((value::jsonb ->> 'seq')::bigint, 0), value::jsonb ->> 'state',
       value::jsonb ->> 'account', value::jsonb ->> 'publishId', value
FROM tokpipe.kv WHERE left(key, 21) = 'tokpipe/pipeline/job/';
DELETE FROM tokpipe.kv WHERE left(key, 21) = 'tokpipe/pipeline/job/';
`;
