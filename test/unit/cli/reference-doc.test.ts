/** docs/cli.md's CLI reference is the command tree's: adding, renaming or removing a command or an option fails here until docs/cli.md says so. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from '@jest/globals';
import { buildCli } from '../../../src/cli/main.js';
import { cliReference } from '../../../src/cli/reference.js';

const readme = readFileSync(new URL('../../../docs/cli.md', import.meta.url), 'utf8');

function referenceBlock(): string {
  const match = /<!-- cli-reference:start -->\n```text\n([\s\S]*?)\n```\n<!-- cli-reference:end -->/.exec(
    readme,
  );
  if (!match) throw new Error('docs/cli.md has no cli-reference block');
  return match[1] as string;
}

describe('docs/cli.md CLI reference', () => {
  const program = buildCli({}, () => {});

  it('matches the commands, arguments, options and descriptions (npx tsx scripts/cli-reference.ts)', () => {
    expect(referenceBlock()).toBe(cliReference(program));
  });

  it('lists every command the issue asks for', () => {
    const commands = referenceBlock()
      .split('\n')
      .filter((line) => line.startsWith('tessera '))
      .map((line) => line.split(/ {2,}/)[0]?.replace(/ [<[].*$/, ''));
    for (const expected of [
      'tessera token show',
      'tessera token restore',
      'tessera token delete',
      'tessera token events',
      'tessera scopes',
      'tessera user create',
      'tessera user list',
      'tessera user show',
      'tessera user update',
      'tessera user disable',
      'tessera user enable',
      'tessera user delete',
      'tessera admin tokens',
      'tessera admin revoke',
      'tessera admin stats',
      'tessera admin recover',
      'tessera admin restore',
      'tessera token report',
      'tessera trust update',
      'tessera trust events',
      'tessera webhook update',
    ]) {
      expect(commands).toContain(expected);
    }
  });

  it('fits 100 columns', () => {
    for (const line of referenceBlock().split('\n')) expect(line.length).toBeLessThanOrEqual(100);
  });

  it('documents every exit code the CLI uses', async () => {
    const { EXIT } = await import('../../../src/cli/exit-codes.js');
    for (const code of Object.values(EXIT)) expect(readme).toMatch(new RegExp(`^\\| ${code} \\| `, 'm'));
  });
});
