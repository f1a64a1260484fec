import { createHash } from 'node:crypto';
import { VirtualClock } from '../../src/clock';
import { MemoryStore } from '../../src/memory-store';
import { Ledger, idempotencyKey, postIdempotencyKey, sha256OfByteSource } from '../../src/idempotency';
import type { ByteSource, PostRequest } from '../../src/types';

function bytes(content: string): ByteSource {
  const data = Buffer.from(content);
  return { size: data.length, read: async (offset, length) => data.subarray(offset, offset + length) };
}

describe('idempotency keys', () => {
  const base: PostRequest = {
    mode: 'direct',
    media: { type: 'video_url', url: 'https://cdn.example.com/a.mp4' },
    title: 'hello',
  };

  it('is sha256 over account, asset, caption and publish time', async () => {
    const key = await postIdempotencyKey(base, 'open-1');
    expect(key).toMatch(/^[0-9a-f]{64}$/);
    expect(await postIdempotencyKey({ ...base }, 'open-1')).toBe(key);
    expect(await postIdempotencyKey(base, 'open-2')).not.toBe(key);
    expect(await postIdempotencyKey({ ...base, title: 'hello!' }, 'open-1')).not.toBe(key);
    expect(await postIdempotencyKey({ ...base, publishAt: '2026-01-02T00:00:00Z' }, 'open-1')).not.toBe(key);
    expect(
      await postIdempotencyKey(
        { ...base, media: { type: 'video_url', url: 'https://cdn.example.com/b.mp4' } },
        'open-1',
      ),
    ).not.toBe(key);
  });

  it('uses the caller key when given', async () => {
    expect(await postIdempotencyKey({ ...base, idempotencyKey: 'row-17' }, 'open-1')).toBe('row-17');
  });

  it('identifies files by content hash, not by object', async () => {
    const a = await postIdempotencyKey({ ...base, media: { type: 'video_file', file: bytes('same bytes') } }, 'o');
    const b = await postIdempotencyKey({ ...base, media: { type: 'video_file', file: bytes('same bytes') } }, 'o');
    const c = await postIdempotencyKey({ ...base, media: { type: 'video_file', file: bytes('other bytes') } }, 'o');
    expect(a).toBe(b);
    expect(a).not.toBe(c);
    expect(await sha256OfByteSource(bytes('abcdefghij'), 3)).toBe(
      createHash('sha256').update('abcdefghij').digest('hex'),
    );
  });

  it('a file given with its sha256 has the same key as the same file hashed by core; a scheme:value identity is its own', async () => {
    const hashed = await postIdempotencyKey({ ...base, media: { type: 'video_file', file: bytes('same bytes') } }, 'o');
    const hex = createHash('sha256').update('same bytes').digest('hex');
    const given = await postIdempotencyKey(
      { ...base, media: { type: 'video_file', file: { ...bytes('same bytes'), identity: async () => hex } } },
      'o',
    );
    expect(given).toBe(hashed);
    const byUrl = (url: string) =>
      postIdempotencyKey(
        {
          ...base,
          media: {
            type: 'video_file',
            file: { ...bytes('same bytes'), onePass: true, identity: async () => `zapier-file:${url}` },
          },
        },
        'o',
      );
    expect(await byUrl('https://zapier.com/hydrate/1')).toBe(await byUrl('https://zapier.com/hydrate/1'));
    expect(await byUrl('https://zapier.com/hydrate/1')).not.toBe(await byUrl('https://zapier.com/hydrate/2'));
    expect(await byUrl('https://zapier.com/hydrate/1')).not.toBe(hashed);
  });

  it('keeps fields apart', () => {
    expect(idempotencyKey({ openId: 'ab', asset: 'c', caption: '' })).not.toBe(
      idempotencyKey({ openId: 'a', asset: 'bc', caption: '' }),
    );
  });
});

