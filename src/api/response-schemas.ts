/**
 * What the API answers, as zod schemas: the presenters are typed by them, and the OpenAPI
 * document (openapi/) is generated from them. Objects are strict, so a field a presenter adds
 * without describing it here fails the type check and the response validation in the tests.
 */
import { z } from 'zod';
import { WEBHOOK_EVENT_TYPES } from '../audit/webhook-event.js';
import { mayActSchema } from '../delegation/may-act.js';
import { REVOCATION_KINDS } from '../pat/revocation.js';
import { patStatusSchema } from './schemas.js';

const time = z.iso.datetime();
const uuid = z.uuid();

/** A keyset-paginated list. */
export const pageOf = <T extends z.ZodType>(item: T) =>
  z.strictObject({ items: z.array(item), next_cursor: z.string().nullable() });

export const patSchema = z.strictObject({
  id: uuid,
  user_id: uuid,
  name: z.string(),
  hint: z.string(),
  scopes: z.array(z.string()),
  status: patStatusSchema,
  created_at: time,
  /** Who minted it (an administrator's id on a person's PAT: someone else saw its secret). */
  created_by: uuid.nullable(),
  expires_at: time.nullable(),
  last_used_at: time.nullable(),
  last_used_ip: z.string().nullable(),
  revoked_at: time.nullable(),
  revoked_reason: z.string().nullable(),
  /** Who or what revoked it, which decides who may restore it (pat/revocation.ts). */
  revocation_kind: z.enum(REVOCATION_KINDS).nullable(),
  rotated_from: uuid.nullable(),
  /** Null: usable from any address. */
  allowed_cidrs: z.array(z.string()).nullable(),
  /** Exchanges need a DPoP proof (RFC 9449). */
  require_dpop: z.boolean(),
  /** The last 5 distinct client addresses, newest first. */
  last_used_ips: z.array(z.strictObject({ ip: z.string(), at: time })).max(5),
  /** Who may act with it (RFC 8693 §4.4); null: nobody. */
  may_act: mayActSchema.nullable(),
});

/** Create and rotate: the PAT plus its plaintext, in this one response only. */
export const issuedPatSchema = patSchema.extend({ token: z.string() });

export const userSchema = z.strictObject({
  id: uuid,
  username: z.string(),
  admin: z.boolean(),
  service: z.boolean(),
  entitlements: z.array(z.string()),
  disabled: z.boolean(),
  created_at: time,
  /** Where email notices go; null: none are sent. */
  email: z.string().nullable(),
});

export const meSchema = userSchema.extend({
  credential: z.strictObject({
    type: z.enum(['pat', 'jwt']),
    pat_id: uuid.nullable(),
    scopes: z.array(z.string()),
  }),
});

export const scopeSchema = z.strictObject({ name: z.string(), description: z.string() });

export const auditEventSchema = z.strictObject({
  id: z.string(),
  time,
  action: z.string(),
  outcome: z.enum(['success', 'failure']),
  actor: z.strictObject({ id: uuid, username: z.string().nullable() }).nullable(),
  ip: z.string().nullable(),
  user_agent: z.string().nullable(),
  client_id: z.string().nullable(),
  audience: z.string().nullable(),
  scope: z.string().nullable(),
  jti: z.string().nullable(),
  reason: z.string().nullable(),
  /** Delegated exchanges: who acted, current actor first (RFC 8693 §4.1 `act`, flattened). */
  actor_chain: z
    .array(
      z.strictObject({ sub: z.string(), iss: z.string().optional(), trust_policy_id: z.string().optional() }),
    )
    .nullable(),
  /** On the actor PAT's trail: the user this PAT acted for. */
  acted_for: uuid.nullable(),
  /** The DPoP key an exchange was bound to (RFC 9449 §6.1 `cnf.jkt`); null when unbound. */
  dpop_jkt: z.string().nullable(),
});

