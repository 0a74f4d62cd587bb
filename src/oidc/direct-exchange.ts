/**
 * The token exchange of the request nearly every client sends, answered without oidc-provider's
 * per-request pipeline (router, context, body replay, parameter assembly, client lookup, error
 * handler): issue 19, measured in bench/README.md. It takes only requests for which that
 * pipeline would decide nothing and pass them on to the grant unchanged:
 * - no client credential of any kind (no `Authorization` header, `client_secret`,
 *   `client_assertion` or `client_assertion_type`), and `client_id` absent or the built-in public
 *   client, whose auth method `none` has nothing to check (docs/design.md);
 * - `grant_type` is the token exchange, sent once;
 * - every parameter is one the exchange knows, sent once (`audience` and `resource` may repeat),
 *   and `scope` has RFC 6749 §3.3 syntax;
 * - no `Origin` header (CORS answers are the provider's), and JSON is acceptable (a client that
 *   prefers HTML gets the provider's error page).
 * Every other request goes through oidc-provider as before. The grant, its rules and its outcome
 * are the same function either way (exchange/grant.ts); what is skipped is plumbing. Answers are
 * rendered as oidc-provider's error handler renders them, held by test/integration/exchange/
 * direct-exchange.test.ts, which sends each request both ways and compares the answers.
 */
import type { Context } from 'koa';
import {
  EXCHANGE_PARAMETERS,
  PUBLIC_CLIENT_ID,
  REPEATABLE_PARAMETERS,
  TOKEN_EXCHANGE_GRANT,
} from '../exchange/constants.js';
import type { ExchangeDeps } from '../exchange/deps.js';
import { type ExchangeCall, exchangeToken } from '../exchange/grant.js';
import type { ExchangeOutcome, OAuthError } from '../exchange/outcome.js';
import { exchangeCallOf } from './exchange-call.js';
import type { TokenForm } from './token-form.js';

const CORS_HEADERS = {
  'Access-Control-Allow-Origin': '*',
  'Access-Control-Expose-Headers': 'WWW-Authenticate',
};
const KNOWN = new Set<string>(['grant_type', 'client_id', ...EXCHANGE_PARAMETERS]);
const REPEATABLE = new Set<string>(REPEATABLE_PARAMETERS);

/** oidc-provider's scope syntax check (RFC 6749 §3.3): a request failing it is the provider's to refuse. */
const SCOPE_SYNTAX = /^[\x21\x23-\x5B\x5D-\x7E]+(?: [\x21\x23-\x5B\x5D-\x7E]+)*$/u;

function isPlainForm(form: TokenForm): boolean {
  for (const name in form) {
    if (!KNOWN.has(name)) return false;
    if (Array.isArray(form[name]) && !REPEATABLE.has(name)) return false;
  }
  const { grant_type, client_id, scope } = form;
  return (
    grant_type === TOKEN_EXCHANGE_GRANT &&
    (client_id === undefined || client_id === PUBLIC_CLIENT_ID) &&
    (!scope || SCOPE_SYNTAX.test(scope as string))
  );
}

/**
 * The exchange's parameters when this request is one to answer directly, else undefined. An
 * empty value counts as absent, as in oidc-provider's parameter assembly.
 */
export function directExchangeParams(
  ctx: Context,
  form: TokenForm | undefined,
): ExchangeCall['params'] | undefined {
  if (!form) return undefined;
  const headers = ctx.req.headers;
  if (headers.authorization !== undefined || headers.origin !== undefined) return undefined;
  if (!isPlainForm(form)) return undefined;
  if (headers.accept !== undefined && ctx.accepts('json', 'html') === 'html') return undefined;
  const params: ExchangeCall['params'] = {};
  for (const name of EXCHANGE_PARAMETERS) params[name] = form[name] || undefined;
  return params;
}

/**
 * An OAuth error as oidc-provider's error handler renders it (RFC 6749 §5.2): an error it would
 * not expose (a 5xx not marked otherwise) says nothing but `server_error`.
 */
function renderError(ctx: Context, error: OAuthError) {
  ctx.status = error.statusCode || 500;
  if (!error.expose) {
    ctx.body = { error: 'server_error', error_description: 'oops! something went wrong' };
    return;
  }
  const { error_description: description, scope } = error as OAuthError & { scope?: string };
  ctx.body = {
    error: error.message,
    ...(description !== undefined ? { error_description: description } : undefined),
    ...(scope !== undefined ? { scope } : undefined),
  };
}

/** Runs the exchange as the public client and answers the request. */
export async function directExchange(
  ctx: Context,
  deps: ExchangeDeps,
  params: ExchangeCall['params'],
): Promise<ExchangeOutcome> {
  // What oidc-provider's CORS middleware sets on a request with no Origin, and its no-cache one.
  ctx.vary('Origin');
  ctx.set(CORS_HEADERS);
  ctx.set('Cache-Control', 'no-store');
  const outcome = await exchangeToken(deps, exchangeCallOf(ctx, PUBLIC_CLIENT_ID, params));
  if (outcome.kind === 'denied') {
    renderError(ctx, outcome.error);
  } else {
    ctx.status = 200;
    ctx.body = outcome.response;
  }
  return outcome;
}
