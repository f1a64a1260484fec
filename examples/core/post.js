// Post a video with @tokpipe/core: retry, rate limits, token refresh, idempotency and polling built in.
// Run against the sandbox: TIKTOK_API_BASE_URL=http://127.0.0.1:PORT TIKTOK_CLIENT_KEY=… TIKTOK_CLIENT_SECRET=… \
//   node examples/core/post.js token.json https://…/video.mp4
const { createPoster, TokenManager, TikTokOAuth, oauthRefresher, TokpipeError } = require('@tokpipe/core');
const { axiosTransport, systemClock, fileTokenStore, FileStore } = require('@tokpipe/core/node');

async function main([tokenFile, videoUrl]) {
  const baseUrl = process.env.TIKTOK_API_BASE_URL || 'https://open.tiktokapis.com';
  const transport = axiosTransport();
  const clock = systemClock(); // honours TOKPIPE_TIME_SCALE
  const oauth = new TikTokOAuth({
    baseUrl,
    transport,
    clock,
    clientKey: process.env.TIKTOK_CLIENT_KEY,
    clientSecret: process.env.TIKTOK_CLIENT_SECRET,
  });
  // Refreshes ahead of expiry and saves the rotated refresh token back to the file (mode 0600).
  const auth = new TokenManager({ store: fileTokenStore(tokenFile), clock, refresh: oauthRefresher(oauth) });
  // The ledger makes a re-run of the same post return the first result instead of posting twice.
  const store = FileStore.open('tokpipe-ledger.db');
  const poster = createPoster({ baseUrl, transport, clock, auth, store });

  try {
    const outcome = await poster.post(
      {
        mode: 'direct',
        media: { type: 'video_url', url: videoUrl },
        title: 'Hello from tokpipe #automation',
        privacyLevel: 'SELF_ONLY',
      },
      { wait: true },
    );
    // outcome: { publishId, status, postIds (exact strings), attempts, idempotencyKey, reused, error }
    if (outcome.error)
      console.log(`${outcome.status}: ${outcome.error.code} — ${outcome.error.action} (log_id ${outcome.error.logId})`);
    else
      console.log(
        `${outcome.status} ${outcome.publishId}${outcome.reused ? ' (already posted; not posted again)' : ''}`,
      );
    return outcome.error ? 1 : 0;
  } catch (err) {
    // Only bad input lands here, before anything was sent: the message names the field.
    if (err instanceof TokpipeError) {
      console.log(`${err.details.field}: ${err.message}`);
      return 2;
    }
    throw err;
  } finally {
    store.close();
  }
}

main(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});
