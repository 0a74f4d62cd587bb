/**
 * RFC 8693 token exchange: a Tessera PAT in, a short-lived RFC 9068 JWT out. Registered with
 * oidc-provider's `registerGrantType`, which has already authenticated the client, rejected
 * unknown and duplicated parameters, and set `Cache-Control: no-store`.
 *
 * Checks, in order: the client may use this grant; §2.1 parameters; the subject PAT; the
 * target resource; the scopes. Every exchange, granted or denied, is audited.
 */
import type { TokenEndpointGrantContext } from 'oidc-provider';
import type { RequestMeta } from '../audit/events.js';
import type { Config } from '../config.js';
import { isDatabaseUnavailable } from '../db/unavailable.js';
import type { KeyRing } from '../keys/keyring.js';
import type { Services } from '../services.js';
import { INVALID_SUBJECT_TOKEN, PUBLIC_CLIENT_ID, TOKEN_EXCHANGE_GRANT } from './constants.js';
import { ExchangeDenied, invalidRequest, temporarilyUnavailable, unauthorizedClient } from './denial.js';
import { issueJwt, jwtLifetime } from './jwt.js';
import { parseExchangeRequest } from './request.js';
import { authenticateSubject, SubjectDenied } from './subject.js';
import { grantedScopes, resolveResource } from './target.js';

export interface ExchangeDeps extends Services {
  keys: () => KeyRing;
}

/** Set on `ctx.state` once the grant has audited the request (see oidc/token-audit.ts). */
export const EXCHANGE_AUDITED = 'tesseraExchangeAudited';

/** What the audit row says about one exchange, filled in as the checks pass. */
interface ExchangeRecord {
  clientId: string;
  meta: RequestMeta;
  patId?: string | null;
  userId?: string | null;
  audience?: string;
  scope?: string;
  jti?: string;
}

function checkClientGrant(config: Config, clientId: string) {
  if (clientId === PUBLIC_CLIENT_ID) return undefined;
  const client = config.clients.find((c) => c.client_id === clientId);
  if (!client?.grant_types.includes(TOKEN_EXCHANGE_GRANT)) {
    throw unauthorizedClient('the client is not allowed to use token exchange');
  }
  return client;
}

export function buildExchangeHandler(deps: ExchangeDeps) {
  const { clock, config } = deps;

  async function exchange(ctx: TokenEndpointGrantContext, record: ExchangeRecord) {
    const client = checkClientGrant(config, record.clientId);
    const request = parseExchangeRequest(ctx.oidc.params as Record<string, string | string[] | undefined>);
    const now = clock();
    const holder = await authenticateSubject(
      deps.patLookup,
      config.tokens.prefix,
      request.subjectToken,
      now,
      record.meta.ip,
    );
    record.patId = holder.pat.id;
    record.userId = holder.user.id;
    const resource = resolveResource(request.targets, config.resources, config.defaultAudience, client);
    record.audience = resource.audience;
    const scopes = grantedScopes(request.scopes, holder.pat.scopes, holder.user.entitlements, resource);
    record.scope = scopes.join(' ');
    const lifetime = jwtLifetime(resource, holder.pat.expires_at, now);
    if (lifetime <= 0) throw invalidRequest(INVALID_SUBJECT_TOKEN, 'token expired');

    const issuedAt = Math.floor(now.getTime() / 1000);
    const jwt = await issueJwt(ctx, {
      userId: holder.user.id,
      patId: holder.pat.id,
      scopes,
      resource,
      lifetime,
      issuedAt,
      signing: deps.keys().signing,
    });
    record.jti = jwt.jti;
    ctx.body = {
      access_token: jwt.value,
      issued_token_type: request.issuedTokenType,
      token_type: 'Bearer',
      expires_in: lifetime,
      scope: record.scope,
    };
    await deps.usage.record(holder.pat.id, now, record.meta.ip);
  }

  function audit(record: ExchangeRecord, outcome: 'success' | 'failure', reason?: string) {
    return deps.recordExchange({
      at: clock(),
      action: 'token.exchanged',
      outcome,
      actorUserId: record.userId ?? null,
      subjectUserId: record.userId ?? null,
      patId: record.patId ?? null,
      meta: record.meta,
      clientId: record.clientId,
      audience: record.audience ?? null,
      scope: record.scope ?? null,
      jti: record.jti ?? null,
      reason: reason ?? null,
    });
  }

  return async function tokenExchangeGrant(ctx: TokenEndpointGrantContext): Promise<void> {
    const record: ExchangeRecord = {
      clientId: ctx.oidc.client.clientId,
      meta: { ip: ctx.ip || null, userAgent: ctx.get('user-agent') || null },
    };
    try {
      await exchange(ctx, record);
    } catch (error) {
      if (isDatabaseUnavailable(error)) {
        deps.logger.warn({ err: error }, 'exchange failed: database unavailable');
        throw temporarilyUnavailable();
      }
      if (!(error instanceof ExchangeDenied)) throw error;
      if (error instanceof SubjectDenied) {
        record.patId = error.patId;
        record.userId = error.userId;
        await deps.limits.recordFailedAuth(ctx.ip);
      }
      deps.logger.debug(
        { reason: error.reason, patId: record.patId, clientId: record.clientId },
        'exchange denied',
      );
      await audit(record, 'failure', error.reason);
      ctx.state[EXCHANGE_AUDITED] = true;
      throw error.oauthError;
    }
    await audit(record, 'success');
    ctx.state[EXCHANGE_AUDITED] = true;
  };
}
