/**
 * docs/cli.md's CLI reference, generated from the command tree itself, so that it cannot drift:
 * a test compares docs/cli.md with this text (`npx tsx scripts/cli-reference.ts` prints it).
 */
import type { Command } from 'commander';

/** Every command that does something (not the groups), with its full name from the root. */
function leaves(command: Command, path: string[] = []): { path: string[]; command: Command }[] {
  return command.commands.flatMap((sub) => {
    const here = [...path, sub.name()];
    return sub.commands.length ? leaves(sub, here) : [{ path: here, command: sub }];
  });
}

const usageOf = (path: string[], command: Command) =>
  [
    'tessera',
    ...path,
    ...command.registeredArguments.map((a) => (a.required ? `<${a.name()}>` : `[${a.name()}]`)),
  ].join(' ');

/** One line per command (usage, then what it does), its options indented below it. */
export function cliReference(program: Command): string {
  const lines: string[] = [];
  for (const { path, command } of leaves(program)) {
    lines.push(`${usageOf(path, command).padEnd(36)} ${command.description()}`);
    for (const option of command.options) {
      // Every client command takes --json; docs/cli.md says so once.
      if (option.long !== '--json') lines.push(`    ${option.flags.padEnd(32)} ${option.description}`);
    }
  }
  return lines.join('\n');
}
