// Searches and triggers against the sandbox.
import { errorJson, startHarness, type Harness } from './harness';

let h: Harness;
afterEach(async () => {
  await h.close();
});

const post = async (extra: Record<string, unknown> = {}) =>
  h.run(h.App.creates.post_video.operation.perform, {
    videoUrl: h.mediaUrl(),
    privacyLevel: 'SELF_ONLY',
    title: `t ${Math.random()}`,
    ...extra,
  });
const findStatus = () => h.App.searches.find_post_status.operation.perform;
const statusChanged = () => h.App.triggers.post_status_changed.operation.perform;

describe('Find Post Status', () => {
  beforeEach(async () => {
    h = await startHarness();
  });

  it('reports processing, then published with exact 19-digit post ids', async () => {
    const { publish_id } = await post({ privacyLevel: 'PUBLIC_TO_EVERYONE' });
    const [early] = await h.run(findStatus(), { publishId: publish_id });
    expect(early).toMatchObject({ publish_id, status: 'PROCESSING_DOWNLOAD', code: null });
    await h.clock.advance(120_000); // download, processing and moderation
    const [done] = await h.run(findStatus(), { publishId: publish_id });
    expect(done.status).toBe('PUBLISH_COMPLETE');
    const sandboxIds = h.sb.admin.posts(h.auth.open_id)[0]!.publicPostIds;
    expect(done.post_ids).toEqual(sandboxIds);
    expect(done.post_ids[0]).toMatch(/^\d{19}$/);
  });

  it("waits within the step when asked, on core's schedule", async () => {
    const { publish_id } = await post();
    const [out] = await h.run(findStatus(), { publishId: publish_id, wait: true });
    // Downloaded + processed within the first poll (10 s); moderation still withholds the post id.
    expect(out.status).toBe('PUBLISH_COMPLETE');
    expect(h.count('status')).toBe(2);
  });

  it('an unknown publish_id finds nothing', async () => {
    await expect(h.run(findStatus(), { publishId: 'v_pub_url~v2.000000000' })).resolves.toEqual([]);
  });

  it('a FAILED post comes back with its reason, category and what to do', async () => {
    h.sb.admin.script('video.init', [{ kind: 'async_fail', failReason: 'frame_rate_check_failed' }]);
    const { publish_id } = await post();
    await h.clock.advance(60_000);
    const [out] = await h.run(findStatus(), { publishId: publish_id });
    expect(out).toMatchObject({
      status: 'FAILED',
      fail_reason: 'frame_rate_check_failed',
      category: 'not_retryable',
      retryable: false,
    });
    expect(out.action).toMatch(/23 to 60 FPS/);
  });

  it('429 → ThrottledError with delay; 5xx → retried', async () => {
    const { publish_id } = await post();
    h.sb.admin.script('status', [{ kind: 'rate_limit' }]);
    const err = await h.fail(findStatus(), { publishId: publish_id });
    expect([err.name, errorJson(err).delay]).toEqual(['ThrottledError', 60]);
    await h.clock.advance(60_000);
    h.sb.admin.script('status', [{ kind: 'server_error', status: 500, body: 'json' }]);
    const before = h.count('status');
    const [out] = await h.run(findStatus(), { publishId: publish_id });
    expect(out.status).toBe('PUBLISH_COMPLETE');
    expect(h.count('status') - before).toBe(2);
  });

  it('expired token → RefreshAuthError, then works after the refresh', async () => {
    const { publish_id } = await post();
    await h.clock.advance(86_400_000 + 1_000); // the sandbox's access tokens live 24 h
    const err = await h.fail(findStatus(), { publishId: publish_id });
    expect(err.name).toBe('RefreshAuthError');
    const fresh = await h.run(h.App.authentication.oauth2Config.refreshAccessToken, {}, h.auth);
    const [out] = await h.run(findStatus(), { publishId: publish_id }, { ...h.auth, ...fresh });
    expect(out.publish_id).toBe(publish_id);
  });
});

describe('Get Creator Info', () => {
  beforeEach(async () => {
    h = await startHarness();
  });

  it("returns the creator's nickname and allowed privacy levels", async () => {
    const [info] = await h.run(h.App.searches.get_creator_info.operation.perform);
    expect(info).toMatchObject({ id: h.auth.open_id, nickname: 'Sandbox Creator', username: 'sandbox_creator' });
    expect(info.privacy_level_options).toEqual(expect.arrayContaining(['PUBLIC_TO_EVERYONE', 'SELF_ONLY']));
    expect(h.count('creator_info')).toBe(1);
  });

  it('429 → ThrottledError, 5xx → retried, expired token → RefreshAuthError', async () => {
    const perform = h.App.searches.get_creator_info.operation.perform;
    h.sb.admin.script('creator_info', [{ kind: 'rate_limit' }]);
    expect((await h.fail(perform)).name).toBe('ThrottledError');
    await h.clock.advance(60_000);
    h.sb.admin.script('creator_info', [{ kind: 'server_error', status: 503, body: 'json' }]);
    await expect(h.run(perform)).resolves.toHaveLength(1);
    h.sb.admin.script('creator_info', [{ kind: 'token_revoked' }]);
    expect((await h.fail(perform)).name).toBe('RefreshAuthError');
  });

  it('the privacy dropdown lists only what a private creator may choose', async () => {
    const levels = await h.run(h.App.triggers.privacy_level_options.operation.perform, {}, h.otherAuth);
    expect(levels.map((l: { id: string }) => l.id).sort()).toEqual([
      'FOLLOWER_OF_CREATOR',
      'MUTUAL_FOLLOW_FRIENDS',
      'SELF_ONLY',
    ]);
    expect(levels.find((l: { id: string }) => l.id === 'SELF_ONLY').label).toBe('Only me');
  });
});

