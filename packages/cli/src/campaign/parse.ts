// Campaign files (CSV exported from Airtable/Sheets, or JSON) → serialisable post entries.
// Every problem is collected and reported with its row and column, before anything is sent.
import * as path from 'node:path';
import type { PrivacyLevel } from '@tokpipe/core';
import { CsvSyntaxError, parseCsv } from './csv';

export type CampaignMedia =
  | { type: 'video_url'; url: string }
  | { type: 'video_file'; path: string }
  | { type: 'photo_urls'; urls: string[] };

export interface CampaignEntry {
  /** Where the entry came from, for messages: "row 3" (CSV line) or "item 2" (JSON). */
  where: string;
  account?: string;
  /** Rows without an account go to an account with this region tag. */
  region?: string;
  mode: 'direct' | 'draft';
  media: CampaignMedia;
  title?: string;
  description?: string;
  privacyLevel?: PrivacyLevel;
  publishAt?: string;
  idempotencyKey?: string;
}

export interface CampaignProblem {
  where: string;
  column?: string;
  message: string;
}

export class CampaignError extends Error {
  override readonly name = 'CampaignError';
  constructor(
    readonly file: string,
    readonly problems: CampaignProblem[],
  ) {
    super(
      `campaign ${file} has ${problems.length} problem${problems.length === 1 ? '' : 's'}:\n` +
        problems.map((p) => `  ${p.where}${p.column ? `, column ${p.column}` : ''}: ${p.message}`).join('\n'),
    );
  }
}

/** Canonical column → the header spellings spreadsheets produce for it (compared after normalising). */
const COLUMN_ALIASES: Record<string, readonly string[]> = {
  account: ['account', 'account_id', 'open_id', 'creator'],
  region: ['region', 'country'],
  video_url: ['video_url', 'video', 'url'],
  video_file: ['video_file', 'file', 'video_path', 'path'],
  photo_urls: ['photo_urls', 'photos', 'photo_url', 'images'],
  title: ['title', 'caption'],
  description: ['description'],
  privacy: ['privacy', 'privacy_level'],
  mode: ['mode', 'post_mode'],
  publish_at: ['publish_at', 'publish_time', 'scheduled_at', 'post_at'],
  idempotency_key: ['idempotency_key', 'key', 'id'],
};

const PRIVACY_ALIASES: Record<string, PrivacyLevel> = {
  public_to_everyone: 'PUBLIC_TO_EVERYONE',
  public: 'PUBLIC_TO_EVERYONE',
  everyone: 'PUBLIC_TO_EVERYONE',
  mutual_follow_friends: 'MUTUAL_FOLLOW_FRIENDS',
  friends: 'MUTUAL_FOLLOW_FRIENDS',
  follower_of_creator: 'FOLLOWER_OF_CREATOR',
  followers: 'FOLLOWER_OF_CREATOR',
  self_only: 'SELF_ONLY',
  private: 'SELF_ONLY',
  only_me: 'SELF_ONLY',
};

const MODE_ALIASES: Record<string, 'direct' | 'draft'> = {
  direct: 'direct',
  direct_post: 'direct',
  draft: 'draft',
  inbox: 'draft',
  upload: 'draft',
  media_upload: 'draft',
};

/** Airtable exports an attachment cell as `name.jpg (https://…), other.jpg (https://…)`. */
const AIRTABLE_ATTACHMENT = /\((https?:\/\/[^)\s]+)\)/g;

function attachmentUrls(cell: string): string[] | undefined {
  const urls = [...cell.matchAll(AIRTABLE_ATTACHMENT)].map((m) => m[1]!);
  return urls.length ? urls : undefined;
}

const normalise = (s: string): string =>
  s
    .trim()
    .toLowerCase()
    .replace(/[\s\-.]+/g, '_');

function canonicalColumn(header: string): string | undefined {
  const n = normalise(header);
  return Object.keys(COLUMN_ALIASES).find((col) => COLUMN_ALIASES[col]!.includes(n));
}

/** Syntax only: which schemes TikTok accepts is core's rule (checked with the rest of the post). */
function isAbsoluteUrl(value: string): boolean {
  try {
    new URL(value);
    return true;
  } catch {
    return false;
  }
}

