/**
 * Reads a write route's JSON body: within the size limit, strictly UTF-8 (invalid bytes are a
 * 400, not silently replaced), and free of NUL characters (PostgreSQL text cannot hold them).
 * Malformed JSON or a non-object top level is `400 invalid_json`; arrays go on to the route's
 * schema, which names what it expected.
 */
import type { Context, Middleware, Next } from 'koa';
import getRawBody from 'raw-body';
import { ApiProblem, invalidRequest } from '../errors.js';

export const BODY_LIMIT = 16 * 1024;

const utf8 = new TextDecoder('utf-8', { fatal: true });

const invalidJson = (detail: string) => new ApiProblem(400, 'invalid_json', 'Malformed JSON body', detail);

const bodyTooLarge = () =>
  new ApiProblem(413, 'body_too_large', 'Request body too large', `at most ${BODY_LIMIT} bytes`);

async function readBody(ctx: Context): Promise<Buffer> {
  try {
    return await getRawBody(ctx.req, { limit: BODY_LIMIT, length: ctx.get('content-length') || null });
  } catch (error) {
    const type = (error as { type?: string }).type;
    if (type === 'entity.too.large') throw bodyTooLarge();
    if (type === 'request.size.invalid' || type === 'request.aborted') throw invalidJson('incomplete body');
    throw error;
  }
}

function parse(raw: Buffer): unknown {
  let text: string;
  try {
    text = utf8.decode(raw);
  } catch {
    throw invalidJson('the body is not valid UTF-8');
  }
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

/**
 * Rejects any string (key or value) holding U+0000, naming where. Iterative, so that deeply
 * nested input cannot overflow the stack.
 */
export function assertNoNul(input: unknown, root = '(body)'): void {
  const stack: Array<{ value: unknown; path: string }> = [{ value: input, path: root }];
  while (stack.length > 0) {
    const { value, path } = stack.pop() as { value: unknown; path: string };
    if (typeof value === 'string') {
      if (value.includes('\u0000'))
        throw invalidRequest([{ field: path, message: 'must not contain NUL characters' }]);
    } else if (typeof value === 'object' && value !== null) {
      for (const [key, item] of Object.entries(value)) {
        const at = Array.isArray(value) ? `${path}[${key}]` : `${path}.${key}`;
        if (key.includes('\u0000'))
          throw invalidRequest([{ field: path, message: 'keys must not contain NUL characters' }]);
        stack.push({ value: item, path: at });
      }
    }
  }
}

export function jsonBody(): Middleware {
  return async (ctx: Context, next: Next) => {
    const hasBody = Number(ctx.get('content-length') || 0) > 0 || ctx.get('transfer-encoding') !== '';
    if (!hasBody) {
      ctx.request.body = {};
      return next();
    }
    if (!ctx.is('application/json')) {
      throw new ApiProblem(415, 'unsupported_media_type', 'Unsupported media type', 'send application/json');
    }
    const body = parse(await readBody(ctx));
    assertNoNul(body);
    ctx.request.body = body;
    return next();
  };
}
