/**
 * `POST /token`, in one pass: the rate limit; the form, read and parsed once (token-form.ts);
 * then either the direct exchange, for the plain public-client request nearly every caller sends
 * (direct-exchange.ts), or oidc-provider's pipeline (client authentication, parameters, the
 * grant), which reports the grant's typed outcome back (grant-outcome.ts); then the one record
 * of the outcome, and 429 for a further bad credential from an address past the
 * failed-credential limit.
 */
import type { Context } from 'koa';
import type { ExchangeDeps } from '../exchange/deps.js';
import type { ExchangeCall } from '../exchange/grant.js';
import { isFailedCredential, type TokenOutcome } from '../exchange/outcome.js';
import type { Services } from '../services.js';
import { directExchange, directExchangeParams } from './direct-exchange.js';
import { captureGrantOutcome } from './grant-outcome.js';
import type { ProviderHost } from './host.js';
import { recordTokenOutcome, refusalOutcome } from './token-audit.js';
import { readTokenForm, type TokenForm } from './token-form.js';

export interface TokenEndpointDeps {
  host: ProviderHost;
  services: Services;
  /** The grant's dependencies, for the direct path (the provider's grant holds its own). */
  exchange: ExchangeDeps;
}

function tooManyRequests(ctx: Context, retryAfter: number) {
  ctx.status = 429;
  ctx.set('Retry-After', String(retryAfter));
  ctx.set('Cache-Control', 'no-store');
  ctx.body = { error: 'too_many_requests', error_description: `retry after ${retryAfter} seconds` };
}

/** As oidc-provider answers an unexpected error: logged, and a 500 that says nothing more. */
function serverError(ctx: Context, services: Services, error: unknown) {
  services.logger.error({ err: error }, 'token exchange failed');
  ctx.status = 500;
  ctx.body = { error: 'server_error', error_description: 'oops! something went wrong' };
}

async function answerDirectly(
  ctx: Context,
  deps: TokenEndpointDeps,
  form: TokenForm | undefined,
  params: ExchangeCall['params'],
) {
  deps.services.metrics.tokenRequestsBy.direct.inc();
  try {
    return await directExchange(ctx, deps.exchange, params);
  } catch (error) {
    serverError(ctx, deps.services, error);
    return refusalOutcome(ctx, form);
  }
}

/** Answers the request, unless reading the form already did; returns what to record. */
async function handle(ctx: Context, deps: TokenEndpointDeps): Promise<TokenOutcome | undefined> {
  const { form, answered } = await readTokenForm(ctx);
  if (answered) return ctx.status >= 400 ? refusalOutcome(ctx, form) : undefined;
  const params = directExchangeParams(ctx, form);
  if (params) return answerDirectly(ctx, deps, form, params);
  deps.services.metrics.tokenRequestsBy.provider.inc();
  const outcome = await captureGrantOutcome(() => deps.host.handle(ctx));
  if (outcome) return outcome;
  return ctx.status >= 400 ? refusalOutcome(ctx, form) : undefined;
}

export async function tokenEndpoint(ctx: Context, deps: TokenEndpointDeps): Promise<void> {
  const { services } = deps;
  const blocked = services.limits.tokenRequest(ctx.ip);
  if (blocked) return tooManyRequests(ctx, blocked);
  const started = performance.now();
  const outcome = await handle(ctx, deps);
  const failed = outcome !== undefined && isFailedCredential(outcome);
  // Counted first, so that a failed audit write cannot skip it. A valid credential is never
  // refused for its address's failures: only a further bad one is answered 429.
  const retryAfter = failed ? await services.limits.recordFailedAuth(ctx.ip) : 0;
  await recordTokenOutcome(services, ctx, outcome, (performance.now() - started) / 1000);
  if (retryAfter) {
    ctx.remove('WWW-Authenticate');
    tooManyRequests(ctx, retryAfter);
  }
}
