/**
 * RFC 8693 token exchange: a subject token in (a Tessera PAT, or an external OIDC token through
 * a trust policy), a short-lived RFC 9068 JWT out. Registered with oidc-provider's
 * `registerGrantType`, which has already authenticated the client, rejected unknown and
 * duplicated parameters, and set `Cache-Control: no-store`.
 *
 * Checks, in order: the client may use this grant; §2.1 parameters; the subject token; the
 * target resource; the scopes. The grant leaves its outcome on the request (outcome.ts); the
 * token endpoint audits it.
 */
import type { Context } from 'koa';
import type { TokenEndpointGrantContext } from 'oidc-provider';
import type { Config } from '../config.js';
import { isDatabaseUnavailable } from '../db/unavailable.js';
import { missingProof, tokenRequestProof } from '../dpop/token-endpoint.js';
import { authenticateFederated, FederationUnavailable } from '../federation/subject.js';
import type { KeyRing } from '../keys/keyring.js';
import type { Services } from '../services.js';
import { INVALID_SUBJECT_TOKEN, PUBLIC_CLIENT_ID, TOKEN_EXCHANGE_GRANT } from './constants.js';
import {
  ExchangeDenied,
  invalidRequest,
  invalidTarget,
  temporarilyUnavailable,
  unauthorizedClient,
} from './denial.js';
import { issueJwt, jwtLifetime } from './jwt.js';
import { type ExchangeFacts, leaveOutcome } from './outcome.js';
import { authenticatePat, patSubject } from './pat-subject.js';
import { type ExchangeRequest, parseExchangeRequest } from './request.js';
import { type ExchangeSubject, SubjectDenied } from './subject.js';
import { grantedScopes, resolveResource } from './target.js';

export interface ExchangeDeps extends Services {
  keys: () => KeyRing;
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

  async function authenticateSubject(request: ExchangeRequest, now: Date, ip: string | null) {
    if (request.subjectKind === 'federated') {
      const federation = {
        db: deps.db,
        policies: deps.policyLookup,
        clock,
        issuerKeys: deps.issuerKeys,
        federation: config.federation,
      };
      return authenticateFederated(federation, request.subjectToken, request.trustPolicy);
    }
    const record = await authenticatePat(deps.patLookup, config.tokens.prefix, request.subjectToken, now, ip);
    return patSubject(record, now, () => deps.usage.record(record.pat.id, now, ip));
  }

  async function exchange(ctx: TokenEndpointGrantContext, facts: ExchangeFacts, ip: string | null) {
    const client = checkClientGrant(config, ctx.oidc.client.clientId);
    const request = parseExchangeRequest(ctx.oidc.params as Record<string, string | string[] | undefined>);
    const now = clock();
    // RFC 9449 §5: checked before the subject, so a bad proof spends no subject lookup.
    const proof = await tokenRequestProof(deps.dpop, ctx as unknown as Context);
    const subject: ExchangeSubject = await authenticateSubject(request, now, ip);
    Object.assign(facts, subject.facts);
    if (subject.requireDpop && !proof) throw missingProof('require_dpop: no DPoP proof');
    const resource = resolveResource(request.targets, config.resources, config.defaultAudience, client);
    facts.audience = resource.audience;
    if (subject.allowedAudiences && !subject.allowedAudiences.includes(resource.audience)) {
      throw invalidTarget(
        'the requested audience or resource is not available',
        'trust policy does not allow it',
      );
    }
    const scopes = grantedScopes(request.scopes, subject.heldScopes, subject.entitlements, resource);
    facts.scope = scopes.join(' ');
    const lifetime = jwtLifetime(resource, subject.maxLifetime);
    if (lifetime <= 0) throw invalidRequest(INVALID_SUBJECT_TOKEN, 'token expired');

    await subject.beforeIssue?.();
    const jwt = await issueJwt(ctx, {
      userId: subject.userId,
      grantId: subject.credentialId,
      claims: subject.claims,
      scopes,
      resource,
      lifetime,
      issuedAt: Math.floor(now.getTime() / 1000),
      signing: deps.keys().signing,
      jkt: proof?.jkt,
    });
    facts.jti = jwt.jti;
    ctx.body = {
      access_token: jwt.value,
      issued_token_type: request.issuedTokenType,
      token_type: proof ? 'DPoP' : 'Bearer',
      expires_in: lifetime,
      scope: facts.scope,
    };
    await subject.afterGrant?.();
  }

  return async function tokenExchangeGrant(ctx: TokenEndpointGrantContext): Promise<void> {
    const koa = ctx as unknown as Context;
    const facts: ExchangeFacts = { clientId: ctx.oidc.client.clientId };
    try {
      await exchange(ctx, facts, koa.ip || null);
    } catch (error) {
      if (isDatabaseUnavailable(error)) {
        deps.logger.warn({ err: error }, 'exchange failed: database unavailable');
        throw temporarilyUnavailable();
      }
      if (error instanceof FederationUnavailable) {
        deps.logger.warn({ reason: error.reason }, 'exchange failed: issuer unavailable');
        Object.assign(facts, { federation: error.facts });
        leaveOutcome(koa, { kind: 'denied', reason: error.reason, facts, failedCredential: false });
        throw temporarilyUnavailable('the issuer of the subject_token cannot be reached; retry shortly');
      }
      if (!(error instanceof ExchangeDenied)) throw error;
      if (error instanceof SubjectDenied) Object.assign(facts, error.facts);
      const { reason, failedCredential } = error;
      leaveOutcome(koa, { kind: 'denied', reason, facts, failedCredential });
      throw error.oauthError;
    }
    leaveOutcome(koa, { kind: 'granted', facts });
  };
}
