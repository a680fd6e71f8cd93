/** `incidentd rules check|test`: wired once the rules engine lands. */
export async function rulesCommand(args: string[]): Promise<number> {
  process.stderr.write(`incidentd rules ${args.join(' ')}: not available yet\n`);
  return 2;
}
