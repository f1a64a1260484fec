// Server mode's connection: the server URL and an API key (core's credential fields). The test lists the
// server's accounts, which proves the URL and the key; the connection is named after the server and them.
import { SERVER_CREDENTIAL_FIELDS } from '@tokpipe/core';
import type { Bundle, ZObject } from 'zapier-platform-core';
import { callServer } from './call';

const test = async (z: ZObject, bundle: Bundle) => {
  const { accounts = [] } = await callServer<{ accounts?: Array<{ id: string }> }>(z, bundle, 'listAccounts');
  return {
    server: new URL(String(bundle.authData.serverUrl)).host,
    accounts: accounts.map((a) => a.id).join(', '),
  };
};

export const serverAuthentication = {
  type: 'custom' as const,
  test,
  fields: SERVER_CREDENTIAL_FIELDS.map((f) => ({
    key: f.name,
    label: f.label,
    type: f.secret ? ('password' as const) : ('string' as const),
    required: true,
    placeholder: f.placeholder,
    helpText: f.description,
  })),
  connectionLabel: '{{server}} ({{accounts}})',
};
