// Post Status Changed: one item per status a post of this connection reaches (id = publish_id:status),
// newest post first, so a Zap can react to PUBLISH_COMPLETE, FAILED or UNCONFIRMED.
import {
  isFinalStatus,
  isUnknownPublishId,
  neverChangesAgain,
  SAMPLE_POST_ID,
  SAMPLE_PUBLISH_ID,
  statusAsOf,
  tiktokRateLimits,
} from '@tokpipe/core';
import type { Bundle, ZObject } from 'zapier-platform-core';
import { CACHE_TTL_SECONDS } from '../common/cache-store';
import { connect } from '../common/connection';
import { translated } from '../common/errors';
import { forgetPost, readRecent, updatePost, type RecentPost } from '../common/recent-posts';
import { runtime } from '../common/runtime';
import { errorOutput, statusItemFields } from '../output-schemas';

/** Zapier may poll every minute: stay at two thirds of TikTok's status limit per token. */
const MAX_FETCHES_PER_POLL = Math.floor((tiktokRateLimits.status_fetch!.limit * 2) / 3);
/** Stop fetching with this much of the step's time left, to save what was learned. */
const SAVE_MARGIN_MS = 3_000;

function itemOf(post: RecentPost, now: number) {
  // Not final after core's polling budget: UNCONFIRMED, as core reports it.
  const status = statusAsOf(post.status, post.createdAt, now);
  return {
    id: `${post.publishId}:${status}`,
    publish_id: post.publishId,
    status,
    done: isFinalStatus(status),
    published: status === 'PUBLISH_COMPLETE',
    mode: post.mode,
    post_ids: post.postIds,
    created_at: new Date(post.createdAt).toISOString(),
    ...(post.failure ?? errorOutput(null)),
  };
}

async function perform(z: ZObject, bundle: Bundle) {
  const { poster, deadline, recent } = connect(z, bundle);
  return translated(z, async () => {
    const stored = await readRecent(recent, runtime().clock.now(), CACHE_TTL_SECONDS * 1000);
    const gone = new Set<number>();
    let fetches = 0;
    // Newest first: those are the ones still moving.
    for (const entry of [...stored].reverse()) {
      if (neverChangesAgain(entry.post.status)) continue;
      if (fetches >= MAX_FETCHES_PER_POLL || deadline.remainingMs() < SAVE_MARGIN_MS) break;
      fetches++;
      try {
        const outcome = await poster.status(entry.post.publishId);
        entry.post = {
          ...entry.post,
          status: outcome.status,
          postIds: outcome.postIds,
          failure: outcome.error ? errorOutput(outcome.error) : null,
        };
        // Saved at once, into this post's own slot: a later failure (rate limit) keeps what was learned.
        await updatePost(recent, entry);
      } catch (error) {
        // TikTok no longer knows the publish_id for this account: stop watching it.
        if (!isUnknownPublishId(error)) throw error;
        gone.add(entry.slot);
        await forgetPost(recent, entry);
      }
    }
    const now = runtime().clock.now();
    const items = stored
      .filter((e) => !gone.has(e.slot))
      .sort((a, b) => b.post.createdAt - a.post.createdAt || b.slot - a.slot)
      .map((e) => itemOf(e.post, now));
    return bundle.meta?.isLoadingSample ? items.slice(0, 3) : items;
  });
}

export const postStatusChanged = {
  key: 'post_status_changed',
  noun: 'Post Status',
  display: {
    label: 'Post Status Changed',
    description:
      'Triggers when a post made through this connection changes status: published, delivered to the inbox, failed, or unconfirmed.',
  },
  operation: {
    type: 'polling' as const,
    perform,
    outputFields: statusItemFields,
    sample: itemOf(
      {
        publishId: SAMPLE_PUBLISH_ID,
        status: 'PUBLISH_COMPLETE',
        mode: 'direct',
        postIds: [SAMPLE_POST_ID],
        createdAt: Date.UTC(2026, 10, 25, 18),
      },
      0,
    ),
  },
};
