import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import type { ItemContext } from '../../helpers/interfaces';
import { outcomeJson } from '../../helpers/outcome';
import { publishIdParameter } from '../../helpers/parameters';
import { publishIdProperty } from '../common.descriptions';

export const description: INodeProperties[] = [publishIdProperty('getStatus')];

/** One status check, no waiting; a FAILED post is reported as an item, not an error. */
export async function execute(this: IExecuteFunctions, { itemIndex, poster }: ItemContext): Promise<IDataObject> {
	return outcomeJson(await poster.status(publishIdParameter(this, itemIndex)));
}
