/**
 * Webhook history is kept `webhooks.retentionDays`: outbox rows delivered or given up before
 * then, and delivery log rows attempted before then, are deleted. In batches, so one sweep of a
 * large backlog holds no long lock; the next sweep takes the rest. Rows still due are never
 * touched. Swept on the expiry notices' interval (`webhooks.expirySweepIntervalMs`), on the
 * injected clock.
 */
import type { Clock } from '../clock.js';
import type { WebhookSettings } from '../config.js';
import type { Database, Queryable } from '../db/queryable.js';
import { startPeriodic } from '../jobs/periodic.js';
import type { Logger } from '../logger.js';
import { pruneEmailOutbox } from '../notifications/retention.js';

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

/**
 * Prunes on start and every `expirySweepIntervalMs`: the webhook history, and the settled email
 * notices after `notifications.retentionDays` (notifications/retention.ts).
 */
export function startRetentionSweep(deps: {
  db: Database;
  clock: Clock;
  settings: WebhookSettings;
  emailRetentionDays: number;
  logger: Logger;
}) {
  return startPeriodic({
    name: 'retention sweep',
    intervalMs: deps.settings.expirySweepIntervalMs,
    logger: deps.logger,
    run: async () => {
      const now = deps.clock();
      const pruned = await pruneWebhookHistory(deps.db, now, deps.settings.retentionDays);
      if (pruned.outbox + pruned.deliveries) deps.logger.info(pruned, 'old webhook history pruned');
      const emails = await pruneEmailOutbox(deps.db, now, deps.emailRetentionDays);
      if (emails) deps.logger.info({ emails }, 'old email notices pruned');
      return { ...pruned, emails };
    },
  });
}
