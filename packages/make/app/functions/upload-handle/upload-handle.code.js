// GENERATED from packages/make/generator/functions/uploadHandle.code.js: edit that file, then run npm run generate -w packages/make.
// Make custom IML function (make-custom-apps.md §4.5): carries TikTok's upload_url from a Start Video File
// module to Send Video File unseen (it holds an upload token; outputs show in the scenario's history):
// XOR with an HMAC-SHA256 keystream under the client secret, plus an HMAC tag over the readable
// publish_id and size. SHA-256 in plain JS (no require in Make), checked against Node's by the tests.
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
  const sha256 = (bytes) => {
    const K = [],
      H = [];
    const frac = (x) => ((x - Math.floor(x)) * 0x100000000) >>> 0;
    for (let n = 2; K.length < 64; n++) {
      let prime = true;
      for (let d = 2; d * d <= n; d++)
        if (n % d === 0) {
          prime = false;
          break;
        }
      if (!prime) continue;
      if (H.length < 8) H.push(frac(Math.pow(n, 1 / 2)));
      K.push(frac(Math.cbrt(n)));
    }
    const padded = Buffer.alloc(Math.ceil((bytes.length + 9) / 64) * 64);
    Buffer.from(bytes).copy(padded);
    padded[bytes.length] = 0x80;
    padded.writeUInt32BE(Math.floor((bytes.length * 8) / 0x100000000), padded.length - 8);
    padded.writeUInt32BE((bytes.length * 8) >>> 0, padded.length - 4);
    const rotr = (x, r) => (x >>> r) | (x << (32 - r));
    const w = new Array(64);
    for (let off = 0; off < padded.length; off += 64) {
      for (let i = 0; i < 64; i++) {
        if (i < 16) w[i] = padded.readUInt32BE(off + i * 4);
        else {
          const s0 = rotr(w[i - 15], 7) ^ rotr(w[i - 15], 18) ^ (w[i - 15] >>> 3);
          const s1 = rotr(w[i - 2], 17) ^ rotr(w[i - 2], 19) ^ (w[i - 2] >>> 10);
          w[i] = (w[i - 16] + s0 + w[i - 7] + s1) >>> 0;
        }
      }
      let [a, b, c, d, e, f, g, h] = H;
      for (let i = 0; i < 64; i++) {
        const t1 = (h + (rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25)) + ((e & f) ^ (~e & g)) + K[i] + w[i]) >>> 0;
        const t2 = ((rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22)) + ((a & b) ^ (a & c) ^ (b & c))) >>> 0;
        [h, g, f, e, d, c, b, a] = [g, f, e, (d + t1) >>> 0, c, b, a, (t1 + t2) >>> 0];
      }
      H.splice(0, 8, ...[a, b, c, d, e, f, g, h].map((x, i) => (x + H[i]) >>> 0));
    }
    const out = Buffer.alloc(32);
    H.forEach((x, i) => out.writeUInt32BE(x, i * 4));
    return out;
  };
  const hmac = (message) => {
    let key = Buffer.from(secret, 'utf8');
    if (key.length > 64) key = sha256(key);
    const pad = (byte) => Buffer.from(Array.from({ length: 64 }, (_, i) => (key[i] || 0) ^ byte));
    return sha256(Buffer.concat([pad(0x5c), sha256(Buffer.concat([pad(0x36), Buffer.from(message, 'utf8')]))]));
  };
  const xor = (bytes, head) => {
    const out = Buffer.alloc(bytes.length);
    for (let i = 0; i < bytes.length; i += 32) {
      const block = hmac('stream:' + head + ':' + i / 32);
      for (let j = 0; j < 32 && i + j < bytes.length; j++) out[i + j] = bytes[i + j] ^ block[j];
    }
    return out;
  };
  const tag = (head, sealed) =>
    hmac('tag:' + head + ':' + sealed)
      .subarray(0, 16)
      .toString('base64url');
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
