/**
 * The REST API's edges: problem+json errors and the actor of a change. Body reading, zod parsing,
 * request metadata and the database-error table are shared with the console (`src/http/`).
 */
import type { Context, Middleware, Next } from 'koa';
import type { Actor } from '../audit/actor.js';
import { callerOf } from '../auth/bearer.js';
import { challengeOf } from '../auth/dpop.js';
import { ApiProblem, internalError, invalidRequest, serviceUnavailable } from '../errors.js';
import { type DatabaseRefusal, databaseRefusal } from '../http/database-errors.js';
import { requestMeta } from '../http/request-meta.js';
import type { Logger } from '../logger.js';

/** The authenticated caller as the actor of a change, with where the request came from. */
export function actorOf(ctx: Context): Actor {
  const caller = callerOf(ctx);
  return {
    userId: caller.user.id,
    credentialScopes: caller.scopes,
    credentialCidrs: caller.allowedCidrs,
    meta: requestMeta(ctx),
  };
}

function sendProblem(ctx: Context, problem: ApiProblem) {
  ctx.status = problem.status;
  ctx.type = 'application/problem+json';
  ctx.body = problem.toJSON();
  if (problem.status === 401) ctx.set('WWW-Authenticate', challengeOf(ctx) ?? 'Bearer realm="tessera"');
  // The rest of an oversized body was never read: the connection cannot carry another request.
  if (problem.status === 413) ctx.set('Connection', 'close');
}

/** `/api/v1`'s words for a request the database refused (`http/database-errors.ts` decides which). */
const DATABASE_REFUSALS: Record<DatabaseRefusal, () => ApiProblem> = {
  unavailable: serviceUnavailable,
  unstorable_text: () =>
    invalidRequest([{ field: '(input)', message: 'contains bytes the database cannot store' }]),
  out_of_range: () =>
    invalidRequest([{ field: '(input)', message: 'holds a value out of the range the database accepts' }]),
};

/** The problem for a value PostgreSQL refused as data, or null (unavailable and faults are not input). */
export function databaseInputProblem(error: unknown): ApiProblem | null {
  const refusal = databaseRefusal(error);
  return refusal && refusal !== 'unavailable' ? DATABASE_REFUSALS[refusal]() : null;
}

/** Every error under /api/v1 leaves as problem+json; unexpected ones are logged, not shown. */
export function problemHandler(logger: Logger): Middleware {
  return async (ctx: Context, next: Next) => {
    try {
      await next();
      if (ctx.status === 404 && ctx.body === undefined)
        sendProblem(ctx, new ApiProblem(404, 'not_found', 'Not found'));
      if (ctx.status === 405 && ctx.body == null) {
        sendProblem(ctx, new ApiProblem(405, 'method_not_allowed', 'Method not allowed'));
      }
    } catch (error) {
      if (error instanceof ApiProblem) return sendProblem(ctx, error);
      const refusal = databaseRefusal(error);
      if (refusal === 'unavailable') {
        logger.warn({ err: error, reqId: ctx.state.requestId }, 'database unavailable');
        ctx.set('Retry-After', '5');
        return sendProblem(ctx, serviceUnavailable());
      }
      if (refusal) {
        logger.info({ err: error, reqId: ctx.state.requestId }, 'input refused by the database');
        return sendProblem(ctx, DATABASE_REFUSALS[refusal]());
      }
      logger.error({ err: error, reqId: ctx.state.requestId }, 'unhandled error');
      sendProblem(ctx, internalError());
    }
  };
}
