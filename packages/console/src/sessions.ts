// Console sessions: a random id in an httpOnly, SameSite=Strict cookie; everything else (the key's scope
// and accounts, the CSRF token, the expiry) stays on the server. The API key itself is never kept.
import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { Clock } from '@tokpipe/core';
import type { Scope } from './ports';

export const COOKIE = 'tokpipe_console';

export interface Session {
  id: string;
  scope: Scope;
  /** Accounts the key may see and act on; undefined = all. */
  accounts?: readonly string[];
  csrf: string;
  expiresAt: number;
}

export class Sessions {
  private readonly byId = new Map<string, Session>();

  constructor(
    private readonly clock: Pick<Clock, 'now'>,
    private readonly ttlMs: number,
  ) {}

  create(scope: Scope, accounts?: readonly string[]): Session {
    this.purge();
    const session: Session = {
      id: randomBytes(32).toString('base64url'),
      scope,
      ...(accounts ? { accounts: [...accounts] } : {}),
      csrf: randomBytes(32).toString('base64url'),
      expiresAt: this.clock.now() + this.ttlMs,
    };
    this.byId.set(session.id, session);
    return session;
  }

  get(id: string | undefined): Session | undefined {
    const session = id ? this.byId.get(id) : undefined;
    if (session && session.expiresAt <= this.clock.now()) {
      this.byId.delete(session.id);
      return undefined;
    }
    return session;
  }

  end(id: string): void {
    this.byId.delete(id);
  }

  private purge(): void {
    const now = this.clock.now();
    for (const [id, s] of this.byId) if (s.expiresAt <= now) this.byId.delete(id);
  }
}

/** Constant-time comparison of a presented CSRF token with the session's. */
export function csrfMatches(session: Session, presented: unknown): boolean {
  if (typeof presented !== 'string') return false;
  const a = Buffer.from(presented);
  const b = Buffer.from(session.csrf);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** The value of one cookie in a Cookie header. */
export function cookieValue(header: string | undefined, name: string): string | undefined {
  for (const part of (header ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return decodeURIComponent(part.slice(eq + 1).trim());
  }
  return undefined;
}

export function sessionCookie(session: Session, secure: boolean, maxAgeMs: number): string {
  const attrs = [
    `${COOKIE}=${session.id}`,
    'Path=/console',
    'HttpOnly',
    'SameSite=Strict',
    `Max-Age=${Math.floor(maxAgeMs / 1000)}`,
  ];
  if (secure) attrs.push('Secure');
  return attrs.join('; ');
}

export const clearedCookie = (secure: boolean): string =>
  [`${COOKIE}=`, 'Path=/console', 'HttpOnly', 'SameSite=Strict', 'Max-Age=0', ...(secure ? ['Secure'] : [])].join('; ');
