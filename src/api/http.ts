/** The REST API's edges: problem+json errors, body and query parsing with zod, request metadata. */
import type { Context, Middleware, Next } from 'koa';
import type { z } from 'zod';
import type { RequestMeta } from '../audit/events.js';
import { callerOf } from '../auth/bearer.js';
import { formatIssuePath } from '../config.js';
import { isDatabaseUnavailable } from '../db/unavailable.js';
import { ApiProblem, type FieldError, internalError, invalidRequest, serviceUnavailable } from '../errors.js';
import type { Logger } from '../logger.js';
import type { Actor } from '../pat/service.js';
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
  return { userId: caller.user.id, credentialScopes: caller.scopes, meta: requestMeta(ctx) };
}

function sendProblem(ctx: Context, problem: ApiProblem) {
  ctx.status = problem.status;
  ctx.type = 'application/problem+json';
  ctx.body = problem.toJSON();
  if (problem.status === 401) ctx.set('WWW-Authenticate', 'Bearer realm="tessera"');
  // The rest of an oversized body was never read: the connection cannot carry another request.
  if (problem.status === 413) ctx.set('Connection', 'close');
}

/**
 * PostgreSQL refusing a value the API let through: SQLSTATE class 22, "data exception" (an
 * invalid byte sequence or NUL in text, a timestamp out of range such as a cursor at year 0,
 * a number out of range). Every value in a statement comes from a parsed request, so it is the
 * caller's input: a 400, never a 500.
 */
export function databaseInputProblem(error: unknown): ApiProblem | null {
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code !== 'string' || !code.startsWith('22')) return null;
  if (code === '22021' || code === '22P05')
    return invalidRequest([{ field: '(input)', message: 'contains bytes the database cannot store' }]);
  return invalidRequest([
    { field: '(input)', message: 'holds a value out of the range the database accepts' },
  ]);
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
