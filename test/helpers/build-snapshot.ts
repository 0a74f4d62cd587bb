/**
 * Builds the run's snapshots (see snapshot.ts), empty and migrated, before any test file runs,
 * so files load one instead of running initdb and the migrations. Run by global-setup.js through
 * tsx: jest loads a global setup file as CommonJS, and oidc-provider, jose and PGlite are ESM-only.
 */
import { existsSync, mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import pg from 'pg';
import { tightenDataDir } from '../../src/db/data-dir-check.js';
import { runMigrations } from '../../src/db/migrate.js';
import { openPgDatabase } from '../../src/db/pg.js';
import { openPgliteDatabase } from '../../src/db/pglite.js';
import { pgliteEmptySnapshotPath, pgliteSnapshotPath, pgTemplateName } from './snapshot.js';

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

/** Writes a dump to `path` under another name, then renames it: a concurrent run never reads half a file. */
async function save(dump: Blob | File, path: string) {
  const partial = `${path}.${process.pid}`;
  writeFileSync(partial, Buffer.from(await dump.arrayBuffer()));
  renameSync(partial, path);
}

async function buildPgliteSnapshots() {
  // Content-addressed by the migrations' hash: an earlier run's dumps are still right.
  if (!existsSync(pgliteEmptySnapshotPath)) {
    // Loaded only into in-memory databases, so made in memory.
    const empty = await PGlite.create();
    await save(await empty.dumpDataDir('gzip').finally(() => empty.close()), pgliteEmptySnapshotPath);
  }
  if (existsSync(pgliteSnapshotPath)) return;
  // Made on disk, as a child process's data directory is (tessera-process.ts unpacks it there).
  const dir = mkdtempSync(join(tmpdir(), 'tessera-test-snapshot-'));
  try {
    const db = await openPgliteDatabase(dir);
    await runMigrations(db).finally(() => db.close());
    // Reopened bare, because the Database interface has no dump (only tests need one). Opening
    // writes pg_internal.init 0644: tightened as Tessera tightens its own data directory, so the
    // dump holds owner-only modes, which a child refuses anything looser than.
    const raw = await PGlite.create({ dataDir: dir });
    tightenDataDir(dir);
    await save(await raw.dumpDataDir('gzip').finally(() => raw.close()), pgliteSnapshotPath);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const url = process.env.TESSERA_TEST_DATABASE_URL;
if (url) await buildPgTemplate(url);
else await buildPgliteSnapshots();
