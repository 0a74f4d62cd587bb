/**
 * Reads a write route's JSON body (through the shared reader, `body.ts`): within the size limit,
 * strictly UTF-8, and free of NUL characters (PostgreSQL text cannot hold them). Malformed JSON
 * or a non-object top level is `400 invalid_json`; arrays go on to the route's schema, which
 * names what it expected.
 */
import type { Context, Middleware, Next } from 'koa';
import { ApiProblem } from '../errors.js';
import { announcesBody, BODY_LIMIT, type BodyRefusal, readBodyText, UnreadableBody } from './body.js';
import { assertNoNul } from './nul.js';

const invalidJson = (detail: string) => new ApiProblem(400, 'invalid_json', 'Malformed JSON body', detail);

/** `/api/v1`'s words for a body it could not read. */
const REFUSALS: Record<BodyRefusal, () => ApiProblem> = {
  unsupported_type: () =>
    new ApiProblem(415, 'unsupported_media_type', 'Unsupported media type', 'send application/json'),
  too_large: () =>
    new ApiProblem(413, 'body_too_large', 'Request body too large', `at most ${BODY_LIMIT} bytes`),
  incomplete: () => invalidJson('incomplete body'),
  not_utf8: () => invalidJson('the body is not valid UTF-8'),
};

async function readJsonText(ctx: Context): Promise<string> {
  try {
    return await readBodyText(ctx, 'application/json');
  } catch (error) {
    if (error instanceof UnreadableBody) throw REFUSALS[error.reason]();
    throw error;
  }
}

function parse(text: string): unknown {
  if (text.trim() === '') return {};
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw invalidJson('the body is not valid JSON');
  }
  if (typeof value !== 'object' || value === null) throw invalidJson('the body must be a JSON object');
  return value;
}

export function jsonBody(): Middleware {
  return async (ctx: Context, next: Next) => {
    if (!announcesBody(ctx)) {
      ctx.request.body = {};
      return next();
    }
    const body = parse(await readJsonText(ctx));
    assertNoNul(body);
    ctx.request.body = body;
    return next();
  };
}
