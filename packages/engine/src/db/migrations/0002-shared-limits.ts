// Version 2: what several workers must share to behave like one: TikTok's per-token rate windows,
// breakers, daily caps, the DLQ, received webhook events and reconciliation candidates.
export const sql = `
-- Per token (subject) per endpoint: the send times inside the sliding window, and a pause after a 429.
-- A worker takes the row FOR UPDATE, so two workers never both take the last slot.
CREATE TABLE tokpipe.rate_windows (
  subject text NOT NULL,
  endpoint text NOT NULL,
  sent float8[] NOT NULL DEFAULT '{}',
  paused_until float8 NOT NULL DEFAULT 0,
  -- Names the last acquire that got a slot (its random id), so one statement both decides and tells.
  last_grant text,
  PRIMARY KEY (subject, endpoint)
);

CREATE TABLE tokpipe.breakers (
  account text PRIMARY KEY,
  state text NOT NULL DEFAULT 'closed',
  failures integer NOT NULL DEFAULT 0,
  open_until bigint NOT NULL DEFAULT 0,
  open_ms bigint NOT NULL DEFAULT 0
);

-- One row per post counted against an account's daily cap (rolling 24 h): the job id is unique, so a
-- retried job is counted once.
CREATE TABLE tokpipe.cap_usage (
  account text NOT NULL,
  kind text NOT NULL,
  job_id text NOT NULL,
  at bigint NOT NULL,
  PRIMARY KEY (account, kind, job_id)
);

CREATE TABLE tokpipe.dlq (
  job_id text PRIMARY KEY,
  account text NOT NULL,
  code text NOT NULL,
  message text NOT NULL,
  details jsonb,
  at bigint NOT NULL
);

-- A redelivered webhook event has the same key: stored once.
CREATE TABLE tokpipe.webhook_events (
  event_key text PRIMARY KEY,
  event text NOT NULL,
  publish_id text,
  body jsonb NOT NULL,
  received_at bigint NOT NULL
);

-- Posts whose outcome is not known yet (lost init reply, unconfirmed): the sweep looks at them.
CREATE TABLE tokpipe.reconcile (
  job_id text PRIMARY KEY,
  account text NOT NULL,
  reason text NOT NULL,
  due_at bigint NOT NULL,
  checks integer NOT NULL DEFAULT 0
);

-- Jobs learn who is working on them (a worker killed mid-post is seen by its expired lease).
ALTER TABLE tokpipe.jobs ADD COLUMN owner text;
ALTER TABLE tokpipe.jobs ADD COLUMN lease_until bigint;
`;
