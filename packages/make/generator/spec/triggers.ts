// What starts a scenario: Watch New Published Videos (polling the video list) and Watch Post Events
// (TikTok's post.publish.* webhooks, on one shared webhook routed by the connection's open_id).
import { CONNECTION, WEBHOOK } from './connection';
import { VIDEO_FIELDS, VIDEO_LIST_QUERY_FIELDS } from '@tokpipe/core';
import { replyInterface, replyOutput, type ModuleFiles } from './module-parts';
import { fieldOf } from './params';
import { responseErrorDirectives } from './responses';

/** The most videos TikTok returns per page (core's catalog: maxCount's limit). */
const PAGE_SIZE = fieldOf('maxCount').limits!.max!;

export const watchNewVideos: ModuleFiles = {
  meta: {
    label: 'Watch New Published Videos',
    description: 'Triggers when a new video appears on the TikTok profile (newest first, from the Display API).',
    moduleType: 'trigger',
    connection: CONNECTION,
  },
  files: {
    communication: {
      url: '/v2/video/list/',
      method: 'POST',
      qs: { fields: VIDEO_LIST_QUERY_FIELDS },
      body: { max_count: PAGE_SIZE },
      pagination: { body: { cursor: '{{body.data.cursor}}', max_count: PAGE_SIZE }, condition: '{{body.data.has_more}}' },
      response: {
        ...responseErrorDirectives({ init: false }),
        limit: '{{parameters.limit}}',
        iterate: '{{body.data.videos}}',
        trigger: { type: 'date', order: 'desc', id: '{{item.id}}', date: "{{parseDate(item.create_time, 'X')}}" },
        output: replyOutput(VIDEO_FIELDS, 'item'),
      },
    },
    'static-params': [{ name: 'limit', type: 'uinteger', label: 'Maximum number of videos', help: 'Per run.', default: 10, required: true, validate: { min: 1, max: 100 } }],
    interface: replyInterface(VIDEO_FIELDS),
    scope: ['video.list'],
  },
};

// TikTok sends every event of the app to one callback URL: a shared webhook, routed to the connection
// whose info uid (open_id) equals user_openid. Never throw here: answer 200 at once.
export const webhookCommunication = {
  respond: { status: 200, type: 'json', body: { received: true } },
  uid: '{{body.user_openid}}',
  condition: "{{contains(body.event, 'post.publish.')}}",
  output: {
    // TikTok's v2 table spells it "publicaly"; both spellings arrive as the correct one.
    event: "{{replace(body.event, 'publicaly', 'publicly')}}",
    createdAt: "{{parseDate(body.create_time, 'X')}}",
    openId: '{{body.user_openid}}',
    publishId: "{{get(parseJSON(body.content), 'publish_id')}}",
    publishType: "{{get(parseJSON(body.content), 'publish_type')}}",
    postId: "{{get(parseJSON(body.content), 'post_id')}}",
    failReason: "{{get(parseJSON(body.content), 'reason')}}",
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
    interface: [
      { name: 'event', type: 'text', label: 'Event' },
      { name: 'createdAt', type: 'date', label: 'Created At' },
      { name: 'openId', type: 'text', label: 'Open ID' },
      { name: 'publishId', type: 'text', label: 'Publish ID' },
      { name: 'publishType', type: 'text', label: 'Publish Type' },
      { name: 'postId', type: 'text', label: 'Post ID' },
      { name: 'failReason', type: 'text', label: 'Fail Reason' },
      { name: 'content', type: 'any', label: 'Content (parsed)' },
    ],
    samples: { event: 'post.publish.complete', createdAt: '2026-11-25T12:00:00.000Z', openId: 'afd97af1-b87b-48b9-ac98-410aghda5344', publishId: 'v_pub_url~v2.123456789', publishType: 'DIRECT_PUBLISH' },
  },
};
