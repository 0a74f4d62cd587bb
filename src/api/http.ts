/** The REST API's edges: problem+json errors, body and query parsing with zod, request metadata. */
import type { Context, Middleware, Next } from 'koa';
import type { z } from 'zod';
import type { Actor } from '../audit/actor.js';
import type { RequestMeta } from '../audit/event.js';
import { callerOf } from '../auth/bearer.js';
import { challengeOf } from '../auth/dpop.js';
import { formatIssuePath } from '../config.js';
import { isDatabaseUnavailable } from '../db/unavailable.js';
import { ApiProblem, type FieldError, internalError, invalidRequest, serviceUnavailable } from '../errors.js';
import type { Logger } from '../logger.js';
import { assertNoNul } from './json-body.js';

/** Turns zod issues into field errors; unknown keys are named one by one. */
export function fieldErrors(error: z.ZodError): FieldError[] {
  return error.issues.flatMap((issue) => {
    const at = formatIssuePath(issue.path);
    if (issue.code === 'unrecognized_keys') {
      return issue.keys.map((key) => ({ field: at ? `${at}.${key}` : key, message: 'unknown field' }));
    }
    return [{ field: at || '(body)', message: issue.message }];
  });
}

export function parseWith<S extends z.ZodType>(schema: S, input: unknown): z.infer<S> {
  assertNoNul(input, '(input)');
  const parsed = schema.safeParse(input);
  if (!parsed.success) throw invalidRequest(fieldErrors(parsed.error));
  return parsed.data;
}

export const parseBody = <S extends z.ZodType>(ctx: Context, schema: S) =>
  parseWith(schema, ctx.request.body);
export const parseQuery = <S extends z.ZodType>(ctx: Context, schema: S) => parseWith(schema, ctx.query);

export function requestMeta(ctx: Context): RequestMeta {
  return { ip: ctx.ip || null, userAgent: ctx.get('user-agent') || null };
}

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

/** SQLSTATEs of class 22 ("data exception") that a value from a request can cause. */
const UNSTORABLE_TEXT = new Set(['22021', '22P05']); // bad byte sequence; NUL or untranslatable
const OUT_OF_RANGE = new Set([
  '22001', // string too long for its column
  '22003', // number out of range
  '22007', // invalid date/time format
  '22008', // date/time out of range (a cursor at year 0)
  '22P02', // invalid text representation (a uuid, an inet)
]);

/**
 * PostgreSQL refusing a value the API let through. Every value in a statement comes from a
 * parsed request, so these are the caller's input: a 400, never a 500. The list is closed: the
 * rest of class 22 (division by zero, a null where none is allowed, ...) is a bug of ours and
 * stays a logged 500.
 */
export function databaseInputProblem(error: unknown): ApiProblem | null {
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code !== 'string') return null;
  if (UNSTORABLE_TEXT.has(code))
    return invalidRequest([{ field: '(input)', message: 'contains bytes the database cannot store' }]);
  if (OUT_OF_RANGE.has(code))
    return invalidRequest([
      { field: '(input)', message: 'holds a value out of the range the database accepts' },
    ]);
  return null;
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
      if (isDatabaseUnavailable(error)) {
        logger.warn({ err: error, reqId: ctx.state.requestId }, 'database unavailable');
        ctx.set('Retry-After', '5');
        return sendProblem(ctx, serviceUnavailable());
      }
      const fromInput = databaseInputProblem(error);
      if (fromInput) {
        logger.info({ err: error, reqId: ctx.state.requestId }, 'input refused by the database');
        return sendProblem(ctx, fromInput);
      }
      logger.error({ err: error, reqId: ctx.state.requestId }, 'unhandled error');
      sendProblem(ctx, internalError());
    }
  };
}
