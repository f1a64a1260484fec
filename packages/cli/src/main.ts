export async function main(argv: string[]): Promise<number> {
  process.stderr.write(`tokpipe: not implemented yet (${argv.join(' ')})\n`);
  return 1;
}
