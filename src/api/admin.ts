/** `/api/v1/admin`: every user's tokens and oversight numbers (scope `tessera:admin`). */
import type { Router } from '@koa/router';
import { z } from 'zod';
import { requireScope } from '../auth/bearer.js';
import { jsonBody } from '../http/json-body.js';
import { parseBody, parseQuery } from '../http/parse.js';
import { restorePat, revokePat } from '../pat/service.js';
import { patStats } from '../pat/stats.js';
import { ADMIN_SCOPE } from '../scopes.js';
import { findUserByIdIncludingDeleted, findUserByUsername } from '../users/repository.js';
import { type ApiDeps, patContext } from './context.js';
import { actorOf } from './http.js';
import { patPage, presentPat, presentStats } from './presenters.js';
import { exactRouter } from './routing.js';
import { pageQuery, patFilterOf, patFilterQuery, pathId } from './schemas.js';

export const listQuery = z.object({
  user: z.string().min(1).max(64).optional(),
  ...patFilterQuery,
  ...pageQuery,
});
export const emptyBody = z.strictObject({});
export const revokeBody = z.strictObject({ reason: z.string().trim().min(1).max(200).optional() });

/** `user=` names a user by id (deleted ones too) or by live username; null when it names nobody. */
export async function resolveUser(deps: ApiDeps, user: string): Promise<string | null> {
  const byId = z.uuid().safeParse(user).success ? await findUserByIdIncludingDeleted(deps.db, user) : null;
  return (byId ?? (await findUserByUsername(deps.db, user)))?.id ?? null;
}

export function adminRoutes(deps: ApiDeps): Router {
  const admin = requireScope(ADMIN_SCOPE);
  const router = exactRouter();

  router.get('/admin/tokens', admin, async (ctx) => {
    const query = parseQuery(ctx, listQuery);
    const userId = query.user ? await resolveUser(deps, query.user) : undefined;
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
