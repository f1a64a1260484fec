// Issue 14 item 10: post ids are int64 (at most 19 digits, positive); "-1" and 30-digit ids were accepted.
import { isPostId, parseWebhookEvent, postIdProblem, WebhookPayloadError } from '../../src';
import { world, rejectionOf } from '../client/helpers';

it.each([
  ['7311234567890123456', true],
  ['1', true],
  ['9223372036854775807', true], // int64 max
  ['9223372036854775808', false],
  ['-1', false],
  ['0', false],
  ['012345', false],
  ['123456789012345678901234567890', false],
  ['12e3', false],
  [' 123', false],
  ['', false],
])('%s → %s', (id, ok) => {
  expect(isPostId(id)).toBe(ok);
  expect(postIdProblem(id) === undefined).toBe(ok);
});

it('a webhook whose post_id is not a post id is refused naming the field', () => {
  for (const bad of ['-1', '123456789012345678901234567890']) {
    const body = JSON.stringify({
      client_key: 'ck',
      event: 'post.publish.publicly_available',
      create_time: 1,
      user_openid: 'o',
      content: `{"publish_id":"v_pub_url~v2.1","post_id":${bad},"publish_type":"DIRECT_PUBLISH"}`,
    });
    expect(() => parseWebhookEvent(body)).toThrow(WebhookPayloadError);
    expect(() => parseWebhookEvent(body)).toThrow(/content field "post_id" must be a TikTok post id/);
  }
  const good = JSON.stringify({
    client_key: 'ck',
    event: 'post.publish.publicly_available',
    create_time: 1,
    user_openid: 'o',
    content: '{"publish_id":"v_pub_url~v2.1","post_id":7311234567890123456,"publish_type":"DIRECT_PUBLISH"}',
  });
  expect(parseWebhookEvent(good).content).toMatchObject({ post_id: '7311234567890123456' });
});

it('a status reply carrying "-1" or a 30-digit post id is a malformed reply, not a post id shown to the user', async () => {
  const w = await world();
  try {
    const ok = '"error":{"code":"ok","message":"","log_id":"x"}';
    for (const id of ['-1', '123456789012345678901234567890']) {
      w.sb.admin.script('status', [
        { kind: 'garbled', body: `{"data":{"status":"PUBLISH_COMPLETE","publicaly_available_post_id":[${id}]},${ok}}` },
      ]);
      const error = await rejectionOf(w.client.fetchStatus(w.token, 'v_pub_url~v2.1'));
      expect(error.details).toMatchObject({ layer: 'transport', code: 'malformed_reply' });
      expect(error.details.message).toContain(`publicaly_available_post_id "${id}"`);
    }
  } finally {
    await w.sb.close();
  }
});
