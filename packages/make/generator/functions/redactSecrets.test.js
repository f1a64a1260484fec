// Make's function tests (it + assert), run by Make's VS Code extension and by test/functions.test.ts.
it('removes a TikTok access token quoted in an error message', () => {
  assert.strictEqual(
    redactSecrets('rejected request with act.abcdef0123456789xyz'),
    'rejected request with [REDACTED]',
  );
});
it("removes the connection's own tokens whatever their shape", () => {
  assert.strictEqual(
    redactSecrets('bad token 0123456789abcdef', '0123456789abcdef', undefined),
    'bad token [REDACTED]',
  );
});
it('removes bearer headers, token query parameters and JSON token fields', () => {
  assert.strictEqual(redactSecrets('Authorization: Bearer abc.def'), 'Authorization: Bearer [REDACTED]');
  assert.strictEqual(redactSecrets('https://x/cb?code=secret1&state=s'), 'https://x/cb?code=[REDACTED]&state=s');
  assert.strictEqual(redactSecrets('{"refresh_token": "r1"}'), '{"refresh_token": "[REDACTED]"}');
});
it('keeps ordinary text, the TikTok error code and empty values', () => {
  assert.strictEqual(redactSecrets('The request is invalid (invalid_param)'), 'The request is invalid (invalid_param)');
  assert.strictEqual(redactSecrets(undefined), undefined);
  assert.strictEqual(redactSecrets('short', 'abc'), 'short');
});
