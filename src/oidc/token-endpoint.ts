/**
 * `POST /token`, in one pass: the rate limit; the form, read and parsed once (token-form.ts);
 * oidc-provider's pipeline (client authentication, parameters, the grant), which reports the
 * grant's typed outcome back (grant-outcome.ts); then the one record of the outcome, and 429
 * for a further bad credential from an address past the failed-credential limit.
 */
import type { Context } from 'koa';
import { isFailedCredential, type TokenOutcome } from '../exchange/outcome.js';
import type { Services } from '../services.js';
import { captureGrantOutcome } from './grant-outcome.js';
import type { ProviderHost } from './host.js';
import { recordTokenOutcome, refusalOutcome } from './token-audit.js';
import { readTokenForm } from './token-form.js';

function tooManyRequests(ctx: Context, retryAfter: number) {
  ctx.status = 429;
  ctx.set('Retry-After', String(retryAfter));
  ctx.set('Cache-Control', 'no-store');
  ctx.body = { error: 'too_many_requests', error_description: `retry after ${retryAfter} seconds` };
}

/** Runs the provider over the request, unless reading the form already answered it. */
async function handle(ctx: Context, host: ProviderHost): Promise<TokenOutcome | undefined> {
  const { form, answered } = await readTokenForm(ctx);
  const outcome = answered ? undefined : await captureGrantOutcome(() => host.handle(ctx));
  if (outcome) return outcome;
  return ctx.status >= 400 ? refusalOutcome(ctx, form) : undefined;
}

export async function tokenEndpoint(ctx: Context, host: ProviderHost, services: Services): Promise<void> {
  const blocked = services.limits.tokenRequest(ctx.ip);
  if (blocked) return tooManyRequests(ctx, blocked);
  const started = performance.now();
  const outcome = await handle(ctx, host);
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
