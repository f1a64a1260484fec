// Every input schema under random and malformed input: valid input passes; anything else is refused
// with a TokpipeError (layer input or structural) naming the field, before any request is made.
import fc from 'fast-check';
import {
  MemoryStore,
  Pipeline,
  PRIVACY_LEVELS,
  TokpipeError,
  VirtualClock,
  accessTokenSchema,
  authorizeParamsSchema,
  clientOptionsSchema,
  exchangeCodeSchema,
  oauthClientOptionsSchema,
  parseInput,
  publishIdSchema,
  refreshTokenSchema,
  toPostRequest,
  validatePostRequest,
} from '@tokpipe/core';
import { expectClassified } from './arbitraries';

/** Runs `fn`; it must succeed or throw a classified input/structural TokpipeError naming a field. */
function refusedWithField(fn: () => unknown): { ok: true } | { ok: false; field: string } {
  try {
    fn();
    return { ok: true };
  } catch (err) {
    if (!(err instanceof TokpipeError))
      throw new Error(`crashed: ${err instanceof Error ? `${err.name}: ${err.message}` : String(err)}`);
    expectClassified(err.details);
    expect(['input', 'structural']).toContain(err.details.layer);
    expect(typeof err.details.field).toBe('string');
    expect(err.details.field!.length).toBeGreaterThan(0);
    expect(err.message).toContain(err.details.field!.split('.')[0]!.replace(/\[.*$/, ''));
    return { ok: false, field: err.details.field! };
  }
}

const junk = fc.oneof(
  fc.anything(),
  fc.constantFrom(
    null,
    undefined,
    '',
    ' ',
    0,
    -1,
    NaN,
    Infinity,
    2 ** 53 + 1,
    [],
    {},
    '__proto__',
    'javascript:alert(1)',
    'ftp://x',
    'http://example.com/v.mp4',
  ),
);

const httpsUrl = fc.webUrl({ validSchemes: ['https'] });

const validDirectVideo = fc.record(
  {
    mode: fc.constant('direct' as const),
    media: httpsUrl.map((url) => ({ type: 'video_url' as const, url })),
    title: fc.string({ maxLength: 200 }),
    privacyLevel: fc.constantFrom(...PRIVACY_LEVELS),
    disableComment: fc.boolean(),
    disableDuet: fc.boolean(),
    disableStitch: fc.boolean(),
    videoCoverTimestampMs: fc.integer({ min: 0, max: 2_147_483_647 }),
    brandContentToggle: fc.boolean(),
    brandOrganicToggle: fc.boolean(),
    isAigc: fc.boolean(),
    publishAt: fc
      .date({ min: new Date('2000-01-01'), max: new Date('2100-01-01'), noInvalidDate: true })
      .map((d) => d.toISOString()),
    idempotencyKey: fc.string({ minLength: 1, maxLength: 256 }),
  },
  { requiredKeys: ['mode', 'media', 'privacyLevel'] },
);

const validPhoto = fc
  .record({
    mode: fc.constantFrom('direct' as const, 'draft' as const),
    media: fc
      .array(httpsUrl, { minLength: 1, maxLength: 35 })
      .chain((urls) =>
        fc.nat({ max: urls.length - 1 }).map((coverIndex) => ({ type: 'photo_urls' as const, urls, coverIndex })),
      ),
    title: fc.string({ maxLength: 90 }),
    description: fc.string({ maxLength: 4000 }),
  })
  .map((r) => (r.mode === 'direct' ? { ...r, privacyLevel: 'SELF_ONLY' as const } : r));

/** A wrong value for each field of a direct video post (none of these is acceptable there). */
const wrongValue: Record<string, fc.Arbitrary<unknown>> = {
  mode: fc.oneof(
    fc.string().filter((s) => s !== 'direct' && s !== 'draft'),
    fc.integer(),
    fc.constant(null),
  ),
  title: fc.oneof(fc.integer(), fc.boolean(), fc.constant({}), fc.string({ minLength: 2201, maxLength: 2300 })),
  privacyLevel: fc.oneof(
    fc.string().filter((s) => !(PRIVACY_LEVELS as readonly string[]).includes(s)),
    fc.integer(),
  ),
  disableComment: fc.oneof(fc.string(), fc.integer(), fc.constant(null)),
  videoCoverTimestampMs: fc.oneof(
    fc.double({ min: 0.1, max: 1e6, noNaN: true }).filter((n) => !Number.isInteger(n)),
    fc.integer({ max: -1 }),
    fc.constant(2 ** 31),
    fc.string(),
  ),
  publishAt: fc.oneof(fc.constantFrom('tomorrow', '2026-13-01T00:00:00Z', '1700000000', ''), fc.integer()),
  idempotencyKey: fc.oneof(fc.constant(''), fc.string({ minLength: 257, maxLength: 300 }), fc.integer()),
  description: fc.string(), // photos only
  autoAddMusic: fc.boolean(), // photos only
};

test('validatePostRequest: generated valid posts (videos and photos) pass', () => {
  fc.assert(
    fc.property(fc.oneof(validDirectVideo, validPhoto), (req) =>
      expect(refusedWithField(() => validatePostRequest(req))).toEqual({ ok: true }),
    ),
    { numRuns: 300 },
  );
});

test('validatePostRequest: one wrong field in a valid post is refused naming that field', () => {
  const field = fc.constantFrom(...Object.keys(wrongValue));
  fc.assert(
    fc.property(
      validDirectVideo,
      field.chain((f) => wrongValue[f]!.map((v) => [f, v] as const)),
      (req, [f, value]) => {
        const result = refusedWithField(() => validatePostRequest({ ...req, [f]: value }));
        expect(result).toEqual({ ok: false, field: expect.stringMatching(new RegExp(`^${f}`)) });
      },
    ),
    { numRuns: 400 },
  );
});

test("validatePostRequest and the adapters' toPostRequest: anything at all is accepted or refused with a field, never a crash", () => {
  fc.assert(
    fc.property(
      junk,
      fc.dictionary(
        fc.constantFrom(
          'mode',
          'videoUrl',
          'title',
          'privacyLevel',
          'photoUrls',
          'coverIndex',
          'disableComment',
          'videoCoverTimestampMs',
          'publishAt',
          'x',
        ),
        junk,
      ),
      (anything, values) => {
        refusedWithField(() => validatePostRequest(anything));
        refusedWithField(() => validatePostRequest({ mode: 'direct', media: anything, privacyLevel: 'SELF_ONLY' }));
        refusedWithField(() =>
          validatePostRequest({
            mode: 'direct',
            media: { type: 'video_url', url: 'https://a.example/v.mp4' },
            privacyLevel: 'SELF_ONLY',
            unsupported: anything,
          }),
        );
        for (const op of ['post_video', 'post_photos'] as const)
          refusedWithField(() => validatePostRequest(toPostRequest(op, values)));
      },
    ),
    {
      numRuns: 400,
      // Found by a CI run: an object whose toString is not a function crashed String()/Number().
      examples: [
        [[], { coverIndex: { toString: [] } }],
        [[], { videoUrl: { toString: [] } }],
        [[], { photoUrls: [{ toString: [] }] }],
      ],
    },
  );
});

test('option and OAuth schemas: junk is refused naming the field; good values pass', () => {
  const schemas = {
    clientOptionsSchema,
    oauthClientOptionsSchema,
    authorizeParamsSchema,
    exchangeCodeSchema,
    refreshTokenSchema,
    accessTokenSchema,
    publishIdSchema,
  };
  fc.assert(
    fc.property(
      fc.constantFrom(...Object.keys(schemas)),
      junk,
      fc.dictionary(
        fc.constantFrom(
          'baseUrl',
          'transport',
          'requestTimeoutMs',
          'clientKey',
          'clientSecret',
          'scopes',
          'redirectUri',
          'state',
          'codeVerifier',
          'code',
        ),
        junk,
      ),
      (name, value, record) => {
        const schema = schemas[name as keyof typeof schemas];
        refusedWithField(() => parseInput(schema, value, name));
        refusedWithField(() => parseInput(schema, record, name));
      },
    ),
    { numRuns: 400 },
  );
  const good = {
    clientOptionsSchema: {
      transport: async () => ({ status: 200, headers: {}, body: '' }),
      baseUrl: 'https://open.tiktokapis.com',
      requestTimeoutMs: 1000,
    },
    oauthClientOptionsSchema: {
      transport: async () => ({ status: 200, headers: {}, body: '' }),
      clientKey: 'k',
      clientSecret: 's',
    },
    authorizeParamsSchema: {
      clientKey: 'k',
      scopes: ['video.publish'],
      redirectUri: 'https://example.com/cb',
      state: 'st',
      codeVerifier: 'a'.repeat(43),
    },
    exchangeCodeSchema: { code: 'c', redirectUri: 'https://example.com/cb' },
    refreshTokenSchema: 'rft.x',
    accessTokenSchema: 'act.x',
    publishIdSchema: 'v_pub_url~v2.1',
  };
  for (const [name, value] of Object.entries(good))
    expect(refusedWithField(() => parseInput(schemas[name as keyof typeof schemas], value, name))).toEqual({
      ok: true,
    });
});

test('pipeline submit and accounts.add: junk is refused naming the field, and nothing is queued or stored', async () => {
  const store = new MemoryStore();
  const clock = new VirtualClock();
  const pipeline = await Pipeline.open({
    store,
    clock,
    posterFor: () => {
      throw new Error('never posts here');
    },
  });
  await pipeline.accounts.add({ id: 'a1' });
  await fc.assert(
    fc.asyncProperty(
      junk,
      fc.dictionary(
        fc.constantFrom(
          'mode',
          'media',
          'title',
          'account',
          'region',
          'privacyLevel',
          'publishAt',
          'options',
          'idempotencyKey',
        ),
        junk,
      ),
      async (anything, spec) => {
        for (const input of [
          anything,
          spec,
          { ...spec, mode: 'direct', media: { type: 'video_url', url: anything } },
        ]) {
          let refused: unknown;
          const jobsBefore = pipeline.listJobs().length;
          const accepted = await pipeline.submitMany([input as never]).then(
            () => true,
            (err: unknown) => ((refused = err), false),
          );
          if (accepted) continue; // e.g. a junk spec that happens to be a valid post: fine, it is a real job
          expect(refused).toBeInstanceOf(TokpipeError);
          const details = (refused as TokpipeError).details;
          expectClassified(details);
          expect(details.layer).toBe('input');
          expect(details.field).toMatch(/^jobs\[0\]|^[a-zA-Z]/);
          expect(pipeline.listJobs().length).toBe(jobsBefore); // refused = nothing queued
        }
        const added = await pipeline.accounts
          .add({ id: anything as never, region: spec.region as never, scopes: spec.options as never })
          .then(
            () => true,
            (err: unknown) => {
              expect(err).toBeInstanceOf(TokpipeError);
              expect((err as TokpipeError).details.field).toMatch(/^account\./);
              return false;
            },
          );
        if (added) await pipeline.accounts.remove(anything as string);
      },
    ),
    { numRuns: 100 },
  );
  pipeline.stop();
});
