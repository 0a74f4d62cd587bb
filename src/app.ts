/**
 * `buildApp(deps)`: the Koa application, without `listen()`, so tests and `main` share it.
 * `/api/v1` is the REST API; `/healthz` and `/readyz` are for orchestrators.
 */
import { randomUUID } from 'node:crypto';
import Koa, { type Context, type Next } from 'koa';
import type { ApiDeps } from './api/context.js';
import { problemHandler } from './api/http.js';
import { apiRouter } from './api/router.js';
import { consoleApp } from './console/router.js';
import type { Logger } from './logger.js';
import { countRequests, metricsEndpoint } from './metrics.js';
import { resolveClientAddress } from './net/client-address.js';
import type { ProviderHost } from './oidc/host.js';
import { oidcRoutes } from './oidc/routes.js';

export interface AppDeps extends ApiDeps {
  oidc: ProviderHost;
}

/** A request id from the client when it is sane, else a new one; echoed in `X-Request-Id`. */
function requestId(ctx: Context): string {
  const given = ctx.get('x-request-id');
  return /^[A-Za-z0-9._-]{1,64}$/.test(given) ? given : randomUUID();
}

/**
 * Probes that orchestrators and scrapers send every few seconds: logged at debug, so that at
 * info the log holds what people and clients did, not the platform's heartbeat.
 */
const PROBE_PATHS = new Set(['/healthz', '/readyz', '/metrics']);

/** One log line per request: method, path (never the query string), status, duration. */
function accessLog(logger: Logger) {
  return async (ctx: Context, next: Next) => {
    const started = performance.now();
    ctx.state.requestId = requestId(ctx);
    ctx.set('X-Request-Id', ctx.state.requestId);
    try {
      await next();
    } finally {
      // The level is checked first so that a quieter level skips building the line too.
      const level = PROBE_PATHS.has(ctx.path) ? 'debug' : 'info';
      if (logger.isLevelEnabled(level)) {
        logger[level](
          {
            reqId: ctx.state.requestId,
            method: ctx.method,
            path: ctx.path,
            status: ctx.status,
            ms: Math.round((performance.now() - started) * 10) / 10,
          },
          'request',
        );
      }
    }
  };
}

function health(deps: ApiDeps) {
  return async (ctx: Context, next: Next) => {
    if (ctx.path === '/healthz') {
      ctx.body = { status: 'ok' };
      return;
    }
    if (ctx.path === '/readyz') {
      try {
        await deps.db.query('SELECT 1');
        ctx.body = { status: 'ready' };
      } catch {
        ctx.status = 503;
        ctx.body = { status: 'database unreachable' };
      }
      return;
    }
    await next();
  };
}

export function buildApp(deps: AppDeps): Koa {
  const app = new Koa();
  app.silent = true;
  app.on('error', (error) => deps.logger.error({ err: error }, 'koa error'));
  const problems = problemHandler(deps.logger);
  const api = apiRouter({ ...deps, keys: () => deps.oidc.keys });

  app.use(resolveClientAddress(deps.config.server.trustProxy));
  app.use(accessLog(deps.logger));
  app.use(countRequests(deps.metrics));
  app.use(health(deps));
  app.use(metricsEndpoint(deps.metrics, deps.config.metrics));
  app.use(oidcRoutes(deps.oidc, deps));
  // Case-blind here so that `/API/v1/...` gets its 404 as problem+json too.
  app.use((ctx, next) => (/^\/api(\/|$)/i.test(ctx.path) ? problems(ctx, next) : next()));
  app.use(api);
  if (deps.config.console.enabled) app.use(consoleApp(deps));
  return app;
}
