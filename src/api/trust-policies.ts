/**
 * `/api/v1/admin/trust-policies`: which external OIDC tokens may be exchanged, for whom and with
 * which scopes (docs/design.md, "Federated subject tokens"). Scope `tessera:admin`.
 */
import { z } from 'zod';
import { encodeTrailCursor, toPage } from '../db/keyset.js';
import { notFound } from '../errors.js';
import type { TrustPolicy } from '../federation/policy.js';
import type { PolicyFields } from '../federation/repository.js';
import { findTrustPolicy, listTrustPolicies } from '../federation/repository.js';
import { changeTrustPolicy, createTrustPolicy, removeTrustPolicy } from '../federation/service.js';
import { type FederatedAuditRow, listTrustPolicyEvents, trustPolicyKnown } from '../federation/trail.js';
import { eventsQuery, pageQuery, pathId } from '../http/params.js';
import { ADMIN_SCOPE } from '../scopes.js';
import type { ApiDeps } from './context.js';
import { presentEvent } from './events.js';
import { actorOf } from './http.js';
import { type Operation, operation } from './operation.js';
import * as out from './response-schemas.js';

const text = z.string().min(1).max(512);
const claimValues = z
  .union([text, z.array(text).min(1).max(20)])
  .transform((v) => (Array.isArray(v) ? v : [v]));
const fields = {
  name: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/, {
    error: 'expected 1-63 characters: letters, digits, . _ -, starting with a letter or digit',
  }),
  issuer: z.url({ error: 'expected an absolute URL' }).max(512),
  audience: text,
  subject: text.nullable(),
  claims: z
    .record(z.string().regex(/^[A-Za-z0-9_.:/-]{1,64}$/, { error: 'expected a claim name' }), claimValues)
    .refine((claims) => Object.keys(claims).length <= 20, { error: 'at most 20 claims' }),
  user_id: z.uuid(),
  scopes: z
    .array(z.string().max(64))
    .min(1)
    .max(50)
    .transform((scopes) => [...new Set(scopes)]),
  audiences: z.array(z.url()).min(1).max(20),
  max_ttl_seconds: z.int().min(60).max(86400),
  single_use: z.boolean(),
  /** Exchanges through the policy need a DPoP proof (RFC 9449). */
  require_dpop: z.boolean(),
};
export const newTrustPolicyBody = z.strictObject({
  ...fields,
  audience: fields.audience.optional(),
  subject: fields.subject.optional(),
  claims: fields.claims.optional(),
  audiences: fields.audiences.optional(),
  max_ttl_seconds: fields.max_ttl_seconds.default(900),
  single_use: fields.single_use.default(false),
  require_dpop: fields.require_dpop.default(false),
});
export const trustPolicyChangeBody = z.strictObject(fields).partial();
export const listQuery = z.object(pageQuery);

const iso = (date: Date) => date.toISOString();

export function presentTrustPolicy(p: TrustPolicy): z.output<typeof out.trustPolicySchema> {
  return {
    id: p.id,
    name: p.name,
    issuer: p.issuer,
    audience: p.audience,
    subject: p.subject,
    claims: p.claims,
    user_id: p.user_id,
    scopes: p.scopes,
    audiences: p.audiences,
    max_ttl_seconds: p.max_ttl_seconds,
    single_use: p.single_use,
    require_dpop: p.require_dpop,
    created_at: iso(p.created_at),
    created_by: p.created_by,
    updated_at: iso(p.updated_at),
  };
}

function presentPolicyEvent(row: FederatedAuditRow): z.output<typeof out.trustPolicyEventSchema> {
  const external = row.external_iss || row.external_sub || row.external_jti;
  return {
    ...presentEvent(row),
    user_id: row.subject_user_id,
    external: external ? { iss: row.external_iss, sub: row.external_sub, jti: row.external_jti } : null,
    matched_claims: row.matched_claims,
  };
}

const policiesOf = (deps: ApiDeps) => ({
  db: deps.db,
  clock: deps.clock,
  scopes: deps.config.scopes,
  resources: deps.config.resources,
  issuer: deps.config.issuer,
});
const idOf = (id: string | undefined) => pathId(id, 'trust policy');
const policySchema = out.trustPolicySchema;

