/**
 * Builds the run's migrated snapshot (see snapshot.ts) before any test file runs, so files load
 * it instead of migrating. Run by global-setup.js through tsx: jest loads a global setup file as
 * CommonJS, and oidc-provider, jose and PGlite are ESM-only.
 */
import { existsSync, mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import pg from 'pg';
import { runMigrations } from '../../src/db/migrate.js';
import { openPgDatabase } from '../../src/db/pg.js';
import { openPgliteDatabase } from '../../src/db/pglite.js';
import { pgliteSnapshotPath, pgTemplateName } from './snapshot.js';

async function buildPgTemplate(url: string) {
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  try {
    await admin.query(`DROP DATABASE IF EXISTS ${pgTemplateName} WITH (FORCE)`);
    await admin.query(`CREATE DATABASE ${pgTemplateName}`);
  } finally {
    await admin.end();
  }
  const target = new URL(url);
  target.pathname = `/${pgTemplateName}`;
  const db = openPgDatabase({ connectionString: target.toString() });
  try {
    await runMigrations(db);
  } finally {
    await db.close();
  }
}

async function buildPgliteSnapshot() {
  // Content-addressed by the migrations' hash: an earlier run's dump is still right.
  if (existsSync(pgliteSnapshotPath)) return;
  const dir = mkdtempSync(join(tmpdir(), 'tessera-test-snapshot-'));
  try {
    const db = await openPgliteDatabase(dir);
    await runMigrations(db).finally(() => db.close());
    // Reopened bare, because the Database interface has no dump (only tests need one).
    const raw = await PGlite.create({ dataDir: dir });
    const dump = await raw.dumpDataDir('gzip').finally(() => raw.close());
    // Written under another name and renamed, so a concurrent run never reads half a file.
    const partial = `${pgliteSnapshotPath}.${process.pid}`;
    writeFileSync(partial, Buffer.from(await dump.arrayBuffer()));
    renameSync(partial, pgliteSnapshotPath);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const url = process.env.TESSERA_TEST_DATABASE_URL;
if (url) await buildPgTemplate(url);
else await buildPgliteSnapshot();
