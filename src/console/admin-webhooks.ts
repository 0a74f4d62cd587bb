/**
 * `/console/admin/webhooks`: list, create (the signing secret shown once, on a page reached by
 * 303 as a new PAT's is), edit, delete, re-enable, and each endpoint's delivery log. The form
 * becomes the API's request body (webhook-form.ts); webhooks/service.ts makes every change.
 * Mounted inside adminRoutes, so the admin-scope guard covers every route here.
 */
import { Router } from '@koa/router';
import type { Context } from 'koa';
import { z } from 'zod';
import { deliveriesQuery } from '../api/webhooks.js';
import { WEBHOOK_EVENT_TYPES } from '../audit/webhook-event.js';
import { toPage } from '../db/keyset.js';
import { type FieldError, notFound } from '../errors.js';
import { pageQuery, pathId } from '../http/params.js';
import { parseQuery } from '../http/parse.js';
import { requestMeta } from '../http/request-meta.js';
import { holdToken, takeToken } from '../session/reveal.js';
import { findUserByIdIncludingDeleted } from '../users/repository.js';
import { type EndpointRow, findEndpoint, listDeliveries, listEndpoints } from '../webhooks/repository.js';
import { changeEndpoint, createEndpoint, removeEndpoint } from '../webhooks/service.js';
import { actorOfSession, type ConsoleDeps, seeOther, sendPage, sessionOf, viewerOf } from './context.js';
import { formStatus, problemFields } from './field-errors.js';
import { parseForm } from './form.js';
import { errorPage } from './views/error.js';
import { confirmPage } from './views/token.js';
import { webhookFormPage, webhookPage, webhookSecretPage, webhooksPage } from './views/webhooks.js';
import { endpointChange, newEndpointRequest, type WebhookForm, webhookForm } from './webhook-form.js';

/** Links are absolute; routes are relative to adminRoutes' prefix `/console/admin`. */
const BASE = '/console/admin/webhooks';
const ROUTE = '/webhooks';

/** Success messages after a change, by a fixed key (the query never carries text to show). */
const NOTICES: Record<string, string> = {
  saved: 'Webhook saved.',
  enabled: 'Webhook enabled again: deliveries resume with the next event.',
};

