import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import type { ItemContext } from '../../helpers/interfaces';
import { publishIdParameter } from '../../helpers/parameters';
import { publishIdProperty } from '../common.descriptions';

export const description: INodeProperties[] = [publishIdProperty('cancel')];

export async function execute(this: IExecuteFunctions, { itemIndex, poster }: ItemContext): Promise<IDataObject> {
	const publishId = publishIdParameter(this, itemIndex);
	await poster.cancel(publishId);
	return { publishId, cancelled: true };
}
