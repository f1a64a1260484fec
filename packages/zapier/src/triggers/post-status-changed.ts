// Post Status Changed: one item per status a post of this connection reaches (id = publish_id:status),
// newest post first, so a Zap can react to PUBLISH_COMPLETE, FAILED or UNCONFIRMED.
import { defaultPollSchedule, isTokpipeError } from '@tokpipe/core';
import type { Bundle, ZObject } from 'zapier-platform-core';
import { connect } from '../connection';
import { translated } from '../errors';
import { classificationOf, postOutputFields } from '../output';
import { readRecent, writeRecent, type RecentPost } from '../recent';
import { runtime } from '../runtime';
import { zapierStore } from '../store';

/** Statuses after which a post never changes again, so it is never fetched again. A draft in the
 * inbox (SEND_TO_USER_INBOX) still becomes PUBLISH_COMPLETE when the creator posts it. */
const FINAL = new Set(['PUBLISH_COMPLETE', 'FAILED']);
/** Not final after core's polling budget (5 min): reported as UNCONFIRMED, as core does. */
const UNCONFIRMED_AFTER_MS = defaultPollSchedule.budgetMs;
/** TikTok allows 30 status fetches per minute per token; Zapier may poll every minute. */
const MAX_FETCHES_PER_POLL = 20;
/** Stop fetching with this much of the step's time left, to save what was learned. */
const SAVE_MARGIN_MS = 3_000;
/** TikTok's answers meaning the publish_id is gone for this account: stop watching it. */
const GONE_CODES = new Set(['invalid_publish_id', 'token_not_authorized_for_specified_publish_id']);

function itemOf(post: RecentPost, now: number) {
  const status = !FINAL.has(post.status) && post.status !== 'SEND_TO_USER_INBOX' && now - post.createdAt > UNCONFIRMED_AFTER_MS ? 'UNCONFIRMED' : post.status;
  return {
    id: `${post.publishId}:${status}`,
    publish_id: post.publishId,
    status,
    mode: post.mode,
    post_ids: post.postIds,
    created_at: new Date(post.createdAt).toISOString(),
    ...(post.failure ?? classificationOf(null)),
  };
}

async function perform(z: ZObject, bundle: Bundle) {
  const { poster, deadline, openId } = connect(z, bundle);
  const store = zapierStore(z, openId || 'unknown');
  return translated(z, async () => {
    const posts = await readRecent(store);
    const gone = new Set<string>();
    let fetches = 0;
    try {
      for (const post of posts) {
        if (FINAL.has(post.status)) continue;
        if (fetches >= MAX_FETCHES_PER_POLL || deadline.remainingMs() < SAVE_MARGIN_MS) break;
        fetches++;
        try {
          const outcome = await poster.status(post.publishId);
          post.status = outcome.status;
          post.postIds = outcome.postIds;
          post.failure = outcome.error ? classificationOf(outcome.error) : null;
        } catch (error) {
          if (isTokpipeError(error) && GONE_CODES.has(error.code)) gone.add(post.publishId);
          else throw error;
        }
      }
    } finally {
      // Keep what this poll learned even when a later fetch failed (e.g. rate limit).
      await writeRecent(store, posts.filter((p) => !gone.has(p.publishId)));
    }
    const now = runtime().clock.now();
    const items = posts.filter((p) => !gone.has(p.publishId)).map((p) => itemOf(p, now));
    return bundle.meta?.isLoadingSample ? items.slice(0, 3) : items;
  });
}

export const postStatusChanged = {
  key: 'post_status_changed',
  noun: 'Post Status',
  display: {
    label: 'Post Status Changed',
    description: 'Triggers when a post made through this connection changes status: published, delivered to the inbox, failed, or unconfirmed.',
  },
  operation: {
    type: 'polling' as const,
    perform,
    outputFields: [
      ...postOutputFields.filter((f) => ['publish_id', 'status', 'post_ids[]', 'error_category', 'error_code', 'fail_reason', 'retryable', 'action', 'error_message', 'log_id'].includes(f.key)),
      { key: 'mode', label: 'Mode (direct or draft)', type: 'string' },
      { key: 'created_at', label: 'Posted At', type: 'datetime' },
    ],
    sample: {
      id: 'v_pub_url~v2.123456789:PUBLISH_COMPLETE',
      publish_id: 'v_pub_url~v2.123456789',
      status: 'PUBLISH_COMPLETE',
      mode: 'direct',
      post_ids: ['7311111111111111111'],
      created_at: '2026-11-25T18:00:00.000Z',
      ...classificationOf(null),
    },
  },
};
