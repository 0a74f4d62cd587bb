/**
 * The refusal trail (docs/design.md, "Federated refusals for admins"): refused federated exchanges of
 * issuers that have policies, aggregated per (issuer, reason, closest policy, differing claim,
 * minute). `/token` is unauthenticated: a row per request would let anyone write without bound,
 * so identical refusals within a minute update one row's count and latest sample instead. The
 * key space is what admins configured (issuers with policies, their policies and claim names)
 * times the closed list of codes, so a flood writes at most that many rows a minute.
 */
import type { AuditEvent } from '../audit/event.js';
import type { Queryable } from '../db/queryable.js';
import type { RefusalFacts } from './refusal.js';

/** What the exchange path knows of one refused external token. */
export interface RefusedExchange {
  at: Date;
  issuer: string;
  subject: string | null;
  tokenId: string | null;
  refusal: RefusalFacts;
}

const clip = (text: string | null, max: number) => (text === null ? null : text.slice(0, max));

const UPSERT = `INSERT INTO federation_refusals AS r (issuer, reason, minute, closest_policy_id, claim, expected, got,
    external_sub, external_aud, external_jti, first_at, last_at)
  VALUES ($1, $2, date_trunc('minute', $3::timestamptz), $4, $5, $6, $7, $8, $9, $10, $3, $3)
  ON CONFLICT ON CONSTRAINT federation_refusals_bucket DO UPDATE SET count = r.count + 1,
    last_at = GREATEST(r.last_at, excluded.last_at), got = excluded.got, external_sub = excluded.external_sub,
    external_aud = excluded.external_aud, external_jti = excluded.external_jti`;

/** Adds one refusal to its minute's row (or starts the row). */
export async function recordRefusal(q: Queryable, refused: RefusedExchange): Promise<void> {
  const { refusal } = refused;
  const closest = refusal.closest;
  await q.query(
    UPSERT,
    [
      clip(refused.issuer, 512),
      refusal.code,
      refused.at,
      closest?.policyId ?? null,
      closest?.differing.claim ?? null,
      closest?.differing.expected ?? null,
      closest?.differing.got ?? null,
      clip(refused.subject, 512),
      clip(refusal.audience, 512),
      clip(refused.tokenId, 256),
    ],
    'federation-refusal-upsert',
  );
}

export interface RefusalRow {
  id: string;
  issuer: string;
  reason: string;
  closest_policy_id: string | null;
  closest_policy_name: string | null;
  claim: string | null;
  expected: string | null;
  got: string | null;
  external_sub: string | null;
  external_aud: string | null;
  external_jti: string | null;
  first_at: Date;
  last_at: Date;
  count: number;
}

export interface RefusalQuery {
  issuer?: string | undefined;
  since?: Date | undefined;
  limit: number;
  /** The id of the last row of the previous page. */
  before?: bigint | undefined;
}

/** Newest first (by row); fetches `limit + 1` so the caller can tell whether more follow. */
export async function listRefusals(q: Queryable, query: RefusalQuery): Promise<RefusalRow[]> {
  const { rows } = await q.query<RefusalRow>(
    `SELECT r.id::text AS id, r.issuer, r.reason, r.closest_policy_id, p.name AS closest_policy_name, r.claim,
       r.expected, r.got, r.external_sub, r.external_aud, r.external_jti, r.first_at, r.last_at, r.count
     FROM federation_refusals r LEFT JOIN trust_policies p ON p.id = r.closest_policy_id
     WHERE ($1::text IS NULL OR r.issuer = $1) AND ($2::timestamptz IS NULL OR r.last_at >= $2)
       AND ($3::bigint IS NULL OR r.id < $3)
     ORDER BY r.id DESC LIMIT $4`,
    [query.issuer ?? null, query.since ?? null, query.before?.toString() ?? null, query.limit + 1],
  );
  return rows;
}

/** The refusal an exchange audit row describes, when it belongs in the trail. */
export function refusedExchangeOf(event: AuditEvent): RefusedExchange | null {
  const federation = event.federation;
  if (event.outcome !== 'failure' || !federation?.refusal || !federation.issuer) return null;
  return {
    at: event.at,
    issuer: federation.issuer,
    subject: federation.subject ?? null,
    tokenId: federation.tokenId ?? null,
    refusal: federation.refusal,
  };
}
