export * from './signature';
export * from './events';
export * from './dedupe';
export * from './server-delivery';
