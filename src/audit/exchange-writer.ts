/**
 * Exchange audit rows, written in batches: within `flushMs` of an exchange (or sooner when
 * `maxBatch` rows wait), one multi-row INSERT writes every waiting row. This takes the audit
 * write off each exchange's critical path: one round trip per batch instead of per exchange.
 *
 * Durability (documented in docs/security-model.md): a graceful stop flushes everything; a crash
 * (kill -9, power loss) or a database error during a flush loses the rows of at most the last
 * `flushMs` window (at most `maxBatch` rows per pending batch). Lifecycle changes (create,
 * revoke, ...) are never batched: their row commits in the same transaction as the change.
 * With `flushMs` 0 every row is written before the exchange answers.
 */
import type { Queryable } from '../db/queryable.js';
import type { Logger } from '../logger.js';
import { type AuditEvent, insertAuditRows } from './event.js';

export class ExchangeAuditWriter {
  #queue: AuditEvent[] = [];
  #timer: NodeJS.Timeout | undefined;
  #inFlight = new Set<Promise<void>>();

  constructor(
    private readonly db: Queryable,
    private readonly logger: Logger,
    private readonly flushMs: number,
    private readonly maxBatch = 200,
  ) {}

  /** Queues the row (or writes it at once when batching is off). */
  record(event: AuditEvent): Promise<void> {
    if (this.flushMs === 0) return insertAuditRows(this.db, [event]);
    this.#queue.push(event);
    if (this.#queue.length >= this.maxBatch) this.#startFlush();
    else this.#timer ??= setTimeout(() => this.#startFlush(), this.flushMs);
    return Promise.resolve();
  }

  #startFlush(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    const batch = this.#queue;
    if (batch.length === 0) return;
    this.#queue = [];
    const write = insertAuditRows(this.db, batch)
      .catch((err) =>
        this.logger.error({ err, lost: batch.length }, 'exchange audit rows could not be written'),
      )
      .finally(() => this.#inFlight.delete(write));
    this.#inFlight.add(write);
  }

  /** Rows waiting for their batch to start. */
  get queued(): number {
    return this.#queue.length;
  }

  /** Writes every queued row and waits for writes in flight (graceful shutdown). */
  async flush(): Promise<void> {
    this.#startFlush();
    await Promise.all(this.#inFlight);
  }
}
