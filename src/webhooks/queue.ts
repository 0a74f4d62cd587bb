/**
 * The outbox seen by the delivering side. A claim is one statement: due rows of enabled
 * endpoints are locked with `FOR UPDATE SKIP LOCKED` (so instances claiming at once take
 * different rows) and leased until `now + lease`. The lease outlasts the delivery's timeout,
 * so no other instance retries an event while one is still sending it; if the claiming
 * instance dies, the lease runs out and another picks the row up (at least once).
 */
import type { Database, Queryable } from '../db/queryable.js';
import type { AttemptResult } from './delivery.js';

export interface ClaimedDelivery {
  id: string;
  event_id: string;
  endpoint_id: string;
  event_type: string;
  body: string;
  /** This attempt's number (1 for the first). */
  attempts: number;
  url: string;
  secret: string;
}

const CLAIM = `UPDATE webhook_outbox o
  SET locked_until = $1::timestamptz + make_interval(secs => $2), attempts = o.attempts + 1
  FROM webhook_endpoints e
  WHERE e.id = o.endpoint_id AND o.id IN (
    SELECT c.id FROM webhook_outbox c JOIN webhook_endpoints ce ON ce.id = c.endpoint_id
    WHERE c.delivered_at IS NULL AND c.failed_at IS NULL AND c.next_attempt_at <= $1
      AND (c.locked_until IS NULL OR c.locked_until <= $1) AND ce.disabled_at IS NULL
    ORDER BY c.next_attempt_at, c.id LIMIT $3
    FOR UPDATE OF c SKIP LOCKED)
  RETURNING o.id::text, o.event_id, o.endpoint_id, o.event_type, o.payload::text AS body, o.attempts,
    e.url, e.secret`;

export async function claimDeliveries(
  q: Queryable,
  now: Date,
  leaseSeconds: number,
  limit: number,
): Promise<ClaimedDelivery[]> {
  const { rows } = await q.query<ClaimedDelivery>(CLAIM, [now, leaseSeconds, limit]);
  return rows;
}

export interface Settlement {
  at: Date;
  /** When to try again after a failure; null: give up (attempts exhausted). */
  retryAt: Date | null;
  failureThreshold: number;
}

/**
 * Records an attempt: the delivery log row, the outbox row's new state and the endpoint's run
 * of consecutive failures (which disables it at the threshold). Returns true when this attempt
 * disabled the endpoint.
 */
export function settleDelivery(
  db: Database,
  claimed: ClaimedDelivery,
  result: AttemptResult,
  settlement: Settlement,
): Promise<boolean> {
  return db.transaction(async (tx) => {
    await tx.query(
      `INSERT INTO webhook_deliveries (endpoint_id, event_id, event_type, attempt, attempted_at, outcome,
         status_code, error, duration_ms) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
      [
        claimed.endpoint_id,
        claimed.event_id,
        claimed.event_type,
        claimed.attempts,
        settlement.at,
        result.outcome,
        result.statusCode,
        result.error,
        result.durationMs,
      ],
    );
    if (result.outcome === 'delivered') {
      await tx.query('UPDATE webhook_outbox SET delivered_at = $2, locked_until = NULL WHERE id = $1', [
        claimed.id,
        settlement.at,
      ]);
      await tx.query('UPDATE webhook_endpoints SET consecutive_failures = 0 WHERE id = $1', [
        claimed.endpoint_id,
      ]);
      return false;
    }
    await tx.query(
      `UPDATE webhook_outbox SET locked_until = NULL, next_attempt_at = COALESCE($2, next_attempt_at),
         failed_at = CASE WHEN $2::timestamptz IS NULL THEN $3::timestamptz END WHERE id = $1`,
      [claimed.id, settlement.retryAt, settlement.at],
    );
    const { rows } = await tx.query<{ disabled_now: boolean }>(
      `UPDATE webhook_endpoints SET consecutive_failures = consecutive_failures + 1,
         disabled_at = CASE WHEN disabled_at IS NULL AND consecutive_failures + 1 >= $2 THEN $3::timestamptz ELSE disabled_at END,
         disabled_reason = CASE WHEN disabled_at IS NULL AND consecutive_failures + 1 >= $2
           THEN $2::int || ' consecutive failed deliveries' ELSE disabled_reason END
       WHERE id = $1
       RETURNING disabled_at IS NOT DISTINCT FROM $3::timestamptz AS disabled_now`,
      [claimed.endpoint_id, settlement.failureThreshold, settlement.at],
    );
    return rows[0]?.disabled_now ?? false;
  });
}
