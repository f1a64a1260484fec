// A campaign row names a local file; the file must be one the campaign's author meant to share: inside
// the campaign file's folder or a --media-dir (after resolving links, so `../../etc/passwd` and a link
// pointing out both stay out), and its bytes must be a video TikTok takes. Checked before anything is sent.
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { TokpipeError, type ByteSource } from '@tokpipe/core';
import { videoFileSource } from '@tokpipe/core/node';

export type MediaCheck = { ok: true; path: string; source: ByteSource } | { ok: false; message: string };

/** Pure: is `real` (a resolved path) inside `root` (a resolved folder)? */
export function isInside(real: string, root: string): boolean {
  const rel = path.relative(root, real);
  return rel !== '' && !rel.startsWith('..') && !path.isAbsolute(rel);
}

/** The allowed folders, links resolved; a --media-dir that does not exist is the user's mistake to hear about. */
export async function mediaRoots(campaignFile: string, mediaDirs: readonly string[]): Promise<string[]> {
  const roots = [path.dirname(path.resolve(campaignFile)), ...mediaDirs.map((d) => path.resolve(d))];
  return Promise.all(roots.map((r) => fs.realpath(r).catch(() => r)));
}

export async function checkMediaFile(file: string, roots: readonly string[]): Promise<MediaCheck> {
  let real: string;
  try {
    real = await fs.realpath(file);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    return {
      ok: false,
      message: `${file} ${code === 'ENOENT' ? 'does not exist' : `cannot be read (${code ?? 'error'})`}`,
    };
  }
  if (!roots.some((root) => isInside(real, root))) {
    const where = real === file ? file : `${file} (a link to ${real})`;
    return {
      ok: false,
      message: `${where} is outside the campaign's folder${roots.length > 1 ? 's' : ''} (${roots.join(', ')}); move it there or pass --media-dir`,
    };
  }
  try {
    return { ok: true, path: real, source: await videoFileSource(real) };
  } catch (err) {
    if (!(err instanceof TokpipeError)) throw err;
    const message = err.details.message
      .replace(/^[\w.[\]]+: /, '')
      .replace(/ \[invalid_input\].*$/s, '')
      .replace(real, file);
    return { ok: false, message };
  }
}
