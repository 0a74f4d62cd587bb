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
  | 'token.exchanged'
  | 'console.signed_in'
  | 'console.sign_in_refused'
  | 'console.signed_out'
  | 'user.entitlements_changed';

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

/**
 * Text as the audit row can hold it: PostgreSQL text cannot store NUL, and a caller-supplied
 * value (a claimed client id, a user agent) must never make the audit write fail.
 */
function storable(text: string | null | undefined, max = 512): string | null {
  return text ? text.replaceAll('\u0000', '\uFFFD').slice(0, max) : null;
}

function rowValues(event: AuditEvent): unknown[] {
  return [
    event.at,
    event.action,
    event.outcome,
    event.actorUserId ?? null,
    event.subjectUserId ?? null,
    event.patId ?? null,
    storable(event.meta.ip, 64),
    storable(event.meta.userAgent),
    storable(event.clientId, 128),
    storable(event.audience),
    storable(event.scope),
    storable(event.jti, 128),
    storable(event.reason),
  ];
}

/**
 * One fixed statement for any number of rows (a column per array, `unnest` turns them into
 * rows), so PostgreSQL prepares it once per connection instead of parsing a new
 * `VALUES (...), (...)` text, with 13 parameters a row, for every batch size.
 */
const INSERT_ROWS = `INSERT INTO audit_events (occurred_at, action, outcome, actor_user_id, subject_user_id,
    pat_id, ip, user_agent, client_id, audience, scope, jti, reason)
  SELECT * FROM unnest($1::timestamptz[], $2::text[], $3::text[], $4::uuid[], $5::uuid[], $6::uuid[],
    $7::text[], $8::text[], $9::text[], $10::text[], $11::text[], $12::text[], $13::text[])`;

/** Appends rows to the audit trail in one statement. Audit rows are never updated or deleted. */
export async function insertAuditRows(q: Queryable, events: readonly AuditEvent[]): Promise<void> {
  if (events.length === 0) return;
  const rows = events.map(rowValues);
  const columns = (rows[0] as unknown[]).map((_, j) => rows.map((row) => row[j]));
  await q.query(INSERT_ROWS, columns, 'insert-audit-rows');
}

/** Appends one row to the audit trail. */
export function recordAudit(q: Queryable, event: AuditEvent): Promise<void> {
  return insertAuditRows(q, [event]);
}
