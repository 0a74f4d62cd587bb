/**
 * How many worker processes `tessera serve` runs: `--workers N|auto` (or `server.workers`).
 * `auto` is the parallelism the OS grants this process (`os.availableParallelism()`, which
 * honours CPU affinity). More than one worker needs PostgreSQL: the embedded PGlite database
 * belongs to the one process that opened it.
 */
import { z } from 'zod';

/** Far above any useful count; a typo such as `--workers 1000` is refused, not forked. */
export const MAX_WORKERS = 256;

const EXPECTED = `expected a whole number from 1 to ${MAX_WORKERS}, or "auto"`;

/** `server.workers` in the config file, and `--workers` once parsed. */
export const workersSchema = z.union([z.int().min(1).max(MAX_WORKERS), z.literal('auto')], {
  error: EXPECTED,
});

export type WorkersSetting = z.infer<typeof workersSchema>;

export class WorkerCountError extends Error {
  override name = 'WorkerCountError';
}

/** Parses the command line's `--workers` value. */
export function parseWorkers(text: string): WorkersSetting {
  const trimmed = text.trim();
  const parsed = workersSchema.safeParse(/^\d{1,6}$/.test(trimmed) ? Number(trimmed) : trimmed);
  if (!parsed.success) throw new WorkerCountError(`--workers: ${EXPECTED} (got "${text}")`);
  return parsed.data;
}

/** The number of processes to fork; refuses more than one on the embedded database. */
export function resolveWorkers(
  setting: WorkersSetting,
  parallelism: number,
  databaseUrl: string | undefined,
): number {
  const count = setting === 'auto' ? Math.max(1, Math.min(parallelism, MAX_WORKERS)) : setting;
  if (count > 1 && !databaseUrl) {
    throw new WorkerCountError(
      `${count} workers need DATABASE_URL (PostgreSQL): the embedded PGlite database belongs to one process`,
    );
  }
  return count;
}
