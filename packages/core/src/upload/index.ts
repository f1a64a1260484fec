export * from './plan';
export * from './uploader';
export * from './stream-source';
