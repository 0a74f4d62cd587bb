/**
 * "A change happened": the audit event every change and exchange writes, and how it is stored as
 * an `audit_events` row. The vocabulary the rest of the write side (record.ts, the webhook and
 * email outbox rules) is built from.
 */
import type { Queryable } from '../db/queryable.js';
import type { RefusalFacts } from '../federation/refusal.js';
import type { RevocationKind } from '../pat/revocation.js';

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
  | 'pat.updated'
  | 'pat.expiring'
  | 'pat.expired'
  | 'user.created'
  | 'user.disabled'
  | 'user.enabled'
  | 'user.updated'
  | 'user.deleted'
  | 'token.exchanged'
  | 'trust_policy.created'
  | 'trust_policy.updated'
  | 'trust_policy.deleted'
  | 'api.authenticated'
  | 'webhook.created'
  | 'webhook.updated'
  | 'webhook.deleted'
  | 'admin.recovered'
  | 'console.signed_in'
  | 'console.sign_in_refused'
  | 'console.signed_out';

/** A federated exchange's external token, or a trust policy change (docs/design.md, "Federated subject tokens"). */
export interface FederationAudit {
  /** False for a trust policy change: the row is about the policy, not an exchange. */
  exchange: boolean;
  trustPolicyId: string | null;
  issuer?: string | null;
  subject?: string | null;
  tokenId?: string | null;
  /** The claims the policy matched on, with the token's values. */
  matchedClaims?: Record<string, unknown> | null;
  /** A refused exchange's code and closest policy, for the refusal trail (federation/refusal-trail.ts). */
  refusal?: RefusalFacts | null;
}

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
  federation?: FederationAudit | null;
  /** The PAT the change is about, as notices and webhook payloads name it (never its secret). */
  token?: { name: string; hint: string } | null;
  /** `pat.revoked`: why, as stored in `pats.revocation_kind` (a leak report is `leak`). */
  revocationKind?: RevocationKind | null;
  /** `pat.expiring`: the threshold this notice is for. */
  daysBeforeExpiry?: number | null;
  /** The `act` claim of a delegated exchange (RFC 8693 §4.1), current actor outermost. */
  actorChain?: unknown;
  /** The actor's PAT: the exchange shows on its trail as well. */
  actorPatId?: string | null;
  /** The DPoP key thumbprint of the exchange's proof (RFC 9449 §6.1 `cnf.jkt`). */
  dpopJkt?: string | null;
}

/**
 * Text as the audit row can hold it: PostgreSQL text cannot store NUL, and a caller-supplied
 * value (a claimed client id, a user agent) must never make the audit write fail.
 */
function storable(text: string | null | undefined, max = 512): string | null {
  return text ? text.replaceAll('\u0000', '\uFFFD').slice(0, max) : null;
}

/** A string jsonb can hold: NUL and lone surrogates (which JSON.stringify escapes, jsonb refuses) replaced. */
const jsonbSafe = (_key: string, value: unknown) =>
  typeof value === 'string'
    ? value.replaceAll('\u0000', '\uFFFD').replace(/\p{Surrogate}/gu, '\uFFFD')
    : value;

/** The matched claims as JSON text, storable and bounded (values come from an external token). */
function matchedClaimsJson(claims: Record<string, unknown> | null | undefined): string | null {
  if (!claims) return null;
  const json = JSON.stringify(claims, jsonbSafe);
  return json.length <= 4096 ? json : JSON.stringify({ truncated: true });
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
    event.federation?.exchange ?? false,
    event.federation?.trustPolicyId ?? null,
    storable(event.federation?.issuer),
    storable(event.federation?.subject),
    storable(event.federation?.tokenId, 256),
    matchedClaimsJson(event.federation?.matchedClaims),
    event.actorChain ? JSON.stringify(event.actorChain, jsonbSafe).slice(0, 4096) : null,
    event.actorPatId ?? null,
    storable(event.dpopJkt, 128),
  ];
}

/**
 * One fixed statement for any number of rows (a column per array, `unnest` turns them into
 * rows), so PostgreSQL prepares it once per connection instead of parsing a new
 * `VALUES (...), (...)` text, with 19 parameters a row, for every batch size.
 */
const INSERT_ROWS = `INSERT INTO audit_events (occurred_at, action, outcome, actor_user_id, subject_user_id,
    pat_id, ip, user_agent, client_id, audience, scope, jti, reason,
    federated, trust_policy_id, external_iss, external_sub, external_jti, matched_claims, actor_chain, actor_pat_id,
    dpop_jkt)
  SELECT r.at, r.action, r.outcome, r.actor, r.subject, r.pat, r.ip, r.agent, r.client, r.audience, r.scope,
    r.jti, r.reason, r.federated, r.policy, r.iss, r.sub, r.ext_jti, r.claims::jsonb, r.act::jsonb, r.actor_pat,
    r.jkt
  FROM unnest($1::timestamptz[], $2::text[], $3::text[], $4::uuid[], $5::uuid[], $6::uuid[],
    $7::text[], $8::text[], $9::text[], $10::text[], $11::text[], $12::text[], $13::text[],
    $14::boolean[], $15::uuid[], $16::text[], $17::text[], $18::text[], $19::text[], $20::text[], $21::uuid[],
    $22::text[])
    AS r(at, action, outcome, actor, subject, pat, ip, agent, client, audience, scope, jti, reason,
         federated, policy, iss, sub, ext_jti, claims, act, actor_pat, jkt)`;

/** Appends rows to the audit trail in one statement. Audit rows are never updated or deleted. */
export async function insertAuditRows(q: Queryable, events: readonly AuditEvent[]): Promise<void> {
  if (events.length === 0) return;
  const rows = events.map(rowValues);
  const columns = (rows[0] as unknown[]).map((_, j) => rows.map((row) => row[j]));
  await q.query(INSERT_ROWS, columns, 'insert-audit-rows');
}
