/**
 * `/api/v1/admin/trust-policies`: which external OIDC tokens may be exchanged, for whom and with
 * which scopes (docs/design.md, "Federated subject tokens"). Scope `tessera:admin`.
 */
import type { Router } from '@koa/router';
import { z } from 'zod';
import { requireScope } from '../auth/bearer.js';
import { encodeTrailCursor, toPage } from '../db/keyset.js';
import { notFound } from '../errors.js';
import type { TrustPolicy } from '../federation/policy.js';
import type { PolicyFields } from '../federation/repository.js';
import { findTrustPolicy, listTrustPolicies } from '../federation/repository.js';
import { changeTrustPolicy, createTrustPolicy, removeTrustPolicy } from '../federation/service.js';
import { type FederatedAuditRow, listTrustPolicyEvents, trustPolicyKnown } from '../federation/trail.js';
import { jsonBody } from '../http/json-body.js';
import { eventsQuery, pageQuery, pathId } from '../http/params.js';
import { parseBody, parseQuery } from '../http/parse.js';
import { ADMIN_SCOPE } from '../scopes.js';
import type { ApiDeps } from './context.js';
import { presentEvent } from './events.js';
import { actorOf } from './http.js';
import type { trustPolicyEventSchema, trustPolicySchema } from './response-schemas.js';
import { exactRouter } from './routing.js';

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

export function presentTrustPolicy(p: TrustPolicy): z.output<typeof trustPolicySchema> {
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

function presentPolicyEvent(row: FederatedAuditRow): z.output<typeof trustPolicyEventSchema> {
  const external = row.external_iss || row.external_sub || row.external_jti;
  return {
    ...presentEvent(row),
    user_id: row.subject_user_id,
    external: external ? { iss: row.external_iss, sub: row.external_sub, jti: row.external_jti } : null,
    matched_claims: row.matched_claims,
  };
}

export function trustPolicyRoutes(deps: ApiDeps): Router {
  const admin = requireScope(ADMIN_SCOPE);
  const context = {
    db: deps.db,
    clock: deps.clock,
    scopes: deps.config.scopes,
    resources: deps.config.resources,
    issuer: deps.config.issuer,
  };
  const router = exactRouter();
  const base = '/admin/trust-policies';
  const idOf = (id: string | undefined) => pathId(id, 'trust policy');

  router.post(base, admin, jsonBody(), async (ctx) => {
    const body = parseBody(ctx, newTrustPolicyBody);
    const policy: PolicyFields = {
      ...body,
      audience: body.audience ?? deps.config.issuer,
      subject: body.subject ?? null,
      claims: body.claims ?? {},
      audiences: body.audiences ?? [deps.config.defaultAudience],
    };
    ctx.status = 201;
    ctx.body = presentTrustPolicy(await createTrustPolicy(context, policy, actorOf(ctx)));
  });

  router.get(base, admin, async (ctx) => {
    const query = parseQuery(ctx, listQuery);
    const rows = await listTrustPolicies(deps.db, query.limit, query.cursor ?? null);
    ctx.body = toPage(rows, query.limit, presentTrustPolicy);
  });

  router.get(`${base}/:id`, admin, async (ctx) => {
    const policy = await findTrustPolicy(deps.db, idOf(ctx.params.id));
    if (!policy) throw notFound('trust policy');
    ctx.body = presentTrustPolicy(policy);
  });

  router.patch(`${base}/:id`, admin, jsonBody(), async (ctx) => {
    const change = parseBody(ctx, trustPolicyChangeBody);
    const policy = await changeTrustPolicy(context, idOf(ctx.params.id), change, actorOf(ctx));
    ctx.body = presentTrustPolicy(policy);
  });

  router.delete(`${base}/:id`, admin, async (ctx) => {
    await removeTrustPolicy(context, idOf(ctx.params.id), actorOf(ctx));
    ctx.status = 204;
  });

  router.get(`${base}/:id/events`, admin, async (ctx) => {
    const id = idOf(ctx.params.id);
    if (!(await trustPolicyKnown(deps.db, id))) throw notFound('trust policy');
    const query = parseQuery(ctx, eventsQuery);
    const rows = await listTrustPolicyEvents(deps.db, id, query.limit, query.cursor ?? null);
    const page = rows.slice(0, query.limit);
    const last = page.at(-1);
    ctx.body = {
      items: page.map(presentPolicyEvent),
      next_cursor: rows.length > query.limit && last ? encodeTrailCursor(last) : null,
    };
  });

  return router;
}
