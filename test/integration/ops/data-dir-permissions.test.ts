/**
 * The embedded database's files are private (issue 18 item 3): after a default start 969 of
 * 1,058 files under data/pglite were 0666 and the directory 0755, so any local user could read
 * webhook secrets from the WAL and write pg_class. PGlite now writes under umask 077, and a
 * data directory others can access is refused at start, as key files are.
 */
import { chmodSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { runMigrations } from '../../../src/db/migrate.js';
import { openPgliteDatabase } from '../../../src/db/pglite.js';

const parents: string[] = [];
let dataDir: string;
let previousUmask: number;

/** Every path under `dir` (itself included) whose mode lets group or others in. */
function looseModes(dir: string): string[] {
  const loose: string[] = [];
  const visit = (path: string) => {
    const stats = statSync(path);
    if (stats.mode & 0o077) loose.push(`${path} ${(stats.mode & 0o777).toString(8)}`);
    if (stats.isDirectory()) for (const name of readdirSync(path)) visit(join(path, name));
  };
  visit(dir);
  return loose;
}

beforeAll(async () => {
  // What a shell usually gives a service: files 0644 / 0666 by default.
  previousUmask = process.umask(0o000);
  const parent = mkdtempSync(join(tmpdir(), 'tessera-perms-'));
  parents.push(parent);
  dataDir = join(parent, 'data', 'pglite');
  const db = await openPgliteDatabase(dataDir);
  await runMigrations(db);
  await db.query(
    "INSERT INTO failed_credentials (address, window_start, failures) VALUES ('192.0.2.1', now(), 1)",
  );
  await db.close();
});
afterAll(() => {
  process.umask(previousUmask);
  for (const dir of parents) rmSync(dir, { recursive: true, force: true });
});

describe('the PGlite data directory', () => {
  it('is created 0700, and no file in it is group- or world-accessible', () => {
    expect((statSync(dataDir).mode & 0o777).toString(8)).toBe('700');
    expect((statSync(join(dataDir, '..')).mode & 0o777).toString(8)).toBe('700');
    expect(looseModes(dataDir)).toEqual([]);
  });

  it('refuses to open when a file in it is readable by others, naming it and the way out', async () => {
    const victim = join(dataDir, 'PG_VERSION');
    chmodSync(victim, 0o644);
    await expect(openPgliteDatabase(dataDir)).rejects.toThrow(victim);
    await expect(openPgliteDatabase(dataDir)).rejects.toThrow(/database\.allowLoosePermissions/);
    const warnings: string[] = [];
    const db = await openPgliteDatabase(dataDir, undefined, { allowLoosePermissions: true, warnings });
    await db.close();
    expect(warnings.join('\n')).toContain(victim);
    chmodSync(victim, 0o600);
  });

  it('refuses a directory others can enter', async () => {
    chmodSync(dataDir, 0o755);
    await expect(openPgliteDatabase(dataDir)).rejects.toThrow(/chmod 700/);
    chmodSync(dataDir, 0o700);
    const db = await openPgliteDatabase(dataDir);
    await db.close();
  });
});
