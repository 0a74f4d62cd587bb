/**
 * Prometheus metrics (prom-client), one registry per app so that several apps in one process
 * (tests) do not collide: exchanges by outcome, exchange latency, token requests by the path that
 * answered them, active PATs, and HTTP requests by route and status. `GET /metrics` is open
 * unless `metrics.bearerToken` is set.
 */
import { timingSafeEqual } from 'node:crypto';
import type { Context, Next } from 'koa';
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { Clock } from './clock.js';
import type { Config } from './config.js';
import type { Queryable } from './db/queryable.js';
import { activePatSql } from './pat/status.js';

export class Metrics {
  readonly registry = new Registry();
  readonly exchanges = new Counter({
    name: 'tessera_token_exchanges_total',
    help: 'Token exchanges by outcome (granted, or the OAuth error code)',
    labelNames: ['outcome'] as const,
    registers: [this.registry],
  });
  readonly exchangeSeconds = new Histogram({
    name: 'tessera_token_exchange_duration_seconds',
    help: 'Time to answer a token exchange',
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1],
    registers: [this.registry],
  });
  readonly tokenRequests = new Counter({
    name: 'tessera_token_requests_total',
    help: 'Token endpoint requests by the path that answered them: direct (plain token exchange) or provider',
    labelNames: ['handler'] as const,
    registers: [this.registry],
  });
  /** Pre-bound, so that the token endpoint does not hash a label per request. */
  readonly tokenRequestsBy = {
    direct: this.tokenRequests.labels({ handler: 'direct' }),
    provider: this.tokenRequests.labels({ handler: 'provider' }),
  };
  readonly httpRequests = new Counter({
    name: 'tessera_http_requests_total',
    help: 'HTTP requests by route template, method and status',
    labelNames: ['route', 'method', 'status'] as const,
    registers: [this.registry],
  });

  /** The text `GET /metrics` answers; a cluster worker replaces it with the summed workers'. */
  render: () => Promise<string> = () => this.registry.metrics();

  constructor(db: Queryable, clock: Clock) {
    new Gauge({
      name: 'tessera_active_pats',
      help: 'Personal access tokens neither revoked nor expired',
      registers: [this.registry],
      // Every worker counts the same table: across a cluster this is one value, not a sum.
      aggregator: 'max',
      async collect() {
        const { rows } = await db.query<{ n: number }>(
          `SELECT count(*)::int AS n FROM pats WHERE ${activePatSql('$1')}`,
          [clock()],
        );
        this.set(rows[0]?.n ?? 0);
      },
    });
  }
}

/** A bounded label: the matched route template, never a raw path with ids in it. */
function routeLabel(ctx: Context): string {
  const matched = (ctx as Context & { _matchedRoute?: string })._matchedRoute;
  if (matched) return matched;
  if (['/token', '/jwks', '/healthz', '/readyz', '/metrics'].includes(ctx.path)) return ctx.path;
  if (ctx.path.startsWith('/.well-known/')) return ctx.path;
  return 'unmatched';
}

export function countRequests(metrics: Metrics) {
  // One child counter per label set, so a request does not hash its labels (bounded: routes x
  // methods x statuses).
  const children = new Map<string, { inc(): void }>();
  return async (ctx: Context, next: Next) => {
    try {
      await next();
    } finally {
      const route = routeLabel(ctx);
      const status = String(ctx.status);
      const key = `${route} ${ctx.method} ${status}`;
      let child = children.get(key);
      if (!child) {
        child = metrics.httpRequests.labels({ route, method: ctx.method, status });
        children.set(key, child);
      }
      child.inc();
    }
  };
}

function bearerMatches(header: string, expected: string): boolean {
  const given = Buffer.from(header.replace(/^Bearer +/i, ''));
  const want = Buffer.from(expected);
  return given.length === want.length && timingSafeEqual(given, want);
}

/** `GET /metrics` in the Prometheus text format. */
export function metricsEndpoint(metrics: Metrics, config: Config['metrics']) {
  return async (ctx: Context, next: Next) => {
    if (ctx.path !== '/metrics' || !config.enabled) return next();
    if (config.bearerToken && !bearerMatches(ctx.get('authorization'), config.bearerToken)) {
      ctx.status = 401;
      ctx.set('WWW-Authenticate', 'Bearer realm="tessera-metrics"');
      return;
    }
    ctx.type = metrics.registry.contentType;
    ctx.body = await metrics.render();
  };
}
