// explain_error: a TikTok code (error.code, fail_reason, OAuth error, transport kind) or one of our
// own codes → its rows in core's classification table. The table is the only source.
import {
  classificationTable,
  outcomeRows,
  type ClassificationRow,
  type ErrorLayer,
  type RowCondition,
} from '@tokpipe/core';

export interface Explanation {
  layer: string;
  code: string;
  class: ClassificationRow['category'];
  disposition: string;
  retryable: boolean;
  meaning: string;
  action: string;
  when?: string;
  documentedHttpStatus?: number[];
}

const rows: readonly ClassificationRow[] = [...classificationTable, ...outcomeRows];

function describeWhen(when: RowCondition | undefined): string | undefined {
  if (!when) return undefined;
  const parts: string[] = [];
  if (when.init !== undefined)
    parts.push(when.init ? 'on a post-creating (init) call' : 'on a call that creates nothing');
  if (when.requestSent !== undefined)
    parts.push(when.requestSent ? 'after the request was sent' : 'before the request was sent');
  if (when.status)
    parts.push(
      when.status[0] === when.status[1]
        ? `with HTTP ${when.status[0]}`
        : `with HTTP ${when.status[0]}-${when.status[1]}`,
    );
  return parts.join(', ');
}

function explanation(row: ClassificationRow): Explanation {
  const out: Explanation = {
    layer: row.layer,
    code: row.code,
    class: row.category,
    disposition: row.disposition,
    retryable: row.retryable,
    meaning: row.meaning,
    action: row.action,
  };
  const when = describeWhen(row.when);
  if (when) out.when = when;
  if (row.documentedStatus) out.documentedHttpStatus = [...row.documentedStatus];
  return out;
}

/** Every reading of `code` (optionally in one layer); a class name (e.g. needs_human, reauthorize)
 * lists the codes in that class. */
export function explainCode(code: string, layer?: ErrorLayer): { known: boolean; explanations: Explanation[] } {
  const wanted = code.trim();
  const exact = rows.filter((r) => (r.code === wanted || r.failReason === wanted) && (!layer || r.layer === layer));
  if (exact.length) return { known: true, explanations: exact.map(explanation) };
  const byClass = rows.filter(
    (r) => (r.category === wanted || r.disposition === wanted) && (!layer || r.layer === layer),
  );
  return { known: byClass.length > 0, explanations: byClass.map(explanation) };
}