export const statsSchema = z.strictObject({
  active_pats: z.int(),
  users_with_active_pats: z.int(),
  never_used_pats: z.int(),
  expiring_within_7_days: z.int(),
  revoked_pats: z.int(),
  expired_pats: z.int(),
  exchanges_24h_granted: z.int(),
  exchanges_24h_denied: z.int(),
  /** Of those, exchanges of external OIDC tokens through trust policies. */
  federated_exchanges_24h_granted: z.int(),
  federated_exchanges_24h_denied: z.int(),
});

export const acceptedSchema = z.strictObject({ status: z.literal('accepted') });

export const endpointSchema = z.strictObject({
  id: uuid,
  url: z.string(),
  events: z.array(z.enum(WEBHOOK_EVENT_TYPES)),
  description: z.string().nullable(),
  enabled: z.boolean(),
  disabled_at: time.nullable(),
  disabled_reason: z.string().nullable(),
  consecutive_failures: z.int(),
  created_at: time,
  created_by: uuid.nullable(),
});

/** Creation only: the Standard Webhooks signing secret, shown once. */
export const createdEndpointSchema = endpointSchema.extend({ secret: z.string().regex(/^whsec_/) });

export const deliverySchema = z.strictObject({
  id: z.string(),
  event_id: uuid,
  event_type: z.string(),
  attempt: z.int(),
  attempted_at: time,
  outcome: z.enum(['delivered', 'failed']),
  status_code: z.int().nullable(),
  error: z.string().nullable(),
  duration_ms: z.int(),
});

export const trustPolicySchema = z.strictObject({
  id: uuid,
  name: z.string(),
  issuer: z.string(),
  /** The `aud` the external token must carry. */
  audience: z.string(),
  /** Exact `sub`, or a pattern; null when claims alone decide. */
  subject: z.string().nullable(),
  /** Claim name -> accepted values or patterns (one of them must match). */
  claims: z.record(z.string(), z.array(z.string())),
  /** The Tessera user the exchanged JWT is issued for. */
  user_id: uuid,
  scopes: z.array(z.string()),
  /** Resources the exchanged JWT may be issued for. */
  audiences: z.array(z.string()),
  max_ttl_seconds: z.int(),
  single_use: z.boolean(),
  require_dpop: z.boolean(),
  created_at: time,
  created_by: uuid.nullable(),
  updated_at: time,
});

/** A trust policy's trail: its changes and the federated exchanges it decided. */
export const trustPolicyEventSchema = auditEventSchema.extend({
  /** The Tessera user the exchange was for. */
  user_id: uuid.nullable(),
  /** The external token's identity, on exchanges. */
  external: z
    .strictObject({ iss: z.string().nullable(), sub: z.string().nullable(), jti: z.string().nullable() })
    .nullable(),
  /** The claims the policy matched on, as the token carried them. */
  matched_claims: z.record(z.string(), z.unknown()).nullable(),
});

/**
 * A refused federated exchange (docs/design.md, "Federated refusals for admins"); identical refusals
 * within a minute are one item with a `count` (`first_time` .. `time`), showing the latest token.
 */
export const federationRefusalSchema = z.strictObject({
  id: z.string(),
  /** The latest refusal of this item. */
  time,
  first_time: time,
  count: z.int(),
  /** `no_policy_matched`, `audience_mismatch`, `expired`, ... (federation/refusal.ts). */
  reason: z.string(),
  iss: z.string(),
  sub: z.string().nullable(),
  aud: z.string().nullable(),
  jti: z.string().nullable(),
  /** The issuer's policy with the fewest differing conditions, and its first differing claim. */
  closest_policy: z
    .strictObject({
      id: uuid,
      /** Null once the policy is deleted. */
      name: z.string().nullable(),
      claim: z.string(),
      expected: z.string().nullable(),
      got: z.string().nullable(),
    })
    .nullable(),
});

/** RFC 9457 problem details as every /api/v1 error is sent (errors.ts). */
export const problemSchema = z.strictObject({
  type: z.string(),
  title: z.string(),
  status: z.int(),
  code: z.string(),
  detail: z.string().optional(),
  errors: z.array(z.strictObject({ field: z.string(), message: z.string() })).optional(),
});
