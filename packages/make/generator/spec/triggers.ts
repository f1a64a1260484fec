// What starts a scenario: Watch New Published Videos (polling the video list) and Watch Post Events
// (TikTok's post.publish.* webhooks, on one shared webhook routed by the connection's open_id).
import { CONNECTION, WEBHOOK } from './connection';
import {
  catalogField,
  ENDPOINTS,
  POST_EVENT_FIELDS,
  type ReplyField,
  SAMPLE_POST_EVENT,
  VIDEO_FIELDS,
  VIDEO_LIST_QUERY_FIELDS,
  webhookEventNames,
} from '@tokpipe/core';
import { replyInterface, replyOutput, type ModuleFiles } from './module-parts';
import { responseErrorDirectives } from './responses';

/** The most videos TikTok returns per page (core's catalog: maxCount's limit). */
const PAGE_SIZE = catalogField('maxCount').limits!.max!;

export const watchNewVideos: ModuleFiles = {
  meta: {
    label: 'Watch New Published Videos',
    description: 'Triggers when a new video appears on the TikTok profile (newest first, from the Display API).',
    moduleType: 'trigger',
    connection: CONNECTION,
  },
  files: {
    communication: {
      url: ENDPOINTS.video_list.path,
      method: 'POST',
      qs: { fields: VIDEO_LIST_QUERY_FIELDS },
      body: { max_count: PAGE_SIZE },
      pagination: {
        body: { cursor: '{{body.data.cursor}}', max_count: PAGE_SIZE },
        condition: '{{body.data.has_more}}',
      },
      response: {
        ...responseErrorDirectives({ init: false }),
        limit: '{{parameters.limit}}',
        iterate: '{{body.data.videos}}',
        trigger: { type: 'date', order: 'desc', id: '{{item.id}}', date: "{{parseDate(item.create_time, 'X')}}" },
        output: replyOutput(VIDEO_FIELDS, 'item'),
      },
    },
    'static-params': [
      {
        name: 'limit',
        type: 'uinteger',
        label: 'Maximum number of videos',
        help: 'Per run.',
        default: 10,
        required: true,
        validate: { min: 1, max: 100 },
      },
    ],
    interface: replyInterface(VIDEO_FIELDS),
    scope: ['video.list'],
  },
};

/** Core's event names: the post.publish.* spellings TikTok sends, and those it misspells. */
const POST_EVENTS = Object.keys(webhookEventNames).filter((sent) => sent.startsWith('post.publish.'));
const MISSPELLED = Object.entries(webhookEventNames).filter(
  ([sent, name]) => sent !== name && POST_EVENTS.includes(sent),
);

/** IML for one event field: content keys from the parsed content string, dates from epoch seconds. */
function eventValue(f: ReplyField): string {
  if (f.source.startsWith('content.')) return `get(parseJSON(body.content), '${f.source.slice('content.'.length)}')`;
  if (f.type === 'datetime') return `parseDate(body.${f.source}, 'X')`;
  // Every spelling TikTok sends (its v2 table has "publicaly") arrives as core's canonical name.
  if (f.name === 'event')
    return MISSPELLED.reduceRight(
      (acc, [sent, name]) => `if(body.${f.source} == '${sent}', '${name}', ${acc})`,
      `body.${f.source}`,
    );
  return `body.${f.source}`;
}

// TikTok sends every event of the app to one callback URL: a shared webhook, routed to the connection
// whose info uid (open_id) equals user_openid. Never throw here: answer 200 at once.
export const webhookCommunication = {
  respond: { status: 200, type: 'json', body: { received: true } },
  uid: '{{body.user_openid}}',
  condition: `{{${POST_EVENTS.map((sent) => `body.event == '${sent}'`).join(' || ')}}}`,
  output: {
    ...Object.fromEntries(POST_EVENT_FIELDS.map((f) => [f.name, `{{${eventValue(f)}}}`])),
    content: '{{parseJSON(body.content)}}',
  },
};

export const watchPostEvents: ModuleFiles = {
  meta: {
    label: 'Watch Post Events',
    description:
      "Triggers on TikTok's post.publish.* webhooks (complete, failed, inbox delivered, publicly available, no longer publicly available) for this connection's account. The app's TikTok callback URL is set once by the app owner.",
    moduleType: 'instant_trigger',
    connection: CONNECTION,
    webhook: WEBHOOK,
  },
  files: {
    interface: [...replyInterface(POST_EVENT_FIELDS), { name: 'content', type: 'any', label: 'Content (parsed)' }],
    samples: SAMPLE_POST_EVENT,
  },
};