describe('Ledger', () => {
  const clock = new VirtualClock({ start: 0 });

  it('reserves the key, records the intent right before init, then refuses a second post for the key', async () => {
    const store = new MemoryStore();
    const ledger = new Ledger(store, clock);
    const first = await ledger.begin('k', { mode: 'direct', openId: 'o' });
    expect(first.created).toBe(true);
    expect(JSON.parse((await store.get('tokpipe/ledger/k'))!)).toMatchObject({ state: 'reserved', attempts: 1 });
    await ledger.markSending('k');
    expect(JSON.parse((await store.get('tokpipe/ledger/k'))!)).toMatchObject({ state: 'intent', attempts: 1 });
    const second = await ledger.begin('k', { mode: 'direct', openId: 'o' });
    expect(second).toMatchObject({ created: false, entry: { state: 'intent' } });
  });

  it('a reservation left by a crash before anything was sent does not block the key and is not reconciled', async () => {
    const ledger = new Ledger(new MemoryStore(), clock);
    await ledger.begin('k', { mode: 'direct' });
    expect(await ledger.unresolved()).toEqual([]);
    expect((await ledger.begin('k', { mode: 'direct' })).created).toBe(true);
  });

  it('once one begin has started sending, concurrent begins for the key all refuse', async () => {
    const ledger = new Ledger(new MemoryStore(), clock);
    await ledger.begin('k', { mode: 'draft' });
    await ledger.markSending('k');
    const results = await Promise.all(Array.from({ length: 10 }, () => ledger.begin('k', { mode: 'draft' })));
    expect(results.filter((r) => r.created)).toHaveLength(0);
  });

  it('returns the existing post after publish_id and final status are recorded', async () => {
    const ledger = new Ledger(new MemoryStore(), clock);
    await ledger.begin('k', { mode: 'direct' });
    await ledger.recordPublishId('k', 'v_pub_url~1');
    await ledger.recordStatus('k', 'PUBLISH_COMPLETE', ['7345678901234567890'], null, true);
    const again = await ledger.begin('k', { mode: 'direct' });
    expect(again).toMatchObject({
      created: false,
      entry: { state: 'final', publishId: 'v_pub_url~1', postIds: ['7345678901234567890'] },
    });
    expect(await ledger.unresolved()).toEqual([]);
  });

  it('finds an entry by any publish_id it obtained', async () => {
    const ledger = new Ledger(new MemoryStore(), clock);
    await ledger.begin('k', { mode: 'direct' });
    await ledger.recordPublishId('k', 'p1');
    await ledger.recordRepost('k');
    await ledger.recordPublishId('k', 'p2');
    expect((await ledger.findByPublishId('p1'))?.key).toBe('k');
    expect((await ledger.findByPublishId('p2'))?.publishId).toBe('p2');
    expect(await ledger.findByPublishId('p3')).toBeUndefined();
  });

  it('lets a key post again after a refused init or a FAILED post, keeping the history', async () => {
    const ledger = new Ledger(new MemoryStore(), clock);
    await ledger.begin('k', { mode: 'direct' });
    await ledger.recordPublishId('k', 'p1');
    await ledger.recordStatus('k', 'FAILED', [], null, true);
    const again = await ledger.begin('k', { mode: 'direct' });
    expect(again).toMatchObject({ created: true, entry: { state: 'reserved', publishIds: ['p1'] } });
  });

  it('lists intents without publish_id and unknown outcomes for reconciliation', async () => {
    const ledger = new Ledger(new MemoryStore(), clock);
    await ledger.begin('crashed', { mode: 'direct' });
    await ledger.markSending('crashed');
    await ledger.begin('timeout', { mode: 'direct' });
    await ledger.recordUnknownOutcome('timeout', { code: 'timeout' } as never);
    await ledger.begin('rejected', { mode: 'direct' });
    await ledger.recordRejected('rejected', { code: 'invalid_param' } as never);
    expect((await ledger.unresolved()).map((e) => e.key).sort()).toEqual(['crashed', 'timeout']);
  });

  it('recordSeen: a later status updates the current attempt; final answers stick; older attempts and unknown ids change nothing', async () => {
    const ledger = new Ledger(new MemoryStore(), clock);
    await ledger.begin('k', { mode: 'direct' });
    await ledger.recordPublishId('k', 'p1');
    await ledger.recordRepost('k');
    await ledger.recordPublishId('k', 'p2');

    expect(await ledger.recordSeen('nobody', 'PUBLISH_COMPLETE')).toBeUndefined();
    await ledger.recordSeen('p1', 'PUBLISH_COMPLETE', ['1']); // an older attempt
    const untouched = await ledger.get('k');
    expect(untouched).toMatchObject({ state: 'initiated', publishId: 'p2', postIds: [] });
    expect(untouched!.status).toBeUndefined();

    await ledger.recordSeen('p2', 'PROCESSING_DOWNLOAD');
    expect(await ledger.get('k')).toMatchObject({ state: 'initiated', status: 'PROCESSING_DOWNLOAD' });
    await ledger.recordSeen('p2', 'UNCONFIRMED');
    expect((await ledger.unresolved()).map((e) => e.key)).toEqual(['k']);
    await ledger.recordSeen('p2', 'PROCESSING_DOWNLOAD'); // reconciliation keeps it until a final answer
    expect(await ledger.get('k')).toMatchObject({ state: 'final', status: 'UNCONFIRMED' });

    await ledger.recordSeen('p2', 'PUBLISH_COMPLETE');
    await ledger.recordSeen('p2', 'PUBLISH_COMPLETE', ['7345678901234567890']); // moderation filled the id
    await ledger.recordSeen('p2', 'PROCESSING_DOWNLOAD');
    expect(await ledger.get('k')).toMatchObject({
      state: 'final',
      status: 'PUBLISH_COMPLETE',
      postIds: ['7345678901234567890'],
    });
    expect(await ledger.unresolved()).toEqual([]);
  });

  it('a FILE_UPLOAD keeps its upload_url until every chunk is confirmed', async () => {
    const ledger = new Ledger(new MemoryStore(), clock);
    await ledger.begin('k', { mode: 'draft' });
    await ledger.recordPublishId('k', 'p1', 'https://upload.example/video/?upload_id=1&upload_token=t');
    expect((await ledger.get('k'))!.pendingUploadUrl).toMatch(/upload_id=1/);
    await ledger.recordUploaded('k');
    expect(await ledger.get('k')).not.toHaveProperty('pendingUploadUrl');

    // An upload that ends in a final status (e.g. FAILED after bounded chunk retries) drops it too.
    await ledger.begin('k2', { mode: 'draft' });
    await ledger.recordPublishId('k2', 'p2', 'https://upload.example/video/?upload_id=2&upload_token=t');
    await ledger.recordStatus('k2', 'PROCESSING_UPLOAD');
    expect((await ledger.get('k2'))!.pendingUploadUrl).toMatch(/upload_id=2/);
    await ledger.recordStatus('k2', 'FAILED', [], null, true);
    expect(await ledger.get('k2')).not.toHaveProperty('pendingUploadUrl');
  });

  it('finds a post by publish_id through an index, without listing every entry', async () => {
    const store = new MemoryStore();
    let lists = 0;
    const counting = Object.assign(Object.create(store) as MemoryStore, {
      list: (prefix: string) => (lists++, store.list(prefix)),
    });
    const ledger = new Ledger(counting, clock);
    for (const key of ['a', 'b', 'c']) {
      await ledger.begin(key, { mode: 'direct' });
      await ledger.recordPublishId(key, `p-${key}`);
    }
    expect((await ledger.findByPublishId('p-b'))?.key).toBe('b');
    expect(lists).toBe(0);
    // The index lives outside the ledger's prefix: list() still returns entries only.
    expect((await ledger.list()).map((e) => e.key).sort()).toEqual(['a', 'b', 'c']);
    // Unknown ids (or entries from before the index) fall back to a scan.
    expect(await ledger.findByPublishId('p-zzz')).toBeUndefined();
    expect(lists).toBe(2);
  });
});
