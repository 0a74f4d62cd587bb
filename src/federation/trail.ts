/** A trust policy's audit trail: its changes and every federated exchange it decided, newest first. */
import type { AuditRow, TrailPosition } from '../audit/trail.js';
import type { Queryable } from '../db/queryable.js';

export interface FederatedAuditRow extends AuditRow {
  subject_user_id: string | null;
  external_iss: string | null;
  external_sub: string | null;
  external_jti: string | null;
  matched_claims: Record<string, unknown> | null;
}

export async function listTrustPolicyEvents(
  q: Queryable,
  policyId: string,
  limit: number,
  after: TrailPosition | null,
): Promise<FederatedAuditRow[]> {
  const { rows } = await q.query<FederatedAuditRow>(
    `SELECT e.id::text AS id, e.occurred_at, e.action, e.outcome, e.actor_user_id, u.username AS actor_username,
            e.subject_user_id, e.ip, e.user_agent, e.client_id, e.audience, e.scope, e.jti, e.reason,
            e.external_iss, e.external_sub, e.external_jti, e.matched_claims, e.actor_chain, e.dpop_jkt
     FROM audit_events e LEFT JOIN users u ON u.id = e.actor_user_id
     WHERE e.trust_policy_id = $1
       AND ($2::timestamptz IS NULL OR (e.occurred_at, e.id) < ($2::timestamptz, $3::bigint))
     ORDER BY e.occurred_at DESC, e.id DESC LIMIT $4`,
    [policyId, after?.at ?? null, after?.id.toString() ?? null, limit + 1],
  );
  return rows;
}

/** Whether a policy exists or once did (its history outlives it). */
export async function trustPolicyKnown(q: Queryable, policyId: string): Promise<boolean> {
  const { rowCount } = await q.query(
    `SELECT 1 WHERE EXISTS (SELECT 1 FROM trust_policies WHERE id = $1)
        OR EXISTS (SELECT 1 FROM audit_events WHERE trust_policy_id = $1)`,
    [policyId],
  );
  return rowCount > 0;
}
