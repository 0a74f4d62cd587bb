import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { DatabaseAhead, MIGRATIONS_DIR, runMigrations } from '../../../src/db/migrate.js';
import type { Queryable } from '../../../src/db/queryable.js';
import { createTestDatabase, type TestDatabase } from '../../helpers/database.js';

// Each test applies every migration to a fresh database, twice in the race test: on PGlite with
// the machine loaded by another suite that took over 60 s (CI beside a second run, ciA).
jest.setTimeout(240_000);

const SHIPPED = [
  '001_initial.sql',
  '002_audit_trail_order.sql',
  '003_security_hardening.sql',
  '004_console_sessions.sql',
  '005_trust_policies.sql',
  '006_webhooks_and_token_hygiene.sql',
  '007_token_reveals.sql',
  '008_address_limits.sql',
  '009_delegation.sql',
  '010_dpop.sql',
  '011_refusals_and_email.sql',
  '012_audit_dpop_jkt.sql',
  '013_console_secret_reveals.sql',
];
const SHIPPED_ROWS = SHIPPED.map((name) => ({ version: Number(name.slice(0, 3)), name }));

/** Every database a test opened, disposed at the end. */
const opened: TestDatabase[] = [];
async function emptyDatabase(): Promise<TestDatabase> {
  const database = await createTestDatabase({ migrate: false });
  opened.push(database);
  return database;
}
afterAll(async () => {
  for (const database of opened) await database.dispose();
});

async function recorded(db: Queryable): Promise<{ version: number; name: string }[]> {
  const { rows } = await db.query<{ version: number; name: string }>(
    'SELECT version, name FROM schema_migrations ORDER BY version',
  );
  return rows;
}

async function tableExists(db: Queryable, table: string): Promise<boolean> {
  const { rows } = await db.query<{ found: string | null }>('SELECT to_regclass($1)::text AS found', [table]);
  return rows[0]?.found != null;
}

describe('runMigrations with the shipped migrations', () => {
  it('applies the shipped migrations to an empty database and records them', async () => {
    const { db } = await emptyDatabase();
    expect(await tableExists(db, 'users')).toBe(false);

    expect(await runMigrations(db)).toEqual(SHIPPED);
    expect(await recorded(db)).toEqual(SHIPPED_ROWS);
    for (const table of ['users', 'pats', 'audit_events']) expect(await tableExists(db, table)).toBe(true);
  });

  it('applies nothing the second time and leaves the data alone', async () => {
    const { db } = await emptyDatabase();
    await runMigrations(db);
    await db.query(
      `INSERT INTO users (id, username, created_at) VALUES ('00000000-0000-4000-8000-000000000001', 'kept', now())`,
    );

    expect(await runMigrations(db)).toEqual([]);
    expect(await recorded(db)).toEqual(SHIPPED_ROWS);
    const { rows } = await db.query<{ username: string }>('SELECT username FROM users');
    expect(rows).toEqual([{ username: 'kept' }]);
  });

  it('refuses a database migrated past the newest shipped migration, and applies nothing', async () => {
    const { db } = await emptyDatabase();
    await runMigrations(db);
    await db.query("INSERT INTO schema_migrations (version, name) VALUES (999, '999_from_the_future.sql')");
    await db.query('DELETE FROM schema_migrations WHERE version = 13');
    const refused = await runMigrations(db).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(DatabaseAhead);
    expect((refused as Error).message).toMatch(/migrated past this version.*999_from_the_future\.sql/);
    // 013 was not re-applied: the refusal comes before any migration.
    expect((await recorded(db)).map((m) => m.version)).not.toContain(13);
  });

  it('applies each migration exactly once when two runs race on one database', async () => {
    const { db } = await emptyDatabase();

    const results = await Promise.all([runMigrations(db), runMigrations(db)]);
    // Each migration is its own transaction, so the two runs may share the work (one applies
    // 001, the other 002) depending on scheduling: what holds is that each is applied once.
    expect(results.flat().sort()).toEqual(SHIPPED);
    expect(await recorded(db)).toEqual(SHIPPED_ROWS);
  });
});

