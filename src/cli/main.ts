export async function main(argv: string[]): Promise<number> {
  process.stderr.write(`error NOT_IMPLEMENTED: ${argv.join(" ")}\n`);
  return 2;
}
