/**
 * Token requests that oidc-provider refuses before the grant runs (failed client
 * authentication, unknown grant type, duplicated parameters...) are exchange attempts too:
 * they get their audit row here, with the client they claimed to be. A failed client
 * authentication also counts against the caller's failed-presentation limit.
 */
import type { Context } from 'koa';
import { EXCHANGE_AUDITED } from '../exchange/handler.js';
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

export async function auditRefusedTokenRequest(services: Services, ctx: Context): Promise<void> {
  if (ctx.state[EXCHANGE_AUDITED] || ctx.status < 400) return;
  // oidc-provider has already rendered its error: RFC 6749 §5.2 JSON.
  const error = (ctx.body ?? {}) as OAuthError;
  const code = error.error ?? `http_${ctx.status}`;
  // Counted first, so that a failed audit write cannot skip it.
  if (code === 'invalid_client') await services.limits.recordFailedAuth(ctx.ip);
  await services.recordExchange({
    at: services.clock(),
    action: 'token.exchanged',
    outcome: 'failure',
    clientId: claimedClientId(ctx),
    meta: { ip: ctx.ip || null, userAgent: ctx.get('user-agent') || null },
    reason: error.error_description ? `${code}: ${error.error_description}` : code,
  });
}
