/**
 * Which lifecycle changes become webhook events, and what their payloads say. Pure: the audit
 * writer calls `webhookEventFor` inside the change's own transaction (record.ts), so an
 * event exists exactly when its change committed. Payloads name ids, never secrets: the audit
 * row they are built from never holds one.
 */
import type { AuditEvent } from './event.js';

export const WEBHOOK_EVENT_TYPES = [
  'token.created',
  'token.rotated',
  'token.revoked',
  'token.restored',
  'token.deleted',
  'token.leaked',
  'token.expiring',
  'token.expired',
  'user.disabled',
  'trust_policy.changed',
] as const;

export type WebhookEventType = (typeof WEBHOOK_EVENT_TYPES)[number];

/** The Standard Webhooks payload shape: `type`, `timestamp`, `data`. */
export interface WebhookEvent {
  type: WebhookEventType;
  timestamp: string;
  data: Record<string, string | number | null>;
}

const TOKEN_ACTIONS: Record<string, WebhookEventType> = {
  'pat.created': 'token.created',
  'pat.rotated': 'token.rotated',
  'pat.revoked': 'token.revoked',
  'pat.restored': 'token.restored',
  'pat.deleted': 'token.deleted',
  'pat.expiring': 'token.expiring',
  'pat.expired': 'token.expired',
};

function typeOf(audit: Pick<AuditEvent, 'action' | 'revocationKind'>): WebhookEventType | null {
  if (audit.action === 'user.disabled') return 'user.disabled';
  // Trust policies are the federation branch's: any of their lifecycle actions is a change.
  if (audit.action.startsWith('trust_policy.')) return 'trust_policy.changed';
  if (audit.action === 'pat.revoked' && audit.revocationKind === 'leak') return 'token.leaked';
  return TOKEN_ACTIONS[audit.action] ?? null;
}

/** The webhook event a successful audited change emits, or null (exchanges, failures, ...). */
export function webhookEventFor(
  audit: AuditEvent,
  owner: { username: string } | null = null,
): WebhookEvent | null {
  if (audit.outcome !== 'success') return null;
  const type = typeOf(audit);
  if (!type) return null;
  const data: WebhookEvent['data'] = {
    action: audit.action,
    user_id: audit.subjectUserId ?? null,
    actor_user_id: audit.actorUserId ?? null,
  };
  if (audit.patId) data.token_id = audit.patId;
  // Named, not only ids (docs/design.md, "Notifications to people"): never the secret.
  if (audit.token) Object.assign(data, { token_name: audit.token.name, token_hint: audit.token.hint });
  if (owner) data.username = owner.username;
  if (audit.reason) data.reason = audit.reason;
  if (type === 'token.expiring' && audit.daysBeforeExpiry != null)
    data.days_before_expiry = audit.daysBeforeExpiry;
  return { type, timestamp: audit.at.toISOString(), data };
}
