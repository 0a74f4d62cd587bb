/**
 * The hot path: a presented PAT's hash to its row and owner. Lookups asked for in the same turn
 * of the event loop share one indexed statement (`token_hash = ANY($1)`), and each caller gets
 * its own row back. Under load the fixed cost of a statement (a socket write and read on each
 * side, bind and execute in PostgreSQL) is most of the cost of a one-row index probe, so N
 * lookups in one statement pay it once.
 *
 * Nothing is cached: every lookup is answered by a statement that starts after the request
 * arrived, so a revocation committed before the request is seen by it, on every instance
 * (DESIGN.md: "Revocation takes effect on the very next exchange"). The row comes back whether
 * or not the PAT is usable; the caller decides with its own clock (`unusableReason`), which
 * also names the cause for the audit trail without a second query.
 */
import type { Queryable } from '../db/queryable.js';
import type { UserRow } from '../users/repository.js';
import type { PatRow } from './repository.js';

export interface PatRecord {
  pat: Pick<PatRow, 'id' | 'scopes' | 'expires_at' | 'revoked_at'>;
  user: UserRow;
}

type Row = UserRow & {
  token_hex: string;
  pat_id: string;
  pat_scopes: string[];
  pat_expires_at: Date | null;
  pat_revoked_at: Date | null;
};

const BY_HASHES = `SELECT encode(p.token_hash, 'hex') AS token_hex, p.id AS pat_id, p.scopes AS pat_scopes,
         p.expires_at AS pat_expires_at, p.revoked_at AS pat_revoked_at,
         u.id, u.username, u.entitlements, u.service, u.created_at, u.disabled_at, u.deleted_at
  FROM pats p JOIN users u ON u.id = p.user_id
  WHERE p.token_hash = ANY($1::bytea[])`;

/** One statement answers at most this many lookups; a bigger turn is split over several, sent together. */
export const MAX_BATCH = 128;

interface Waiting {
  hash: Buffer;
  resolve: (record: PatRecord | null) => void;
  reject: (error: unknown) => void;
}

function toRecord(row: Row): PatRecord {
  const { token_hex: _, pat_id, pat_scopes, pat_expires_at, pat_revoked_at, ...user } = row;
  return {
    pat: { id: pat_id, scopes: pat_scopes, expires_at: pat_expires_at, revoked_at: pat_revoked_at },
    user,
  };
}

/** Why this PAT cannot be used at `now`, or null when it can. The owner's state comes first. */
export function unusableReason(record: PatRecord, now: Date): string | null {
  if (record.user.deleted_at) return 'user deleted';
  if (record.user.disabled_at) return 'user disabled';
  if (record.pat.revoked_at) return 'token revoked';
  if (record.pat.expires_at && record.pat.expires_at <= now) return 'token expired';
  return null;
}

export class PatHashLookup {
  #waiting: Waiting[] = [];
  #scheduled = false;

  constructor(private readonly db: Queryable) {}

  /** The PAT with this SHA-256 hash and its owner, usable or not; null when there is none. */
  find(hash: Buffer): Promise<PatRecord | null> {
    return new Promise((resolve, reject) => {
      this.#waiting.push({ hash, resolve, reject });
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
      const hexes = batch.map((w) => w.hash.toString('hex'));
      const distinct = new Map(hexes.map((hex, i) => [hex, batch[i]?.hash]));
      const { rows } = await this.db.query<Row>(BY_HASHES, [[...distinct.values()]], 'pats-by-hashes');
      const found = new Map(rows.map((row) => [row.token_hex, row]));
      batch.forEach((w, i) => {
        const row = found.get(hexes[i] as string);
        w.resolve(row ? toRecord(row) : null);
      });
    } catch (error) {
      for (const w of batch) w.reject(error);
    }
  }
}
