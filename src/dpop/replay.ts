/**
 * RFC 9449 §11.1: a proof's `jti` is accepted once. The ledger is a database table, so a proof
 * replayed to another instance behind the same load balancer is refused as well (DESIGN.md:
 * nothing that must be consistent across instances lives in one process's memory).
 *
 * A row matters only while its proof's `iat` could still pass the window check; after that the
 * proof is refused on `iat` alone, so rows past `expires_at` are pruned, at most once a minute
 * per instance, by whichever request comes along.
 */
import type { Clock } from '../clock.js';
import type { Queryable } from '../db/queryable.js';

export interface ProofReplayStore {
  /** True the first time a (key, jti) pair is seen; false for a replay. */
  consume(jkt: string, jti: string, expiresAt: Date): Promise<boolean>;
}

/** Slack for instances whose clocks disagree: a row outlives its window by this much. */
export const REPLAY_MARGIN_SECONDS = 300;
const PRUNE_INTERVAL_MS = 60_000;

export class DatabaseReplayStore implements ProofReplayStore {
  #lastPrune = 0;

  constructor(
    private readonly db: Queryable,
    private readonly clock: Clock,
  ) {}

  async consume(jkt: string, jti: string, expiresAt: Date): Promise<boolean> {
    await this.#pruneWhenDue();
    // Keyed by the proof's key too: a client cannot use up another client's jti (§11.1).
    const { rowCount } = await this.db.query(
      `INSERT INTO dpop_proof_uses (jkt, jti, expires_at) VALUES ($1, $2, $3)
       ON CONFLICT (jkt, jti) DO NOTHING`,
      [jkt, jti, expiresAt],
      'dpop_proof_use',
    );
    return rowCount === 1;
  }

  async #pruneWhenDue() {
    const now = this.clock();
    if (now.getTime() - this.#lastPrune < PRUNE_INTERVAL_MS) return;
    this.#lastPrune = now.getTime();
    await pruneProofUses(this.db, now);
  }
}

/** Deletes the rows no proof can replay any more; returns how many went. */
export async function pruneProofUses(db: Queryable, now: Date): Promise<number> {
  const { rowCount } = await db.query('DELETE FROM dpop_proof_uses WHERE expires_at < $1', [now]);
  return rowCount;
}

/** Until when a proof issued at `iat` must stay in the ledger. */
export function replayExpiry(iat: number, iatSkewSeconds: number): Date {
  return new Date((iat + iatSkewSeconds + REPLAY_MARGIN_SECONDS) * 1000);
}
