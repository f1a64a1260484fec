// GENERATED from packages/make/generator/functions/uploadHandle.code.js: edit that file, then run npm run generate -w packages/make.
// Make custom IML function (make-custom-apps.md §4.5): carries TikTok's upload_url from a Start Video File
// module to Send Video File unseen (it holds an upload token; outputs show in the scenario's history):
// XOR with an HMAC-SHA256 keystream under the client secret, plus an HMAC tag over the readable
// publish_id and size. The HMAC is Make's built-in sha256 with a key (a custom function calls built-ins
// as iml.*; no require in Make), checked against Node's crypto by the tests.
// {{uploadHandle('seal', upload_url, publish_id, size, common.clientSecret)}} -> handle
// {{uploadHandle('open', handle, '', 0, common.clientSecret)}} -> { publishId, size, uploadUrl }
function uploadHandle(action, value, publishId, size, secret) {
  const fail = (text) => {
    const error = new Error('[uploadHandle] ' + text + ' Nothing was sent to TikTok.');
    error.name = 'DataError';
    throw error;
  };
  if (typeof secret !== 'string' || secret.length < 8)
    fail("cannot be sealed or opened: the app's Common data has no clientSecret.");
  const hmac = (message) => Buffer.from(iml.sha256(message, 'hex', secret, 'text'), 'hex');
  const xor = (bytes, head) => {
    const out = Buffer.alloc(bytes.length);
    for (let i = 0; i < bytes.length; i += 32) {
      const block = hmac('stream:' + head + ':' + i / 32);
      for (let j = 0; j < 32 && i + j < bytes.length; j++) out[i + j] = bytes[i + j] ^ block[j];
    }
    return out;
  };
  // The first 16 bytes of the HMAC.
  const tag = (head, sealed) => hmac('tag:' + head + ':' + sealed).toString('base64url', 0, 16);
  if (action === 'seal') {
    if (typeof value !== 'string' || !value || typeof publishId !== 'string' || !publishId)
      fail('needs the upload_url and publish_id TikTok returned.');
    const head = Buffer.from(JSON.stringify({ p: publishId, s: Number(size) })).toString('base64url');
    const sealed = xor(Buffer.from(value, 'utf8'), head).toString('base64url');
    return 'tpu1.' + head + '.' + sealed + '.' + tag(head, sealed);
  }
  const parts = typeof value === 'string' ? value.trim().split('.') : [];
  if (parts.length !== 4 || parts[0] !== 'tpu1')
    fail('must be the Upload Handle output of Start Video File Post or Start Video File Draft.');
  const [, head, sealed, mac] = parts;
  if (tag(head, sealed) !== mac)
    fail("was not made by this app (or was changed): map the Upload Handle of this scenario's Start module.");
  const meta = JSON.parse(Buffer.from(head, 'base64url').toString('utf8'));
  return { publishId: meta.p, size: meta.s, uploadUrl: xor(Buffer.from(sealed, 'base64url'), head).toString('utf8') };
}
