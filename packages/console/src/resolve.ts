// The mark-as-posted capability over core's Pipeline (pipeline.resolve): the console's verdict in the
// pipeline's words. Core checks the post id (its own rule) and whether the job may be settled.
import type { Pipeline } from '@tokpipe/core';
import type { ResolvePost } from './ports';

export function pipelineResolve(pipeline: Pick<Pipeline, 'resolve'>): ResolvePost {
  return (jobId, outcome) => pipeline.resolve(jobId, outcome.posted ? { postId: outcome.postId } : { notPosted: true });
}
