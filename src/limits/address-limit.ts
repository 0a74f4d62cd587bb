/**
 * Per-address limits of unauthenticated routes that write (console sign-in, SSO start and
 * callback), in the database (migration 008) so every instance counts the same requests, as
 * the failed-credential counters do. Every request is counted with one atomic upsert on a row
 * per (route, address): a flood grows no table, and past the limit the caller writes one
 * summary row per address and window (`firstRefusal`), not one per request.
 */
import type { Clock } from '../clock.js';
import type { Queryable } from '../db/queryable.js';

const WINDOW_MS = 60_000;
/** Every this many counted requests, an instance deletes rows of ended windows. */
const SWEEP_EVERY = 256;

const COUNT = `INSERT INTO address_limits AS a (route, address, window_start, hits) VALUES ($1, $2, $3, 1)
  ON CONFLICT (route, address) DO UPDATE SET
    hits = CASE WHEN a.window_start > $4 THEN a.hits + 1 ELSE 1 END,
    window_start = CASE WHEN a.window_start > $4 THEN a.window_start ELSE $3 END
  RETURNING hits, window_start`;

export interface AddressVerdict {
  /** Seconds to wait; 0 when the request may proceed. */
  retryAfter: number;
  /** The first request refused in this window: the one to write a summary row for. */
  firstRefusal: boolean;
}

export class AddressLimit {
  #counted = 0;

  constructor(
    private readonly db: Queryable,
    private readonly clock: Clock,
    /** Requests per address per route per minute. */
    private readonly limit: number,
  ) {}

  async take(route: string, address: string): Promise<AddressVerdict> {
    const now = this.clock();
    const { rows } = await this.db.query<{ hits: number; window_start: Date }>(COUNT, [
      route,
      address,
      now,
      new Date(now.getTime() - WINDOW_MS),
    ]);
    if (++this.#counted % SWEEP_EVERY === 0) {
      await this.db.query('DELETE FROM address_limits WHERE window_start <= $1', [
        new Date(now.getTime() - WINDOW_MS),
      ]);
    }
    const row = rows[0];
    if (!row || row.hits <= this.limit) return { retryAfter: 0, firstRefusal: false };
    const ends = new Date(row.window_start).getTime() + WINDOW_MS;
    return {
      retryAfter: Math.max(1, Math.ceil((ends - now.getTime()) / 1000)),
      firstRefusal: row.hits === this.limit + 1,
    };
  }
}
