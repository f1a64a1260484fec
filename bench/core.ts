// Figure 4: core overhead with no I/O (see core-child.ts), in a child process with --expose-gc.
import { execFile } from 'node:child_process';
import * as path from 'node:path';
import type { Figure } from './figures';
import { round } from './pipeline-benches';

export function coreBench(log: (line: string) => void): Promise<Figure[]> {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      ['--expose-gc', '-r', path.join(__dirname, '../test/chaos/ts-hook.js'), path.join(__dirname, 'core-child.ts')],
      { maxBuffer: 1 << 20 },
      (err, stdout, stderr) => {
        if (err) return reject(new Error(`core bench failed: ${stderr || err.message}`));
        const r = JSON.parse(stdout.trim().split('\n').pop()!) as {
          postsPerSecond: number;
          coldPostsPerSecond: number;
          wallPostsPerSecond: number;
          ms: number;
          bytesPerJob: number;
          tracked: number;
        };
        log(
          `core: ${r.postsPerSecond.toFixed(0)} posts per CPU-second, median of 5 runs after a warm-up run ` +
            `(${r.wallPostsPerSecond.toFixed(0)}/s wall clock; the cold first run: ${r.coldPostsPerSecond.toFixed(0)}/CPU-s); ` +
            `${r.bytesPerJob.toFixed(0)} bytes per tracked job with ${r.tracked} jobs tracked`,
        );
        resolve([
          {
            name: 'core_posts_per_second',
            value: round(r.postsPerSecond, 0),
            target: 5000,
            unit: 'posts/CPU-s (≥)',
            pass: r.postsPerSecond >= 5000,
          },
          {
            name: 'bytes_per_tracked_job',
            value: round(r.bytesPerJob, 0),
            target: 5120,
            unit: 'bytes (<)',
            pass: r.tracked === 100_000 && r.bytesPerJob < 5120,
          },
        ]);
      },
    );
  });
}
