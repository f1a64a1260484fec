// Version 6: each queue job's timeline, step by step (core's TimelineStep as JSON: attempt n, accepted with
// its publish_id, the retry with TikTok's code, log_id and message and its delay, the outcome), written by
// the workers with the job row's transitions so every server shows every attempt. `seq` orders a job's
// steps (one worker holds a job at a time); the workers keep the newest 100 per job (worker/steps.ts).
export const sql = `
CREATE TABLE tokpipe.job_steps (
  job_id text NOT NULL REFERENCES tokpipe.jobs (id) ON DELETE CASCADE,
  seq bigint GENERATED ALWAYS AS IDENTITY,
  step jsonb NOT NULL,
  PRIMARY KEY (job_id, seq)
);
`;
