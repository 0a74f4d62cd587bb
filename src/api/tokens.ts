/** `/api/v1/tokens`: a caller's own PATs (scope `tessera:tokens`). */
import type { Router } from '@koa/router';
import { z } from 'zod';
import { callerOf, requireScope } from '../auth/bearer.js';
import { assertMayCreateOwnToken } from '../pat/policy.js';
import { createPat, deletePat, getPat, restorePat, revokePat, rotatePat, setMayAct } from '../pat/service.js';
import { TOKENS_SCOPE } from '../scopes.js';
import { type ApiDeps, patContext } from './context.js';
import { actorOf, parseBody, parseQuery } from './http.js';
import { jsonBody } from './json-body.js';
import { patPage, presentIssuedPat, presentPat } from './presenters.js';
import { exactRouter } from './routing.js';
import { newPatBody, pageQuery, patchPatBody, patFilterOf, patFilterQuery, pathId } from './schemas.js';

export const listQuery = z.object({ ...patFilterQuery, ...pageQuery });
export const emptyBody = z.strictObject({});

export function tokenRoutes(deps: ApiDeps): Router {
  const pats = patContext(deps);
  const router = exactRouter();
  const scoped = requireScope(TOKENS_SCOPE);

  router.post('/tokens', scoped, jsonBody(), async (ctx) => {
    const body = parseBody(ctx, newPatBody);
    const caller = callerOf(ctx);
    assertMayCreateOwnToken(caller.user);
    const issued = await createPat(
      pats,
      caller.user,
      {
        name: body.name,
        scopes: body.scopes,
        expiresInDays: body.expires_in_days,
        allowedCidrs: body.allowed_cidrs,
        mayAct: body.may_act,
        requireDpop: body.require_dpop,
      },
      actorOf(ctx),
    );
    ctx.status = 201;
    ctx.set('Cache-Control', 'no-store');
    ctx.body = presentIssuedPat(issued, deps.clock());
  });

  router.get('/tokens', scoped, async (ctx) => {
    const query = parseQuery(ctx, listQuery);
    ctx.body = await patPage(deps.db, patFilterOf(query, callerOf(ctx).user.id, deps.clock()));
  });

  router.get('/tokens/:id', scoped, async (ctx) => {
    const pat = await getPat(pats, pathId(ctx.params.id, 'token'), callerOf(ctx).user.id);
    ctx.body = presentPat(pat, deps.clock());
  });

  router.patch('/tokens/:id', scoped, jsonBody(), async (ctx) => {
    const body = parseBody(ctx, patchPatBody);
    const caller = callerOf(ctx);
    const pat = await setMayAct(
      pats,
      pathId(ctx.params.id, 'token'),
      caller.user.id,
      body.may_act,
      actorOf(ctx),
    );
    ctx.body = presentPat(pat, deps.clock());
  });

  router.post('/tokens/:id/rotate', scoped, jsonBody(), async (ctx) => {
    parseBody(ctx, emptyBody);
    const issued = await rotatePat(pats, pathId(ctx.params.id, 'token'), callerOf(ctx).user.id, actorOf(ctx));
    ctx.status = 201;
    ctx.set('Cache-Control', 'no-store');
    ctx.body = presentIssuedPat(issued, deps.clock());
  });

  router.post('/tokens/:id/revoke', scoped, jsonBody(), async (ctx) => {
    parseBody(ctx, emptyBody);
    const pat = await revokePat(pats, pathId(ctx.params.id, 'token'), callerOf(ctx).user.id, actorOf(ctx));
    ctx.body = presentPat(pat, deps.clock());
  });

  router.post('/tokens/:id/restore', scoped, jsonBody(), async (ctx) => {
    parseBody(ctx, emptyBody);
    const pat = await restorePat(pats, pathId(ctx.params.id, 'token'), callerOf(ctx).user.id, actorOf(ctx));
    ctx.body = presentPat(pat, deps.clock());
  });

  router.delete('/tokens/:id', scoped, async (ctx) => {
    await deletePat(pats, pathId(ctx.params.id, 'token'), callerOf(ctx).user.id, actorOf(ctx));
    ctx.status = 204;
  });

  return router;
}
