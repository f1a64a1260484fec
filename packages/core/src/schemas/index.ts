export * from './format';
export * from './post';
export * from './options';
export * from './job';
