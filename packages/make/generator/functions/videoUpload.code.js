// Make custom IML function (make-custom-apps.md §4.5): sizes a video file for ONE FILE_UPLOAD chunk,
// before the init request is sent. Returns { size, contentRange, contentType } or throws a DataError
// naming the parameter. maxBytes is core's CHUNK_RULES.safe.maxChunk, written in by the generator;
// expectedSize (optional) the size Send Video File's Upload Handle was made for.
// Usage: {{videoUpload(parameters.data, parameters.fileName, 64000000)}}
function videoUpload(data, fileName, maxBytes, expectedSize) {
  const fail = (field, text) => {
    const error = new Error(`[${field}] ${text} Nothing was sent to TikTok.`);
    error.name = 'DataError';
    throw error;
  };
  let bytes = data;
  if (bytes instanceof ArrayBuffer) bytes = new Uint8Array(bytes);
  const isBinary = bytes !== null && typeof bytes === 'object' && typeof bytes.subarray === 'function';
  if (!isBinary || typeof bytes.length !== 'number')
    fail('data', "must be the file's binary data (map Data from the module that downloaded the file), not text.");
  const size = bytes.length;
  if (size === 0) fail('data', 'is empty: the file has no bytes.');
  if (size > maxBytes)
    fail(
      'data',
      `is ${size} bytes; this module uploads a video in one request of at most ${maxBytes} bytes (64 MB). ` +
        'Use a smaller file, or Post Video with a URL.',
    );
  if (expectedSize !== undefined && expectedSize !== null && size !== Number(expectedSize))
    fail(
      'data',
      `is ${size} bytes, but the Upload Handle is for a file of ${expectedSize} bytes: map the same Data as the Start module.`,
    );
  // The first bytes, one character per byte: the magic numbers of MP4/MOV (ftyp box) and WebM (EBML).
  const head = Buffer.from(bytes.subarray(0, 12)).toString('latin1');
  const name = typeof fileName === 'string' ? fileName.trim().toLowerCase() : '';
  const ext = name.includes('.') ? name.slice(name.lastIndexOf('.') + 1) : '';
  let contentType;
  if (head.slice(4, 8) === 'ftyp') contentType = head.slice(8, 12) === 'qt  ' ? 'video/quicktime' : 'video/mp4';
  else if (head.startsWith('\x1a\x45\xdf\xa3')) contentType = 'video/webm';
  else if (ext === 'mp4' || ext === 'm4v') contentType = 'video/mp4';
  else if (ext === 'mov' || ext === 'qt') contentType = 'video/quicktime';
  else if (ext === 'webm') contentType = 'video/webm';
  else
    fail('fileName', `'${fileName}' is not an MP4, MOV or WebM video (neither its name nor its first bytes say so).`);
  return { size: size, contentRange: 'bytes 0-' + (size - 1) + '/' + size, contentType: contentType };
}
