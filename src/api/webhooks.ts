/**
 * `/api/v1/admin/webhooks`: webhook endpoints and their delivery log (scope `tessera:admin`).
 * The signing secret is in the creation response only; lists and reads never carry it.
 */
import type { Context } from 'koa';
import { z } from 'zod';
import { WEBHOOK_EVENT_TYPES } from '../audit/webhook-event.js';
import { toPage } from '../db/keyset.js';
import { invalidRequest, notFound } from '../errors.js';
import { pageQuery, pathId } from '../http/params.js';
import { scrubLeakedText } from '../pat/service.js';
import { ADMIN_SCOPE } from '../scopes.js';
import { patContext } from '../services.js';
import { findEndpoint, listDeliveries, listEndpoints } from '../webhooks/repository.js';
import { changeEndpoint, createEndpoint, removeEndpoint } from '../webhooks/service.js';
import { endpointUrlProblem } from '../webhooks/url.js';
import type { ApiDeps } from './context.js';
import { actorOf } from './http.js';
import { type Operation, operation } from './operation.js';
import * as out from './response-schemas.js';
import { presentCreatedEndpoint, presentDelivery, presentEndpoint } from './webhook-presenters.js';

export const endpointUrl = z
  .string()
  .max(2048)
  .superRefine((url, ctx) => {
    // Its shape only: whether private addresses are allowed is the server's config (see below).
    const problem = endpointUrlProblem(url, true);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  });
export const webhookEvents = z
  .array(z.enum(WEBHOOK_EVENT_TYPES))
  .min(1)
  .max(WEBHOOK_EVENT_TYPES.length * 2);
const description = z.string().trim().max(200).nullable().optional();

export const newEndpointBody = z.strictObject({ url: endpointUrl, events: webhookEvents, description });
export const endpointPatchBody = z.strictObject({
  url: endpointUrl.optional(),
  events: webhookEvents.optional(),
  description,
  enabled: z.boolean().optional(),
});
export const endpointListQuery = z.object(pageQuery);

/** Delivery log cursors are the last row's id, in decimal. */
export const deliveriesQuery = z.object({
  limit: pageQuery.limit,
  cursor: z
    .string()
    .regex(/^[1-9]\d{0,17}$/, { error: 'not a cursor this server issued' })
    .transform((cursor) => BigInt(cursor))
    .optional(),
});

const hooksOf = (deps: ApiDeps) => ({ db: deps.db, clock: deps.clock });
const endpointId = (id: string | undefined) => pathId(id, 'webhook endpoint');

/** Literal private addresses and plain http are refused when registered, not only when sent. */
function checkDestination(deps: ApiDeps, url: string | undefined) {
  const problem = url && endpointUrlProblem(url, deps.config.webhooks.allowPrivateNetworks);
  if (problem) throw invalidRequest([{ field: 'url', message: problem }]);
}

/** A description naming a PAT is stored redacted, and that PAT revoked as leaked. */
async function scrubDescription(
  ctx: Context,
  deps: ApiDeps,
  body: { description?: string | null | undefined },
) {
  if (body.description)
    body.description = await scrubLeakedText(patContext(deps), body.description, actorOf(ctx).meta);
}

export const webhookOperations: Operation[] = [
  operation({
    method: 'get',
    path: '/admin/webhooks',
    summary: 'Webhook endpoints',
    tag: 'webhooks',
    scope: ADMIN_SCOPE,
    query: endpointListQuery,
    success: { status: 200, description: 'a page of endpoints', schema: out.pageOf(out.endpointSchema) },
    async handle(ctx, { query }, deps) {
      const rows = await listEndpoints(deps.db, query.limit, query.cursor ?? null);
      ctx.body = toPage(rows, query.limit, presentEndpoint);
    },
  }),
  operation({
    method: 'post',
    path: '/admin/webhooks',
    summary: 'Register an endpoint (its signing secret is in this response only)',
    tag: 'webhooks',
    scope: ADMIN_SCOPE,
    body: newEndpointBody,
    success: {
      status: 201,
      description: 'the endpoint and its secret',
      schema: out.createdEndpointSchema,
      noStore: true,
    },
    async handle(ctx, { body }, deps) {
      checkDestination(deps, body.url);
      await scrubDescription(ctx, deps, body);
      ctx.body = presentCreatedEndpoint(await createEndpoint(hooksOf(deps), body, actorOf(ctx)));
    },
  }),
  operation({
    method: 'get',
    path: '/admin/webhooks/{id}',
    summary: 'One endpoint',
    tag: 'webhooks',
    scope: ADMIN_SCOPE,
    success: { status: 200, description: 'the endpoint', schema: out.endpointSchema },
    async handle(ctx, _input, deps) {
      const endpoint = await findEndpoint(deps.db, endpointId(ctx.params.id));
      if (!endpoint) throw notFound('webhook endpoint');
      ctx.body = presentEndpoint(endpoint);
    },
  }),
  operation({
    method: 'patch',
    path: '/admin/webhooks/{id}',
    summary: 'Change an endpoint; `enabled: true` re-enables it',
    tag: 'webhooks',
    scope: ADMIN_SCOPE,
    body: endpointPatchBody,
    success: { status: 200, description: 'the endpoint', schema: out.endpointSchema },
    async handle(ctx, { body }, deps) {
      checkDestination(deps, body.url);
      await scrubDescription(ctx, deps, body);
      const id = endpointId(ctx.params.id);
      ctx.body = presentEndpoint(await changeEndpoint(hooksOf(deps), id, body, actorOf(ctx)));
    },
  }),
  operation({
    method: 'delete',
    path: '/admin/webhooks/{id}',
    summary: 'Delete an endpoint and its pending deliveries',
    tag: 'webhooks',
    scope: ADMIN_SCOPE,
    success: { status: 204, description: 'deleted' },
    async handle(ctx, _input, deps) {
      await removeEndpoint(hooksOf(deps), endpointId(ctx.params.id), actorOf(ctx));
    },
  }),
  operation({
    method: 'get',
    path: '/admin/webhooks/{id}/deliveries',
    summary: "An endpoint's delivery log",
    tag: 'webhooks',
    scope: ADMIN_SCOPE,
    query: deliveriesQuery,
    success: {
      status: 200,
      description: 'a page of delivery attempts',
      schema: out.pageOf(out.deliverySchema),
    },
    async handle(ctx, { query }, deps) {
      const id = endpointId(ctx.params.id);
      if (!(await findEndpoint(deps.db, id))) throw notFound('webhook endpoint');
      const rows = await listDeliveries(deps.db, id, query.limit, query.cursor ?? null);
      const page = rows.slice(0, query.limit);
      ctx.body = {
        items: page.map(presentDelivery),
        next_cursor: rows.length > query.limit ? (page.at(-1)?.id ?? null) : null,
      };
    },
  }),
];
