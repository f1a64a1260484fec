// Tool arguments (catalog field names) → core's JobSpec: core's jobSpecFromFields (schemas/job.ts), shared
// with the server's REST API. Mistakes throw core's input error naming the tool's field, before anything is queued.
export { jobSpecFromFields as specFrom, type JobFields as PostArgs } from '@tokpipe/core';
