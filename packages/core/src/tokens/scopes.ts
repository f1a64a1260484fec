// Scope pre-flight: a post the token cannot make is refused before anything reaches TikTok.
import { inputError } from '../errors/classify';
import type { PostRequest } from '../types';

/** The scope each posting mode needs (reference §4.7). */
export const requiredScopeByMode: Readonly<Record<PostRequest['mode'], string>> = Object.freeze({
  direct: 'video.publish',
  draft: 'video.upload',
});

/** Throws a `missing_scope` TokpipeError (disposition reauthorize) when `granted` is known and lacks
 * the scope; unknown scopes (provider cannot tell) pass, and TikTok's scope_not_authorized decides. */
export function checkPostScopes(mode: PostRequest['mode'], granted: readonly string[] | undefined): void {
  if (!granted) return;
  const needed = requiredScopeByMode[mode];
  if (!granted.includes(needed)) {
    throw inputError('scope', `a ${mode === 'direct' ? 'direct post' : 'draft upload'} needs the "${needed}" scope; the account granted: ${granted.join(', ') || 'none'}`, 'missing_scope');
  }
}