describe('runMigrations with a failing migration', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'tessera-migrations-'));
    writeFileSync(join(dir, '001_ok.sql'), 'CREATE TABLE migration_ok (id integer PRIMARY KEY);\n');
    // The first statement succeeds, so only a rollback of the whole migration removes its table.
    writeFileSync(
      join(dir, '002_bad.sql'),
      'CREATE TABLE migration_bad (id integer PRIMARY KEY);\nTHIS IS NOT SQL;\n',
    );
    writeFileSync(join(dir, 'README.md'), 'not a migration\n');
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('rejects, keeps the migration before it, and leaves no trace of the failed one', async () => {
    const { db } = await emptyDatabase();

    await expect(runMigrations(db, dir)).rejects.toThrow();
    expect(await recorded(db)).toEqual([{ version: 1, name: '001_ok.sql' }]);
    expect(await tableExists(db, 'migration_ok')).toBe(true);
    expect(await tableExists(db, 'migration_bad')).toBe(false);
  });

  it('retries only the failed migration on the next run once it is fixed', async () => {
    const { db } = await emptyDatabase();
    await expect(runMigrations(db, dir)).rejects.toThrow();

    const fixed = mkdtempSync(join(tmpdir(), 'tessera-migrations-'));
    try {
      writeFileSync(join(fixed, '001_ok.sql'), 'CREATE TABLE migration_ok (id integer PRIMARY KEY);\n');
      writeFileSync(join(fixed, '002_bad.sql'), 'CREATE TABLE migration_bad (id integer PRIMARY KEY);\n');
      expect(await runMigrations(db, fixed)).toEqual(['002_bad.sql']);
    } finally {
      rmSync(fixed, { recursive: true, force: true });
    }
    expect((await recorded(db)).map((m) => m.version)).toEqual([1, 2]);
    expect(await tableExists(db, 'migration_bad')).toBe(true);
  });
});

describe('003_security_hardening on a database with revoked PATs', () => {
  it('gives every revoked PAT the revocation kind its recorded reason implies', async () => {
    const { db } = await emptyDatabase();
    const before = mkdtempSync(join(tmpdir(), 'tessera-migrations-'));
    try {
      for (const name of SHIPPED.filter((file) => file < '003')) {
        copyFileSync(join(MIGRATIONS_DIR, name), join(before, name));
      }
      await runMigrations(db, before);
    } finally {
      rmSync(before, { recursive: true, force: true });
    }
    const user = '00000000-0000-4000-8000-0000000000aa';
    await db.query(`INSERT INTO users (id, username, created_at) VALUES ($1, 'old', now())`, [user]);
    const reasons: [string | null, string | null][] = [
      ['rotated', 'rotation'],
      ['reported leaked', 'leak'],
      ['user deleted', 'user_deleted'],
      ['inactive', 'inactivity'],
      ['revoked by admin', 'admin'],
      ['admin: left the company', 'admin'],
      ['revoked', 'owner'],
      [null, null],
    ];
    for (const [i, [reason]] of reasons.entries()) {
      await db.query(
        `INSERT INTO pats (id, user_id, name, token_hash, hint, scopes, created_at, revoked_at, revoked_reason)
         VALUES ($1, $2, 'p', $3, 'tsr_x', '{}', now(), $4, $5)`,
        [
          `00000000-0000-4000-8000-00000000000${i}`,
          user,
          Buffer.from([i]),
          reason ? new Date() : null,
          reason,
        ],
      );
    }
    expect(await runMigrations(db)).toEqual(SHIPPED.filter((name) => name > '003'));
    const { rows } = await db.query<{ revoked_reason: string | null; revocation_kind: string | null }>(
      'SELECT revoked_reason, revocation_kind FROM pats ORDER BY id',
    );
    expect(rows.map((row) => [row.revoked_reason, row.revocation_kind])).toEqual(reasons);
  });
});
