import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import type { ItemContext } from '../../helpers/interfaces';

export const description: INodeProperties[] = [];

/** The creator's nickname, allowed privacy levels, disabled interactions and longest allowed video. */
export async function execute(this: IExecuteFunctions, { poster }: ItemContext): Promise<IDataObject> {
	return (await poster.creatorInfo()) as unknown as IDataObject;
}
