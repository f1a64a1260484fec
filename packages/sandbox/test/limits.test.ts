import { PATHS, post, start, urlInit, type Harness } from './helpers';

describe('rate limits and posting caps', () => {
  let h: Harness;
  beforeEach(async () => {
    h = await start({ config: { downloadDelayMs: 1_000, processingDelayMs: 1_000, moderationDelayMs: 1_000 } });
  });
  afterEach(() => h.sb.close());

  test('sliding windows per token per endpoint: 6/min init, 20/min creator_info, 30/min status', async () => {
    for (let i = 0; i < 6; i++)
      expect((await post(h.sb, PATHS.videoInit, h.token, urlInit(h.sb, 'SELF_ONLY'))).status).toBe(200);
    const seventh = await post(h.sb, PATHS.videoInit, h.token, urlInit(h.sb, 'SELF_ONLY'));
    expect([seventh.status, seventh.json.error.code]).toEqual([429, 'rate_limit_exceeded']);
    expect(seventh.headers.get('retry-after')).toBeNull();
    // other endpoints and other tokens have their own windows
    expect((await post(h.sb, PATHS.inboxInit, h.token, { source_info: urlInit(h.sb).source_info })).status).toBe(200);
    expect((await post(h.sb, PATHS.videoInit, h.token2, urlInit(h.sb, 'SELF_ONLY'))).status).toBe(200);
    h.clock.advance(59_999);
    expect((await post(h.sb, PATHS.videoInit, h.token, urlInit(h.sb, 'SELF_ONLY'))).status).toBe(429);
    h.clock.advance(1);
    expect((await post(h.sb, PATHS.videoInit, h.token, urlInit(h.sb, 'SELF_ONLY'))).status).toBe(200);
    // refused requests were not posted
    expect(h.sb.admin.posts(h.openId).filter((p) => p.flow === 'direct')).toHaveLength(7);

    for (let i = 0; i < 20; i++) expect((await post(h.sb, PATHS.creatorInfo, h.token)).status).toBe(200);
    expect((await post(h.sb, PATHS.creatorInfo, h.token)).status).toBe(429);
    const id = h.sb.admin.posts()[0].publishId;
    for (let i = 0; i < 30; i++) expect((await post(h.sb, PATHS.status, h.token, { publish_id: id })).status).toBe(200);
    expect((await post(h.sb, PATHS.status, h.token, { publish_id: id })).status).toBe(429);
    h.sb.admin.setConfig({ retryAfterSec: 30 });
    expect((await post(h.sb, PATHS.status, h.token, { publish_id: id })).headers.get('retry-after')).toBe('30');
  });

  test('daily Direct Post cap (15): HTTP 200 on creator_info, 403 on init; inbox is not counted', async () => {
    for (let i = 0; i < 15; i++) {
      h.clock.advance(10_000);
      expect((await post(h.sb, PATHS.videoInit, h.token, urlInit(h.sb, 'SELF_ONLY'))).status).toBe(200);
    }
    h.clock.advance(10_000);
    const ci = await post(h.sb, PATHS.creatorInfo, h.token);
    expect([ci.status, ci.json.error.code, ci.json.data]).toEqual([200, 'spam_risk_too_many_posts', {}]);
    const init = await post(h.sb, PATHS.videoInit, h.token, urlInit(h.sb, 'SELF_ONLY'));
    expect([init.status, init.json.error.code]).toEqual([403, 'spam_risk_too_many_posts']);
    const photo = await post(h.sb, PATHS.contentInit, h.token, {
      media_type: 'PHOTO',
      post_mode: 'DIRECT_POST',
      post_info: { privacy_level: 'SELF_ONLY' },
      source_info: { source: 'PULL_FROM_URL', photo_images: [`${h.sb.url}/media/photo-1.jpg`], photo_cover_index: 0 },
    });
    expect([photo.status, photo.json.error.code]).toEqual([403, 'spam_risk_too_many_posts']);
    expect((await post(h.sb, PATHS.inboxInit, h.token, { source_info: urlInit(h.sb).source_info })).status).toBe(200);
    // the window slides: 24 h after the first post one slot frees up (a fresh token: the demo one expires in 24 h)
    const fresh = h.sb.admin.issueToken(h.openId, { expiresIn: 2 * 86_400 }).accessToken;
    h.clock.advance(86_400_000 - 15 * 10_000); // now = first post + 24 h
    expect((await post(h.sb, PATHS.videoInit, fresh, urlInit(h.sb, 'SELF_ONLY'))).status).toBe(200);
  });

  test('5 pending inbox shares per 24 h (403 spam_risk_too_many_pending_share); published drafts stop counting', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      h.clock.advance(10_000);
      ids.push(
        (await post(h.sb, PATHS.inboxInit, h.token, { source_info: urlInit(h.sb).source_info })).json.data.publish_id,
      );
    }
    h.clock.advance(10_000);
    const sixth = await post(h.sb, PATHS.inboxInit, h.token, { source_info: urlInit(h.sb).source_info });
    expect([sixth.status, sixth.json.error.code]).toEqual([403, 'spam_risk_too_many_pending_share']);
    const photo = await post(h.sb, PATHS.contentInit, h.token, {
      media_type: 'PHOTO',
      post_mode: 'MEDIA_UPLOAD',
      post_info: {},
      source_info: { source: 'PULL_FROM_URL', photo_images: [`${h.sb.url}/media/photo-1.jpg`], photo_cover_index: 0 },
    });
    expect([photo.status, photo.json.error.code]).toEqual([403, 'spam_risk_too_many_pending_share']);
    h.sb.admin.publishDraft(ids[0]);
    h.clock.advance(60_000);
    expect((await post(h.sb, PATHS.inboxInit, h.token, { source_info: urlInit(h.sb).source_info })).status).toBe(200);
  });

  test('banned user: 200 on creator_info, 403 on every init', async () => {
    h.sb.admin.updateUser(h.openId, { banned: true });
    const ci = await post(h.sb, PATHS.creatorInfo, h.token);
    expect([ci.status, ci.json.error.code]).toEqual([200, 'spam_risk_user_banned_from_posting']);
    for (const [path, body] of [
      [PATHS.videoInit, urlInit(h.sb)],
      [PATHS.inboxInit, { source_info: urlInit(h.sb).source_info }],
    ] as const) {
      const r = await post(h.sb, path, h.token, body);
      expect([r.status, r.json.error.code]).toEqual([403, 'spam_risk_user_banned_from_posting']);
    }
  });

  test('unaudited mode: SELF_ONLY only, private accounts only, 5 users per 24 h', async () => {
    h.sb.admin.setConfig({ unaudited: true });
    expect((await post(h.sb, PATHS.creatorInfo, h.token2)).json.data.privacy_level_options).toEqual(['SELF_ONLY']);
    const publicAccount = await post(h.sb, PATHS.videoInit, h.token, urlInit(h.sb, 'SELF_ONLY'));
    expect([publicAccount.status, publicAccount.json.error.code]).toEqual([
      403,
      'unaudited_client_can_only_post_to_private_accounts',
    ]);
    const notSelfOnly = await post(h.sb, PATHS.videoInit, h.token2, urlInit(h.sb, 'FOLLOWER_OF_CREATOR'));
    expect([notSelfOnly.status, notSelfOnly.json.error.code]).toEqual([403, 'privacy_level_option_mismatch']);
    expect((await post(h.sb, PATHS.videoInit, h.token2, urlInit(h.sb, 'SELF_ONLY'))).status).toBe(200);
    const tokens: string[] = [];
    for (let i = 0; i < 5; i++) {
      const u = h.sb.admin.createUser({ privateAccount: true });
      tokens.push(h.sb.admin.issueToken(u.openId).accessToken);
    }
    for (const t of tokens.slice(0, 4))
      expect((await post(h.sb, PATHS.videoInit, t, urlInit(h.sb, 'SELF_ONLY'))).status).toBe(200);
    const sixthUser = await post(h.sb, PATHS.videoInit, tokens[4], urlInit(h.sb, 'SELF_ONLY'));
    expect([sixthUser.status, sixthUser.json.error.code]).toEqual([403, 'reached_active_user_cap']);
    const ci = await post(h.sb, PATHS.creatorInfo, tokens[4]);
    expect([ci.status, ci.json.error.code]).toEqual([200, 'reached_active_user_cap']);
    // an already active user keeps posting
    expect((await post(h.sb, PATHS.videoInit, h.token2, urlInit(h.sb, 'SELF_ONLY'))).status).toBe(200);
  });

  test('active-user cap for audited apps', async () => {
    h.sb.admin.setConfig({ activeUserCap: 1 });
    expect((await post(h.sb, PATHS.videoInit, h.token, urlInit(h.sb))).status).toBe(200);
    const r = await post(h.sb, PATHS.videoInit, h.token2, urlInit(h.sb, 'SELF_ONLY'));
    expect([r.status, r.json.error.code]).toEqual([403, 'reached_active_user_cap']);
    const fresh = h.sb.admin.issueToken(h.openId2, { expiresIn: 2 * 86_400 }).accessToken;
    h.clock.advance(86_400_000);
    expect((await post(h.sb, PATHS.videoInit, fresh, urlInit(h.sb, 'SELF_ONLY'))).status).toBe(200);
  });

  test('setConfig rejects unknown or mistyped knobs naming the field', () => {
    expect(() => h.sb.admin.setConfig({ bogus: 1 } as never)).toThrow(/config\.bogus/);
    expect(() => h.sb.admin.setConfig({ directPostDailyCap: '15' } as never)).toThrow(
      /config\.directPostDailyCap: must be a number/,
    );
    expect(() => h.sb.admin.setConfig({ webhookUrl: 'https://example.com/hook' })).toThrow(/config\.webhookUrl/);
    expect(() => h.sb.admin.setConfig({ mbUnit: 'kilo' } as never)).toThrow(/config\.mbUnit: must be one of/);
  });
});
