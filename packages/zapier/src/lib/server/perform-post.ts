// What the server-mode creates share: the step's fields (core's catalog, plus the server's own inputs) go
// to POST /v1/posts as core's serverPostBody, with an Idempotency-Key from core, so a replayed step is the
// same post. A file from an earlier step arrives as a URL: the server downloads it (serverUpload), so
// Zapier's file size cap does not apply. The server queues, retries and follows the post.
import {
  SERVER_POST_INPUTS,
  serverIdempotencyKey,
  serverPostBody,
  type OperationId,
  type PostMode,
} from '@tokpipe/core';
import type { Bundle, ZObject } from 'zapier-platform-core';
import { translated } from '../common/errors';
import { catalogFields, toZapierField } from '../common/props';
import { serverPostFields, serverPostOutput, serverPostSample } from '../output-schemas';
import { callServer } from './call';

export async function performServerPost(z: ZObject, bundle: Bundle, mode: PostMode) {
  const body = await translated(z, async () => serverPostBody(bundle.inputData ?? {}, mode, { filesAsUrls: true }));
  const view = await callServer(z, bundle, 'createPost', {
    body,
    idempotencyKey: serverIdempotencyKey(body, 'zapier'),
  });
  return serverPostOutput(view);
}

/** The Account dropdown lists the server's accounts (triggers/server-accounts.trigger.ts). */
const ACCOUNT_DROPDOWN = 'server_accounts.id.label';

/** The fields of `operation` in `mode`: privacy from core's static list (no TikTok token here). */
export const serverFields = (operation: OperationId, mode: PostMode) => [
  ...catalogFields(operation, mode, ['mode'], false),
  ...SERVER_POST_INPUTS.filter((f) => f.operations.includes(operation)).map((f) => ({
    ...toZapierField(f, mode),
    ...(f.name === 'account' ? { dynamic: ACCOUNT_DROPDOWN } : {}),
  })),
];

export const serverCreateSettings = { outputFields: serverPostFields, sample: serverPostSample };

/** A video create in one mode, through the server. */
export function serverVideoCreate(opts: {
  key: string;
  noun: string;
  label: string;
  description: string;
  mode: PostMode;
}) {
  return {
    key: opts.key,
    noun: opts.noun,
    display: { label: opts.label, description: opts.description },
    operation: {
      inputFields: serverFields('post_video', opts.mode),
      perform: (z: ZObject, bundle: Bundle) => performServerPost(z, bundle, opts.mode),
      ...serverCreateSettings,
    },
  };
}
