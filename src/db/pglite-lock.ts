/**
 * One PGlite data directory, one process: PGlite is PostgreSQL in-process with no shared
 * memory between processes, so two processes writing one directory corrupt it. A pid file
 * beside the directory (`<dir>.lock`, like PostgreSQL's postmaster.pid) refuses a second
 * opener while the first is alive; a lock left by a dead process is taken over.
 */
import { readFileSync, unlinkSync, writeFileSync } from 'node:fs';

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export class DataDirInUse extends Error {
  override name = 'DataDirInUse';
}

/** Takes the lock for `dataDir`; returns the function that releases it. */
export function lockDataDir(dataDir: string): () => void {
  const path = `${dataDir}.lock`;
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      writeFileSync(path, String(process.pid), { flag: 'wx', mode: 0o600 });
      return () => {
        try {
          unlinkSync(path);
        } catch {}
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const holder = Number(readFileSync(path, 'utf8').trim());
      if (holder && holder !== process.pid && isAlive(holder)) {
        throw new DataDirInUse(
          `the embedded database ${dataDir} is in use by process ${holder}; use DATABASE_URL to run several instances`,
        );
      }
      unlinkSync(path); // stale: its process is gone
    }
  }
  throw new DataDirInUse(`cannot lock ${dataDir}`);
}
