import type { Queryable } from '../db/queryable.js';

/** Where a request came from, as recorded in the audit trail. */
export interface RequestMeta {
  ip: string | null;
  userAgent: string | null;
}

export type AuditAction =
  | 'pat.created'
  | 'pat.rotated'
  | 'pat.revoked'
  | 'pat.restored'
  | 'pat.deleted'
  | 'user.created'
  | 'user.disabled'
  | 'user.enabled'
  | 'user.deleted'
  | 'token.exchanged';

export interface AuditEvent {
  at: Date;
  action: AuditAction;
  outcome: 'success' | 'failure';
  actorUserId?: string | null;
  subjectUserId?: string | null;
  patId?: string | null;
  meta: RequestMeta;
  clientId?: string | null;
  audience?: string | null;
  scope?: string | null;
  jti?: string | null;
  /** Internal reason (e.g. why an exchange was denied); never a secret. */
  reason?: string | null;
}

const COLUMNS = 13;

function rowValues(event: AuditEvent): unknown[] {
  return [
    event.at,
    event.action,
    event.outcome,
    event.actorUserId ?? null,
    event.subjectUserId ?? null,
    event.patId ?? null,
    event.meta.ip,
    event.meta.userAgent?.slice(0, 512) ?? null,
    event.clientId ?? null,
    event.audience ?? null,
    event.scope ?? null,
    event.jti ?? null,
    event.reason ?? null,
  ];
}

/** Appends rows to the audit trail in one statement. Audit rows are never updated or deleted. */
export async function insertAuditRows(q: Queryable, events: readonly AuditEvent[]): Promise<void> {
  if (events.length === 0) return;
  const tuples = events.map(
    (_, i) => `(${Array.from({ length: COLUMNS }, (_, j) => `$${i * COLUMNS + j + 1}`).join(', ')})`,
  );
  await q.query(
    `INSERT INTO audit_events (occurred_at, action, outcome, actor_user_id, subject_user_id, pat_id,
       ip, user_agent, client_id, audience, scope, jti, reason)
     VALUES ${tuples.join(', ')}`,
    events.flatMap(rowValues),
  );
}

/** Appends one row to the audit trail. */
export function recordAudit(q: Queryable, event: AuditEvent): Promise<void> {
  return insertAuditRows(q, [event]);
}
