/**
 * The failed-credential limit's counters, in the database (migration 003) so that every
 * instance on one PostgreSQL sees the same count (docs/design.md, "Stateless processes"). Only a
 * failed presentation touches them: a valid credential costs no statement here, so the
 * exchange hot path is unchanged. One-minute fixed windows per client address, counted with
 * one atomic upsert; rows of windows long gone are swept now and then.
 */
import type { Clock } from '../clock.js';
import type { Queryable } from '../db/queryable.js';

const WINDOW_MS = 60_000;
/** Every this many recorded failures, an instance deletes rows of ended windows. */
const SWEEP_EVERY = 256;

const RECORD = `INSERT INTO failed_credentials AS f (address, window_start, failures) VALUES ($1, $2, 1)
  ON CONFLICT (address) DO UPDATE SET
    failures = CASE WHEN f.window_start > $3 THEN f.failures + 1 ELSE 1 END,
    window_start = CASE WHEN f.window_start > $3 THEN f.window_start ELSE $2 END
  RETURNING failures, window_start`;

const CURRENT =
  'SELECT failures, window_start FROM failed_credentials WHERE address = $1 AND window_start > $2';

interface Count {
  failures: number;
  window_start: Date;
}

export class FailedCredentialCounter {
  #recorded = 0;

  constructor(
    private readonly db: Queryable,
    private readonly clock: Clock,
    /** Failures per address per minute before further bad credentials are refused. */
    private readonly limit: number,
  ) {}

  /** Counts one failure; seconds to wait when the address was over the limit already, else 0. */
  async record(address: string): Promise<number> {
    const now = this.clock();
    const { rows } = await this.db.query<Count>(RECORD, [address, now, new Date(now.getTime() - WINDOW_MS)]);
    if (++this.#recorded % SWEEP_EVERY === 0) await this.#sweep(now);
    return this.#retryAfter(rows[0], now);
  }

  /** Seconds to wait when the address is over the limit now (a failure just recorded included). */
  async retryAfter(address: string): Promise<number> {
    const now = this.clock();
    const { rows } = await this.db.query<Count>(CURRENT, [address, new Date(now.getTime() - WINDOW_MS)]);
    return this.#retryAfter(rows[0], now);
  }

  /** The first `limit` failures of a window are answered as usual; those after it, 429. */
  #retryAfter(count: Count | undefined, now: Date): number {
    if (!count || count.failures <= this.limit) return 0;
    const ends = new Date(count.window_start).getTime() + WINDOW_MS;
    return Math.max(1, Math.ceil((ends - now.getTime()) / 1000));
  }

  async #sweep(now: Date) {
    await this.db.query('DELETE FROM failed_credentials WHERE window_start <= $1', [
      new Date(now.getTime() - WINDOW_MS),
    ]);
  }
}
