/** SQL for webhook endpoints and their delivery log. */

import type { WebhookEventType } from '../audit/webhook-event.js';
import type { KeysetPosition } from '../db/keyset.js';
import type { Queryable } from '../db/queryable.js';

export interface EndpointRow {
  id: string;
  url: string;
  events: WebhookEventType[];
  description: string | null;
  created_at: Date;
  created_by: string | null;
  disabled_at: Date | null;
  disabled_reason: string | null;
  consecutive_failures: number;
}

/** The secret is read only where a delivery is signed (worker.ts), never for presentation. */
const COLUMNS = `id, url, events, description, created_at, created_by, disabled_at, disabled_reason,
  consecutive_failures`;

export interface NewEndpoint {
  id: string;
  url: string;
  events: string[];
  secret: string;
  description: string | null;
  createdAt: Date;
  createdBy: string | null;
}

export async function insertEndpoint(q: Queryable, endpoint: NewEndpoint): Promise<EndpointRow> {
  const { rows } = await q.query<EndpointRow>(
    `INSERT INTO webhook_endpoints (id, url, events, secret, description, created_at, created_by)
     VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING ${COLUMNS}`,
    [
      endpoint.id,
      endpoint.url,
      endpoint.events,
      endpoint.secret,
      endpoint.description,
      endpoint.createdAt,
      endpoint.createdBy,
    ],
  );
  return rows[0] as EndpointRow;
}

export async function findEndpoint(q: Queryable, id: string, forUpdate = false): Promise<EndpointRow | null> {
  const { rows } = await q.query<EndpointRow>(
    `SELECT ${COLUMNS} FROM webhook_endpoints WHERE id = $1${forUpdate ? ' FOR UPDATE' : ''}`,
    [id],
  );
  return rows[0] ?? null;
}

/** Newest first; `limit + 1` rows so the caller can tell whether more follow. */
export async function listEndpoints(
  q: Queryable,
  limit: number,
  after: KeysetPosition | null,
): Promise<EndpointRow[]> {
  const { rows } = await q.query<EndpointRow>(
    `SELECT ${COLUMNS} FROM webhook_endpoints
     WHERE $1::timestamptz IS NULL OR (created_at, id) < ($1::timestamptz, $2::uuid)
     ORDER BY created_at DESC, id DESC LIMIT $3`,
    [after?.createdAt ?? null, after?.id ?? null, limit + 1],
  );
  return rows;
}

export interface EndpointChange {
  url?: string | undefined;
  events?: string[] | undefined;
  description?: string | null | undefined;
  /** true re-enables (and forgets past failures); false disables with `reason`. */
  enabled?: { value: boolean; at: Date; reason: string } | undefined;
}

export async function updateEndpoint(q: Queryable, id: string, change: EndpointChange) {
  const { rows } = await q.query<EndpointRow>(
    `UPDATE webhook_endpoints SET
       url = COALESCE($2, url),
       events = COALESCE($3, events),
       description = CASE WHEN $4 THEN $5 ELSE description END,
       disabled_at = CASE WHEN $6::boolean IS NULL THEN disabled_at WHEN $6 THEN NULL ELSE $7 END,
       disabled_reason = CASE WHEN $6::boolean IS NULL THEN disabled_reason WHEN $6 THEN NULL ELSE $8 END,
       consecutive_failures = CASE WHEN $6 THEN 0 ELSE consecutive_failures END
     WHERE id = $1 RETURNING ${COLUMNS}`,
    [
      id,
      change.url ?? null,
      change.events ?? null,
      change.description !== undefined,
      change.description ?? null,
      change.enabled ? change.enabled.value : null,
      change.enabled?.at ?? null,
      change.enabled?.reason ?? null,
    ],
  );
  return rows[0] ?? null;
}

export async function deleteEndpoint(q: Queryable, id: string): Promise<boolean> {
  const { rowCount } = await q.query('DELETE FROM webhook_endpoints WHERE id = $1', [id]);
  return rowCount > 0;
}

export interface DeliveryRow {
  id: string;
  event_id: string;
  event_type: string;
  attempt: number;
  attempted_at: Date;
  outcome: 'delivered' | 'failed';
  status_code: number | null;
  error: string | null;
  duration_ms: number;
}

/** An endpoint's delivery log, newest first, `limit + 1` rows after the row id `before`. */
export async function listDeliveries(
  q: Queryable,
  endpointId: string,
  limit: number,
  before: bigint | null,
): Promise<DeliveryRow[]> {
  const { rows } = await q.query<DeliveryRow>(
    `SELECT id::text, event_id, event_type, attempt, attempted_at, outcome, status_code, error, duration_ms
     FROM webhook_deliveries WHERE endpoint_id = $1 AND ($2::bigint IS NULL OR id < $2)
     ORDER BY id DESC LIMIT $3`,
    [endpointId, before === null ? null : before.toString(), limit + 1],
  );
  return rows;
}
