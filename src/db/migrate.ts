import { readdir, readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import type { Database } from './queryable.js';

/** The folder of `NNN_name.sql` files shipped with Tessera (same path from src/ and dist/). */
export const MIGRATIONS_DIR = fileURLToPath(new URL('../../migrations/', import.meta.url));

/** Any constant unique to Tessera: the key of the transaction-level advisory lock. */
const MIGRATION_LOCK_KEY = 7_418_820_233;

interface Migration {
  version: number;
  name: string;
  sql: string;
}

async function readMigrations(dir: string): Promise<Migration[]> {
  const files = (await readdir(dir)).filter((f) => /^\d{3}_[\w-]+\.sql$/.test(f)).sort();
  return Promise.all(
    files.map(async (file) => ({
      version: Number(file.slice(0, 3)),
      name: file,
      sql: await readFile(`${dir}/${file}`, 'utf8'),
    })),
  );
}

/** The database holds migrations this version of Tessera does not ship: it is newer than the code. */
export class DatabaseAhead extends Error {
  override name = 'DatabaseAhead';
}

/**
 * Refuses a database migrated past the newest migration shipped here (an older Tessera started
 * against it after an upgrade, or after a rollback without restoring the backup): the old code
 * would read tables whose columns were renamed or dropped since (docs/operations.md, Upgrades).
 */
async function refuseNewerDatabase(db: Database, migrations: Migration[]) {
  const newest = Math.max(0, ...migrations.map((m) => m.version));
  const known = await db.query<{ exists: boolean }>(
    "SELECT to_regclass('schema_migrations') IS NOT NULL AS exists",
  );
  if (!known.rows[0]?.exists) return;
  const ahead = await db.query<{ name: string }>(
    'SELECT name FROM schema_migrations WHERE version > $1 ORDER BY version',
    [newest],
  );
  if (ahead.rowCount === 0) return;
  const names = ahead.rows.map((row) => row.name).join(', ');
  throw new DatabaseAhead(
    `the database is migrated past this version of Tessera (it has ${names}): run the newer version, or restore the backup taken before the upgrade`,
  );
}

/**
 * Applies every pending migration in order, each in its own transaction, each once.
 * Every transaction first takes the same advisory lock, so two instances starting together
 * against one PostgreSQL serialise here and the second finds the work already done.
 * Returns the names of the migrations this call applied. Throws `DatabaseAhead` for a database
 * migrated past the newest migration in `dir`, before applying anything.
 */
export async function runMigrations(db: Database, dir = MIGRATIONS_DIR): Promise<string[]> {
  const applied: string[] = [];
  const migrations = await readMigrations(dir);
  await refuseNewerDatabase(db, migrations);
  for (const migration of migrations) {
    const didApply = await db.transaction(async (tx) => {
      // A migration may legitimately run long (an index on a big table): no statement timeout.
      await tx.query("SELECT set_config('statement_timeout', '0', true)");
      await tx.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK_KEY]);
      await tx.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
        version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`);
      const done = await tx.query('SELECT 1 FROM schema_migrations WHERE version = $1', [migration.version]);
      if (done.rowCount > 0) return false;
      await tx.exec(migration.sql);
      await tx.query('INSERT INTO schema_migrations (version, name) VALUES ($1, $2)', [
        migration.version,
        migration.name,
      ]);
      return true;
    });
    if (didApply) applied.push(migration.name);
  }
  return applied;
}
