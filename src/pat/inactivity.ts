/**
 * Inactivity policy (off by default; `tokens.revokeAfterInactiveDays`): a token unused for N
 * days (counted from its last use, or its creation if never used) is revoked with the reason
 * `inactive`, and audited. Every instance sweeps on start and every 10 minutes; the UPDATE is
 * idempotent, so instances sweeping together revoke each token once.
 */
import { recordAudit } from '../audit/record.js';
import type { Clock } from '../clock.js';
import type { Config } from '../config.js';
import type { Database } from '../db/queryable.js';
import { startAfterFirstRun } from '../jobs/periodic.js';
import type { Logger } from '../logger.js';

export const INACTIVE_REASON = 'inactive';
export const SWEEP_INTERVAL_MS = 10 * 60_000;

export async function revokeInactivePats(db: Database, now: Date, days: number): Promise<string[]> {
  return db.transaction(async (tx) => {
    const { rows } = await tx.query<{ id: string; user_id: string }>(
      `UPDATE pats SET revoked_at = $1, revoked_reason = $3, revocation_kind = 'inactivity'
       WHERE revoked_at IS NULL AND (expires_at IS NULL OR expires_at > $1)
         AND COALESCE(last_used_at, created_at) < $1::timestamptz - make_interval(days => $2)
       RETURNING id, user_id`,
      [now, days, INACTIVE_REASON],
    );
    for (const row of rows) {
      await recordAudit(tx, {
        at: now,
        action: 'pat.revoked',
        outcome: 'success',
        subjectUserId: row.user_id,
        patId: row.id,
        meta: { ip: null, userAgent: 'tessera inactivity policy' },
        reason: `${INACTIVE_REASON}: unused for ${days} days`,
        revocationKind: 'inactivity',
      });
    }
    return rows.map((row) => row.id);
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
