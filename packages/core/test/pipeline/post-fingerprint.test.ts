// postFingerprint: one post however it is written down (what the server's Idempotency-Key compares).
import { jobSpecFromFields, postFingerprint } from '@tokpipe/core';

const spec = (fields: Record<string, unknown>, mode: 'direct' | 'draft' = 'direct') =>
  jobSpecFromFields(
    { videoUrl: 'https://cdn.example.com/a.mp4', title: 'hi', privacyLevel: 'SELF_ONLY', ...fields },
    mode,
    'either',
  );

test('options at their default or left out, key order, our key and label: the same post', () => {
  const plain = postFingerprint(spec({}));
  expect(postFingerprint(spec({ disableComment: false, disableDuet: false }))).toBe(plain);
  expect(postFingerprint(spec({ idempotencyKey: 'row-1', label: 'from Make' }))).toBe(plain);
  expect(postFingerprint(spec({ disableStitch: false, disableComment: false }))).toBe(
    postFingerprint(spec({ disableComment: false, disableStitch: false })),
  );
});

test('anything TikTok would receive differently: another post', () => {
  const plain = postFingerprint(spec({}));
  for (const other of [
    spec({ disableComment: true }),
    spec({ title: 'hi!' }),
    spec({ privacyLevel: 'PUBLIC_TO_EVERYONE' }),
    spec({ account: 'brand' }),
    spec({ videoUrl: 'https://cdn.example.com/b.mp4' }),
    spec({ videoCoverTimestampMs: 0 }),
    spec({}, 'draft'),
  ])
    expect(postFingerprint(other)).not.toBe(plain);
});
