/**
 * One place records each `/token` outcome: exactly one audit row, the failed-credential count
 * and the metrics. The grant leaves its outcome on the request (exchange/outcome.ts); requests
 * oidc-provider refuses before the grant runs (failed client authentication, unknown grant type,
 * duplicated parameters...) are exchange attempts too, audited with the client they claimed to be.
 */
import type { Context } from 'koa';
import type { AuditEvent } from '../audit/events.js';
import { type ExchangeOutcome, outcomeOf } from '../exchange/outcome.js';
import type { Services } from '../services.js';

/** Set by public-client.ts when it read the form itself. */
export const TOKEN_FORM = 'tesseraTokenForm';

interface OAuthError {
  error?: string;
  error_description?: string;
}

/** RFC 6749 §2.3.1: Basic credentials are form-encoded; an undecodable id is kept as sent. */
function formDecoded(id: string): string {
  try {
    return decodeURIComponent(id.replace(/\+/g, '%20'));
  } catch {
    return id;
  }
}

function claimedClientId(ctx: Context): string | null {
  const basic = /^Basic +([A-Za-z0-9+/=]+)$/i.exec(ctx.get('authorization'))?.[1];
  if (basic) {
    const decoded = Buffer.from(basic, 'base64').toString('utf8');
    const id = decoded.slice(0, Math.max(0, decoded.indexOf(':')));
    return id ? formDecoded(id).slice(0, 128) : null;
  }
  const form = ctx.state[TOKEN_FORM] as URLSearchParams | undefined;
  return form?.get('client_id')?.slice(0, 128) ?? null;
}

/** The outcome of a request the grant never saw, from the error oidc-provider rendered. */
function refusalOutcome(ctx: Context): ExchangeOutcome {
  const error = (ctx.body ?? {}) as OAuthError;
  const code = error.error ?? `http_${ctx.status}`;
  return {
    kind: 'denied',
    reason: error.error_description ? `${code}: ${error.error_description}` : code,
    facts: { clientId: claimedClientId(ctx) },
    failedCredential: code === 'invalid_client',
  };
}

function auditEvent(ctx: Context, outcome: ExchangeOutcome, at: Date): AuditEvent {
  const { facts } = outcome;
  return {
    at,
    action: 'token.exchanged',
    outcome: outcome.kind === 'granted' ? 'success' : 'failure',
    actorUserId: facts.userId ?? null,
    subjectUserId: facts.userId ?? null,
    patId: facts.patId ?? null,
    meta: { ip: ctx.ip || null, userAgent: ctx.get('user-agent') || null },
    clientId: facts.clientId,
    audience: facts.audience ?? null,
    scope: facts.scope ?? null,
    jti: facts.jti ?? null,
    reason: outcome.kind === 'denied' ? outcome.reason : null,
    federation: facts.federation ? { exchange: true, ...facts.federation } : null,
    actorChain: facts.actorChain ?? null,
    actorPatId: facts.actorPatId ?? null,
  };
}

/** Records a finished `/token` request: failed-credential count, audit row, metrics. */
export async function recordTokenOutcome(services: Services, ctx: Context, seconds: number): Promise<void> {
  const outcome = outcomeOf(ctx) ?? (ctx.status >= 400 ? refusalOutcome(ctx) : undefined);
  const label =
    ctx.status === 200 ? 'granted' : ((ctx.body as OAuthError | undefined)?.error ?? String(ctx.status));
  services.metrics.exchanges.inc({ outcome: label });
  services.metrics.exchangeSeconds.observe(seconds);
  if (!outcome) return;
  try {
    // Counted first, so that a failed audit write cannot skip it.
    if (outcome.kind === 'denied' && outcome.failedCredential) await services.limits.recordFailedAuth(ctx.ip);
    if (outcome.kind === 'denied') {
      services.logger.debug(
        { reason: outcome.reason, patId: outcome.facts.patId, clientId: outcome.facts.clientId },
        'exchange denied',
      );
    }
    await services.recordExchange(auditEvent(ctx, outcome, services.clock()));
  } catch (err) {
    // The answer stands (e.g. a 503 while the database is away); the lost row is logged.
    services.logger.error({ err }, 'could not audit a token request');
  }
}
