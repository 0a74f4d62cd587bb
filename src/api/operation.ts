/**
 * One `/api/v1` operation, declared once (docs/design.md, "REST API"): what the OpenAPI document
 * says of it (openapi/operation.ts) and how it is served: its scope guard, the query and body it
 * parses, its success status and caching, its handler. The router (`routerOf`) and the document
 * (openapi/document.ts) are both built from the same declarations, so no route is served
 * undocumented and no documented operation goes unserved.
 */
import type { Router } from '@koa/router';
import type { Context, Middleware } from 'koa';
import type { z } from 'zod';
import { requireScope } from '../auth/bearer.js';
import { jsonBody } from '../http/json-body.js';
import { parseBody, parseQuery } from '../http/parse.js';
import type { ApiDeps } from './context.js';
import type { OperationDoc } from './openapi/operation.js';
import { exactRouter } from './routing.js';

type Parsed<S> = S extends z.ZodType ? z.output<S> : undefined;

/** What a handler gets: the parsed query and body (undefined when the operation has none). */
export interface OperationInput<Q, B> {
  query: Parsed<Q>;
  body: Parsed<B>;
}

export interface OperationSpec<Q extends z.ZodObject | undefined, B extends z.ZodType | undefined>
  extends Omit<OperationDoc, 'query' | 'body'> {
  query?: Q;
  body?: B;
  /** Runs before the query and body are parsed (a rate limit answers before a bad body does). */
  before?(ctx: Context, deps: ApiDeps): Promise<void>;
  /** Sets `ctx.body` (the status and `Cache-Control: no-store` come from `success`). */
  handle(ctx: Context, input: OperationInput<Q, B>, deps: ApiDeps): unknown;
}

export interface Operation extends OperationDoc {
  /** Parses the declared query and body, then runs the declared handler. */
  serve(ctx: Context, deps: ApiDeps): Promise<void>;
}

export function operation<
  Q extends z.ZodObject | undefined = undefined,
  B extends z.ZodType | undefined = undefined,
>(spec: OperationSpec<Q, B>): Operation {
  const { handle, before, ...doc } = spec;
  return {
    ...doc,
    async serve(ctx, deps) {
      await before?.(ctx, deps);
      const query = spec.query ? parseQuery(ctx, spec.query) : undefined;
      const body = spec.body ? parseBody(ctx, spec.body) : undefined;
      // Parsed<Q> is undefined exactly when spec.query is: the compiler cannot follow that.
      await handle(ctx, { query, body } as OperationInput<Q, B>, deps);
      ctx.status = spec.success.status;
      if (spec.success.noStore) ctx.set('Cache-Control', 'no-store');
    },
  };
}

/** The middleware in front of a handler: the scope check (before the body is read), the body reader. */
function guards(op: OperationDoc): Middleware[] {
  const chain: Middleware[] = [];
  if (op.scope !== null && op.scope !== 'any') chain.push(requireScope(op.scope));
  if (op.body) chain.push(jsonBody());
  return chain;
}

/** A router serving `operations` under `/api/v1` (mount it with routing.ts, which authenticates). */
export function routerOf(operations: readonly Operation[], deps: ApiDeps): Router {
  const router = exactRouter();
  for (const op of operations) {
    const path = op.path.replace(/\{(\w+)\}/g, ':$1');
    router[op.method](path, ...guards(op), (ctx: Context) => op.serve(ctx, deps));
  }
  return router;
}
