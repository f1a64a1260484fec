import type { KeyValueStore } from '@tokpipe/core';
import type { IDataObject } from 'n8n-workflow';

/**
 * core's KeyValueStore over n8n workflow static data (the idempotency ledger, trigger dedupe).
 * n8n saves static data when an execution of a saved workflow ends, so a re-run of the same item
 * finds its key and returns the existing post instead of posting again.
 */
export function staticDataStore(staticData: IDataObject, field: string): KeyValueStore {
	const entries = (): Record<string, string> => {
		if (typeof staticData[field] !== 'object' || staticData[field] === null) staticData[field] = {};
		return staticData[field] as Record<string, string>;
	};
	return {
		get: async (key) => entries()[key],
		set: async (key, value) => {
			entries()[key] = value;
		},
		delete: async (key) => {
			delete entries()[key];
		},
		list: async (prefix) =>
			Object.entries(entries())
				.filter(([key]) => key.startsWith(prefix))
				.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
	};
}
