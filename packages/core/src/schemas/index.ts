export * from './format';
export * from './post';
export * from './options';
