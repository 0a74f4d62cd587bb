/**
 * The write side of a change: its audit row and, in the caller's transaction, the outbox rows it
 * causes (a webhook event, an email to the token's owner). Both commit, or vanish, with the
 * change, so an event or a notice exists exactly when its change committed.
 */
import type { Queryable } from '../db/queryable.js';
import { emailNoticeFor } from './email-notice.js';
import { enqueueEmail } from './email-outbox.js';
import { type AuditEvent, insertAuditRows } from './event.js';
import { findTokenOwner } from './token-owner.js';
import { webhookEventFor } from './webhook-event.js';
import { enqueueWebhookEvent } from './webhook-outbox.js';

/** Appends one lifecycle row to the audit trail and the outbox rows it causes. */
export async function recordAudit(q: Queryable, event: AuditEvent): Promise<void> {
  await insertAuditRows(q, [event]);
  // Notices and webhook payloads name the token's owner, not only ids.
  const owner = event.patId && event.subjectUserId ? await findTokenOwner(q, event.subjectUserId) : null;
  const webhook = webhookEventFor(event, owner);
  if (webhook) await enqueueWebhookEvent(q, webhook);
  const notice = emailNoticeFor(event, owner);
  if (notice) await enqueueEmail(q, notice, event.at);
}
