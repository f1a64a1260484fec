// Make's function tests (it + assert), run by Make's VS Code extension and by test/functions.test.ts.
const mp4 = () => Buffer.concat([Buffer.from([0, 0, 0, 24]), Buffer.from('ftypisom'), Buffer.alloc(20)]);
const refusal = (fn) => {
  try {
    fn();
  } catch (e) {
    return e;
  }
  throw new Error('expected a refusal');
};
it('sizes an MP4 for one chunk: the whole file, its inclusive byte range and its type', () => {
  assert.deepStrictEqual(videoUpload(mp4(), 'clip.mp4', 64000000), {
    size: 32,
    contentRange: 'bytes 0-31/32',
    contentType: 'video/mp4',
  });
});
it('reads the type from the first bytes (QuickTime, WebM), else from the file name', () => {
  const mov = Buffer.concat([Buffer.from([0, 0, 0, 20]), Buffer.from('ftypqt  '), Buffer.alloc(8)]);
  assert.strictEqual(videoUpload(mov, 'clip', 100).contentType, 'video/quicktime');
  assert.strictEqual(videoUpload(Buffer.from([0x1a, 0x45, 0xdf, 0xa3, 1]), 'x.mp4', 100).contentType, 'video/webm');
  assert.strictEqual(videoUpload(Buffer.from('abcdefgh'), 'Clip.MOV', 100).contentType, 'video/quicktime');
});
it('refuses a file over maxBytes, an empty one, text and a non-video as DataError naming the field', () => {
  const big = refusal(() => videoUpload(mp4(), 'clip.mp4', 31));
  assert.strictEqual(big.name, 'DataError');
  assert.ok(big.message.startsWith('[data] is 32 bytes'));
  assert.ok(refusal(() => videoUpload(Buffer.alloc(0), 'a.mp4', 10)).message.startsWith('[data] is empty'));
  assert.ok(refusal(() => videoUpload('https://x/clip.mp4', 'a.mp4', 100)).message.startsWith('[data] must be'));
  assert.ok(
    refusal(() => videoUpload(Buffer.from('%PDF-1.7'), 'a.pdf', 100)).message.startsWith("[fileName] 'a.pdf' is not"),
  );
  assert.strictEqual(videoUpload(mp4(), 'a.mp4', 32).size, 32);
});
it('refuses a file of another size than the Upload Handle says, before anything is sent', () => {
  assert.ok(
    refusal(() => videoUpload(mp4(), 'a.mp4', 100, 31)).message.startsWith(
      '[data] is 32 bytes, but the Upload Handle is for a file of 31 bytes',
    ),
  );
  assert.strictEqual(videoUpload(mp4(), 'a.mp4', 100, 32).size, 32);
});
