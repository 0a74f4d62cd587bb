/** SQL of trust policies and of the single-use ledger. Functions take the Queryable first. */
import type { KeysetPosition } from '../db/keyset.js';
import type { Queryable } from '../db/queryable.js';
import type { TrustPolicy } from './policy.js';

const COLUMNS = `id, name, issuer, audience, subject, claims, user_id, scopes, audiences, max_ttl_seconds,
  single_use, created_at, created_by, updated_at, require_dpop`;

const POLICY_COLUMNS = COLUMNS.split(',')
  .map((column) => `p.${column.trim()}`)
  .join(', ');

export type PolicyFields = Omit<TrustPolicy, 'id' | 'created_at' | 'created_by' | 'updated_at'>;

const fieldValues = (p: PolicyFields) => [
  p.name,
  p.issuer,
  p.audience,
  p.subject,
  JSON.stringify(p.claims),
  p.user_id,
  p.scopes,
  p.audiences,
  p.max_ttl_seconds,
  p.single_use,
];

/** Inserts a policy; null when the name is taken (the unique index decides). */
export async function insertTrustPolicy(
  q: Queryable,
  policy: PolicyFields & Pick<TrustPolicy, 'id' | 'created_at' | 'created_by'>,
): Promise<TrustPolicy | null> {
  const { rows } = await q.query<TrustPolicy>(
    `INSERT INTO trust_policies (name, issuer, audience, subject, claims, user_id, scopes, audiences,
       max_ttl_seconds, single_use, id, created_at, created_by, updated_at, require_dpop)
     VALUES ($1, $2, $3, $4, $5::jsonb, $6, $7, $8, $9, $10, $11, $12, $13, $12, $14)
     ON CONFLICT (name) DO NOTHING RETURNING ${COLUMNS}`,
    [...fieldValues(policy), policy.id, policy.created_at, policy.created_by, policy.require_dpop],
  );
  return rows[0] ?? null;
}

/** Replaces a policy's fields; null when it does not exist. A taken name throws 23505. */
export async function updateTrustPolicy(
  q: Queryable,
  id: string,
  policy: PolicyFields,
  at: Date,
): Promise<TrustPolicy | null> {
  const { rows } = await q.query<TrustPolicy>(
    `UPDATE trust_policies SET name = $1, issuer = $2, audience = $3, subject = $4, claims = $5::jsonb,
       user_id = $6, scopes = $7, audiences = $8, max_ttl_seconds = $9, single_use = $10, updated_at = $12,
       require_dpop = $13
     WHERE id = $11 RETURNING ${COLUMNS}`,
    [...fieldValues(policy), id, at, policy.require_dpop],
  );
  return rows[0] ?? null;
}

export async function findTrustPolicy(
  q: Queryable,
  id: string,
  forUpdate = false,
): Promise<TrustPolicy | null> {
  const lock = forUpdate ? ' FOR UPDATE' : '';
  const { rows } = await q.query<TrustPolicy>(`SELECT ${COLUMNS} FROM trust_policies WHERE id = $1${lock}`, [
    id,
  ]);
  return rows[0] ?? null;
}

export async function deleteTrustPolicy(q: Queryable, id: string): Promise<boolean> {
  const { rowCount } = await q.query('DELETE FROM trust_policies WHERE id = $1', [id]);
  return rowCount > 0;
}

/** Newest first; fetches `limit + 1` rows so the caller can tell if more follow. */
export async function listTrustPolicies(q: Queryable, limit: number, after: KeysetPosition | null) {
  const { rows } = await q.query<TrustPolicy>(
    `SELECT ${COLUMNS} FROM trust_policies
     WHERE ($1::timestamptz IS NULL OR (created_at, id) < ($1, $2::uuid))
     ORDER BY created_at DESC, id DESC LIMIT $3`,
    [after?.createdAt ?? null, after?.id ?? null, limit + 1],
  );
  return rows;
}

/** A policy with the state of its user, as the exchange path needs both. */
export interface IssuerPolicy extends TrustPolicy {
  /** The user's current entitlements; null when the user is deleted or disabled. */
  user_entitlements: string[] | null;
}

/** The policies naming any of `$1` (issuers), with their users' entitlements (see policy-lookup.ts). */
export const POLICIES_OF_ISSUERS = `SELECT ${POLICY_COLUMNS},
    CASE WHEN u.deleted_at IS NULL AND u.disabled_at IS NULL THEN u.entitlements END AS user_entitlements
  FROM trust_policies p JOIN users u ON u.id = p.user_id WHERE p.issuer = ANY($1::text[])`;

/**
 * Records the first use of a single-use token; false when `(issuer, jti)` was used before. The
 * primary key decides, in one statement, so it holds across instances. Expired uses are pruned
 * first: their tokens can no longer pass `exp`, so forgetting them lets no replay through.
 */
export async function claimTokenUse(
  q: Queryable,
  issuer: string,
  jti: string,
  expiresAt: Date,
  now: Date,
): Promise<boolean> {
  await q.query('DELETE FROM federated_token_uses WHERE expires_at <= $1', [now]);
  const { rowCount } = await q.query(
    `INSERT INTO federated_token_uses (issuer, jti, expires_at) VALUES ($1, $2, $3)
     ON CONFLICT (issuer, jti) DO NOTHING`,
    [issuer, jti, expiresAt],
  );
  return rowCount > 0;
}
