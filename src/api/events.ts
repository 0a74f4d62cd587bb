/**
 * `GET /api/v1/tokens/{id}/events` (owner) and `/api/v1/admin/tokens/{id}/events` (admin): a
 * PAT's audit trail, lifecycle changes and exchanges alike, newest first. Never a secret or a
 * hash: the audit table holds neither. A deleted PAT's trail stays readable.
 */
import type { Router } from '@koa/router';
import type { Context } from 'koa';
import type { z } from 'zod';
import { type AuditRow, listPatEvents, patOwnerFromHistory } from '../audit/trail.js';
import { callerOf, requireScope } from '../auth/bearer.js';
import { encodeTrailCursor } from '../db/keyset.js';
import { actorChain, readActClaim } from '../delegation/act-chain.js';
import { notFound } from '../errors.js';
import { eventsQuery, pathId } from '../http/params.js';
import { parseQuery } from '../http/parse.js';
import { ADMIN_SCOPE, TOKENS_SCOPE } from '../scopes.js';
import type { ApiDeps } from './context.js';
import type { auditEventSchema } from './response-schemas.js';
import { exactRouter } from './routing.js';

/** A stored `act` claim as a list, current actor first; null when not delegated. */
function chainOf(stored: unknown) {
  const act = stored ? readActClaim(stored, 16) : undefined;
  return act && act !== 'malformed' ? actorChain(act) : null;
}

export function presentEvent(row: AuditRow): z.output<typeof auditEventSchema> {
  return {
    id: row.id,
    time: row.occurred_at.toISOString(),
    action: row.action,
    outcome: row.outcome,
    actor: row.actor_user_id ? { id: row.actor_user_id, username: row.actor_username } : null,
    ip: row.ip,
    user_agent: row.user_agent,
    client_id: row.client_id,
    audience: row.audience,
    scope: row.scope,
    jti: row.jti,
    reason: row.reason,
    actor_chain: chainOf(row.actor_chain),
    acted_for: row.acted_for ?? null,
    dpop_jkt: row.dpop_jkt ?? null,
  };
}

async function answerEvents(deps: ApiDeps, ctx: Context, patId: string) {
  const query = parseQuery(ctx, eventsQuery);
  // Exchange rows wait in a batch; whoever just ran a job expects to see that exchange here.
  // Other instances' pending rows land within their own audit.exchangeFlushMs.
  await deps.flushAudit();
  const rows = await listPatEvents(deps.db, patId, query.limit, query.cursor ?? null);
  const page = rows.slice(0, query.limit);
  ctx.body = {
    items: page.map(presentEvent),
    next_cursor:
      rows.length > query.limit && page.length > 0 ? encodeTrailCursor(page.at(-1) as AuditRow) : null,
  };
}

export function eventRoutes(deps: ApiDeps): Router {
  const router = exactRouter();

  router.get('/tokens/:id/events', requireScope(TOKENS_SCOPE), async (ctx) => {
    const patId = pathId(ctx.params.id, 'token');
    if ((await patOwnerFromHistory(deps.db, patId)) !== callerOf(ctx).user.id) throw notFound('token');
    await answerEvents(deps, ctx, patId);
  });

  router.get('/admin/tokens/:id/events', requireScope(ADMIN_SCOPE), async (ctx) => {
    const patId = pathId(ctx.params.id, 'token');
    if (!(await patOwnerFromHistory(deps.db, patId))) throw notFound('token');
    await answerEvents(deps, ctx, patId);
  });

  return router;
}
