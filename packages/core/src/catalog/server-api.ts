// The tokpipe server's API as data, written once: the routes an adapter calls in "via tokpipe server" mode,
// the event types a subscription can pick, and the headers. The server registers these routes and the
// adapters (n8n, Zapier, Make) build their requests and dropdowns from them.

/** What a subscription (REST hook) can be told about. */
export const SERVER_EVENTS = ['published', 'failed', 'inbox', 'unconfirmed', 'dlq', 'token_expiring'] as const;
export type ServerEvent = (typeof SERVER_EVENTS)[number];

export const SERVER_EVENT_OPTIONS: ReadonlyArray<{ value: ServerEvent; label: string; description: string }> =
  Object.freeze([
    { value: 'published', label: 'Post Published', description: 'A post is live on TikTok' },
    { value: 'inbox', label: 'Draft in Inbox', description: "A draft reached the creator's TikTok inbox" },
    {
      value: 'failed',
      label: 'Post Failed',
      description: 'A post failed for good, with the reason, its class and what to do',
    },
    {
      value: 'unconfirmed',
      label: 'Outcome Unconfirmed',
      description: 'TikTok has not confirmed a post yet; the server keeps checking and never posts it again blindly',
    },
    { value: 'dlq', label: 'Needs a Human', description: 'A post was set aside for a person to look at (DLQ)' },
    {
      value: 'token_expiring',
      label: 'Account Needs Reconnecting',
      description: 'An account must be connected again soon, or already must',
    },
  ]);

/** `{id}` in a path is replaced by the (URL-encoded) `params.id`. */
export const SERVER_ROUTES = Object.freeze({
  createPost: { method: 'POST', path: '/v1/posts' },
  getPost: { method: 'GET', path: '/v1/posts/{id}' },
  listPosts: { method: 'GET', path: '/v1/posts' },
  listAccounts: { method: 'GET', path: '/v1/accounts' },
  creatorInfo: { method: 'GET', path: '/v1/accounts/{id}/creator-info' },
  subscribe: { method: 'POST', path: '/v1/subscriptions' },
  getSubscription: { method: 'GET', path: '/v1/subscriptions/{id}' },
  unsubscribe: { method: 'DELETE', path: '/v1/subscriptions/{id}' },
  recentEvents: { method: 'GET', path: '/v1/events' },
} as const);
export type ServerRoute = keyof typeof SERVER_ROUTES;

export const SERVER_HEADERS = Object.freeze({
  /** The same key and body return the same post; the same key with another body is a 409. */
  idempotencyKey: 'Idempotency-Key',
  /** On deliveries: `t=<unix seconds>,s=<hex HMAC-SHA256(secret, t + "." + event id + "." + body)>`. */
  signature: 'tokpipe-signature',
  /** On deliveries: the event's stable id (the same happening, however often delivered). */
  eventId: 'tokpipe-event-id',
});

/** API keys the server issues start with this. */
export const SERVER_API_KEY_PREFIX = 'tpk_';
