export * from './types';
export * from './table';
export * from './classify';
