/** The REST API's edges: problem+json errors, body and query parsing with zod, request metadata. */
import { bodyParser } from '@koa/bodyparser';
import type { Context, Middleware, Next } from 'koa';
import type { z } from 'zod';
import type { RequestMeta } from '../audit/events.js';
import { callerOf } from '../auth/bearer.js';
import { formatIssuePath } from '../config.js';
import { ApiProblem, type FieldError, internalError, invalidRequest } from '../errors.js';
import type { Logger } from '../logger.js';
import type { Actor } from '../pat/service.js';

export const BODY_LIMIT = '16kb';

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
  return { userId: callerOf(ctx).user.id, meta: requestMeta(ctx) };
}

function sendProblem(ctx: Context, problem: ApiProblem) {
  ctx.status = problem.status;
  ctx.type = 'application/problem+json';
  ctx.body = problem.toJSON();
  if (problem.status === 401) ctx.set('WWW-Authenticate', 'Bearer realm="tessera"');
}

/** Errors from the body reader (co-body / raw-body) carry a status and a type. */
function bodyReadProblem(error: unknown): ApiProblem | null {
  if (typeof error !== 'object' || error === null) return null;
  const { status, type } = error as { status?: number; type?: string };
  if (status === 413)
    return new ApiProblem(413, 'body_too_large', 'Request body too large', `limit ${BODY_LIMIT}`);
  // co-body's JSON syntax errors carry status 400 but no `type`.
  if (status === 400 && (error instanceof SyntaxError || type?.startsWith('entity.'))) {
    return new ApiProblem(400, 'invalid_json', 'Malformed JSON body', 'the body is not a JSON object');
  }
  if (status === 415) return new ApiProblem(415, 'unsupported_media_type', 'Unsupported media type');
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
      const fromBody = bodyReadProblem(error);
      if (fromBody) return sendProblem(ctx, fromBody);
      logger.error({ err: error, reqId: ctx.state.requestId }, 'unhandled error');
      sendProblem(ctx, internalError());
    }
  };
}

/** A write route's body must be JSON (or absent); the parser enforces the size limit. */
export function jsonBody(): Middleware {
  const parse = bodyParser({ enableTypes: ['json'], jsonLimit: BODY_LIMIT, jsonStrict: true });
  return async (ctx, next) => {
    const hasBody = Number(ctx.get('content-length') || 0) > 0 || ctx.get('transfer-encoding') !== '';
    if (hasBody && ['POST', 'PUT', 'PATCH', 'DELETE'].includes(ctx.method) && !ctx.is('application/json')) {
      throw new ApiProblem(415, 'unsupported_media_type', 'Unsupported media type', 'send application/json');
    }
    return parse(ctx, next);
  };
}
