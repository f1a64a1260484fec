// zod issues → one TokpipeError (layer 'input') whose message names every wrong field.
import type { ZodError, ZodIssue, ZodTypeAny, z } from 'zod';
import { inputError, type TokpipeError } from '../errors/classify';

function issueField(issue: ZodIssue, prefix: string): string {
  const path = issue.code === 'unrecognized_keys' ? [...issue.path, issue.keys[0] ?? ''] : issue.path;
  const joined = path
    .map((p) => (typeof p === 'number' ? `[${p}]` : p))
    .join('.')
    .replace(/\.\[/g, '[');
  return [prefix, joined].filter(Boolean).join('.') || prefix || '(input)';
}

function issueMessage(issue: ZodIssue): string {
  if (issue.code === 'unrecognized_keys') return `is not a known field (unknown: ${issue.keys.join(', ')})`;
  if (issue.code === 'invalid_type' && issue.received === 'undefined') return 'is required';
  return issue.message;
}

/** Turns a ZodError into a TokpipeError naming the first wrong field and listing the rest. */
export function zodToInputError(error: ZodError, prefix = ''): TokpipeError {
  const [first, ...rest] = error.issues;
  if (!first) return inputError(prefix || '(input)', 'is invalid');
  const more = rest.map((i) => `${issueField(i, prefix)} ${issueMessage(i)}`);
  const problem = issueMessage(first) + (more.length ? ` (also: ${more.join('; ')})` : '');
  return inputError(issueField(first, prefix), problem);
}

/** Parses `value` with `schema` or throws a TokpipeError naming the field. */
export function parseInput<S extends ZodTypeAny>(schema: S, value: unknown, prefix = ''): z.output<S> {
  const result = schema.safeParse(value);
  if (!result.success) throw zodToInputError(result.error, prefix);
  return result.data;
}
