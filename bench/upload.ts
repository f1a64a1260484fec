// Figure 3: a 1 GiB FILE_UPLOAD to the sandbox. Peak RSS of the uploading process, and throughput
// relative to plain streamed PUTs of the same bytes to the same server, measured in the same run
// (alternating, best of each).
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { startSandbox } from '@tokpipe/sandbox';
import type { Figure } from './figures';
import { round } from './pipeline-benches';

const GiB = 1024 ** 3;

interface ChildResult {
  ms: number;
  peakRssMib: number;
  baselineRssMib: number;
  bytes: number;
}

function runChild(args: Record<string, unknown>): Promise<ChildResult> {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      [path.join(__dirname, 'upload-child.js'), JSON.stringify(args)],
      { maxBuffer: 1 << 20 },
      (err, stdout, stderr) => {
        if (err) return reject(new Error(`upload child failed: ${stderr || err.message}`));
        resolve(JSON.parse(stdout.trim().split('\n').pop()!) as ChildResult);
      },
    );
  });
}

/** Writes `bytes` of non-repeating data (so nothing compresses or dedupes) with an MP4 header. */
function writeBigFile(file: string, bytes: number): void {
  const fd = fs.openSync(file, 'w');
  const block = Buffer.alloc(8 * 1024 * 1024);
  try {
    for (let written = 0, n = 0; written < bytes; n++) {
      for (let i = 0; i < block.length; i += 4) block.writeUInt32LE((i * 2654435761 + n) >>> 0, i);
      if (written === 0) Buffer.from('000000186674797069736f6d', 'hex').copy(block, 0); // ....ftypisom
      const len = Math.min(block.length, bytes - written);
      fs.writeSync(fd, block, 0, len);
      written += len;
    }
  } finally {
    fs.closeSync(fd);
  }
}

export async function uploadBench(log: (line: string) => void, sizeBytes = GiB): Promise<Figure[]> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tokpipe-bench-'));
  const file = path.join(dir, 'big.mp4');
  const sb = await startSandbox({ seed: 3, config: { directPostDailyCap: 1000 } });
  try {
    writeBigFile(file, sizeBytes);
    const user = sb.admin.createUser({ username: 'bench_upload' });
    const runs: Record<'tokpipe' | 'plain', ChildResult[]> = { tokpipe: [], plain: [] };
    for (const mode of ['plain', 'tokpipe', 'plain', 'tokpipe'] as const) {
      const token = sb.admin.issueToken(user.openId).accessToken;
      const r = await runChild({ mode, sandboxUrl: sb.url, token, file });
      runs[mode].push(r);
      log(
        `upload ${mode}: ${(r.bytes / GiB).toFixed(2)} GiB in ${(r.ms / 1000).toFixed(2)} s ` +
          `(${(r.bytes / 1024 / 1024 / (r.ms / 1000)).toFixed(0)} MiB/s), ` +
          `peak RSS ${r.peakRssMib.toFixed(0)} MiB (idle ${r.baselineRssMib.toFixed(0)} MiB)`,
      );
    }
    const best = (mode: 'tokpipe' | 'plain') => Math.min(...runs[mode].map((r) => r.ms));
    const ratio = best('plain') / best('tokpipe');
    const peak = Math.max(...runs.tokpipe.map((r) => r.peakRssMib));
    return [
      { name: 'upload_peak_rss_mib', value: round(peak, 1), target: 200, unit: 'MiB (<)', pass: peak < 200 },
      {
        name: 'upload_throughput_ratio',
        value: round(ratio, 3),
        target: 0.8,
        unit: 'ratio vs plain PUT (≥)',
        pass: ratio >= 0.8,
      },
    ];
  } finally {
    await sb.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
