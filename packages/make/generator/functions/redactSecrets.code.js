// Make custom IML function (make-custom-apps.md §4.5): removes tokens and secrets from text a Make user
// sees, such as TikTok's error.message when a reply quotes the request's token back. The same rules
// as @tokpipe/core's redactText (test/functions.test.ts proves they agree); the harness runs this file.
// Usage: {{redactSecrets(body.error.message, connection.accessToken, connection.refreshToken)}}
function redactSecrets(text, ...known) {
  if (text === null || text === undefined) return text;
  const REDACTED = '[REDACTED]';
  let out = typeof text === 'string' ? text : String(text);
  // The caller's own secrets first, word for word (any shape; short values would erase ordinary text).
  // As is, URL-encoded and JSON-escaped: the forms a secret takes when a reply echoes it.
  for (const secret of [].concat(...known)) {
    if (typeof secret !== 'string' || secret.length < 4) continue;
    const forms = [secret, encodeURIComponent(secret), JSON.stringify(secret).slice(1, -1)];
    for (const form of forms.filter((f, i) => forms.indexOf(f) === i)) out = out.split(form).join(REDACTED);
  }
  const names =
    'access_token|refresh_token|client_secret|code_verifier|upload_token|token|api[_-]?key|x-api-key|api[_-]?secret';
  const headers =
    'x-api-key|api[_-]?key|api[_-]?secret|client[_-]secret|access[_-]token|refresh[_-]token|proxy-authorization|authorization|cookie|set-cookie';
  const patterns = [
    [/\b(Bearer|Basic)\s+(?!(?:Bearer|Basic)\b)[A-Za-z0-9._~+/=-]+/gi, '$1 ' + REDACTED],
    [new RegExp('([?&#;]|^|\\s)(' + names + '|code)=[^&\\s"\'#;]*', 'gi'), '$1$2=' + REDACTED],
    [
      new RegExp(
        '("(?:' + names + '|clientSecret|apiKey|accessToken|refreshToken)"\\s*:\\s*)"(?:[^"\\\\]|\\\\.)*"',
        'gi',
      ),
      '$1"' + REDACTED + '"',
    ],
    // Header lines as proxies echo them (API keys, cookies, a raw Authorization value).
    [
      new RegExp(
        '(^|[\\s{,])(' +
          headers +
          ')(\\s*:\\s*)(?!\\s*(?:\\[REDACTED\\]|"|(?:Bearer|Basic) \\[REDACTED\\]))[^\\r\\n,}]+',
        'gim',
      ),
      '$1$2$3' + REDACTED,
    ],
    // TikTok token shapes: act.… (access), rft.… (refresh), clt.… (client credentials).
    [/\b(act|rft|clt)\.[A-Za-z0-9._~+/=-]{6,}/g, REDACTED],
  ];
  for (const [pattern, replacement] of patterns) out = out.replace(pattern, replacement);
  return out;
}
