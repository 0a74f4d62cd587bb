/**
 * docs/design.md: "`client_id` may be omitted; such requests act as the built-in public client
 * `tessera-cli`". oidc-provider requires a client_id and offers no hook before client
 * authentication, and no body parser may stand in front of its `/token` (it reads the raw
 * stream itself). So for a token request that names no client at all, this reads the raw form
 * (within the same size limit), appends `client_id=tessera-cli`, and hands oidc-provider a
 * replayed request carrying the amended body. Requests that name or authenticate a client
 * pass through untouched.
 */
import { IncomingMessage } from 'node:http';
import type { Context } from 'koa';
import getRawBody from 'raw-body';
import { PUBLIC_CLIENT_ID } from '../exchange/constants.js';
import { TOKEN_FORM } from './token-audit.js';

/** oidc-provider's own limit for token request bodies. */
export const TOKEN_BODY_LIMIT = 56 * 1024;

function replay(original: IncomingMessage, body: Buffer): IncomingMessage {
  const copy = new IncomingMessage(original.socket);
  copy.method = original.method;
  copy.url = original.url;
  copy.httpVersion = original.httpVersion;
  copy.httpVersionMajor = original.httpVersionMajor;
  copy.httpVersionMinor = original.httpVersionMinor;
  copy.headers = { ...original.headers, 'content-length': String(body.length) };
  delete copy.headers['transfer-encoding'];
  // `complete`: the whole message is here. Without it, the replay's auto-destroy after 'end'
  // would count as an aborted request and destroy the socket.
  copy.complete = true;
  copy.push(body);
  copy.push(null);
  return copy;
}

/** True when the request neither names nor authenticates a client. */
function namesNoClient(ctx: Context, form: URLSearchParams): boolean {
  return !ctx.get('authorization') && !form.has('client_id') && !form.has('client_assertion');
}

/**
 * For `POST /token` with a form body and no client: re-issue it as `tessera-cli`. Answers 400
 * `invalid_request` itself when the body is over the limit.
 */
export async function defaultToPublicClient(ctx: Context): Promise<void> {
  if (ctx.method !== 'POST' || !ctx.is('application/x-www-form-urlencoded') || ctx.get('authorization'))
    return;
  let raw: Buffer;
  try {
    raw = await getRawBody(ctx.req, { limit: TOKEN_BODY_LIMIT, length: ctx.get('content-length') || null });
  } catch (error) {
    if ((error as { type?: string }).type !== 'entity.too.large') throw error;
    ctx.status = 413;
    ctx.set('Connection', 'close');
    ctx.body = { error: 'invalid_request', error_description: 'request body too large' };
    return;
  }
  const form = new URLSearchParams(raw.toString('utf8'));
  ctx.state[TOKEN_FORM] = form;
  // First, not last: oidc-provider's form parser keeps only the first 1000 parameters.
  const body = namesNoClient(ctx, form)
    ? Buffer.concat([Buffer.from(`client_id=${PUBLIC_CLIENT_ID}${raw.length ? '&' : ''}`), raw])
    : raw;
  ctx.req = replay(ctx.req, body);
  ctx.request.req = ctx.req;
}
