// The console on its own (the demo, or next to a CLI store): a Fastify server on 127.0.0.1.
import Fastify from 'fastify';
import { consolePlugin } from './plugin';
import type { ConsoleOptions } from './ports';

export interface RunningConsole {
  /** e.g. http://127.0.0.1:4321/console/ */
  url: string;
  close(): Promise<void>;
}

export async function startConsole(
  options: ConsoleOptions & { port?: number; host?: string },
): Promise<RunningConsole> {
  const { port = 0, host = '127.0.0.1', ...consoleOptions } = options;
  const app = Fastify({ logger: false });
  await app.register(consolePlugin, consoleOptions);
  const address = await app.listen({ port, host });
  return { url: `${address}/console/`, close: () => app.close() };
}
