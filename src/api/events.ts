/**
 * `GET /api/v1/tokens/{id}/events` (owner) and `/api/v1/admin/tokens/{id}/events` (admin): a
 * PAT's audit trail, lifecycle changes and exchanges alike, newest first. Never a secret or a
 * hash: the audit table holds neither. A deleted PAT's trail stays readable.
 */
import type { Context } from 'koa';
import type { z } from 'zod';
import { type AuditRow, listPatEvents, patOwnerFromHistory } from '../audit/trail.js';
import { callerOf } from '../auth/bearer.js';
import { encodeTrailCursor } from '../db/keyset.js';
import { actorChain, readActClaim } from '../delegation/act-chain.js';
import { notFound } from '../errors.js';
import { eventsQuery, pathId } from '../http/params.js';
import { ADMIN_SCOPE, TOKENS_SCOPE } from '../scopes.js';
import type { ApiDeps } from './context.js';
import { operation } from './operation.js';
import * as out from './response-schemas.js';

/** A stored `act` claim as a list, current actor first; null when not delegated. */
function chainOf(stored: unknown) {
  const act = stored ? readActClaim(stored, 16) : undefined;
  return act && act !== 'malformed' ? actorChain(act) : null;
}

export function presentEvent(row: AuditRow): z.output<typeof out.auditEventSchema> {
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

async function answerEvents(deps: ApiDeps, ctx: Context, patId: string, query: z.output<typeof eventsQuery>) {
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

const eventsPage = out.pageOf(out.auditEventSchema);

export const ownEventsOperation = operation({
  method: 'get',
  path: '/tokens/{id}/events',
  summary: "A PAT's audit trail",
  tag: 'tokens',
  scope: TOKENS_SCOPE,
  query: eventsQuery,
  success: { status: 200, description: 'a page of events', schema: eventsPage },
  async handle(ctx, { query }, deps) {
    const patId = pathId(ctx.params.id, 'token');
    if ((await patOwnerFromHistory(deps.db, patId)) !== callerOf(ctx).user.id) throw notFound('token');
    await answerEvents(deps, ctx, patId, query);
  },
});

export const adminEventsOperation = operation({
  method: 'get',
  path: '/admin/tokens/{id}/events',
  summary: "Any PAT's audit trail",
  tag: 'admin',
  scope: ADMIN_SCOPE,
  query: eventsQuery,
  success: { status: 200, description: 'a page of events', schema: eventsPage },
  async handle(ctx, { query }, deps) {
    const patId = pathId(ctx.params.id, 'token');
    if (!(await patOwnerFromHistory(deps.db, patId))) throw notFound('token');
    await answerEvents(deps, ctx, patId, query);
  },
});
