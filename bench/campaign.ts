// Issue 14 item 1: a 100,000-row campaign over 20 accounts (see campaign-child.ts), in a child
// process so its peak RSS is its own.
import { execFile } from 'node:child_process';
import * as path from 'node:path';
import type { Figure } from './figures';
import { round } from './pipeline-benches';

interface Run {
  rowsPerSecond: number;
  wallRowsPerSecond: number;
  published: number;
  deferred: number;
}

export function campaignBench(log: (line: string) => void): Promise<Figure[]> {
  const child = path.join(__dirname, 'campaign-child.ts');
  const hook = path.join(__dirname, '../test/chaos/ts-hook.js');
  return new Promise((resolve, reject) => {
    execFile(process.execPath, ['-r', hook, child], { maxBuffer: 1 << 20 }, (err, stdout, stderr) => {
      if (err) return reject(new Error(`campaign bench failed: ${stderr || err.message}`));
      const r = JSON.parse(stdout.trim().split('\n').pop()!) as {
        rows: number;
        routed: Run;
        oneAccount: Run;
        peakRssMiB: number;
      };
      for (const [shape, run] of [
        ['every row routed', r.routed],
        ['95 % on one account', r.oneAccount],
      ] as const) {
        log(
          `campaign (${shape}): ${r.rows} rows, ${run.published} posted within the caps, ${run.deferred} deferred; ` +
            `${run.rowsPerSecond.toFixed(0)} rows/CPU-s (${run.wallRowsPerSecond.toFixed(0)}/s wall clock)`,
        );
      }
      log(`campaign: peak RSS ${r.peakRssMiB.toFixed(0)} MiB for both runs`);
      const rowsPerSecond = Math.min(r.routed.rowsPerSecond, r.oneAccount.rowsPerSecond);
      const complete = [r.routed, r.oneAccount].every(
        (run) => run.published === 300 && run.published + run.deferred === r.rows,
      );
      resolve([
        {
          name: 'campaign_100k_rows_per_second',
          value: round(rowsPerSecond, 0),
          target: 5000,
          unit: 'rows/CPU-s (≥)',
          pass: complete && r.rows === 100_000 && rowsPerSecond >= 5000,
        },
        {
          name: 'campaign_100k_peak_rss_mib',
          value: round(r.peakRssMiB, 0),
          target: 1024,
          unit: 'MiB (<)',
          pass: complete && r.peakRssMiB < 1024,
        },
      ]);
    });
  });
}
