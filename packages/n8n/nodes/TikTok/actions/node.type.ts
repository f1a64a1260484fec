/** The resource/operation pairs the TikTok node offers. */
export type TikTokType =
	| { resource: 'video'; operation: 'post' | 'uploadDraft' }
	| { resource: 'photo'; operation: 'post' | 'uploadDraft' }
	| { resource: 'post'; operation: 'getStatus' | 'waitForCompletion' | 'cancel' }
	| { resource: 'creator'; operation: 'getInfo' };
