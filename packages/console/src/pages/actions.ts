// The buttons that change something (replay, mark as posted / not posted): shown only to keys that may
// use them, each a POST form carrying the session's CSRF token. The routes check the scope again.
import { canPost, type PageContext } from '../context';
import { markup, type Html } from '../html';
import { BASE, csrfField } from '../layout';

/** States a person settles: reconciliation could not tell whether TikTok has the post. */
export const OPEN_OUTCOME_STATES = ['unconfirmed', 'unknown'];

export function actionsFor(ctx: PageContext, post: { jobId: string | null; state: string }, inDlq: boolean): Html {
  if (!post.jobId) return markup``;
  if (!canPost(ctx))
    return markup`<p class="muted">Read-only key: replay and mark-as-posted need a post or admin key.</p>`;
  const id = post.jobId;
  const replay = inDlq
    ? markup`<form method="post" action="${BASE}/actions/replay" class="inline">
        ${csrfField(ctx.session)}<input type="hidden" name="jobId" value="${id}" />
        ${post.state === 'unknown' ? markup`<input type="hidden" name="force" value="1" />` : ''}
        <button type="submit" data-action="replay">
          Replay${post.state === 'unknown' ? ' (I checked TikTok: it is not there)' : ''}
        </button>
      </form>`
    : '';
  const settle = inDlq || OPEN_OUTCOME_STATES.includes(post.state);
  const resolve = !settle
    ? ''
    : ctx.opts.resolve
      ? markup`<form method="post" action="${BASE}/actions/resolve" class="inline">
            ${csrfField(ctx.session)}<input type="hidden" name="jobId" value="${id}" /><input
              type="hidden"
              name="posted"
              value="1"
            />
            <label for="pid-${id}">TikTok post id</label>
            <input id="pid-${id}" name="postId" inputmode="numeric" size="20" required />
            <button type="submit" data-action="resolve-posted">Mark as posted</button>
          </form>
          <form method="post" action="${BASE}/actions/resolve" class="inline">
            ${csrfField(ctx.session)}<input type="hidden" name="jobId" value="${id}" /><input
              type="hidden"
              name="posted"
              value="0"
            />
            <button type="submit" data-action="resolve-not-posted">Mark as not posted</button>
          </form>`
      : markup`<p class="muted">Mark as posted is not available in this console (no resolve capability was given).</p>`;
  return markup`<div class="row-actions">${replay}${resolve}</div>`;
}
