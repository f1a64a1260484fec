// Where the generator's inputs and output live, from generator/ (jest) or dist/generator/ (compiled).
import { basename, dirname, join } from 'node:path';

/** packages/make. */
export const PACKAGE_ROOT = ((up) => (basename(up) === 'dist' ? dirname(up) : up))(join(__dirname, '..'));
/** The hand-written sources beside the TypeScript (function code, Markdown templates): packages/make/generator. */
export const GENERATOR_SOURCES = join(PACKAGE_ROOT, 'generator');
