/**
 * Makes a test's own PostgreSQL hang rather than go away: SIGSTOP to its postmaster and every
 * backend, so connections stay open and queries are simply never answered (a frozen VM, a
 * stuck disk). SIGCONT resumes them. Only the processes of the server on `port` are touched.
 */
import { execFileSync } from 'node:child_process';

/** The postmaster listening on `port` and its children (backends, checkpointer, ...). */
function serverProcesses(port: number): number[] {
  const postmaster = execFileSync('pgrep', ['-f', '--', `-p ${port} -k `], { encoding: 'utf8' })
    .trim()
    .split('\n')
    .map(Number)
    .filter((pid) => pid > 0);
  const children = postmaster.flatMap((pid) => {
    try {
      return execFileSync('pgrep', ['-P', String(pid)], { encoding: 'utf8' })
        .trim()
        .split('\n')
        .map(Number);
    } catch {
      return [];
    }
  });
  return [...postmaster, ...children].filter((pid) => pid > 0);
}

export function freezePostgres(port: number): number[] {
  const pids = serverProcesses(port);
  if (pids.length === 0) throw new Error(`no PostgreSQL found on port ${port}`);
  for (const pid of pids) process.kill(pid, 'SIGSTOP');
  return pids;
}

export function thawPostgres(pids: number[]): void {
  for (const pid of pids) {
    try {
      process.kill(pid, 'SIGCONT');
    } catch {}
  }
}
