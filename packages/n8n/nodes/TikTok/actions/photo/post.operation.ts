import { postingOperation } from '../../helpers/post-media';

export const { description, execute } = postingOperation({
	resource: 'photo',
	operation: 'post',
	id: 'post_photos',
	mode: 'direct',
});
