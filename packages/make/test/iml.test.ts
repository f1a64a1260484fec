// The IML evaluator's reading of Make's rules (make-custom-apps.md §4.4): the harness is only as good as this.
import { checkExpression, evaluate, evaluateString } from '../harness/iml/evaluate';
import { makeEnv } from '../harness/iml/functions';

const NOW = Date.UTC(2026, 10, 25, 12, 0, 0);
const env = makeEnv({ now: () => NOW, uuid: () => 'uuid-1' });
const ev = (src: string, scope: Record<string, unknown> = {}) => evaluateString(src, scope, env);

test('a lone expression keeps its raw type; mixed text concatenates with null/undefined as ""', () => {
  expect(ev('{{body.items}}', { body: { items: [1, 2] } })).toEqual([1, 2]);
  expect(ev('{{statusCode}}', { statusCode: 429 })).toBe(429);
  expect(ev('[{{statusCode}}] {{body.missing}}!', { statusCode: 500, body: {} })).toBe('[500] !');
});

test('paths: dots, backticks, 1-based and negative indexes', () => {
  const scope = { headers: { 'X-Hook-Type': 'a' }, body: { list: ['first', 'second', 'last'] } };
  expect(ev('{{headers.`X-Hook-Type`}}', scope)).toBe('a');
  expect(ev('{{body.list[1]}}', scope)).toBe('first');
  expect(ev('{{body.list[-1]}}', scope)).toBe('last');
});

test('operators: strict equality, precedence, logic, arithmetic', () => {
  expect(ev("{{1 == '1'}}")).toBe(false);
  expect(ev('{{1 + 2 * 3}}')).toBe(7);
  expect(ev("{{'a' + 1}}")).toBe('a1');
  expect(ev('{{!(statusCode >= 500) && statusCode = 429}}', { statusCode: 429 })).toBe(true);
  expect(ev("{{ifempty(body.error.code, 'ok') != 'ok'}}", { body: {} })).toBe(false);
});

test('if evaluates only the branch it takes', () => {
  expect(ev("{{if(body.error, parseJSON(body.broken), 'fine')}}", { body: { broken: '{nope' } })).toBe('fine');
});

test('dates: now, addMinutes, a stored ISO string compared with a date, parseDate/formatDate', () => {
  expect(ev('{{addMinutes(now, 15)}}')).toEqual(new Date(NOW + 15 * 60_000));
  const stored = new Date(NOW + 10 * 60_000).toISOString();
  expect(ev('{{data.expires < addMinutes(now, 15)}}', { data: { expires: stored } })).toBe(true);
  expect(ev('{{data.expires < addMinutes(now, 5)}}', { data: { expires: stored } })).toBe(false);
  expect(ev("{{formatDate(parseDate(1764072000, 'X'), 'YYYY-MM-DD HH:mm')}}")).toBe('2025-11-25 12:00');
});

test('functions used by the app', () => {
  expect(ev("{{join(oauth.scope, ',')}}", { oauth: { scope: ['a', 'b'] } })).toBe('a,b');
  expect(ev("{{split('a,b', ',')}}")).toEqual(['a', 'b']);
  expect(ev("{{get(parseJSON(body.content), 'publish_id')}}", { body: { content: '{"publish_id":"p1"}' } })).toBe('p1');
  expect(ev("{{replace('post.publish.no_longer_publicaly_available', 'publicaly', 'publicly')}}")).toBe(
    'post.publish.no_longer_publicly_available',
  );
  expect(ev("{{contains(body.event, 'post.publish.')}}", { body: { event: 'authorization.removed' } })).toBe(false);
  expect(ev('{{ifempty(x, emptyarray)}}')).toEqual([]);
  expect(ev('{{uuid}}')).toBe('uuid-1');
});

test('objects: templated keys and the {{...}} spread', () => {
  expect(
    evaluate({ '{{k}}': '{{v}}', '{{...}}': '{{extra}}' }, { k: 'name', v: 1, extra: { more: true } }, env),
  ).toEqual({ name: 1, more: true });
});

test('broken IML is reported, not silently accepted', () => {
  expect(() => checkExpression('if(a, b')).toThrow(/IML/);
  expect(() => checkExpression('a..b')).toThrow(/IML/);
  expect(() => ev('{{nosuch(1)}}')).toThrow(/unknown function/);
});

test("names on a plain object's prototype are not functions or literals: toString(x) calls IML's toString, valueOf() is unknown", () => {
  expect(ev('{{toString(body)}}', { body: '<html>502</html>' })).toBe('<html>502</html>');
  expect(ev('{{toString(body)}}', { body: { a: 1 } })).toBe('{"a":1}');
  expect(() => ev('{{valueOf(1)}}')).toThrow(/unknown function/);
  expect(ev('{{constructor}}')).toBeUndefined();
});
