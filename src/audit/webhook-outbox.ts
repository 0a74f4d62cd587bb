/**
 * The transactional outbox: an event is written, once per subscribed and enabled endpoint, by
 * the same transaction as the change that caused it. Nothing is sent here; a worker on any
 * instance delivers the rows later (webhooks/worker.ts), so a crash between commit and delivery loses
 * nothing and a rolled-back change sends nothing.
 */
import { randomUUID } from 'node:crypto';
import type { Queryable } from '../db/queryable.js';
import type { WebhookEvent } from './webhook-event.js';

/** Queues `event` for every enabled endpoint subscribed to its type; returns the event id. */
export async function enqueueWebhookEvent(q: Queryable, event: WebhookEvent): Promise<string> {
  const eventId = randomUUID();
  await q.query(
    `INSERT INTO webhook_outbox (event_id, endpoint_id, event_type, payload, created_at, next_attempt_at)
     SELECT $1, e.id, $2, $3::jsonb, $4, $4 FROM webhook_endpoints e
     WHERE e.disabled_at IS NULL AND $2 = ANY (e.events)`,
    [eventId, event.type, JSON.stringify(event), new Date(event.timestamp)],
    'webhook-enqueue',
  );
  return eventId;
}
