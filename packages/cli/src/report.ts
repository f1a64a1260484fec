// Campaign bookkeeping per account, and the two ways it is shown: the live progress display
// (bars on a terminal, plain lines otherwise) and the final report (terminal table + markdown file).

/** What happened to one post, as the progress display words it (translated from pipeline events). */
export type TrackKind =
  | 'queued'
  | 'started'
  | 'retry' //         a retryable failure; the job waits in the retry queue
  | 'rate_wait' //     held back by the limiter or a 429
  | 'deferred' //      the daily cap is used up: nothing sent, waits for a later cap window
  | 'published'
  | 'inbox' //         draft delivered to the creator's inbox (success for drafts)
  | 'failed' //        permanent failure
  | 'dead_lettered'
  | 'unconfirmed'; //  no terminal state yet: reconciliation will settle it

export interface TrackEvent {
  kind: TrackKind;
  account: string;
  /** The job's label (idempotency key or row). */
  job: string;
  /** Milliseconds from submission to publish (published/inbox only). */
  elapsedMs?: number;
  detail?: string;
}

export interface AccountStats {
  account: string;
  total: number;
  published: number;
  inbox: number;
  /** Failed for good (in the DLQ for a reason other than an unknown outcome). */
  failed: number;
  deadLettered: number;
  unconfirmed: number;
  /** Waiting for a later time (daily cap used up, or publish_at): nothing was sent for them yet. */
  deferred: number;
  /** When the first deferred row may go (epoch ms). */
  nextDeferredAt?: number;
  retries: number;
  rateLimitWaits: number;
  publishTimesMs: number[];
}

/** The slice of a pipeline job the report reads. */
export interface JobLike {
  account?: string;
  state: string;
  retries: number;
  /** Re-posts after a retryable FAILED (and DLQ replays): each one is a retry the user should see. */
  generation?: number;
  rateLimitWaits: number;
  submittedAt: number;
  completedAt?: number;
  lastError?: { disposition: string };
  dueAt?: number;
}

/** Job state → the counter it lands in (anything else is still moving). */
const COUNTER_BY_STATE: Record<string, 'published' | 'inbox' | 'deadLettered' | 'unconfirmed' | 'deferred'> = {
  published: 'published',
  delivered: 'inbox',
  dead: 'deadLettered',
  unconfirmed: 'unconfirmed',
  unknown: 'unconfirmed',
  deferred: 'deferred',
};

export const UNASSIGNED = '(router)';

function emptyStats(account: string): AccountStats {
  return {
    account,
    total: 0,
    published: 0,
    inbox: 0,
    failed: 0,
    deadLettered: 0,
    unconfirmed: 0,
    deferred: 0,
    retries: 0,
    rateLimitWaits: 0,
    publishTimesMs: [],
  };
}

/** Per-account stats, computed from the persisted jobs: right after a restart too. */
export function statsFromJobs(jobs: Iterable<JobLike>): AccountStats[] {
  const byAccount = new Map<string, AccountStats>();
  for (const job of jobs) {
    const account = job.account ?? UNASSIGNED;
    let s = byAccount.get(account);
    if (!s) byAccount.set(account, (s = emptyStats(account)));
    s.total++;
    s.retries += job.retries + (job.generation ?? 0);
    s.rateLimitWaits += job.rateLimitWaits;
    const counter = COUNTER_BY_STATE[job.state];
    if (counter) s[counter]++;
    if (job.state === 'deferred' && job.dueAt !== undefined)
      s.nextDeferredAt = Math.min(s.nextDeferredAt ?? job.dueAt, job.dueAt);
    if (job.state === 'dead' && job.lastError?.disposition !== 'unknown_outcome') s.failed++;
    if ((job.state === 'published' || job.state === 'delivered') && job.completedAt !== undefined)
      s.publishTimesMs.push(job.completedAt - job.submittedAt);
  }
  return [...byAccount.values()].sort((a, b) => a.account.localeCompare(b.account));
}

export function doneCount(s: AccountStats): number {
  return s.published + s.inbox + s.deadLettered + s.unconfirmed + s.deferred;
}

export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const s = ms / 1000;
  if (s < 60) return `${s.toFixed(1)} s`;
  const m = Math.floor(s / 60);
  return `${m} min ${Math.round(s - m * 60)} s`;
}

