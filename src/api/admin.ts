/** `/api/v1/admin`: every user's tokens and oversight numbers (scope `tessera:admin`). */
import type { Router } from '@koa/router';
import { z } from 'zod';
import { requireScope } from '../auth/bearer.js';
import { jsonBody } from '../http/json-body.js';
import { pageQuery, pathId } from '../http/params.js';
import { parseBody, parseQuery } from '../http/parse.js';
import { restorePat, revokePat } from '../pat/service.js';
import { patStats } from '../pat/stats.js';
import { ADMIN_SCOPE } from '../scopes.js';
import { patContext } from '../services.js';
import { resolveUserId } from '../users/resolve.js';
import type { ApiDeps } from './context.js';
import { actorOf } from './http.js';
import { patPage, presentPat, presentStats } from './presenters.js';
import { exactRouter } from './routing.js';
import { patFilterOf, patFilterQuery } from './schemas.js';

export const listQuery = z.object({
  user: z.string().min(1).max(64).optional(),
  ...patFilterQuery,
  ...pageQuery,
});
export const emptyBody = z.strictObject({});
export const revokeBody = z.strictObject({ reason: z.string().trim().min(1).max(200).optional() });

export function adminRoutes(deps: ApiDeps): Router {
  const admin = requireScope(ADMIN_SCOPE);
  const router = exactRouter();

  router.get('/admin/tokens', admin, async (ctx) => {
    const query = parseQuery(ctx, listQuery);
    const userId = query.user ? await resolveUserId(deps.db, query.user) : undefined;
    if (userId === null) {
      ctx.body = { items: [], next_cursor: null };
      return;
    }
    ctx.body = await patPage(deps.db, patFilterOf(query, userId, deps.clock()));
  });

  router.post('/admin/tokens/:id/revoke', admin, jsonBody(), async (ctx) => {
    const body = parseBody(ctx, revokeBody);
    const reason = body.reason ? `admin: ${body.reason}` : 'revoked by admin';
    const pat = await revokePat(patContext(deps), pathId(ctx.params.id, 'token'), null, actorOf(ctx), {
      kind: 'admin',
      reason,
    });
    ctx.body = presentPat(pat, deps.clock());
  });

  // An administrator's revocation is undone only here (or by an admin on their own token).
  router.post('/admin/tokens/:id/restore', admin, jsonBody(), async (ctx) => {
    parseBody(ctx, emptyBody);
    const pat = await restorePat(patContext(deps), pathId(ctx.params.id, 'token'), null, actorOf(ctx));
    ctx.body = presentPat(pat, deps.clock());
  });

  router.get('/admin/stats', admin, async (ctx) => {
    ctx.body = presentStats(await patStats(deps.db, deps.clock()));
  });

  return router;
}
