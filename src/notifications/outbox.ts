/**
 * The email outbox seen by the sending side (rows are written by audit/email-outbox.ts, in the
 * change's transaction). A claim leases due rows with `FOR UPDATE SKIP LOCKED` so instances take
 * different rows; a crashed sender's lease runs out and another instance sends the row (at least
 * once).
 */
import type { EmailNotice } from '../audit/email-notice.js';
import type { Queryable } from '../db/queryable.js';

export interface ClaimedEmail {
  id: string;
  event_id: string;
  payload: EmailNotice;
  /** This attempt's number (1 for the first). */
  attempts: number;
}

const CLAIM = `UPDATE email_outbox o
  SET locked_until = $1::timestamptz + make_interval(secs => $2), attempts = o.attempts + 1
  WHERE o.id IN (
    SELECT c.id FROM email_outbox c
    WHERE c.delivered_at IS NULL AND c.failed_at IS NULL AND c.next_attempt_at <= $1
      AND (c.locked_until IS NULL OR c.locked_until <= $1)
    ORDER BY c.next_attempt_at, c.id LIMIT $3
    FOR UPDATE SKIP LOCKED)
  RETURNING o.id::text, o.event_id, o.payload, o.attempts`;

export async function claimEmails(
  q: Queryable,
  now: Date,
  leaseSeconds: number,
  limit: number,
): Promise<ClaimedEmail[]> {
  const { rows } = await q.query<ClaimedEmail>(CLAIM, [now, leaseSeconds, limit]);
  return rows;
}

export async function markEmailSent(q: Queryable, id: string, at: Date): Promise<void> {
  await q.query(
    'UPDATE email_outbox SET delivered_at = $2, locked_until = NULL, last_error = NULL WHERE id = $1',
    [id, at],
  );
}

/** A failed attempt: retried at `retryAt`, or given up when it is null. */
export async function markEmailFailed(
  q: Queryable,
  id: string,
  failure: { at: Date; retryAt: Date | null; error: string },
): Promise<void> {
  await q.query(
    `UPDATE email_outbox SET locked_until = NULL, last_error = $4, next_attempt_at = COALESCE($2, next_attempt_at),
       failed_at = CASE WHEN $2::timestamptz IS NULL THEN $3::timestamptz END WHERE id = $1`,
    [id, failure.retryAt, failure.at, failure.error.slice(0, 500)],
  );
}
