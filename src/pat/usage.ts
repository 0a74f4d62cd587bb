/**
 * `last_used_at` / `last_used_ip` without write amplification: at most one write per token per
 * interval. This instance remembers when it last wrote each token and skips the database
 * entirely inside the interval; across instances the UPDATE's own condition (and SKIP LOCKED)
 * keeps a hot token from queueing writers. So the read path of an exchange stays one indexed
 * lookup, plus one small write per token per interval.
 */
import type { Queryable } from '../db/queryable.js';
import { touchPatLastUsed } from './repository.js';

/** Bound on remembered tokens; past it the memory starts over (costing one write per token). */
const MAX_REMEMBERED = 100_000;

export class UsageTracker {
  readonly #lastWrite = new Map<string, number>();

  constructor(
    private readonly db: Queryable,
    private readonly intervalSeconds: number,
  ) {}

  async record(patId: string, at: Date, ip: string | null): Promise<void> {
    const now = at.getTime();
    const last = this.#lastWrite.get(patId);
    if (last !== undefined && now >= last && now - last < this.intervalSeconds * 1000) return;
    if (this.#lastWrite.size >= MAX_REMEMBERED) this.#lastWrite.clear();
    this.#lastWrite.set(patId, now);
    await touchPatLastUsed(this.db, patId, at, ip, this.intervalSeconds);
  }
}
