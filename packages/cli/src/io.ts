// What a command may touch of the outside world, handed in so commands run the same in the bin,
// in the demo and in tests.
export interface TextSink {
  write(text: string): unknown;
  /** The underlying sink, passing terminal control sequences unchanged (terminal.ts); only the live
   * progress display uses it, to move the cursor. */
  controls?: TextSink;
}

export interface CliIO {
  stdout: TextSink & { isTTY?: boolean; columns?: number };
  stderr: TextSink;
  env: Record<string, string | undefined>;
  cwd: string;
  /** Resolves when the user asks the process to stop (Ctrl-C / SIGTERM). */
  readonly interrupted: Promise<void>;
}

export function processIO(): CliIO {
  let interrupted: Promise<void> | undefined;
  return {
    stdout: process.stdout,
    stderr: process.stderr,
    env: process.env,
    cwd: process.cwd(),
    // Signal handlers only for commands that ask: the others keep Node's default (Ctrl-C exits at
    // once, which is safe: every campaign state change is already on disk).
    get interrupted() {
      interrupted ??= new Promise<void>((resolve) => {
        process.once('SIGINT', () => resolve());
        process.once('SIGTERM', () => resolve());
      });
      return interrupted;
    },
  };
}
