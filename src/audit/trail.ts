/** Reading the audit trail of one PAT: newest first, keyset-paginated by the row id. */
import type { Queryable } from '../db/queryable.js';

export interface AuditRow {
  id: string;
  occurred_at: Date;
  action: string;
  /** The column's CHECK constraint allows only these. */
  outcome: 'success' | 'failure';
  actor_user_id: string | null;
  actor_username: string | null;
  ip: string | null;
  user_agent: string | null;
  client_id: string | null;
  audience: string | null;
  scope: string | null;
  jti: string | null;
  reason: string | null;
  /** The `act` claim of a delegated exchange. */
  actor_chain: unknown;
  /** The subject's user, when this PAT was the actor (it acted for them). */
  acted_for: string | null;
  /** The DPoP key the exchange was bound to. */
  dpop_jkt?: string | null;
}

/** A position in a trail: the last row of the previous page. */
export interface TrailPosition {
  at: Date;
  id: bigint;
}

/** Events of `patId` before `after` (newest first by time, then id), at most `limit + 1` rows. */
export async function listPatEvents(q: Queryable, patId: string, limit: number, after: TrailPosition | null) {
  const { rows } = await q.query<AuditRow>(
    `SELECT e.id::text AS id, e.occurred_at, e.action, e.outcome, e.actor_user_id, u.username AS actor_username,
            e.ip, e.user_agent, e.client_id, e.audience, e.scope, e.jti, e.reason, e.actor_chain, e.dpop_jkt,
            CASE WHEN e.actor_pat_id = $1 AND e.pat_id IS DISTINCT FROM $1 THEN e.subject_user_id END AS acted_for
     FROM audit_events e LEFT JOIN users u ON u.id = e.actor_user_id
     -- An exchange is on the subject PAT's trail and on the actor PAT's (delegation).
     WHERE (e.pat_id = $1 OR e.actor_pat_id = $1) AND ($2::timestamptz IS NULL OR (e.occurred_at, e.id) < ($2::timestamptz, $3::bigint))
     ORDER BY e.occurred_at DESC, e.id DESC LIMIT $4`,
    [patId, after?.at ?? null, after?.id.toString() ?? null, limit + 1],
  );
  return rows;
}

/**
 * The user a PAT belongs (or belonged) to, from its history: a deleted PAT's trail stays
 * readable by its owner.
 */
export async function patOwnerFromHistory(q: Queryable, patId: string): Promise<string | null> {
  const { rows } = await q.query<{ user_id: string | null }>(
    `SELECT COALESCE(
       (SELECT user_id FROM pats WHERE id = $1),
       (SELECT subject_user_id FROM audit_events
        WHERE pat_id = $1 AND subject_user_id IS NOT NULL ORDER BY id LIMIT 1)) AS user_id`,
    [patId],
  );
  return rows[0]?.user_id ?? null;
}
