// The multi-account pipeline (issue 4): see README.md in this folder.
export * from './types';
export * from './pipeline';
export * from './accounts';
export * from './breaker';
export * from './caps';
export * from './alerts';
export * from './dlq';
export * from './video-list';
export * from './explain';
export { searchVideoList, VideoListPages, type VideoListSearch } from './video-list-pages';
export { whyNotInVideoList, captionOf, type ListablePost, type VideoListMatch } from './video-match';
export { pipelineError, type PipelineErrorCode } from './pipeline-errors';
