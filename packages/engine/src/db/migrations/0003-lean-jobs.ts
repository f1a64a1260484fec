// Version 3: tokpipe.jobs drops its (account, state) index. No statement reads jobs by account and state
// (jobs are taken by id, counted by a scan), and every state change wrote a new entry in it: without
// it a job's updates can be HOT (no index touched), so each tracked post costs fewer database bytes.
export const sql = `
DROP INDEX IF EXISTS tokpipe.jobs_account_state;
`;
