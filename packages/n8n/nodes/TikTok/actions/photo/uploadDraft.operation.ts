import { postingOperation } from '../../helpers/post-media';

export const { description, execute, viaServer } = postingOperation({
	resource: 'photo',
	operation: 'uploadDraft',
	id: 'post_photos',
	mode: 'draft',
});
