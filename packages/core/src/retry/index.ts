export * from './policy';
export * from './headers';
export * from './decide';
export * from './run';
