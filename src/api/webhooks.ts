/**
 * `/api/v1/admin/webhooks`: webhook endpoints and their delivery log (scope `tessera:admin`).
 * The signing secret is in the creation response only; lists and reads never carry it.
 */
import type { Router } from '@koa/router';
import { z } from 'zod';
import { WEBHOOK_EVENT_TYPES } from '../audit/webhook-event.js';
import { requireScope } from '../auth/bearer.js';
import { toPage } from '../db/keyset.js';
import { invalidRequest, notFound } from '../errors.js';
import { jsonBody } from '../http/json-body.js';
import { pageQuery, pathId } from '../http/params.js';
import { parseBody, parseQuery } from '../http/parse.js';
import { scrubLeakedText } from '../pat/service.js';
import { ADMIN_SCOPE } from '../scopes.js';
import { patContext } from '../services.js';
import { findEndpoint, listDeliveries, listEndpoints } from '../webhooks/repository.js';
import { changeEndpoint, createEndpoint, removeEndpoint } from '../webhooks/service.js';
import { endpointUrlProblem } from '../webhooks/url.js';
import type { ApiDeps } from './context.js';
import { actorOf } from './http.js';
import { exactRouter } from './routing.js';
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

export function webhookRoutes(deps: ApiDeps): Router {
  const hooks = { db: deps.db, clock: deps.clock };
  const admin = requireScope(ADMIN_SCOPE);
  const router = exactRouter();
  const endpointId = (id: string | undefined) => pathId(id, 'webhook endpoint');
  /** Literal private addresses and plain http are refused when registered, not only when sent. */
  const checkDestination = (url: string | undefined) => {
    const problem = url && endpointUrlProblem(url, deps.config.webhooks.allowPrivateNetworks);
    if (problem) throw invalidRequest([{ field: 'url', message: problem }]);
  };

  router.get('/admin/webhooks', admin, async (ctx) => {
    const query = parseQuery(ctx, endpointListQuery);
    const rows = await listEndpoints(deps.db, query.limit, query.cursor ?? null);
    ctx.body = toPage(rows, query.limit, presentEndpoint);
  });

  router.post('/admin/webhooks', admin, jsonBody(), async (ctx) => {
    const body = parseBody(ctx, newEndpointBody);
    checkDestination(body.url);
    if (body.description)
      body.description = await scrubLeakedText(patContext(deps), body.description, actorOf(ctx).meta);
    const created = await createEndpoint(hooks, body, actorOf(ctx));
    ctx.status = 201;
    ctx.set('Cache-Control', 'no-store');
    ctx.body = presentCreatedEndpoint(created);
  });

  router.get('/admin/webhooks/:id', admin, async (ctx) => {
    const endpoint = await findEndpoint(deps.db, endpointId(ctx.params.id));
    if (!endpoint) throw notFound('webhook endpoint');
    ctx.body = presentEndpoint(endpoint);
  });

  router.patch('/admin/webhooks/:id', admin, jsonBody(), async (ctx) => {
    const body = parseBody(ctx, endpointPatchBody);
    checkDestination(body.url);
    if (body.description)
      body.description = await scrubLeakedText(patContext(deps), body.description, actorOf(ctx).meta);
    ctx.body = presentEndpoint(await changeEndpoint(hooks, endpointId(ctx.params.id), body, actorOf(ctx)));
  });

  router.delete('/admin/webhooks/:id', admin, async (ctx) => {
    await removeEndpoint(hooks, endpointId(ctx.params.id), actorOf(ctx));
    ctx.status = 204;
  });

  router.get('/admin/webhooks/:id/deliveries', admin, async (ctx) => {
    const id = endpointId(ctx.params.id);
    const query = parseQuery(ctx, deliveriesQuery);
    if (!(await findEndpoint(deps.db, id))) throw notFound('webhook endpoint');
    const rows = await listDeliveries(deps.db, id, query.limit, query.cursor ?? null);
    const page = rows.slice(0, query.limit);
    ctx.body = {
      items: page.map(presentDelivery),
      next_cursor: rows.length > query.limit ? (page.at(-1)?.id ?? null) : null,
    };
  });

  return router;
}
