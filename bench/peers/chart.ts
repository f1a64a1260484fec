// The comparison as a picture: one panel per column that matters to users, one bar per strategy,
// tokpipe in colour. Plain SVG text written here (no dependency), so a person sees it at a glance.
import type { PeerRow } from './metrics';
import { injected429s } from './table';

interface Panel {
  title: string;
  value: (r: PeerRow) => number;
  label: (r: PeerRow) => string;
  /** The value a full-width bar stands for (default: the largest value in the panel). */
  scale?: (r: PeerRow) => number;
}

const PANELS: Panel[] = [
  {
    title: 'Published (live on TikTok) — higher is better',
    value: (r) => r.published,
    label: (r) => `${r.published} / ${r.posts}`,
    scale: (r) => r.posts,
  },
  { title: 'Duplicate posts — lower is better', value: (r) => r.duplicates, label: (r) => String(r.duplicates) },
  {
    title: 'Wrongly reported (published but not live, or failed but live) — lower is better',
    value: (r) => r.wronglyPublished + r.wronglyFailed,
    label: (r) => `${r.wronglyPublished + r.wronglyFailed} (${r.wronglyPublished} + ${r.wronglyFailed})`,
  },
  {
    title: 'Told “could not confirm, check it” (true, but a person has to look)',
    value: (r) => r.toldUnsure,
    label: (r) => String(r.toldUnsure),
  },
  {
    title: 'Rate-limit replies from going over TikTok’s window — lower is better',
    value: (r) => r.rateLimitOverWindow,
    // The injected ones follow the request count (the hostile profile answers a share of all requests with 429).
    label: (r) => `${r.rateLimitOverWindow}   (+${injected429s(r)} injected by the fault profile)`,
  },
  {
    title: 'Requests to TikTok per published post — lower is better',
    value: (r) => finite(r.requestsPerPublished),
    label: (r) => finite(r.requestsPerPublished).toFixed(2),
  },
];

const WIDTH = 880;
const LABEL_W = 170;
const BAR_H = 16;
const GAP = 4;
const TITLE_H = 26;
const PANEL_GAP = 14;

export function peersChart(rows: PeerRow[], subtitle: string): string {
  const panelH = TITLE_H + rows.length * (BAR_H + GAP);
  const height = 56 + PANELS.length * (panelH + PANEL_GAP);
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${height}" viewBox="0 0 ${WIDTH} ${height}"` +
      ' font-family="Helvetica, Arial, sans-serif">',
    `<rect width="100%" height="100%" fill="#ffffff"/>`,
    `<text x="16" y="24" font-size="17" font-weight="bold" fill="#111">` +
      `The same TikTok campaign through ${rows.length} posting strategies</text>`,
    `<text x="16" y="42" font-size="12" fill="#555">${esc(subtitle)}</text>`,
  ];
  PANELS.forEach((panel, p) => {
    const top = 56 + p * (panelH + PANEL_GAP);
    const max = Math.max(1, ...rows.map(panel.value), ...rows.map((r) => panel.scale?.(r) ?? 0));
    const room = WIDTH - LABEL_W - 120;
    out.push(`<text x="16" y="${top + 16}" font-size="13" font-weight="bold" fill="#222">${esc(panel.title)}</text>`);
    rows.forEach((r, i) => {
      const y = top + TITLE_H + i * (BAR_H + GAP);
      const w = Math.max(1, Math.round((panel.value(r) / max) * room));
      const ours = r.strategy === 'tokpipe';
      out.push(
        `<text x="${LABEL_W - 8}" y="${y + 12}" font-size="12" text-anchor="end" fill="#333"${ours ? ' font-weight="bold"' : ''}>` +
          `${esc(r.strategy)}</text>`,
        `<rect x="${LABEL_W}" y="${y}" width="${w}" height="${BAR_H}" fill="${ours ? '#0b7a5c' : '#a3a3a3'}"/>`,
        `<text x="${LABEL_W + w + 6}" y="${y + 12}" font-size="12" fill="#111">${esc(panel.label(r))}</text>`,
      );
    });
  });
  out.push('</svg>');
  return `${out.join('\n')}\n`;
}

function finite(value: number): number {
  return Number.isFinite(value) ? value : 0;
}

function esc(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}
