// Text from outside (CSV cells, JSON values, TikTok's messages, file names) reaches the terminal through
// error messages, progress lines and reports. A cell holding ESC sequences could recolour, retitle or
// clear the terminal, or hide a line: every write shows control characters as visible \u00NN instead
// (the JSON escape, so --json output stays valid JSON even for C1 characters JSON.stringify leaves raw).
// Only the live progress display moves the cursor, through the sink's `controls` channel.
import type { CliIO } from './io';

// C0 controls except tab and newline, DEL, and the C1 controls (8-bit CSI/OSC equivalents).
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g;

export function terminalSafe(text: string): string {
  return text.replace(CONTROL, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

type Sink = CliIO['stdout'];

function safeSink(sink: Sink): Sink {
  if (sink.controls) return sink; // already wrapped
  return {
    write: (text: string) => sink.write(terminalSafe(String(text))),
    isTTY: sink.isTTY,
    columns: sink.columns,
    controls: sink,
  };
}

/** `io` with stdout and stderr made safe (signal handling and the rest untouched). */
export function terminalSafeIO(io: CliIO): CliIO {
  const stdout = safeSink(io.stdout);
  const stderr = safeSink(io.stderr as Sink);
  return {
    stdout,
    stderr,
    env: io.env,
    cwd: io.cwd,
    get interrupted() {
      return io.interrupted;
    },
  };
}
