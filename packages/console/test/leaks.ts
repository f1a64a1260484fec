/** The secrets (or a 16-character piece of one) that occur in `text`, named without showing them. */
export function leaksIn(text: string, secrets: Iterable<string>): string[] {
  const found: string[] = [];
  for (const secret of new Set(secrets)) {
    if (secret.length < 8) continue;
    const pieces = [secret, ...[0, 8, 16].map((at) => secret.slice(at, at + 16)).filter((p) => p.length === 16)];
    if (pieces.some((p) => text.includes(p))) found.push(`${secret.slice(0, 4)}… (${secret.length} chars)`);
  }
  return found;
}
