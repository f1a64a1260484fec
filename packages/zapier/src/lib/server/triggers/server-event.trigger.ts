// Server Event (REST hook, instant): Zapier's URL is subscribed on the tokpipe server to one event type;
// each delivery is checked by core (signature, replay window, redelivery: once per event id) before the
// Zap runs. performList shows the server's latest events of that type as samples.
import { receiveServerDelivery, SERVER_EVENT_OPTIONS, serverEventRecord, type ServerEventPayload } from '@tokpipe/core';
import type { Bundle, ZObject } from 'zapier-platform-core';
import { cacheOf, zapierMarks } from '../../common/cache-store';
import { runtime } from '../../common/runtime';
import { serverEventFields, serverEventOutput, serverEventSample } from '../../output-schemas';
import { callServer } from '../call';

/** What performSubscribe keeps (bundle.subscribeData): the secret is shown by the server only once. */
interface Subscribed {
  id: string;
  secret: string;
  event: string;
}

const performSubscribe = async (z: ZObject, bundle: Bundle): Promise<Subscribed> => {
  const event = String(bundle.inputData.event ?? '');
  const sub = await callServer<{ id: string; secret: string }>(z, bundle, 'subscribe', {
    body: { targetUrl: bundle.targetUrl, events: [event], label: 'Zapier' },
  });
  return { id: sub.id, secret: sub.secret, event };
};

/** A subscription the server no longer has (deleted there) is unsubscribed already: the Zap still turns off. */
const performUnsubscribe = (z: ZObject, bundle: Bundle) =>
  callServer(
    z,
    bundle,
    'unsubscribe',
    { params: { id: (bundle.subscribeData as Subscribed | undefined)?.id } },
    { goneOk: true },
  );

const perform = async (z: ZObject, bundle: Bundle) => {
  const sub = bundle.subscribeData as Partial<Subscribed> | undefined;
  const raw = bundle.rawRequest;
  // Without the raw body the signature cannot be checked, and an unchecked delivery never runs a Zap.
  if (typeof raw?.content !== 'string' || !sub?.secret || !sub.id) {
    z.console.log('[tokpipe warn] delivery ignored: no raw body or no subscription secret to check it with');
    return [];
  }
  // Zapier hands the request's headers over as `Http-<Name>`.
  const headers = Object.fromEntries(Object.entries(raw.headers ?? {}).map(([k, v]) => [k.replace(/^Http-/i, ''), v]));
  const delivery = await receiveServerDelivery({
    headers,
    rawBody: raw.content,
    secret: sub.secret,
    clock: runtime().clock,
    store: zapierMarks(cacheOf(z), `server:${sub.id}`),
    wanted: sub.event ? [sub.event] : [],
  });
  if (!delivery.record) z.console.log('[tokpipe info] delivery not run', delivery.body);
  return delivery.record ? [serverEventOutput(delivery.record)] : [];
};

/** The server's latest events of the chosen type, newest first. */
const performList = async (z: ZObject, bundle: Bundle) => {
  const { events = [] } = await callServer<{ events?: ServerEventPayload[] }>(z, bundle, 'recentEvents', {
    query: { type: String(bundle.inputData.event ?? ''), limit: 3 },
  });
  return events.map((e) => serverEventOutput(serverEventRecord(e)));
};

export const serverEvent = {
  key: 'server_event',
  noun: 'Event',
  display: {
    label: 'New Server Event',
    description: 'Triggers instantly when the tokpipe server reports a post published, failed, in the inbox, …',
  },
  operation: {
    type: 'hook' as const,
    inputFields: [
      {
        key: 'event',
        label: 'Event',
        required: true,
        choices: SERVER_EVENT_OPTIONS.map((o) => ({ value: o.value, label: o.label, sample: o.value })),
        helpText: SERVER_EVENT_OPTIONS.map((o) => `**${o.label}**: ${o.description}.`).join(' '),
      },
    ],
    performSubscribe,
    performUnsubscribe,
    perform,
    performList,
    outputFields: serverEventFields,
    sample: serverEventSample,
  },
};
