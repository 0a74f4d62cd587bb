/**
 * Webhook history is kept `webhooks.retentionDays`: outbox rows delivered or given up before
 * then, and delivery log rows attempted before then, are deleted. In batches, so one sweep of a
 * large backlog holds no long lock; the next sweep takes the rest. Rows still due are never
 * touched. Runs with the worker's polls (worker.ts), on the injected clock.
 */
import type { Queryable } from '../db/queryable.js';

const PRUNE_OUTBOX = `DELETE FROM webhook_outbox WHERE id IN (
  SELECT id FROM webhook_outbox WHERE delivered_at < $1 OR failed_at < $1 LIMIT $2)`;
const PRUNE_DELIVERIES = `DELETE FROM webhook_deliveries WHERE id IN (
  SELECT id FROM webhook_deliveries WHERE attempted_at < $1 LIMIT $2)`;

/** Deletes at most `batch` rows of each table older than `retentionDays` before `now`. */
export async function pruneWebhookHistory(
  q: Queryable,
  now: Date,
  retentionDays: number,
  batch = 1000,
): Promise<{ outbox: number; deliveries: number }> {
  const before = new Date(now.getTime() - retentionDays * 86_400_000);
  const outbox = (await q.query(PRUNE_OUTBOX, [before, batch])).rowCount;
  const deliveries = (await q.query(PRUNE_DELIVERIES, [before, batch])).rowCount;
  return { outbox, deliveries };
}
