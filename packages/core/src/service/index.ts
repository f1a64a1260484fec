export * from './service';
export { pipelineService, type AccountPoster, type PipelineServiceOptions } from './pipeline-service';
export { accountView, creatorInfoView, errorView, isFailedPost, isSettledState, jobView } from './views';
export { validateSpec } from './validate';
export {
  recordTimelines,
  stepWithError,
  timelineStepOf,
  type TimelineRecorder,
  type TimelineSource,
  type TimelineStep,
} from './timeline';
export { insightOf } from './insight';
export {
  combinedDlq,
  filterJobs,
  pipelineJobs,
  type JobDlq,
  type JobFilter,
  type JobSource,
  type ReplayOptions,
} from './jobs';
export { errorViewSchema, postViewSchema } from './view-schemas';
