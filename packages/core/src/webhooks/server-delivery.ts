// The signature on what a tokpipe server delivers to its subscribers (REST hooks): made by the server,
// checked by the adapters' instant triggers and by anyone subscribing by hand.
import { createHmac, timingSafeEqual } from 'node:crypto';

/** `t=<unix seconds>,s=<hex HMAC-SHA256(secret, t + "." + eventId + "." + body)>`. */
export function signDelivery(secret: string, timestampSec: number, id: string, body: string): string {
  const mac = createHmac('sha256', secret).update(`${timestampSec}.${id}.`, 'utf8').update(body, 'utf8').digest('hex');
  return `t=${timestampSec},s=${mac}`;
}

/** How far a delivery's signed time may be from ours (replays outside it are refused). */
export const DELIVERY_TOLERANCE_SEC = 300;

/** True when `header` signs this body and event id, within the window (default DELIVERY_TOLERANCE_SEC). */
export function verifyDelivery(input: {
  header: string | undefined;
  secret: string;
  eventId: string;
  body: string;
  nowMs: number;
  toleranceSec?: number;
}): boolean {
  const match = /^t=(\d{1,12}),s=([0-9a-f]{64})$/.exec(input.header ?? '');
  if (!match) return false;
  const expected = Buffer.from(
    signDelivery(input.secret, Number(match[1]), input.eventId, input.body).slice(-64),
    'hex',
  );
  if (!timingSafeEqual(expected, Buffer.from(match[2]!, 'hex'))) return false;
  return Math.abs(input.nowMs / 1000 - Number(match[1])) <= (input.toleranceSec ?? DELIVERY_TOLERANCE_SEC);
}
