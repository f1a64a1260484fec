import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import type { PostingTarget } from '../../helpers/catalog-fields';
import type { ItemContext } from '../../helpers/interfaces';
import { postMedia } from '../../helpers/post-media';
import { postingProperties } from '../common.descriptions';

const target: PostingTarget = { resource: 'photo', operation: 'uploadDraft', id: 'post_photos', mode: 'draft' };

export const description: INodeProperties[] = postingProperties(target);

export async function execute(this: IExecuteFunctions, item: ItemContext): Promise<IDataObject> {
	return await postMedia(this, item, target);
}
