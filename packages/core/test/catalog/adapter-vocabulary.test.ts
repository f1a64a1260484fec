// The facts Zapier and Make show beyond the post form, checked against core's own tables.
import {
  AWAITING_CREATOR_STATUSES,
  CREATOR_INFO_FIELDS,
  ENDPOINTS,
  FINAL_STATUSES,
  lookupRow,
  neverChangesAgain,
  POST_EVENT_FIELDS,
  PUBLISH_ID_NOT_FOUND_CODES,
  PUBLISH_STATUSES,
  TIKTOK_SCOPES,
  VIDEO_FIELDS,
  VIDEO_LIST_QUERY_FIELDS,
} from '@tokpipe/core';

test('the scopes are every scope an endpoint needs, each once', () => {
  const needed = new Set(Object.values(ENDPOINTS).flatMap((e) => e.scopes));
  expect(new Set(TIKTOK_SCOPES.map((s) => s.name))).toEqual(needed);
});

test('a post never changes again once published or failed; a draft in the inbox still can', () => {
  expect(PUBLISH_STATUSES.filter((s) => neverChangesAgain(s))).toEqual(['PUBLISH_COMPLETE', 'FAILED']);
  for (const s of AWAITING_CREATOR_STATUSES) expect(FINAL_STATUSES.has(s)).toBe(true);
  expect(neverChangesAgain('UNCONFIRMED')).toBe(false);
  expect(neverChangesAgain(undefined)).toBe(false);
});

test('output field names are unique per list and the video list asks for every field it outputs', () => {
  for (const fields of [CREATOR_INFO_FIELDS, VIDEO_FIELDS, POST_EVENT_FIELDS]) {
    expect(new Set(fields.map((f) => f.name)).size).toBe(fields.length);
  }
  expect(VIDEO_LIST_QUERY_FIELDS.split(',')).toEqual(VIDEO_FIELDS.map((f) => f.source));
});

test('the "publish_id not found" codes are codes core classifies', () => {
  for (const code of PUBLISH_ID_NOT_FOUND_CODES) expect(lookupRow('application', code)?.code).toBe(code);
});