const ISO_8601 = /^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/;

/** One row's cells by canonical column (absent/blank cells are undefined). */
type RowValues = Partial<Record<string, string | string[]>>;

function text(values: RowValues, col: string): string | undefined {
  const v = values[col];
  if (v === undefined) return undefined;
  const s = Array.isArray(v) ? v.join(' ') : v.trim();
  return s === '' ? undefined : s;
}

function toEntry(
  where: string,
  values: RowValues,
  baseDir: string,
  problems: CampaignProblem[],
): CampaignEntry | undefined {
  const start = problems.length;
  const problem = (column: string | undefined, message: string): void => {
    problems.push(column ? { where, column, message } : { where, message });
  };

  const sources = (['video_url', 'video_file', 'photo_urls'] as const).filter((c) => text(values, c) !== undefined);
  if (sources.length !== 1) {
    problem(
      sources.length ? sources.join('/') : 'video_url',
      sources.length
        ? `give only one of ${sources.join(', ')}`
        : 'one of video_url, video_file or photo_urls is required',
    );
  }
  let media: CampaignMedia | undefined;
  const source = sources[0];
  if (sources.length === 1 && source === 'video_url') {
    const cell = text(values, 'video_url')!;
    const attached = attachmentUrls(cell);
    if (attached && attached.length > 1)
      problem('video_url', `holds ${attached.length} attachments; one video per row`);
    const url = attached?.[0] ?? cell;
    if (!isAbsoluteUrl(url)) problem('video_url', `must be an absolute URL, got "${url}"`);
    else media = { type: 'video_url', url };
  } else if (sources.length === 1 && source === 'video_file') {
    media = { type: 'video_file', path: path.resolve(baseDir, text(values, 'video_file')!) };
  } else if (sources.length === 1 && source === 'photo_urls') {
    const raw = values.photo_urls!;
    const urls = (Array.isArray(raw) ? raw : (attachmentUrls(raw) ?? raw.split(/[\s,;|]+/)))
      .map((u) => u.trim())
      .filter(Boolean);
    const bad = urls.find((u) => !isAbsoluteUrl(u));
    if (bad) problem('photo_urls', `every photo must be an absolute URL, got "${bad}"`);
    else if (urls.length > 35) problem('photo_urls', `at most 35 photos per post, got ${urls.length}`);
    else media = { type: 'photo_urls', urls };
  }

  const modeText = text(values, 'mode');
  const mode = modeText === undefined ? 'direct' : MODE_ALIASES[normalise(modeText)];
  if (!mode) problem('mode', `must be direct or draft, got "${modeText}"`);

  const privacyText = text(values, 'privacy');
  const privacyLevel = privacyText === undefined ? undefined : PRIVACY_ALIASES[normalise(privacyText)];
  if (privacyText !== undefined && !privacyLevel) {
    problem(
      'privacy',
      `must be one of PUBLIC_TO_EVERYONE, MUTUAL_FOLLOW_FRIENDS, FOLLOWER_OF_CREATOR, SELF_ONLY (or public, friends, followers, private); got "${privacyText}"`,
    );
  }
  if (mode === 'direct' && privacyText === undefined) problem('privacy', 'is required for direct posts');

  const publishAt = text(values, 'publish_at');
  if (publishAt !== undefined && (!ISO_8601.test(publishAt) || Number.isNaN(Date.parse(publishAt)))) {
    problem('publish_at', `must be an ISO-8601 time such as 2026-12-01T09:00:00Z, got "${publishAt}"`);
  }

  if (problems.length > start || !media || !mode) return undefined;
  const entry: CampaignEntry = { where, mode, media };
  const optional = {
    account: 'account',
    region: 'region',
    title: 'title',
    description: 'description',
    idempotencyKey: 'idempotency_key',
  } as const;
  for (const [field, col] of Object.entries(optional)) {
    const v = text(values, col);
    if (v !== undefined) entry[field as keyof typeof optional] = v;
  }
  // Titles keep their inner whitespace/newlines exactly; only the cell edges are trimmed above.
  if (privacyLevel) entry.privacyLevel = privacyLevel;
  if (publishAt) entry.publishAt = publishAt;
  return entry;
}

