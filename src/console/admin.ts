/**
 * Admin pages (session scope `tessera:admin`; anyone else gets a 404): the figures, everyone's
 * tokens, and users. The same functions as `/api/v1/admin` and `/api/v1/users` do the work.
 */
import { Router } from '@koa/router';
import type { Context } from 'koa';
import { z } from 'zod';
import { presentRefusal } from '../api/federation-refusals.js';
import { patPage } from '../api/presenters.js';
import { patFilterOf, patFilterQuery } from '../api/schemas.js';
import { listRefusals } from '../federation/refusal-trail.js';
import { listTrustPolicies } from '../federation/repository.js';
import { pageQuery, pathId } from '../http/params.js';
import { parseQuery } from '../http/parse.js';
import { getPat, revokePat } from '../pat/service.js';
import { patStats } from '../pat/stats.js';
import { ADMIN_SCOPE } from '../scopes.js';
import { patContext } from '../services.js';
import { findUserByIdIncludingDeleted } from '../users/repository.js';
import { resolveUserId } from '../users/resolve.js';
import { adminTrustRoutes } from './admin-trust.js';
import { adminUserRoutes } from './admin-users.js';
import { adminWebhookRoutes } from './admin-webhooks.js';
import { actorOfSession, type ConsoleDeps, seeOther, sendPage, viewerOf } from './context.js';
import { requireSessionScope } from './guard.js';
import { tokenPageProps } from './token-page.js';
import { adminTokensPage, overviewPage } from './views/admin.js';
import { federationPage } from './views/federation.js';
import { confirmPage, tokenPage } from './views/token.js';

const tokensQuery = z.object({
  user: z.string().trim().max(64).optional(),
  ...patFilterQuery,
  status: patFilterQuery.status.or(z.literal('')),
  expiring_within_days: z.literal('').or(patFilterQuery.expiring_within_days).optional(),
  ...pageQuery,
});

/** Usernames for the owner column, one query per distinct owner on the page (at most the page size). */
async function ownerNames(deps: ConsoleDeps, userIds: string[]) {
  const names = new Map<string, string>();
  for (const id of new Set(userIds)) {
    const user = await findUserByIdIncludingDeleted(deps.db, id);
    if (user) names.set(id, user.username);
  }
  return names;
}

async function tokensList(ctx: Context, deps: ConsoleDeps) {
  const query = parseQuery(ctx, tokensQuery);
  const filters = {
    user: query.user || undefined,
    status: query.status || undefined,
    expiring_within_days: query.expiring_within_days === '' ? undefined : query.expiring_within_days,
    never_used: query.never_used === true ? true : undefined,
  };
  const userId = filters.user ? await resolveUserId(deps.db, filters.user) : undefined;
  const now = deps.clock();
  const page =
    userId === null
      ? { items: [], next_cursor: null }
      : await patPage(deps.db, patFilterOf({ ...query, ...filters }, userId, now));
  const echo = Object.fromEntries(
    Object.entries(filters)
      .filter(([, v]) => v !== undefined)
      .map(([k, v]) => [k, String(v)]),
  );
  const owners = await ownerNames(
    deps,
    page.items.map((p) => p.user_id),
  );
  const props = {
    viewer: viewerOf(ctx),
    pats: page.items,
    owners,
    filters,
    query: echo,
    nextCursor: page.next_cursor,
    now,
  };
  sendPage(ctx, adminTokensPage(props));
}

export function adminRoutes(deps: ConsoleDeps): Router {
  const router = new Router({ prefix: '/console/admin', sensitive: true });
  const pats = patContext(deps);
  router.use(requireSessionScope(ADMIN_SCOPE));

  router.get('/', async (ctx) => {
    sendPage(ctx, overviewPage({ viewer: viewerOf(ctx), stats: await patStats(deps.db, deps.clock()) }));
  });
  router.get('/tokens', (ctx) => tokensList(ctx, deps));

  router.get('/federation', async (ctx) => {
    const policies = (await listTrustPolicies(deps.db, 100, null)).slice(0, 100);
    const refusals = (await listRefusals(deps.db, { limit: 50 })).slice(0, 50).map(presentRefusal);
    sendPage(ctx, federationPage({ viewer: viewerOf(ctx), policies, refusals, now: deps.clock() }));
  });

  router.get('/tokens/:id', async (ctx) => {
    const pat = await getPat(pats, pathId(ctx.params.id, 'token'), null);
    const owner = (await findUserByIdIncludingDeleted(deps.db, pat.user_id))?.username;
    const view = { admin: true, base: '/console/admin/tokens', back: '/console/admin/tokens', owner };
    sendPage(ctx, tokenPage(await tokenPageProps(deps, ctx, pat, view)));
  });

  router.get('/tokens/:id/revoke', async (ctx) => {
    const pat = await getPat(pats, pathId(ctx.params.id, 'token'), null);
    const consequence = 'Every exchange with this token fails from now on. Its owner cannot restore it.';
    const action = `/console/admin/tokens/${pat.id}/revoke`;
    sendPage(
      ctx,
      confirmPage({
        viewer: viewerOf(ctx),
        verb: 'Revoke',
        name: pat.name,
        action,
        consequence,
        back: '/console/admin/tokens',
      }),
    );
  });

  router.post('/tokens/:id/revoke', async (ctx) => {
    const pat = await revokePat(pats, pathId(ctx.params.id, 'token'), null, actorOfSession(ctx), {
      kind: 'admin',
      reason: 'revoked by admin',
    });
    seeOther(ctx, `/console/admin/tokens/${pat.id}?done=revoked`);
  });

  for (const routes of [adminUserRoutes(deps), adminTrustRoutes(deps), adminWebhookRoutes(deps)])
    router.use(routes.routes(), routes.allowedMethods());
  return router;
}