export const trustPolicyOperations: Operation[] = [
  operation({
    method: 'get',
    path: '/admin/trust-policies',
    summary: 'Federation trust policies',
    tag: 'trust-policies',
    scope: ADMIN_SCOPE,
    query: listQuery,
    success: { status: 200, description: 'a page of policies', schema: out.pageOf(policySchema) },
    async handle(ctx, { query }, deps) {
      const rows = await listTrustPolicies(deps.db, query.limit, query.cursor ?? null);
      ctx.body = toPage(rows, query.limit, presentTrustPolicy);
    },
  }),
  operation({
    method: 'post',
    path: '/admin/trust-policies',
    summary: "Trust an external issuer's tokens for one user, with these scopes",
    tag: 'trust-policies',
    scope: ADMIN_SCOPE,
    body: newTrustPolicyBody,
    success: { status: 201, description: 'the policy', schema: policySchema },
    problems: ['trust_policy_name_taken'],
    async handle(ctx, { body }, deps) {
      const policy: PolicyFields = {
        ...body,
        audience: body.audience ?? deps.config.issuer,
        subject: body.subject ?? null,
        claims: body.claims ?? {},
        audiences: body.audiences ?? [deps.config.defaultAudience],
      };
      ctx.body = presentTrustPolicy(await createTrustPolicy(policiesOf(deps), policy, actorOf(ctx)));
    },
  }),
  operation({
    method: 'get',
    path: '/admin/trust-policies/{id}',
    summary: 'One trust policy',
    tag: 'trust-policies',
    scope: ADMIN_SCOPE,
    success: { status: 200, description: 'the policy', schema: policySchema },
    async handle(ctx, _input, deps) {
      const policy = await findTrustPolicy(deps.db, idOf(ctx.params.id));
      if (!policy) throw notFound('trust policy');
      ctx.body = presentTrustPolicy(policy);
    },
  }),
  operation({
    method: 'patch',
    path: '/admin/trust-policies/{id}',
    summary: 'Change a trust policy (the result is checked as a new one would be)',
    tag: 'trust-policies',
    scope: ADMIN_SCOPE,
    body: trustPolicyChangeBody,
    success: { status: 200, description: 'the policy', schema: policySchema },
    problems: ['trust_policy_name_taken'],
    async handle(ctx, { body }, deps) {
      const policy = await changeTrustPolicy(policiesOf(deps), idOf(ctx.params.id), body, actorOf(ctx));
      ctx.body = presentTrustPolicy(policy);
    },
  }),
  operation({
    method: 'delete',
    path: '/admin/trust-policies/{id}',
    summary: 'Delete a trust policy (its history stays)',
    tag: 'trust-policies',
    scope: ADMIN_SCOPE,
    success: { status: 204, description: 'deleted' },
    async handle(ctx, _input, deps) {
      await removeTrustPolicy(policiesOf(deps), idOf(ctx.params.id), actorOf(ctx));
    },
  }),
  operation({
    method: 'get',
    path: '/admin/trust-policies/{id}/events',
    summary: "A trust policy's audit trail: its changes and the exchanges it decided",
    tag: 'trust-policies',
    scope: ADMIN_SCOPE,
    query: eventsQuery,
    success: {
      status: 200,
      description: 'a page of events',
      schema: out.pageOf(out.trustPolicyEventSchema),
    },
    async handle(ctx, { query }, deps) {
      const id = idOf(ctx.params.id);
      if (!(await trustPolicyKnown(deps.db, id))) throw notFound('trust policy');
      // As on a PAT's trail (events.ts): this instance's batched exchange rows first.
      await deps.flushAudit();
      const rows = await listTrustPolicyEvents(deps.db, id, query.limit, query.cursor ?? null);
      const page = rows.slice(0, query.limit);
      const last = page.at(-1);
      ctx.body = {
        items: page.map(presentPolicyEvent),
        next_cursor: rows.length > query.limit && last ? encodeTrailCursor(last) : null,
      };
    },
  }),
];
