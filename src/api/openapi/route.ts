/** `GET /api/v1/openapi.json`: the API's description, public like a discovery document. */
import type { Router } from '@koa/router';
import type { ApiDeps } from '../context.js';
import { exactRouter } from '../routing.js';
import { buildOpenApi } from './document.js';

export function openApiRoutes(deps: ApiDeps): Router {
  // Built once: it depends on nothing but the code and the issuer.
  const body = JSON.stringify(buildOpenApi(deps.config.issuer));
  const router = exactRouter();
  router.get('/openapi.json', (ctx) => {
    ctx.type = 'application/json';
    ctx.set('Cache-Control', 'public, max-age=300');
    ctx.body = body;
  });
  return router;
}
