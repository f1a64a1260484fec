export * from './ports';
export * from './types';
export * from './errors/types';
