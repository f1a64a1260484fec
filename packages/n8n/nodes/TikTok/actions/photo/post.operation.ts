import { postingOperation } from '../../helpers/post-media';

export const { description, execute, viaServer } = postingOperation({
	resource: 'photo',
	operation: 'post',
	id: 'post_photos',
	mode: 'direct',
});
