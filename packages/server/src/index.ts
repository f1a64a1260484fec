// @tokpipe/server: `tokpipe serve` (see README.md).
export {
  buildServer,
  DEFAULT_LIMITS,
  type ServerOptions,
  type ServerContext,
  type ServerLimits,
  type TokpipeServer,
} from './app';
export { ApiKeys, API_KEY_SCOPES, type ApiKeyScope, type ApiKeyView } from './keys';
export { DEFAULT_RATE_LIMIT, type RateLimit } from './auth';
export { DEFAULT_DELIVERY_POLICY, type DeliveryPolicy, type Delivery, type Subscription } from './hooks';
export { signDelivery, verifyDelivery } from '@tokpipe/core';
export { DELIVERY_SIGNATURE_HEADER, DELIVERY_EVENT_ID_HEADER, type OutgoingEvent } from './outgoing';
export { SUBSCRIPTION_EVENTS, postBodySchema } from './schemas';
export { openApiDocument } from './openapi';
export type { Problem } from './problem';
export { createConnectLink, DEFAULT_CONNECT_SCOPES, type ConnectOptions } from './connect';
export { deliveriesSource, keyIdentity } from './console-sources';
export { pipelinePosts, recordedPosts, type PostBackend, type PostFilter } from './post-backend';
export { queuePosts, type QueuePostsOptions } from './queue-posts';
