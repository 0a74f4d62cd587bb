/** `/api/v1/scopes` and `/api/v1/me`: open to any authenticated caller. */
import type { Router } from '@koa/router';
import { callerOf } from '../auth/bearer.js';
import type { ApiDeps } from './context.js';
import { presentUser } from './presenters.js';
import { exactRouter } from './routing.js';

export function catalogueRoutes(deps: ApiDeps): Router {
  const router = exactRouter();
  const items = Object.entries(deps.config.scopes).map(([name, description]) => ({ name, description }));

  router.get('/scopes', (ctx) => {
    ctx.body = { items, next_cursor: null };
  });

  router.get('/me', (ctx) => {
    const caller = callerOf(ctx);
    ctx.body = {
      ...presentUser(caller.user),
      credential: { type: caller.credential, pat_id: caller.patId, scopes: caller.scopes },
    };
  });

  return router;
}
