// Issue 3: "minutes for rate limits scale too". With a time scale (no injected clock) the per-minute
// window is a minute of the sandbox's scaled time: at 0.01 it frees up after ~0.6 real seconds.
import { startSandbox } from '../src';
import { PATHS, post, urlInit } from './helpers';

test('rate-limit windows follow the time scale: 6 inits, the 7th refused, accepted once a scaled minute has passed', async () => {
  const sb = await startSandbox({ timeScale: 0.01, workIntervalMs: 0 });
  try {
    const token = sb.admin.demo().accounts[0].accessToken;
    const started = sb.admin.now();
    for (let i = 0; i < 6; i++)
      expect((await post(sb, PATHS.videoInit, token, urlInit(sb, 'SELF_ONLY'))).status).toBe(200);
    const seventh = await post(sb, PATHS.videoInit, token, urlInit(sb, 'SELF_ONLY'));
    // Only meaningful if the burst fit in one scaled minute (0.6 real s); say so rather than pass by luck.
    expect(sb.admin.now() - started).toBeLessThan(60_000);
    expect([seventh.status, seventh.json.error.code]).toEqual([429, 'rate_limit_exceeded']);

    // Wait (real time, bounded by jest's timeout) until the sandbox's own scaled clock passed the window.
    const firstInit = sb.admin.requests({ endpoint: 'video.init' })[0].time;
    while (sb.admin.now() - firstInit <= 60_000) await new Promise((r) => setTimeout(r, 20));
    expect((await post(sb, PATHS.videoInit, token, urlInit(sb, 'SELF_ONLY'))).status).toBe(200);
    expect(sb.admin.requests({ endpoint: 'video.init' }).map((r) => r.status)).toEqual([
      200, 200, 200, 200, 200, 200, 429, 200,
    ]);
  } finally {
    await sb.close();
  }
});
