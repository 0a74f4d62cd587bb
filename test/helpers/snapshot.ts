/**
 * A migrated database made once per jest run, so each test file starts from a copy instead of
 * creating and migrating its own (DESIGN: PGlite takes ~2.5 s to create and migrate, ~0.7 s to
 * load a dump). PGlite: a `dumpDataDir` tarball in the temp dir. PostgreSQL: a template database
 * that `CREATE DATABASE ... TEMPLATE` copies.
 * The name carries a hash of what a dump depends on: the migrations, the PGlite version and the
 * script that builds it (build-snapshot.ts). A change to any of them never reuses a stale copy.
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MIGRATIONS_DIR } from '../../src/db/migrate.js';

function dumpInputsHash(): string {
  const hash = createHash('sha256');
  for (const file of readdirSync(MIGRATIONS_DIR).sort()) {
    hash.update(file).update(readFileSync(join(MIGRATIONS_DIR, file)));
  }
  // Its package.json, read by path: the package's exports leave it out.
  hash.update(readFileSync(new URL('../../node_modules/@electric-sql/pglite/package.json', import.meta.url)));
  hash.update(readFileSync(new URL('./build-snapshot.ts', import.meta.url)));
  return hash.digest('hex').slice(0, 12);
}

const id = dumpInputsHash();

/** Where the PGlite dump of a migrated database is kept. */
export const pgliteSnapshotPath = join(tmpdir(), `tessera-test-pglite-${id}.tar.gz`);

/**
 * The dump of a new, empty PGlite database (before any migration): `initdb` in WASM costs ~6 s
 * of CPU, loading this ~1 s.
 */
export const pgliteEmptySnapshotPath = join(tmpdir(), `tessera-test-pglite-empty-${id}.tar.gz`);

/** The template database on the test PostgreSQL. */
export const pgTemplateName = `tessera_template_${id}`;
