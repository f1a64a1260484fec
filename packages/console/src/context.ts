// What every page handler gets: the options, the session (scope and accounts), the clock's now.
import type { ConsoleOptions } from './ports';
import { scopeAllows } from './ports';
import type { Session } from './sessions';

export interface PageContext {
  opts: ConsoleOptions;
  session: Session;
  now: number;
  query: Record<string, string | undefined>;
}

/** May this session see (and act on) rows of `account`? Keys limited to some accounts see only those. */
export const allowed = (ctx: Pick<PageContext, 'session'>, account: string | null | undefined): boolean =>
  !ctx.session.accounts || (account !== null && account !== undefined && ctx.session.accounts.includes(account));

/** Replay and resolve need a post (or admin) key; redeliver needs admin. */
export const canPost = (ctx: Pick<PageContext, 'session'>): boolean => scopeAllows(ctx.session.scope, 'post');
export const canAdmin = (ctx: Pick<PageContext, 'session'>): boolean => scopeAllows(ctx.session.scope, 'admin');

/** Token expiry within this long gets a warning (the refresh token: after it, the user must reconnect). */
export const EXPIRY_WARNING_MS = 7 * 24 * 3_600_000;
