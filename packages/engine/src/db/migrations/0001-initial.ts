// Version 1: accounts and tokens, the idempotency ledger, jobs, and a key-value table for the rest of
// core's state. Times are epoch ms of the injected clock (bigint), so virtual time works in tests.
export const sql = `
CREATE SCHEMA IF NOT EXISTS tokpipe;

-- Anything core keeps in a KeyValueStore that has no table of its own.
CREATE TABLE tokpipe.kv (
  key text PRIMARY KEY,
  value text NOT NULL
);

-- The idempotency ledger. The key is the idempotency key: UNIQUE, so a second INSERT of one post
-- does nothing, and every transition is UPDATE ... WHERE key = $1 AND state = $expected AND entry = $seen.
CREATE TABLE tokpipe.ledger (
  key text PRIMARY KEY,
  state text NOT NULL,
  publish_id text,
  entry text NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX ledger_publish_id ON tokpipe.ledger (publish_id) WHERE publish_id IS NOT NULL;

CREATE TABLE tokpipe.accounts (
  id text PRIMARY KEY,
  data jsonb NOT NULL
);

-- One row per account: the only copy of its refresh token. Refreshed under SELECT ... FOR UPDATE.
CREATE TABLE tokpipe.tokens (
  account text PRIMARY KEY,
  record text NOT NULL,
  version bigint NOT NULL DEFAULT 1,
  refreshes bigint NOT NULL DEFAULT 0
);

-- One row per post to make (a campaign row, a tokpipe post). state moves by compare-and-set only.
CREATE TABLE tokpipe.jobs (
  id text PRIMARY KEY,
  account text NOT NULL,
  spec jsonb NOT NULL,
  state text NOT NULL,
  publish_id text,
  attempts integer NOT NULL DEFAULT 0,
  error jsonb,
  updated_at bigint NOT NULL
);
CREATE INDEX jobs_account_state ON tokpipe.jobs (account, state);
`;
