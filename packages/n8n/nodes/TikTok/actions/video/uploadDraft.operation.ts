import { postingOperation } from '../../helpers/post-media';

export const { description, execute, viaServer } = postingOperation({
	resource: 'video',
	operation: 'uploadDraft',
	id: 'post_video',
	mode: 'draft',
});
