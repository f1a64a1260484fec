// The server's outputs as field lists: they name exactly what the server's post view and core's event
// record carry, so an adapter's generated outputs cannot drift from the API.
import { postViewSchema, SERVER_EVENT_FIELDS, SERVER_POST_FIELDS, serverEventRecord } from '@tokpipe/core';

test('SERVER_POST_FIELDS are the post view (core PostView + submittedAt), error aside', () => {
  const names = SERVER_POST_FIELDS.map((f) => f.name);
  expect([...names, 'error'].sort()).toEqual([...Object.keys(postViewSchema.shape), 'submittedAt'].sort());
  expect(new Set(names).size).toBe(names.length);
});

test("SERVER_EVENT_FIELDS are the keys serverEventRecord puts beside the post's", () => {
  const record = serverEventRecord({
    id: 'evt_1',
    type: 'published',
    account: 'brand',
    createdAt: '2026-01-01T00:00:00.000Z',
    data: { post: { jobId: 'job_1' } },
  });
  expect(Object.keys(record).filter((k) => k !== 'jobId')).toEqual(SERVER_EVENT_FIELDS.map((f) => f.name));
});
