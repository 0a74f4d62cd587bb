/**
 * Inactivity policy (off by default; `tokens.revokeAfterInactiveDays`): a token unused for N
 * days (counted from its last use, or its creation if never used) is revoked with the reason
 * `inactive`, and audited. Every instance sweeps on start and every 10 minutes; the UPDATE is
 * idempotent, so instances sweeping together revoke each token once.
 */
import type { Clock } from '../clock.js';
import type { Config } from '../config.js';
import type { Database } from '../db/queryable.js';
import { startAfterFirstRun } from '../jobs/periodic.js';
import type { Logger } from '../logger.js';
import { revokePats } from './revoke.js';

export const INACTIVE_REASON = 'inactive';
export const SWEEP_INTERVAL_MS = 10 * 60_000;

const SWEEPER = { userId: null, meta: { ip: null, userAgent: 'tessera inactivity policy' } };

export async function revokeInactivePats(db: Database, now: Date, days: number): Promise<string[]> {
  return db.transaction(async (tx) => {
    const revoked = await revokePats(
      tx,
      { unusedForDays: days },
      {
        at: now,
        kind: 'inactivity',
        reason: INACTIVE_REASON,
        auditReason: `${INACTIVE_REASON}: unused for ${days} days`,
      },
      SWEEPER,
    );
    return revoked.map((pat) => pat.id);
  });
}

/** Runs the policy on start and every 10 minutes; `run` runs it now. A no-op when it is off. */
export async function startInactivityPolicy(deps: {
  db: Database;
  clock: Clock;
  config: Pick<Config, 'tokens'>;
  logger: Logger;
}) {
  const days = deps.config.tokens.revokeAfterInactiveDays;
  const sweep = async (): Promise<string[]> => {
    if (days === null) return [];
    const revoked = await revokeInactivePats(deps.db, deps.clock(), days);
    if (revoked.length) deps.logger.info({ count: revoked.length }, 'revoked inactive tokens');
    return revoked;
  };
  // The first sweep is part of the start: a failure there stops the boot.
  return startAfterFirstRun({
    name: 'inactivity sweep',
    intervalMs: SWEEP_INTERVAL_MS,
    run: sweep,
    logger: deps.logger,
  });
}
