// A webhook event is handled once across processes: the first receiver to store its key wins.
import { parseWebhookEvent } from '@tokpipe/core';
import { migrate, recordWebhookEvent } from '../src';
import { engines, type EngineUnderTest } from './databases';

const body = (publishId: string) =>
  JSON.stringify({
    client_key: 'ck',
    event: 'post.publish.complete',
    create_time: 1_767_600_000,
    user_openid: 'open-1',
    content: JSON.stringify({ publish_id: publishId, publish_type: 'DIRECT_PUBLISH' }),
  });

describe.each(engines())('webhook events on %s', (_name, start) => {
  let engine: EngineUnderTest;
  beforeAll(async () => {
    engine = await start();
    await migrate(await engine.open());
  }, 120_000);
  afterAll(() => engine.cleanup());

  test('first sighting true, a redelivery false; two receivers at once: exactly one handles it', async () => {
    const [a, b] = [await engine.open(), await engine.open()];
    const event = parseWebhookEvent(body('p-1'));
    expect(await recordWebhookEvent(a, event, 1)).toBe(true);
    expect(await recordWebhookEvent(b, parseWebhookEvent(body('p-1')), 2)).toBe(false);
    const other = parseWebhookEvent(body('p-2'));
    const raced = await Promise.all([recordWebhookEvent(a, other, 3), recordWebhookEvent(b, other, 3)]);
    expect(raced.filter(Boolean)).toHaveLength(1);
    const stored = await a.query<{ publish_id: string; event: string }>(
      'SELECT publish_id, event FROM tokpipe.webhook_events ORDER BY publish_id',
    );
    expect(stored.rows).toEqual([
      { publish_id: 'p-1', event: 'post.publish.complete' },
      { publish_id: 'p-2', event: 'post.publish.complete' },
    ]);
  });
});