describe('Post Status Changed', () => {
  beforeEach(async () => {
    h = await startHarness();
  });

  it('emits one item per status change of the posts this connection made, newest first', async () => {
    const a = await post();
    const b = await post({ title: 'second' });
    const first = await h.run(statusChanged());
    expect(first.map((i: { id: string }) => i.id)).toEqual([
      `${b.publish_id}:PROCESSING_DOWNLOAD`,
      `${a.publish_id}:PROCESSING_DOWNLOAD`,
    ]);
    await h.clock.advance(60_000);
    const second = await h.run(statusChanged());
    expect(second.map((i: { id: string }) => i.id)).toEqual([
      `${b.publish_id}:PUBLISH_COMPLETE`,
      `${a.publish_id}:PUBLISH_COMPLETE`,
    ]);
    // Final posts are not fetched again.
    const before = h.count('status');
    const third = await h.run(statusChanged());
    expect(h.count('status')).toBe(before);
    expect(third).toEqual(second);
  });

  it("a post still not final after 5 minutes (core's polling budget) is UNCONFIRMED", async () => {
    await h.close();
    h = await startHarness({ config: { downloadDelayMs: 3_600_000 } });
    const slow = await post();
    await h.clock.advance(4 * 60_000);
    expect((await h.run(statusChanged())).map((i: { id: string }) => i.id)).toEqual([
      `${slow.publish_id}:PROCESSING_DOWNLOAD`,
    ]);
    await h.clock.advance(2 * 60_000);
    expect((await h.run(statusChanged())).map((i: { id: string }) => i.id)).toEqual([`${slow.publish_id}:UNCONFIRMED`]);
  });

  it('a failed post is emitted with its classification', async () => {
    h.sb.admin.script('video.init', [{ kind: 'async_fail', failReason: 'spam_risk_text' }]);
    const failing = await post({ title: 'buy now!!!' });
    await h.clock.advance(60_000);
    const [item] = await h.run(statusChanged());
    expect(item).toMatchObject({
      id: `${failing.publish_id}:FAILED`,
      fail_reason: 'spam_risk_text',
      retryable: false,
      category: 'not_retryable',
    });
    expect(item.action).toMatch(/caption/);
  });

  it('another connection sees none of these posts', async () => {
    await post();
    await expect(h.run(statusChanged(), {}, h.otherAuth)).resolves.toEqual([]);
  });

  it('429 on a status fetch → ThrottledError, keeping what was already learned', async () => {
    await post();
    await post({ title: 'second' });
    await h.clock.advance(60_000);
    h.sb.admin.script('status', [{ kind: 'none' }, { kind: 'rate_limit' }]);
    const err = await h.fail(statusChanged());
    expect(err.name).toBe('ThrottledError');
    await h.clock.advance(60_000);
    const before = h.count('status');
    await h.run(statusChanged());
    expect(h.count('status') - before).toBe(1); // the first post's final status was kept
  });

  it('5xx is retried; an expired token → RefreshAuthError', async () => {
    await post();
    h.sb.admin.script('status', [{ kind: 'server_error', status: 500, body: 'json' }]);
    await expect(h.run(statusChanged())).resolves.toHaveLength(1);
    h.sb.admin.script('status', [{ kind: 'token_revoked' }]);
    expect((await h.fail(statusChanged())).name).toBe('RefreshAuthError');
  });
});

describe('New Published Video', () => {
  beforeEach(async () => {
    h = await startHarness();
  });

  it('lists published videos with exact ids, deduplicable by id', async () => {
    const perform = h.App.triggers.new_published_video.operation.perform;
    await expect(h.run(perform)).resolves.toEqual([]);
    await post({ privacyLevel: 'PUBLIC_TO_EVERYONE' });
    await h.clock.advance(120_000);
    const videos = await h.run(perform);
    expect(videos).toHaveLength(1);
    expect(videos[0].id).toMatch(/^\d{19}$/);
    expect(videos[0].id).toBe(h.sb.admin.posts(h.auth.open_id)[0]!.postIds[0]);
  });

  it('a 429 and a 5xx are retried within the step; an expired token → RefreshAuthError', async () => {
    const perform = h.App.triggers.new_published_video.operation.perform;
    h.sb.admin.script('video.list', [{ kind: 'rate_limit' }]);
    await expect(h.run(perform)).resolves.toEqual([]);
    expect(h.count('video.list')).toBe(2);
    h.sb.admin.script('video.list', [{ kind: 'server_error', status: 500, body: 'json' }]);
    await expect(h.run(perform)).resolves.toEqual([]);
    expect(h.count('video.list')).toBe(4);
    h.sb.admin.script('video.list', [{ kind: 'token_revoked' }]);
    expect((await h.fail(perform)).name).toBe('RefreshAuthError');
  });
});
