// Make's function tests (it + assert), run by Make's VS Code extension and by test/functions.test.ts.
const URL_ = 'https://open-upload.tiktokapis.com/video/?upload_id=1&upload_token=tok_0123456789abcdef';
const refused = (fn) => {
  try {
    fn();
  } catch (e) {
    return e;
  }
  throw new Error('expected a refusal');
};
it('opens what it sealed: publish_id, size and the upload_url', () => {
  const handle = uploadHandle('seal', URL_, 'v_pub_file~v2.1', 42, 'secret-0123456789');
  assert.deepStrictEqual(uploadHandle('open', handle, '', 0, 'secret-0123456789'), {
    publishId: 'v_pub_file~v2.1',
    size: 42,
    uploadUrl: URL_,
  });
});
it('never shows the upload token in the handle', () => {
  assert.ok(!uploadHandle('seal', URL_, 'v_pub_file~v2.1', 42, 'secret-0123456789').includes('tok_0123'));
});
it('refuses a handle sealed with another secret, a changed one, and text that is no handle', () => {
  const handle = uploadHandle('seal', URL_, 'v_pub_file~v2.1', 42, 'secret-0123456789');
  assert.strictEqual(refused(() => uploadHandle('open', handle, '', 0, 'other-secret-0000')).name, 'DataError');
  const [v, head, sealed, mac] = handle.split('.');
  const bigger = Buffer.from(JSON.stringify({ p: 'v_pub_file~v2.1', s: 43 })).toString('base64url');
  assert.ok(
    refused(() =>
      uploadHandle('open', [v, bigger, sealed, mac].join('.'), '', 0, 'secret-0123456789'),
    ).message.startsWith('[uploadHandle]'),
  );
  assert.ok(
    refused(() => uploadHandle('open', 'hello', '', 0, 'secret-0123456789')).message.startsWith(
      '[uploadHandle] must be',
    ),
  );
});
