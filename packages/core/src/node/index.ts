// Node defaults for core's ports (axios transport, timer clock, file store). Never imported by core's logic.
export {};
export * from './token-file';
export * from './token-pointer';
export * from './file-store';
export * from './clock';
export * from './token-store';
export * from './transport';
export * from './byte-source';
export * from './token-lock';
export * from './idle-stream';
