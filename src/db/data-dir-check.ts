/**
 * The embedded database's files are private: the WAL holds webhook secrets and the catalogue
 * files decide what the database believes. A data directory or file that group or others can
 * access is refused at start, as key files are (keys/key-file-check.ts); loose modes may be
 * downgraded to warnings with `database.allowLoosePermissions`.
 */
import { chmodSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

export interface DataDirPolicy {
  /** Warn instead of refusing group/world-accessible files and directories. */
  allowLoosePermissions?: boolean;
  /** Where warnings go when loose permissions are allowed. */
  warnings?: string[];
}

/** The first path under `dir` (itself included) that group or others can access, with its fix. */
function firstLoosePath(dir: string): string | null {
  const stats = statSync(dir);
  const mode = (stats.mode & 0o777).toString(8).padStart(4, '0');
  if (stats.mode & 0o077)
    return `${dir} is accessible by group or others (mode ${mode}): chmod ${stats.isDirectory() ? 700 : 600} ${dir}`;
  if (!stats.isDirectory()) return null;
  for (const name of readdirSync(dir)) {
    const loose = firstLoosePath(join(dir, name));
    if (loose) return loose;
  }
  return null;
}

/** Refuses (or records a warning for) a data directory whose tree others can access. */
export function checkDataDirPermissions(dir: string, policy: DataDirPolicy): void {
  if (process.platform === 'win32') return;
  const loose = firstLoosePath(dir);
  if (!loose) return;
  const message = `database directory: ${loose} (chmod -R go-rwx ${dir} fixes all)`;
  if (!policy.allowLoosePermissions) throw new Error(`${message}, or set database.allowLoosePermissions`);
  policy.warnings?.push(message);
}

/**
 * Takes group and others' access away from every path under `dir`. PGlite sets its files' modes
 * itself (Emscripten's file system passes 0666/0777 and chmods), so the umask alone does not
 * make a new data directory private: it is tightened after PGlite creates it and at close.
 */
export function tightenDataDir(dir: string): void {
  if (process.platform === 'win32') return;
  const stats = statSync(dir);
  if (stats.mode & 0o077) chmodSync(dir, stats.mode & 0o700);
  if (stats.isDirectory()) for (const name of readdirSync(dir)) tightenDataDir(join(dir, name));
}
