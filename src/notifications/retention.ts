/**
 * Email notices are kept `notifications.retentionDays` after they were sent or given up, then
 * deleted: each row holds an owner's address and what happened to their token, which nobody
 * needs once the notice is settled. Rows still due are never touched. In batches, as the
 * webhook history is (webhooks/retention.ts), in the same sweep.
 */
import type { Queryable } from '../db/queryable.js';

const PRUNE_EMAIL_OUTBOX = `DELETE FROM email_outbox WHERE id IN (
  SELECT id FROM email_outbox WHERE delivered_at < $1 OR failed_at < $1 LIMIT $2)`;

/** Deletes at most `batch` settled notices older than `retentionDays` before `now`. */
export async function pruneEmailOutbox(
  q: Queryable,
  now: Date,
  retentionDays: number,
  batch = 1000,
): Promise<number> {
  const before = new Date(now.getTime() - retentionDays * 86_400_000);
  return (await q.query(PRUNE_EMAIL_OUTBOX, [before, batch])).rowCount;
}
