/**
 * The hot path: a presented PAT's hash to its row and owner. Lookups asked for in the same turn
 * of the event loop share one indexed statement (`token_hash = ANY($1)`), and each caller gets
 * its own row back. Under load the fixed cost of a statement (a socket write and read on each
 * side, bind and execute in PostgreSQL) is most of the cost of a one-row index probe, so N
 * lookups in one statement pay it once.
 *
 * Nothing is cached: every lookup is answered by a statement that starts after the request
 * arrived, so a revocation committed before the request is seen by it, on every instance
 * (docs/design.md, "Stateless processes": no cache, so a revocation holds from the next exchange). The row comes back whether
 * or not the PAT is usable; the caller decides with its own clock (`unusableReason`), which
 * also names the cause for the audit trail without a second query.
 */
import type { Queryable } from '../db/queryable.js';
import { type PatRecord, RECORD_COLUMNS, type RecordRow, toRecord } from './record.js';

const BY_HASHES = `SELECT encode(p.token_hash, 'hex') AS token_hex, ${RECORD_COLUMNS}
  FROM pats p JOIN users u ON u.id = p.user_id
  WHERE p.token_hash = ANY($1::bytea[])`;

/** One statement answers at most this many lookups; a bigger turn is split over several, sent together. */
export const MAX_BATCH = 128;

interface Waiting {
  hash: Buffer;
  /** The hash in hex, as the statement's rows name it. */
  hex: string;
  resolve: (record: PatRecord | null) => void;
  reject: (error: unknown) => void;
}

export class PatHashLookup {
  #waiting: Waiting[] = [];
  #scheduled = false;

  constructor(private readonly db: Queryable) {}

  /** The PAT with this SHA-256 hash and its owner, usable or not; null when there is none. */
  find(hash: Buffer): Promise<PatRecord | null> {
    return new Promise((resolve, reject) => {
      this.#waiting.push({ hash, hex: hash.toString('hex'), resolve, reject });
      if (!this.#scheduled) {
        this.#scheduled = true;
        // After the I/O callbacks of this turn: every request that arrived with this one joins.
        setImmediate(() => this.#dispatch());
      }
    });
  }

  #dispatch(): void {
    this.#scheduled = false;
    while (this.#waiting.length > 0) void this.#run(this.#waiting.splice(0, MAX_BATCH));
  }

  async #run(batch: Waiting[]): Promise<void> {
    try {
      const distinct = new Map(batch.map((w) => [w.hex, w.hash]));
      const { rows } = await this.db.query<RecordRow & { token_hex: string }>(
        BY_HASHES,
        [[...distinct.values()]],
        'pats-by-hashes',
      );
      const found = new Map(rows.map(({ token_hex, ...row }) => [token_hex, row]));
      for (const w of batch) {
        const row = found.get(w.hex);
        w.resolve(row ? toRecord(row) : null);
      }
    } catch (error) {
      for (const w of batch) w.reject(error);
    }
  }
}
