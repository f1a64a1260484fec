// Shared set-up: the real sandbox on a virtual clock, the generated app loaded from app/, a connection
// made through the app's own OAuth flow (authorize page → token → info).
import { startSandbox, type Sandbox, type SandboxConfig } from '@tokpipe/sandbox';
import { loadApp } from '../harness/load-app';
import { MakeHarness, SteppingClock, type Connection } from '../harness';
import { API_BASE, AUTHORIZE_URL, CONNECTION } from '../generator/spec/connection';
import { APP_DIR } from '../generator/write-app';

export const ALL_SCOPES = ['user.info.basic', 'video.publish', 'video.upload', 'video.list'];

export interface World {
  clock: SteppingClock;
  sb: Sandbox;
  h: MakeHarness;
  conn: Connection;
  clientSecret: string;
  media: (name: string) => string;
  close: () => Promise<void>;
}

export async function world(
  opts: { config?: Partial<SandboxConfig>; scopes?: string[]; username?: string } = {},
): Promise<World> {
  const clock = new SteppingClock(Date.UTC(2026, 10, 25, 12, 0, 0));
  const sb = await startSandbox({ clock, seed: 7, config: opts.config, workIntervalMs: 0 });
  const demo = sb.admin.demo();
  const origin = new URL(AUTHORIZE_URL).origin;
  const h = new MakeHarness({
    app: loadApp(APP_DIR),
    hosts: { [API_BASE]: sb.url, [origin]: sb.url },
    clock,
    common: { clientKey: demo.clientKey, clientSecret: demo.clientSecret },
  });
  const conn = await h.connect(CONNECTION, {
    scopes: opts.scopes ?? ALL_SCOPES,
    authorizeExtras: opts.username ? { username: opts.username } : {},
  });
  return {
    clock,
    sb,
    h,
    conn,
    clientSecret: demo.clientSecret,
    media: (name) => `${sb.url}/media/${name}`,
    close: () => sb.close(),
  };
}

/** The calls the sandbox received for one endpoint name (its request log). */
export function calls(sb: Sandbox, endpoint: string) {
  return sb.admin.requests({ endpoint });
}

/** Runs `fn`, expecting a MakeError; returns it. */
export async function failure(
  fn: () => Promise<unknown>,
): Promise<{ type: string; message: string; statusCode?: number }> {
  try {
    await fn();
  } catch (error) {
    if (error && typeof error === 'object' && 'type' in error)
      return error as { type: string; message: string; statusCode?: number };
    throw error;
  }
  throw new Error('expected the module to fail, it succeeded');
}
