// Hidden trigger behind the Account dropdown of the creates: the server's accounts this API key may post
// from, with their status (an account that needs reconnecting says so before a post is sent to it).
import type { Bundle, ZObject } from 'zapier-platform-core';
import { callServer } from '../call';

const perform = async (z: ZObject, bundle: Bundle) => {
  const { accounts = [] } = await callServer<{ accounts?: Array<{ id: string; status: string }> }>(
    z,
    bundle,
    'listAccounts',
  );
  return accounts.map((a) => ({ id: a.id, label: a.status === 'active' ? a.id : `${a.id} (${a.status})` }));
};

export const serverAccounts = {
  key: 'server_accounts',
  noun: 'Account',
  display: {
    label: 'Server Accounts',
    description: "The tokpipe server's TikTok accounts (used by the Account dropdown).",
    hidden: true,
  },
  operation: {
    type: 'polling' as const,
    perform,
    outputFields: [
      { key: 'id', label: 'Account', type: 'string' as const, primary: true },
      { key: 'label', label: 'Label', type: 'string' as const },
    ],
    sample: { id: 'brand', label: 'brand' },
  },
};