export function adminWebhookRoutes(deps: ConsoleDeps): Router {
  const router = new Router({ sensitive: true });
  const hooks = { db: deps.db, clock: deps.clock };
  const endpointOr404 = async (ctx: Context) => {
    const endpoint = await findEndpoint(deps.db, pathId(ctx.params.id, 'webhook endpoint'));
    if (!endpoint) throw notFound('webhook endpoint');
    return endpoint;
  };
  const renderForm = (
    ctx: Context,
    values: WebhookForm,
    errors: FieldError[],
    status: number,
    editing?: EndpointRow,
  ) => {
    const props = { viewer: viewerOf(ctx), values, errors, events: WEBHOOK_EVENT_TYPES };
    const page = webhookFormPage({ ...props, editing: editing && { id: editing.id, url: editing.url } });
    sendPage(ctx, page, status);
  };

  router.get(ROUTE, async (ctx) => {
    const query = parseQuery(ctx, z.object(pageQuery));
    const page = toPage(
      await listEndpoints(deps.db, query.limit, query.cursor ?? null),
      query.limit,
      (e) => e,
    );
    sendPage(
      ctx,
      webhooksPage({ viewer: viewerOf(ctx), endpoints: page.items, nextCursor: page.next_cursor }),
    );
  });

  router.get(`${ROUTE}/new`, (ctx) => renderForm(ctx, { url: '', events: [], description: '' }, [], 200));

  router.post(ROUTE, async (ctx) => {
    const form = await parseForm(ctx, webhookForm);
    try {
      const request = await newEndpointRequest(deps, form, requestMeta(ctx));
      const { endpoint, secret } = await createEndpoint(hooks, request, actorOfSession(ctx));
      // Held sealed for one showing, then 303: a reload repeats the GET, never the POST.
      const held = { patId: endpoint.id, token: secret, back: `${BASE}/${endpoint.id}` };
      const slot = await holdToken(deps.db, deps.clock, sessionOf(ctx), held, 'webhook');
      seeOther(ctx, `${BASE}/created/${slot}`);
    } catch (error) {
      renderForm(ctx, form, problemFields(error), formStatus(error));
    }
  });

  router.get(`${ROUTE}/created/:slot`, async (ctx) => {
    const slot = pathId(ctx.params.slot, 'page');
    const held = await takeToken(deps.db, deps.clock, sessionOf(ctx), slot, 'webhook');
    const endpoint = held ? await findEndpoint(deps.db, held.patId) : null;
    if (!held || !endpoint) {
      const detail =
        'A signing secret is shown once, on the page that follows its creation. Delete the webhook and create it again if you lost it.';
      const page = errorPage({
        status: 410,
        title: 'This secret was already shown',
        detail,
        viewer: viewerOf(ctx),
      });
      return sendPage(ctx, page, 410);
    }
    sendPage(ctx, webhookSecretPage({ viewer: viewerOf(ctx), endpoint, secret: held.token }));
  });

  router.get(`${ROUTE}/:id`, async (ctx) => {
    const endpoint = await endpointOr404(ctx);
    const query = parseQuery(ctx, z.object({ ...deliveriesQuery.shape, done: z.string().optional() }));
    const rows = await listDeliveries(deps.db, endpoint.id, query.limit, query.cursor ?? null);
    const deliveries = rows.slice(0, query.limit);
    const nextCursor = rows.length > query.limit ? (deliveries.at(-1)?.id ?? null) : null;
    const creator = endpoint.created_by && (await findUserByIdIncludingDeleted(deps.db, endpoint.created_by));
    const notice = query.done ? NOTICES[query.done] : undefined;
    const props = { viewer: viewerOf(ctx), endpoint, deliveries, nextCursor, notice, now: deps.clock() };
    sendPage(ctx, webhookPage({ ...props, createdBy: creator ? creator.username : null }));
  });

  router.get(`${ROUTE}/:id/edit`, async (ctx) => {
    const endpoint = await endpointOr404(ctx);
    const values = {
      url: endpoint.url,
      events: endpoint.events,
      description: endpoint.description ?? '',
      enabled: endpoint.disabled_at === null ? ('true' as const) : undefined,
    };
    renderForm(ctx, values, [], 200, endpoint);
  });

  router.post(`${ROUTE}/:id`, async (ctx) => {
    const endpoint = await endpointOr404(ctx);
    const form = await parseForm(ctx, webhookForm);
    try {
      const change = await endpointChange(deps, form, endpoint.disabled_at === null, requestMeta(ctx));
      await changeEndpoint(hooks, endpoint.id, change, actorOfSession(ctx));
      seeOther(ctx, `${BASE}/${endpoint.id}?done=saved`);
    } catch (error) {
      renderForm(ctx, form, problemFields(error), formStatus(error), endpoint);
    }
  });

  router.post(`${ROUTE}/:id/enable`, async (ctx) => {
    const id = pathId(ctx.params.id, 'webhook endpoint');
    await changeEndpoint(hooks, id, { enabled: true }, actorOfSession(ctx));
    seeOther(ctx, `${BASE}/${id}?done=enabled`);
  });

  router.get(`${ROUTE}/:id/delete`, async (ctx) => {
    const endpoint = await endpointOr404(ctx);
    const consequence = 'Nothing more is sent to it, and its delivery log is removed with it.';
    const props = {
      viewer: viewerOf(ctx),
      verb: 'Delete',
      name: endpoint.url,
      consequence,
      back: `${BASE}/${endpoint.id}`,
    };
    sendPage(ctx, confirmPage({ ...props, action: `${BASE}/${endpoint.id}/delete` }));
  });

  router.post(`${ROUTE}/:id/delete`, async (ctx) => {
    await removeEndpoint(hooks, pathId(ctx.params.id, 'webhook endpoint'), actorOfSession(ctx));
    seeOther(ctx, BASE);
  });

  return router;
}
