import { postingOperation } from '../../helpers/post-media';

export const { description, execute, viaServer } = postingOperation({
	resource: 'video',
	operation: 'post',
	id: 'post_video',
	mode: 'direct',
});