function rowsFromCsv(
  textContent: string,
  file: string,
  problems: CampaignProblem[],
): Array<{ where: string; values: RowValues }> {
  let records;
  try {
    records = parseCsv(textContent);
  } catch (err) {
    if (err instanceof CsvSyntaxError) {
      problems.push({ where: `line ${err.line}`, message: err.message.replace(/^line \d+: /, '') });
      return [];
    }
    throw err;
  }
  const [header, ...data] = records;
  if (!header) {
    problems.push({
      where: 'header',
      message: 'the file is empty (expected a header row with account, video_url, title, ...)',
    });
    return [];
  }
  const columns = header.cells.map((h) => canonicalColumn(h));
  header.cells.forEach((h, i) => {
    if (!columns[i] && h.trim() !== '')
      problems.push({
        where: 'header',
        column: h.trim(),
        message: `unknown column (known: ${Object.keys(COLUMN_ALIASES).join(', ')})`,
      });
  });
  const seen = new Set<string>();
  columns.forEach((c, i) => {
    if (c && seen.has(c))
      problems.push({ where: 'header', column: header.cells[i]!.trim(), message: `column ${c} appears twice` });
    if (c) seen.add(c);
  });
  void file;
  return data.map((rec) => {
    const values: RowValues = {};
    rec.cells.forEach((cell, i) => {
      const col = columns[i];
      if (col) values[col] = cell;
    });
    return { where: `row ${rec.line}`, values };
  });
}

function rowsFromJson(textContent: string, problems: CampaignProblem[]): Array<{ where: string; values: RowValues }> {
  let raw: unknown;
  try {
    raw = JSON.parse(textContent);
  } catch (err) {
    problems.push({ where: 'file', message: `not valid JSON (${(err as Error).message})` });
    return [];
  }
  const items = Array.isArray(raw)
    ? raw
    : ((raw as { posts?: unknown; rows?: unknown } | null)?.posts ?? (raw as { rows?: unknown } | null)?.rows);
  if (!Array.isArray(items)) {
    problems.push({ where: 'file', message: 'expected a JSON array of posts (or {"posts": [...]})' });
    return [];
  }
  return items.map((item, index) => {
    const where = `item ${index + 1}`;
    const values: RowValues = {};
    if (typeof item !== 'object' || item === null || Array.isArray(item)) {
      problems.push({ where, message: 'must be an object' });
      return { where, values: { __invalid: 'x' } };
    }
    for (const [key, value] of Object.entries(item as Record<string, unknown>)) {
      const col = canonicalColumn(key);
      if (!col) {
        problems.push({
          where,
          column: key,
          message: `unknown field (known: ${Object.keys(COLUMN_ALIASES).join(', ')})`,
        });
      } else if (value === null || value === undefined) {
        continue;
      } else if (col === 'photo_urls' && Array.isArray(value)) {
        values[col] = value.map(String);
      } else if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') {
        values[col] = String(value);
      } else {
        problems.push({ where, column: key, message: 'must be a string' });
      }
    }
    return { where, values };
  });
}

/** Parses a campaign. Throws CampaignError listing every problem (row + column) if any. */
export function parseCampaign(content: string, file: string): CampaignEntry[] {
  const problems: CampaignProblem[] = [];
  const isJson = /\.json$/i.test(file) || /^\s*[[{]/.test(content);
  const rows = isJson ? rowsFromJson(content, problems) : rowsFromCsv(content, file, problems);
  const baseDir = path.dirname(path.resolve(file));
  const entries: CampaignEntry[] = [];
  const keys = new Map<string, string>();
  for (const { where, values } of rows) {
    if ('__invalid' in values) continue;
    const entry = toEntry(where, values, baseDir, problems);
    if (!entry) continue;
    if (entry.idempotencyKey) {
      const first = keys.get(entry.idempotencyKey);
      if (first)
        problems.push({
          where,
          column: 'idempotency_key',
          message: `"${entry.idempotencyKey}" is already used by ${first}`,
        });
      else keys.set(entry.idempotencyKey, where);
    }
    entries.push(entry);
  }
  if (rows.length === 0 && problems.length === 0) problems.push({ where: 'file', message: 'contains no posts' });
  if (problems.length) throw new CampaignError(file, problems);
  return entries;
}