function median(values: number[]): number | undefined {
  if (!values.length) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

const REPORT_COLUMNS: Array<{ title: string; cell: (s: AccountStats) => string }> = [
  { title: 'account', cell: (s) => s.account },
  { title: 'posts', cell: (s) => String(s.total) },
  { title: 'published', cell: (s) => String(s.published) },
  { title: 'in inbox', cell: (s) => String(s.inbox) },
  { title: 'failed', cell: (s) => String(s.failed) },
  { title: 'in DLQ', cell: (s) => String(s.deadLettered) },
  { title: 'unconfirmed', cell: (s) => String(s.unconfirmed) },
  { title: 'deferred', cell: (s) => String(s.deferred) },
  { title: 'retries', cell: (s) => String(s.retries) },
  { title: 'rate-limit waits', cell: (s) => String(s.rateLimitWaits) },
  {
    title: 'median time to publish',
    cell: (s) => {
      const m = median(s.publishTimesMs);
      return m === undefined ? '-' : formatDuration(m);
    },
  },
];

function totals(rows: AccountStats[]): AccountStats {
  const t = emptyStats('total');
  const summed = [
    'total',
    'published',
    'inbox',
    'failed',
    'deadLettered',
    'unconfirmed',
    'deferred',
    'retries',
    'rateLimitWaits',
  ] as const;
  for (const r of rows) {
    for (const k of summed) t[k] += r[k];
    for (const ms of r.publishTimesMs) t.publishTimesMs.push(ms);
    if (r.nextDeferredAt !== undefined)
      t.nextDeferredAt = Math.min(t.nextDeferredAt ?? r.nextDeferredAt, r.nextDeferredAt);
  }
  return t;
}

export function renderTable(headers: string[], rows: string[][]): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]): string =>
    cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  const rule = widths.map((w) => '-'.repeat(w)).join('  ');
  return [line(headers), rule, ...rows.map(line)].join('\n') + '\n';
}

export function renderReportTable(stats: AccountStats[]): string {
  const rows = [...stats, totals(stats)].map((s) => REPORT_COLUMNS.map((c) => c.cell(s)));
  return renderTable(
    REPORT_COLUMNS.map((c) => c.title),
    rows,
  );
}

export interface ReportMeta {
  title: string;
  campaignFile: string;
  startedAt: Date;
  durationMs: number;
  dlq?: Array<{ job: string; account: string; code: string; action: string }>;
  /** Rows TikTok may have without having said so: why each is open, how to settle it. */
  stillOpen?: Array<{ job: string; account: string; why: string; settle: string }>;
  notes?: string[];
}

const mdCell = (s: string): string => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');

export function renderMarkdownReport(stats: AccountStats[], meta: ReportMeta): string {
  const rows = [...stats, totals(stats)];
  const out = [
    `# ${meta.title}`,
    '',
    `- Campaign: \`${meta.campaignFile}\``,
    `- Started: ${meta.startedAt.toISOString()}`,
    `- Duration: ${formatDuration(meta.durationMs)}`,
    '',
    '| ' + REPORT_COLUMNS.map((c) => c.title).join(' | ') + ' |',
    '|' + REPORT_COLUMNS.map((_, i) => (i === 0 ? ' --- ' : ' ---: ')).join('|') + '|',
    ...rows.map(
      (s) =>
        '| ' +
        REPORT_COLUMNS.map((c, i) => (i === 0 && s.account === 'total' ? '**total**' : mdCell(c.cell(s)))).join(' | ') +
        ' |',
    ),
  ];
  if (meta.dlq && meta.dlq.length) {
    out.push('', '## Dead-letter queue', '', '| job | account | code | what to do |', '| --- | --- | --- | --- |');
    for (const d of meta.dlq)
      out.push(`| ${mdCell(d.job)} | ${mdCell(d.account)} | \`${mdCell(d.code)}\` | ${mdCell(d.action)} |`);
    out.push('', 'Replay with `tokpipe dlq replay <id>` once the cause is fixed.');
  }
  if (meta.stillOpen && meta.stillOpen.length) {
    out.push(
      '',
      '## Still open',
      '',
      '| job | account | why it is open | to settle it by hand |',
      '| --- | --- | --- | --- |',
    );
    for (const o of meta.stillOpen)
      out.push(`| ${mdCell(o.job)} | ${mdCell(o.account)} | ${mdCell(o.why)} | ${mdCell(o.settle)} |`);
  }
  if (meta.notes && meta.notes.length) out.push('', ...meta.notes.map((n) => `> ${n}`));
  return out.join('\n') + '\n';
}
