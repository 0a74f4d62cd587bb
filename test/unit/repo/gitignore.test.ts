/** Files that hold secrets on a developer's machine never reach git (issue 18 item 17). */
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from '@jest/globals';

/** The paths git would ignore, as `git check-ignore` decides (the real rules, not a regex of ours). */
function ignored(paths: string[]): string[] {
  try {
    return execFileSync('git', ['check-ignore', '--no-index', ...paths], { encoding: 'utf8' })
      .split('\n')
      .filter(Boolean);
  } catch (error) {
    // Exit status 1: none of them is ignored.
    if ((error as { status?: number }).status === 1) return [];
    throw error;
  }
}

describe('.gitignore', () => {
  it('ignores the config file, .env files, the data directory and private keys', () => {
    const secrets = [
      'tessera.config.json',
      '.env',
      '.env.local',
      'data/bootstrap-admin-token',
      'data/pglite/pg_wal/000000010000000000000001',
      'keys/current.json',
    ];
    expect(ignored(secrets)).toEqual(secrets);
  });

  it('keeps examples tracked', () => {
    expect(ignored(['.env.example', 'keys/README.md', 'keys/.gitignore'])).toEqual([]);
  });
});
