// The video list parser keeps only real TikTok post ids: a listed "video" with a bad id must never be
// claimed as a job's post (the user would be told a wrong post is theirs).
import { parseVideoList } from '../../src/pipeline/video-list';

const listed = (id: unknown) => ({
  data: { videos: [{ id, title: 'spring drop', create_time: 1_700_000_000 }], has_more: false },
});

test('real post ids are kept, as strings, from strings, safe numbers and bigints', () => {
  expect(parseVideoList(listed('7312345678901234567')).videos.map((v) => v.id)).toEqual(['7312345678901234567']);
  expect(parseVideoList(listed(123456)).videos.map((v) => v.id)).toEqual(['123456']);
  expect(parseVideoList(listed(7312345678901234567n)).videos.map((v) => v.id)).toEqual(['7312345678901234567']);
});

test.each([
  ['a negative number', -1],
  ['a negative string', '-1'],
  ['zero', '0'],
  ['30 digits', '123456789012345678901234567890'],
  ['above int64', '9223372036854775808'],
  ['a leading zero', '0123'],
  ['a number that lost its digits past 2^53', Number('7312345678901234567')],
  ['a fraction', 12.5],
  ['text', 'abc'],
  ['an empty string', ''],
])('a listed video whose id is %s is skipped', (_what, id) => {
  expect(parseVideoList(listed(id)).videos).toEqual([]);
});
