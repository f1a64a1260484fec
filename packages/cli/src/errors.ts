// Recognises core's TokpipeError structurally (by its `details`), so the CLI also handles errors
// raised by code bundled from another copy of core.
import type { ErrorDetails } from '@tokpipe/core';

export interface TokpipeErrorLike extends Error {
  details: ErrorDetails;
}

export function isTokpipeError(err: unknown): err is TokpipeErrorLike {
  const details = (err as { details?: Partial<ErrorDetails> } | null)?.details;
  return (
    err instanceof Error &&
    !!details &&
    typeof details.layer === 'string' &&
    typeof details.disposition === 'string' &&
    typeof details.code === 'string'
  );
}
