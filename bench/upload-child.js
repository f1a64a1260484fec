// One upload of a large file to the sandbox, in its own process so its peak RSS (VmHWM) is its own.
// Plain JS over the built packages (no TypeScript hook loaded: it would add its own memory).
//   tokpipe: createPoster().post() with fileByteSource (FILE_UPLOAD, the chunk plan, the uploader);
//   plain:   the same init, then each chunk as a plain streamed PUT (fs.createReadStream → http.request).
// Prints one JSON line: { ms, peakRssMib, baselineRssMib, bytes }.
const fs = require('node:fs');
const http = require('node:http');
const { TikTokClient, createPoster, planChunks, sourceInfoFor } = require('@tokpipe/core');
const { axiosTransport, fileByteSource, systemClock } = require('@tokpipe/core/node');

function peakRssMib() {
  const kb = Number(/VmHWM:\s+(\d+)\s+kB/.exec(fs.readFileSync('/proc/self/status', 'utf8'))?.[1]);
  return Number.isFinite(kb) ? kb / 1024 : process.memoryUsage().rss / 1024 / 1024;
}

function streamedPut(url, file, first, last, total) {
  return new Promise((resolve, reject) => {
    const req = http.request(url, {
      method: 'PUT',
      headers: {
        'Content-Type': 'video/mp4',
        'Content-Length': String(last - first + 1),
        'Content-Range': `bytes ${first}-${last}/${total}`,
      },
    });
    req.on('response', (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode));
    });
    req.on('error', reject);
    fs.createReadStream(file, { start: first, end: last }).pipe(req);
  });
}

async function main() {
  const args = JSON.parse(process.argv[2]);
  const size = fs.statSync(args.file).size;
  const baselineRssMib = peakRssMib();
  const transport = axiosTransport();
  const started = Date.now();
  if (args.mode === 'tokpipe') {
    const poster = createPoster({
      baseUrl: args.sandboxUrl,
      transport,
      clock: systemClock({ scale: 1 }),
      auth: { getAccessToken: async () => args.token },
    });
    const outcome = await poster.post(
      {
        mode: 'direct',
        media: { type: 'video_file', file: await fileByteSource(args.file) },
        title: 'bench upload',
        privacyLevel: 'SELF_ONLY',
      },
      { wait: false },
    );
    if (outcome.error) throw new Error(`upload failed: ${outcome.error.code} ${outcome.error.message}`);
  } else {
    const client = new TikTokClient({ baseUrl: args.sandboxUrl, transport });
    const plan = planChunks(size);
    const init = await client.initDirectVideo(args.token, {
      post_info: { title: 'bench plain', privacy_level: 'SELF_ONLY' },
      source_info: sourceInfoFor(plan),
    });
    for (const c of plan.chunks) {
      const status = await streamedPut(init.uploadUrl, args.file, c.first, c.last, c.total);
      if (status !== 201 && status !== 206) throw new Error(`plain PUT got HTTP ${status}`);
    }
  }
  const ms = Date.now() - started;
  process.stdout.write(`${JSON.stringify({ ms, peakRssMib: peakRssMib(), baselineRssMib, bytes: size })}\n`);
}

main().catch((err) => {
  process.stderr.write(`${err && err.stack ? err.stack : String(err)}\n`);
  process.exit(1);
});
