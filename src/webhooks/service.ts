/**
 * Webhook endpoints' lifecycle for administrators. The signing secret is made here and leaves
 * only in the value `createEndpoint` returns, which the API puts in exactly one response. Each
 * change is audited in its own transaction.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import type { Actor } from '../audit/actor.js';
import type { AuditAction } from '../audit/event.js';
import { recordAudit } from '../audit/record.js';
import type { Clock } from '../clock.js';
import type { Database, Queryable } from '../db/queryable.js';
import { notFound } from '../errors.js';
import {
  deleteEndpoint,
  type EndpointChange,
  type EndpointRow,
  insertEndpoint,
  updateEndpoint,
} from './repository.js';

export interface WebhookContext {
  db: Database;
  clock: Clock;
}

export interface EndpointRequest {
  url: string;
  events: string[];
  description?: string | null | undefined;
}

/** 256 bits, in the Standard Webhooks secret format (`whsec_` + base64). */
export function generateWebhookSecret(): string {
  return `whsec_${randomBytes(32).toString('base64')}`;
}

function audit(q: Queryable, ctx: WebhookContext, action: AuditAction, id: string, actor: Actor) {
  return recordAudit(q, {
    at: ctx.clock(),
    action,
    outcome: 'success',
    actorUserId: actor.userId,
    meta: actor.meta,
    reason: `webhook endpoint ${id}`,
  });
}

export function createEndpoint(ctx: WebhookContext, request: EndpointRequest, actor: Actor) {
  const secret = generateWebhookSecret();
  return ctx.db.transaction(async (tx) => {
    const endpoint = await insertEndpoint(tx, {
      id: randomUUID(),
      url: request.url,
      events: [...new Set(request.events)],
      secret,
      description: request.description ?? null,
      createdAt: ctx.clock(),
      createdBy: actor.userId,
    });
    await audit(tx, ctx, 'webhook.created', endpoint.id, actor);
    return { endpoint, secret };
  });
}

export interface EndpointPatch extends Omit<EndpointChange, 'enabled'> {
  enabled?: boolean | undefined;
}

/** Changes an endpoint; `enabled: true` re-enables one the failure run disabled. */
export function changeEndpoint(
  ctx: WebhookContext,
  id: string,
  patch: EndpointPatch,
  actor: Actor,
): Promise<EndpointRow> {
  return ctx.db.transaction(async (tx) => {
    const { enabled, ...rest } = patch;
    const change: EndpointChange = {
      ...rest,
      ...(rest.events ? { events: [...new Set(rest.events)] } : {}),
      ...(enabled === undefined
        ? {}
        : { enabled: { value: enabled, at: ctx.clock(), reason: 'disabled by an administrator' } }),
    };
    const endpoint = await updateEndpoint(tx, id, change);
    if (!endpoint) throw notFound('webhook endpoint');
    await audit(tx, ctx, 'webhook.updated', id, actor);
    return endpoint;
  });
}

export function removeEndpoint(ctx: WebhookContext, id: string, actor: Actor): Promise<void> {
  return ctx.db.transaction(async (tx) => {
    if (!(await deleteEndpoint(tx, id))) throw notFound('webhook endpoint');
    await audit(tx, ctx, 'webhook.deleted', id, actor);
  });
}
