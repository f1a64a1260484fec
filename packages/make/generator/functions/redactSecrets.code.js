// Make custom IML function (make-custom-apps.md §4.5): removes tokens and secrets from text a Make user
// sees, such as TikTok's error.message when a reply quotes the request's token back. The same rules
// as @tokpipe/core's redactText (test/functions.test.ts proves they agree); the harness runs this file.
// Usage: {{redactSecrets(body.error.message, connection.accessToken, connection.refreshToken)}}
function redactSecrets(text, ...known) {
  if (text === null || text === undefined) return text;
  const REDACTED = '[REDACTED]';
  let out = typeof text === 'string' ? text : String(text);
  // The caller's own secrets first, word for word (any shape; short values would erase ordinary text).
  for (const secret of [].concat(...known)) {
    if (typeof secret === 'string' && secret.length >= 4) out = out.split(secret).join(REDACTED);
  }
  const patterns = [
    [/\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]+/gi, '$1 ' + REDACTED],
    [/([?&#]|^|\s)(access_token|refresh_token|client_secret|code_verifier|upload_token|token|code)=[^&\s"'#]*/gi, '$1$2=' + REDACTED],
    [/("(?:access_token|refresh_token|client_secret|code_verifier|upload_token|token)"\s*:\s*)"(?:[^"\\]|\\.)*"/gi, '$1"' + REDACTED + '"'],
    // TikTok token shapes: act.… (access), rft.… (refresh), clt.… (client credentials).
    [/\b(act|rft|clt)\.[A-Za-z0-9._~+/=-]{6,}/g, REDACTED],
  ];
  for (const [pattern, replacement] of patterns) out = out.replace(pattern, replacement);
  return out;
}
