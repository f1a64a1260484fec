// Node defaults for core's ports (axios transport, timer clock, file store). Never imported by core's logic.
export {};
export * from './file-store';
