export * from './types';
export * from './stores';
export * from './scopes';
export * from './manager';
