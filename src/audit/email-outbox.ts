/**
 * The email side of the transactional outbox: a notice is written by the same transaction as the
 * change that caused it (record.ts) and sent later by a worker on any instance
 * (notifications/worker.ts), exactly like webhook deliveries.
 */
import { randomUUID } from 'node:crypto';
import type { Queryable } from '../db/queryable.js';
import type { EmailNotice } from './email-notice.js';

export async function enqueueEmail(q: Queryable, notice: EmailNotice, at: Date): Promise<void> {
  await q.query(
    `INSERT INTO email_outbox (event_id, kind, recipient, payload, created_at, next_attempt_at)
     VALUES ($1, $2, $3, $4::jsonb, $5, $5)`,
    [randomUUID(), notice.kind, notice.recipient, JSON.stringify(notice), at],
    'email-enqueue',
  );
}
