/**
 * The `/token` form, read and parsed once. The endpoint needs it before oidc-provider does:
 * docs/design.md says "`client_id` may be omitted; such requests act as the built-in public client
 * `tessera-cli`", and oidc-provider offers no hook before client authentication; the audit row
 * names the client a refused request claimed. oidc-provider takes an already-parsed body from
 * `ctx.request.body` once the request stream has been read (its selective_body.js), so the
 * form is handed over there, with `client_id=tessera-cli` added when no client is named.
 */
import querystring, { type ParsedUrlQuery } from 'node:querystring';
import type { Context } from 'koa';
import { PUBLIC_CLIENT_ID } from '../exchange/constants.js';
import { readRawBody, UnreadableBody } from '../http/body.js';

/** oidc-provider's own limit for token request bodies. */
export const TOKEN_BODY_LIMIT = 56 * 1024;

export type TokenForm = ParsedUrlQuery;

/**
 * oidc-provider warns once per process that "having upstream middleware parser is not
 * recommended" when it finds a parsed body: here the parse is deliberate (see above) and the
 * notice would only alarm whoever reads the server's stderr, so exactly that line is dropped.
 */
let quieted = false;
export function quietParsedBodyNotice(): void {
  if (quieted) return;
  quieted = true;
  const warn = console.warn;
  console.warn = (...args: unknown[]) => {
    if (typeof args[0] === 'string' && args[0].includes('already parsed request body detected')) return;
    warn.apply(console, args);
  };
}

/** True when the request neither names nor authenticates a client. */
function namesNoClient(ctx: Context, form: TokenForm): boolean {
  return !ctx.get('authorization') && form.client_id === undefined && form.client_assertion === undefined;
}

/** A body over the limit is 413; one cut short or longer than announced, 400: both RFC 6749 JSON. */
function refuseUnreadable(ctx: Context, error: unknown) {
  if (!(error instanceof UnreadableBody)) throw error;
  if (error.reason === 'too_large') {
    ctx.status = 413;
    ctx.set('Connection', 'close');
    ctx.body = { error: 'invalid_request', error_description: 'request body too large' };
    return;
  }
  ctx.status = 400;
  ctx.body = { error: 'invalid_request', error_description: 'failed to read the request body' };
}

/** The form as sent (none when the body is not a form); `answered` when it could not be read. */
export interface TokenFormRead {
  form: TokenForm | undefined;
  answered: boolean;
}

/**
 * For `POST /token` with a form body: reads and parses it, and hands it to oidc-provider (as
 * `tessera-cli` when it names no client). A body that is not a form is left to oidc-provider.
 */
export async function readTokenForm(ctx: Context): Promise<TokenFormRead> {
  if (!ctx.is('application/x-www-form-urlencoded')) return { form: undefined, answered: false };
  let raw: Buffer;
  try {
    raw = await readRawBody(ctx, TOKEN_BODY_LIMIT);
  } catch (error) {
    refuseUnreadable(ctx, error);
    return { form: undefined, answered: true };
  }
  const form = querystring.parse(raw.toString('utf8'));
  // First, not last: oidc-provider's form parser keeps only the first 1000 parameters.
  ctx.request.body = namesNoClient(ctx, form) ? { client_id: PUBLIC_CLIENT_ID, ...form } : form;
  return { form, answered: false };
}
