// Node's socket error codes (as axios, node-fetch and n8n's helpers report them) → core's transport
// failure kinds. One table for every transport: core's axios one, n8n's and Zapier's.
import type { TransportFailureKind } from '../ports';

export interface TransportCodeMeaning {
  kind: TransportFailureKind;
  /** false: the failure can only happen before a byte left. Absent: it depends on when it happened
   * (a transport that can see its socket asks it; one that cannot must assume it was sent). */
  requestSent?: false;
}

export const TRANSPORT_FAILURE_BY_CODE: Readonly<Record<string, TransportCodeMeaning>> = Object.freeze({
  ENOTFOUND: { kind: 'dns', requestSent: false },
  EAI_AGAIN: { kind: 'dns', requestSent: false },
  ECONNREFUSED: { kind: 'refused', requestSent: false },
  EHOSTUNREACH: { kind: 'refused', requestSent: false },
  ENETUNREACH: { kind: 'refused', requestSent: false },
  ECONNRESET: { kind: 'reset' },
  EPIPE: { kind: 'reset' },
  ECONNABORTED: { kind: 'timeout' },
  ETIMEDOUT: { kind: 'timeout' },
  ESOCKETTIMEDOUT: { kind: 'timeout' },
  ERR_CANCELED: { kind: 'aborted' },
  CERT_HAS_EXPIRED: { kind: 'tls', requestSent: false },
  DEPTH_ZERO_SELF_SIGNED_CERT: { kind: 'tls', requestSent: false },
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: { kind: 'tls', requestSent: false },
  ERR_TLS_CERT_ALTNAME_INVALID: { kind: 'tls', requestSent: false },
  SELF_SIGNED_CERT_IN_CHAIN: { kind: 'tls', requestSent: false },
});

/** What a socket error code means; an unknown code naming SSL/TLS/a certificate is a TLS failure. */
export function transportFailureOf(code: string | undefined): TransportCodeMeaning | undefined {
  if (!code) return undefined;
  return (
    TRANSPORT_FAILURE_BY_CODE[code] ?? (/ssl|tls|cert/i.test(code) ? { kind: 'tls', requestSent: false } : undefined)
  );
}
