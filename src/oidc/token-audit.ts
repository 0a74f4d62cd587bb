/**
 * One place records each `/token` outcome: exactly one audit row and the metrics. The grant
 * returns its outcome (exchange/grant.ts); requests oidc-provider refuses before the grant runs
 * (failed client authentication, unknown grant type, duplicated parameters...) are exchange
 * attempts too, audited with the client they claimed to be.
 */
import type { Context } from 'koa';
import type { AuditEvent } from '../audit/event.js';
import type { ProviderRefusal, TokenOutcome } from '../exchange/outcome.js';
import type { Services } from '../services.js';
import type { TokenForm } from './token-form.js';

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

function claimedClientId(ctx: Context, form: TokenForm | undefined): string | null {
  const basic = /^Basic +([A-Za-z0-9+/=]+)$/i.exec(ctx.get('authorization'))?.[1];
  if (basic) {
    const decoded = Buffer.from(basic, 'base64').toString('utf8');
    const id = decoded.slice(0, Math.max(0, decoded.indexOf(':')));
    return id ? formDecoded(id).slice(0, 128) : null;
  }
  const id = form?.client_id;
  return (Array.isArray(id) ? id[0] : id)?.slice(0, 128) ?? null;
}

/** The outcome of a request the grant never saw, from the error oidc-provider rendered. */
export function refusalOutcome(ctx: Context, form: TokenForm | undefined): ProviderRefusal {
  const error = (ctx.body ?? {}) as OAuthError;
  const code = error.error ?? `http_${ctx.status}`;
  return {
    kind: 'refused',
    code,
    reason: error.error_description ? `${code}: ${error.error_description}` : code,
    facts: { clientId: claimedClientId(ctx, form) },
  };
}

function auditEvent(ctx: Context, outcome: TokenOutcome, at: Date): AuditEvent {
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
    reason: outcome.kind === 'granted' ? null : outcome.reason,
    federation: facts.federation ? { exchange: true, ...facts.federation } : null,
    actorChain: facts.actorChain ?? null,
    actorPatId: facts.actorPatId ?? null,
    dpopJkt: facts.dpopJkt ?? null,
  };
}

/** Records a finished `/token` request: audit row, metrics. */
export async function recordTokenOutcome(
  services: Services,
  ctx: Context,
  outcome: TokenOutcome | undefined,
  seconds: number,
): Promise<void> {
  const label =
    ctx.status === 200 ? 'granted' : ((ctx.body as OAuthError | undefined)?.error ?? String(ctx.status));
  services.metrics.exchanges.inc({ outcome: label });
  services.metrics.exchangeSeconds.observe(seconds);
  if (!outcome) return;
  try {
    if (outcome.kind !== 'granted') {
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
