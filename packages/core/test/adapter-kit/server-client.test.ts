// "Via tokpipe server" pieces every adapter shares: a trigger's subscription body, a delivery checked against
// the subscription's secret, and a credential's input errors as the user reads them.
import {
  callServer,
  MemoryStore,
  readServerReply,
  receiveServerDelivery,
  SERVER_EVENTS,
  serverConnection,
  serverSubscriptionBody,
  signDelivery,
  TokpipeError,
  VirtualClock,
} from '../../src';

test('a subscription with no events picked takes every event; picked ones are kept once; an unknown one names the field', () => {
  expect(serverSubscriptionBody('https://n8n.example.com/webhook/x', [])).toEqual({
    targetUrl: 'https://n8n.example.com/webhook/x',
    events: [...SERVER_EVENTS],
  });
  expect(serverSubscriptionBody('https://h/x', ['published', 'failed', 'published'], 'n8n: wf')).toEqual({
    targetUrl: 'https://h/x',
    events: ['published', 'failed'],
    label: 'n8n: wf',
  });
  expect(() => serverSubscriptionBody('https://h/x', ['post.publish.complete'])).toThrow(
    /^events: "post.publish.complete" is not one of published, failed/,
  );
});

test('a trigger that never subscribed (no secret) refuses even a delivery signed with an empty key', async () => {
  const clock = new VirtualClock({ start: Date.UTC(2026, 11, 7, 12) });
  const body = JSON.stringify({ id: 'evt_1', type: 'published', account: 'a', createdAt: '', data: { post: {} } });
  const signature = signDelivery('', Math.floor(clock.now() / 1000), 'evt_1', body);
  const headers = { 'tokpipe-signature': signature, 'tokpipe-event-id': 'evt_1' };
  const store = new MemoryStore();
  const refused = await receiveServerDelivery({ headers, rawBody: body, secret: '', clock, store });
  expect(refused.status).toBe(401);
  expect(refused.record).toBeUndefined();
  expect((await receiveServerDelivery({ headers, rawBody: body, secret: [], clock, store })).status).toBe(401);
  // The same delivery signed with one of the trigger's secrets fires once, then is a duplicate.
  const good = {
    ...headers,
    'tokpipe-signature': signDelivery('s3cret', Math.floor(clock.now() / 1000), 'evt_1', body),
  };
  const secret = ['secret-of-the-test-url', 's3cret'];
  const first = await receiveServerDelivery({ headers: good, rawBody: body, secret, clock, store });
  expect(first.record).toMatchObject({ eventId: 'evt_1', event: 'published', account: 'a' });
  const again = await receiveServerDelivery({ headers: good, rawBody: body, secret: 's3cret', clock, store });
  expect(again).toEqual({ status: 200, body: { ok: true, skipped: 'duplicate' } });
});

test("a missing API key reads as such (the redaction of `apiKey: <value>` lines leaves the field's prose)", () => {
  const error = (() => {
    try {
      serverConnection({ serverUrl: 'https://tokpipe.example.com', apiKey: ' ' });
    } catch (e) {
      return e as TokpipeError;
    }
  })();
  expect(error).toBeInstanceOf(TokpipeError);
  expect(error!.details.field).toBe('apiKey');
  expect(error!.message).toMatch(/^apiKey: is required \(create one on the server: tokpipe keys create\)/);
  expect(() => serverConnection({ serverUrl: 'https://t.example.com', apiKey: 'tpk_a b' })).toThrow(
    /^apiKey: must not contain spaces/,
  );
});

test("a refusal without the server's own action says what to do for its status: fix for 4xx, retry for 5xx, named ones as named", async () => {
  const read = (status: number, body: unknown) => {
    try {
      readServerReply(status, body);
    } catch (error) {
      const { action, disposition, code } = (error as TokpipeError).details;
      return { action, disposition, code };
    }
    throw new Error('expected a refusal');
  };
  expect(read(415, { detail: 'Content-Type must be application/json' })).toEqual({
    action: 'Correct the request as the message says; the server took nothing from it',
    disposition: 'fix_input',
    code: 'http_415',
  });
  expect(read(502, '<html>Bad gateway</html>')).toEqual({
    action: 'Try again shortly: a post sent again with its Idempotency-Key is never posted twice',
    disposition: 'retry',
    code: 'http_502',
  });
  expect(read(409, {}).action).toBe('Use a new Idempotency-Key for a new post');
  expect(read(400, { detail: 'x', action: 'Do this' }).action).toBe('Do this');
});

test('a server that never answers is server_unreachable with the socket code found in the error chain, never the key', async () => {
  const key = 'tpk_live_secretsecretsecret';
  const refused = Object.assign(new Error('request failed'), {
    cause: Object.assign(new Error(`connect ECONNREFUSED (key ${key})`), { code: 'ECONNREFUSED' }),
  });
  const failure = await callServer({ serverUrl: 'http://127.0.0.1:9', apiKey: key }, 'listAccounts', {}, () =>
    Promise.reject(refused),
  ).then(
    () => {
      throw new Error('expected a refusal');
    },
    (e: unknown) => e as TokpipeError,
  );
  expect(failure.details).toMatchObject({ code: 'server_unreachable', disposition: 'retry' });
  expect(failure.message).toContain('not reachable (ECONNREFUSED)');
  expect(failure.message).toContain('http://127.0.0.1:9');
  expect(JSON.stringify({ ...failure.details, message: failure.message })).not.toContain(key);
});
