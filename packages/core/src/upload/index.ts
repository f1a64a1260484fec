export * from './plan';
export * from './uploader';
