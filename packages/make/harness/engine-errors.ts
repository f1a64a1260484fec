// The errors a module raises, typed as Make's engine sees them, and what the engine does with each
// type when no error handler is attached (make-custom-apps.md §5.2).

/** An error a module raised, typed as Make would see it. */
export class MakeError extends Error {
  override readonly name = 'MakeError';
  constructor(
    readonly type: string,
    message: string,
    readonly statusCode?: number,
  ) {
    super(message);
  }
}

/** What Make's engine does with each error type when no error handler is attached (§5.2). */
export type EngineOutcome = 'retried' | 'paused_then_rerun' | 'deactivated' | 'stopped' | 'locked';
export const ENGINE_OUTCOMES: Readonly<Record<string, EngineOutcome>> = {
  ConnectionError: 'retried',
  RateLimitError: 'retried',
  ModuleTimeoutError: 'retried',
  IncompleteDataError: 'paused_then_rerun',
  InvalidConfigurationError: 'deactivated',
  InvalidAccessTokenError: 'deactivated',
  DataError: 'stopped',
  RuntimeError: 'stopped',
  DuplicateDataError: 'stopped',
  UnexpectedError: 'locked',
  MaxResultsExceededError: 'deactivated',
};

export function engineOutcome(error: unknown): EngineOutcome {
  if (error instanceof MakeError) return ENGINE_OUTCOMES[error.type] ?? 'stopped';
  return 'stopped';
}
