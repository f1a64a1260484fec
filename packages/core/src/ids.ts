// TikTok's post ids: int64 values (reference §1.6 `publicaly_available_post_id`, list<int64>), in
// practice ~19 digits, beyond JS numbers: handled as decimal strings. One rule for every place an id
// comes in (status replies, webhooks, the video list, a person typing one).

/** The largest int64: no post id is above it. */
export const POST_ID_MAX = 9_223_372_036_854_775_807n;

/** A positive decimal integer of at most 19 digits that fits in int64; no sign, no leading zero. */
export function isPostId(value: unknown): value is string {
  if (typeof value !== 'string' || !/^[1-9]\d{0,18}$/.test(value)) return false;
  return BigInt(value) <= POST_ID_MAX;
}

/** Why `value` is not a post id (for messages naming the field), or undefined when it is one. */
export function postIdProblem(value: unknown): string | undefined {
  if (isPostId(value)) return undefined;
  const shown = typeof value === 'string' ? `"${value.slice(0, 40)}${value.length > 40 ? '…' : ''}"` : String(value);
  return `must be a TikTok post id (a positive whole number of at most 19 digits), got ${shown}`;
}
