/**
 * `/console/admin/trust-policies`: list, create, edit, delete, and each policy's events. The
 * form becomes the API's request body (trust-form.ts); federation/service.ts applies every rule.
 * Mounted inside adminRoutes, so the admin-scope guard covers every route here.
 */
import { Router } from '@koa/router';
import type { Context } from 'koa';
import { z } from 'zod';
import { encodeTrailCursor, toPage } from '../db/keyset.js';
import type { FieldError } from '../errors.js';
import { notFound } from '../errors.js';
import { findTrustPolicy, listTrustPolicies } from '../federation/repository.js';
import { changeTrustPolicy, createTrustPolicy, removeTrustPolicy } from '../federation/service.js';
import { listTrustPolicyEvents } from '../federation/trail.js';
import { eventsQuery, pageQuery, pathId } from '../http/params.js';
import { parseQuery } from '../http/parse.js';
import { findUserByIdIncludingDeleted } from '../users/repository.js';
import { actorOfSession, type ConsoleDeps, seeOther, sendPage, viewerOf } from './context.js';
import { formStatus, problemFields } from './field-errors.js';
import { parseForm } from './form.js';
import { formOfPolicy, newPolicyFields, policyChange, type TrustForm, trustForm } from './trust-form.js';
import { confirmPage } from './views/token.js';
import { trustPoliciesPage, trustPolicyFormPage, trustPolicyPage } from './views/trust-policies.js';

/** Links are absolute; routes are relative to adminRoutes' prefix `/console/admin`. */
const BASE = '/console/admin/trust-policies';
const ROUTE = '/trust-policies';

/** Success messages after a change, by a fixed key (the query never carries text to show). */
const NOTICES: Record<string, string> = {
  created: 'Trust policy created.',
  saved: 'Trust policy saved.',
};

const EMPTY_FORM: TrustForm = {
  name: '',
  issuer: '',
  audience: '',
  subject: '',
  claims: '',
  user: '',
  scopes: [],
  audiences: [],
  max_ttl_seconds: '900',
};

export function adminTrustRoutes(deps: ConsoleDeps): Router {
  const router = new Router({ sensitive: true });
  const context = {
    db: deps.db,
    clock: deps.clock,
    scopes: deps.config.scopes,
    resources: deps.config.resources,
    issuer: deps.config.issuer,
  };
  const username = async (id: string) => (await findUserByIdIncludingDeleted(deps.db, id))?.username ?? id;
  const policyOr404 = async (ctx: Context) => {
    const policy = await findTrustPolicy(deps.db, pathId(ctx.params.id, 'trust policy'));
    if (!policy) throw notFound('trust policy');
    return policy;
  };
  const renderForm = (
    ctx: Context,
    values: TrustForm,
    errors: FieldError[],
    status: number,
    editing?: { id: string; name: string },
  ) => {
    const props = {
      viewer: viewerOf(ctx),
      editing,
      values,
      errors,
      scopes: Object.entries(deps.config.scopes).map(([name, description]) => ({ name, description })),
      resources: deps.config.resources.map((r) => r.audience),
      issuer: deps.config.issuer,
    };
    sendPage(ctx, trustPolicyFormPage(props), status);
  };

  router.get(ROUTE, async (ctx) => {
    const query = parseQuery(ctx, z.object(pageQuery));
    const page = toPage(
      await listTrustPolicies(deps.db, query.limit, query.cursor ?? null),
      query.limit,
      (p) => p,
    );
    const usernames = new Map<string, string>();
    for (const id of new Set(page.items.map((p) => p.user_id))) usernames.set(id, await username(id));
    sendPage(
      ctx,
      trustPoliciesPage({
        viewer: viewerOf(ctx),
        policies: page.items,
        usernames,
        nextCursor: page.next_cursor,
      }),
    );
  });

  router.get(`${ROUTE}/new`, (ctx) => renderForm(ctx, EMPTY_FORM, [], 200));

  router.post(ROUTE, async (ctx) => {
    const form = await parseForm(ctx, trustForm);
    try {
      const policy = await createTrustPolicy(context, await newPolicyFields(deps, form), actorOfSession(ctx));
      seeOther(ctx, `${BASE}/${policy.id}?done=created`);
    } catch (error) {
      renderForm(ctx, form, problemFields(error, 'name'), formStatus(error));
    }
  });

  router.get(`${ROUTE}/:id`, async (ctx) => {
    const policy = await policyOr404(ctx);
    const query = parseQuery(ctx, eventsQuery.extend({ done: z.string().optional() }));
    // Exchange rows are written in batches: whoever just ran a job expects to see it here.
    await deps.flushAudit();
    const rows = await listTrustPolicyEvents(deps.db, policy.id, query.limit, query.cursor ?? null);
    const events = rows.slice(0, query.limit);
    const last = events.at(-1);
    const nextCursor = rows.length > query.limit && last ? encodeTrailCursor(last) : null;
    const props = {
      viewer: viewerOf(ctx),
      policy,
      username: await username(policy.user_id),
      events,
      nextCursor,
      notice: query.done ? NOTICES[query.done] : undefined,
    };
    sendPage(ctx, trustPolicyPage({ ...props, now: deps.clock() }));
  });

  router.get(`${ROUTE}/:id/edit`, async (ctx) => {
    const policy = await policyOr404(ctx);
    const values = formOfPolicy(policy, await username(policy.user_id));
    renderForm(ctx, values, [], 200, { id: policy.id, name: policy.name });
  });

  router.post(`${ROUTE}/:id`, async (ctx) => {
    const policy = await policyOr404(ctx);
    const form = await parseForm(ctx, trustForm);
    try {
      await changeTrustPolicy(context, policy.id, await policyChange(deps, form), actorOfSession(ctx));
      seeOther(ctx, `${BASE}/${policy.id}?done=saved`);
    } catch (error) {
      renderForm(ctx, form, problemFields(error, 'name'), formStatus(error), {
        id: policy.id,
        name: policy.name,
      });
    }
  });

  router.get(`${ROUTE}/:id/delete`, async (ctx) => {
    const policy = await policyOr404(ctx);
    const consequence =
      'Exchanges it would have accepted are refused from now on. Its history stays in the audit trail.';
    const props = {
      viewer: viewerOf(ctx),
      verb: 'Delete',
      name: policy.name,
      consequence,
      back: `${BASE}/${policy.id}`,
    };
    sendPage(ctx, confirmPage({ ...props, action: `${BASE}/${policy.id}/delete` }));
  });

  router.post(`${ROUTE}/:id/delete`, async (ctx) => {
    await removeTrustPolicy(context, pathId(ctx.params.id, 'trust policy'), actorOfSession(ctx));
    seeOther(ctx, BASE);
  });

  return router;
}
