// Reads a Make app in the local-project layout: makecomapp.json, then every code file it names (JSONC).
import { parse, type ParseError } from 'jsonc-parser';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export type ComponentType = 'connection' | 'webhook' | 'module' | 'rpc' | 'function' | 'endpoint';
export const COMPONENT_TYPES: readonly ComponentType[] = [
  'connection',
  'webhook',
  'module',
  'rpc',
  'function',
  'endpoint',
];

export interface ComponentMeta {
  label?: string;
  description?: string;
  connectionType?: 'basic' | 'oauth';
  webhookType?: 'web' | 'web-shared';
  moduleType?: 'action' | 'search' | 'trigger' | 'instant_trigger' | 'responder' | 'universal';
  actionCrud?: string;
  connection?: string | null;
  altConnection?: string | null;
  webhook?: string | null;
  codeFiles: Record<string, string | null>;
}

export interface Manifest {
  fileVersion: number;
  generalCodeFiles: { base: string | null; common: string | null; readme: string | null; groups: string | null };
  components: Record<ComponentType, Record<string, ComponentMeta | null>>;
  origins: unknown[];
}

export interface Component {
  type: ComponentType;
  id: string;
  meta: ComponentMeta;
  /** Parsed code files by codeFiles key (communication, mappableParams, …). */
  code: Record<string, unknown>;
}

export interface LoadedApp {
  dir: string;
  manifest: Manifest;
  base: Record<string, unknown>;
  common: Record<string, unknown> | undefined;
  components: Component[];
  /** Code file paths the manifest names that do not exist. */
  missing: string[];
}

export function readJsonc(path: string): unknown {
  const errors: ParseError[] = [];
  const value = parse(readFileSync(path, 'utf8'), errors, { allowTrailingComma: false });
  if (errors.length) throw new Error(`${path}: not valid JSONC (${errors.length} error(s))`);
  return value;
}

export function loadApp(dir: string, opts: { common?: Record<string, unknown> } = {}): LoadedApp {
  const manifest = readJsonc(join(dir, 'makecomapp.json')) as Manifest;
  const missing: string[] = [];
  const read = (rel: string | null | undefined): unknown => {
    if (!rel) return undefined;
    const full = join(dir, rel);
    if (!existsSync(full)) {
      missing.push(rel);
      return undefined;
    }
    // README and custom functions' JavaScript are text; everything else is JSONC.
    return /\.(md|js)$/.test(rel) ? readFileSync(full, 'utf8') : readJsonc(full);
  };
  const components: Component[] = [];
  for (const type of COMPONENT_TYPES) {
    for (const [id, meta] of Object.entries(manifest.components?.[type] ?? {})) {
      if (!meta) continue;
      const code: Record<string, unknown> = {};
      for (const [key, rel] of Object.entries(meta.codeFiles ?? {})) code[key] = read(rel);
      components.push({ type, id, meta, code });
    }
  }
  const base = (read(manifest.generalCodeFiles?.base) ?? {}) as Record<string, unknown>;
  const commonPath = manifest.generalCodeFiles?.common;
  const common =
    opts.common ??
    (commonPath && existsSync(join(dir, commonPath))
      ? (readJsonc(join(dir, commonPath)) as Record<string, unknown>)
      : undefined);
  return { dir, manifest, base, common, components, missing };
}

export function component(app: LoadedApp, type: ComponentType, id: string): Component {
  const found = app.components.find((c) => c.type === type && c.id === id);
  if (!found) throw new Error(`the app has no ${type} "${id}"`);
  return found;
}
