// What a command may touch of the outside world, handed in so commands run the same in the bin,
// in the demo and in tests.
export interface TextSink {
  write(text: string): unknown;
}

export interface CliIO {
  stdout: TextSink & { isTTY?: boolean; columns?: number };
  stderr: TextSink;
  env: Record<string, string | undefined>;
  cwd: string;
  /** Resolves when the user asks the process to stop (Ctrl-C / SIGTERM). */
  interrupted: Promise<void>;
}

export function processIO(): CliIO {
  const interrupted = new Promise<void>((resolve) => {
    const stop = (): void => resolve();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  return { stdout: process.stdout, stderr: process.stderr, env: process.env, cwd: process.cwd(), interrupted };
}
