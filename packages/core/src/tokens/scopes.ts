// Scope pre-flight: a post the token cannot make is refused before anything reaches TikTok.
import { inputError } from '../errors/classify';
import type { PostRequest } from '../types';

/** The scope each posting mode needs (reference §4.7). */
export const requiredScopeByMode: Readonly<Record<PostRequest['mode'], string>> = Object.freeze({
  direct: 'video.publish',
  draft: 'video.upload',
});

/** Throws a `missing_scope` TokpipeError (disposition reauthorize) when `granted` is known and lacks
 * the scope. Unknown scopes (no list, or an empty one: a hand-made token file without `scope`) pass,
 * and TikTok's own scope_not_authorized decides. */
export function checkPostScopes(mode: PostRequest['mode'], granted: readonly string[] | undefined): void {
  if (!granted || granted.length === 0) return;
  const needed = requiredScopeByMode[mode];
  if (!granted.includes(needed)) {
    throw inputError(
      'scope',
      `a ${mode === 'direct' ? 'direct post' : 'draft upload'} needs the "${needed}" scope; the account granted: ${granted.join(', ') || 'none'}`,
      'missing_scope',
    );
  }
}
