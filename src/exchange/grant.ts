/**
 * RFC 8693 token exchange: a subject token in (a Tessera PAT, or an external OIDC token through
 * a trust policy), a short-lived RFC 9068 JWT out. It runs once the client is authenticated and
 * unknown and duplicated parameters are dealt with: by oidc-provider, as a registered grant type
 * (oidc/provider.ts), or by the token endpoint itself for a request that names no client
 * credential (oidc/direct-exchange.ts).
 *
 * Checks, in order: the client may use this grant; §2.1 parameters; the subject token; the
 * target resource; the scopes. `exchangeToken` returns the typed outcome, granted or denied
 * and why; it throws only for what nobody expected (a 500).
 */
import { isDatabaseUnavailable } from '../db/unavailable.js';
import { authenticateActor } from '../delegation/actor.js';
import { applyDelegation } from '../delegation/apply.js';
import { claimsTesseraIssuer, tesseraJwtSubject } from '../delegation/jwt-subject.js';
import { missingProof, type TokenDpopRequest, tokenRequestProof } from '../dpop/token-endpoint.js';
import { PUBLIC_CLIENT_ID, TOKEN_EXCHANGE_GRANT } from './constants.js';
import {
  ExchangeDenied,
  invalidSubjectToken,
  invalidTarget,
  temporarilyUnavailable,
  unauthorizedClient,
} from './denial.js';
import type { ExchangeDeps } from './deps.js';
import { authenticateFederated, FederationUnavailable } from './federated-subject.js';
import { issueJwt, jwtLifetime } from './jwt.js';
import type { ExchangeFacts, ExchangeOutcome, ExchangeResponse } from './outcome.js';
import { patSubject } from './pat-subject.js';
import { type ExchangeRequest, parseExchangeRequest } from './request.js';
import { type ExchangeSubject, SubjectDenied } from './subject.js';
import { grantedScopes, resolveResource } from './target.js';

/** One token-exchange request from an authenticated client (the token endpoint or oidc-provider's pipeline). */
export interface ExchangeCall {
  /** The client that asked, already authenticated. */
  clientId: string;
  /** The request's parameters, unknown ones stripped and duplicates refused. */
  params: Record<string, string | string[] | undefined>;
  /** The client address (net/client-address.ts), null when unknown. */
  ip: string | null;
  /** The request's DPoP proof, if any (RFC 9449 §5). */
  dpop: TokenDpopRequest;
}

function checkClientGrant(config: ExchangeDeps['config'], clientId: string) {
  if (clientId === PUBLIC_CLIENT_ID) return undefined;
  const client = config.clients.find((c) => c.client_id === clientId);
  if (!client?.grant_types.includes(TOKEN_EXCHANGE_GRANT)) {
    throw unauthorizedClient('the client is not allowed to use token exchange');
  }
  return client;
}

function authenticateSubject(deps: ExchangeDeps, request: ExchangeRequest, now: Date, ip: string | null) {
  if (request.subjectKind === 'federated') {
    // A token Tessera issued is a chained subject (delegation/), never a federated one.
    if (claimsTesseraIssuer(request.subjectToken, deps.delegation.issuer)) {
      return tesseraJwtSubject(deps.delegation, request.subjectToken, now);
    }
    return authenticateFederated(deps.federated, request.subjectToken, request.trustPolicy);
  }
  return patSubject(deps.pats, request.subjectToken, now, ip);
}

function authenticateActorOf(deps: ExchangeDeps, request: ExchangeRequest, now: Date, ip: string | null) {
  if (!request.actor) return undefined;
  return authenticateActor(
    {
      issuer: deps.delegation.issuer,
      authenticatePat: (token) => patSubject(deps.pats, token, now, ip),
      authenticateFederated: (token) => authenticateFederated(deps.federated, token, undefined),
    },
    request.actor,
  );
}

function checkAudience(subject: ExchangeSubject, audience: string) {
  if (subject.requiredAudience && subject.requiredAudience !== audience) {
    throw invalidSubjectToken('subject JWT was issued for another audience');
  }
  if (subject.allowedAudiences && !subject.allowedAudiences.includes(audience)) {
    throw invalidTarget(
      'the requested audience or resource is not available',
      'trust policy does not allow it',
    );
  }
}

async function exchange(
  deps: ExchangeDeps,
  call: ExchangeCall,
  facts: ExchangeFacts,
): Promise<ExchangeResponse> {
  const client = checkClientGrant(deps.config, call.clientId);
  const request = parseExchangeRequest(call.params);
  const now = deps.clock();
  // RFC 9449 §5: checked before the subject, so a bad proof costs no subject lookup.
  const proof = await tokenRequestProof(deps.dpop, call.dpop);
  if (proof) facts.dpopJkt = proof.jkt;
  const authenticated = await authenticateSubject(deps, request, now, call.ip);
  Object.assign(facts, authenticated.facts);
  const actor = await authenticateActorOf(deps, request, now, call.ip);
  if (actor) Object.assign(facts, { actorPatId: actor.patId, actorChain: actor.claim });
  const subject = applyDelegation(authenticated, actor, request.mayAct, deps.delegation.maxActorDepth);
  Object.assign(facts, subject.facts);
  // Either credential's require_dpop binds the exchange: an actor cannot shed its own binding
  // by acting for someone whose PAT does not ask for one.
  if ((subject.requireDpop || actor?.requireDpop) && !proof)
    throw missingProof('require_dpop: no DPoP proof');
  const { resources, defaultAudience } = deps.config;
  const resource = resolveResource(request.targets, resources, defaultAudience, client);
  facts.audience = resource.audience;
  checkAudience(subject, resource.audience);
  const scopes = grantedScopes(request.scopes, subject.heldScopes, subject.entitlements, resource);
  facts.scope = scopes.join(' ');
  const lifetime = jwtLifetime(resource, subject.maxLifetime);
  // Expires within the second: as good as expired, and as much a failed credential.
  if (lifetime <= 0) throw invalidSubjectToken('token expired');

  await subject.beforeIssue?.();
  const jwt = issueJwt(
    { issuer: deps.config.issuer, clientId: call.clientId },
    {
      userId: subject.userId,
      claims: subject.claims,
      scopes,
      resource,
      lifetime,
      issuedAt: Math.floor(now.getTime() / 1000),
      signing: deps.signingKey(),
      jkt: proof?.jkt,
    },
  );
  facts.jti = jwt.jti;
  await subject.afterGrant?.();
  return {
    access_token: jwt.value,
    issued_token_type: request.issuedTokenType,
    token_type: proof ? 'DPoP' : 'Bearer',
    expires_in: lifetime,
    scope: facts.scope,
  };
}

/** A thrown refusal as the outcome it stands for; anything unexpected is rethrown. */
function denial(deps: ExchangeDeps, error: unknown, facts: ExchangeFacts): ExchangeOutcome {
  if (isDatabaseUnavailable(error)) {
    deps.logger.warn({ err: error }, 'exchange failed: database unavailable');
    const reason = 'database unavailable';
    return { kind: 'denied', cause: 'unavailable', reason, facts, error: temporarilyUnavailable() };
  }
  if (error instanceof FederationUnavailable) {
    deps.logger.warn({ reason: error.reason }, 'exchange failed: issuer unavailable');
    facts.federation = error.facts;
    const unavailable = temporarilyUnavailable(
      'the issuer of the subject_token cannot be reached; retry shortly',
    );
    return { kind: 'denied', cause: 'unavailable', reason: error.reason, facts, error: unavailable };
  }
  if (!(error instanceof ExchangeDenied)) throw error;
  if (error instanceof SubjectDenied) Object.assign(facts, error.facts);
  return { kind: 'denied', cause: error.denialCause, reason: error.reason, facts, error: error.oauthError };
}

/** Runs one token exchange to its outcome. */
export async function exchangeToken(deps: ExchangeDeps, call: ExchangeCall): Promise<ExchangeOutcome> {
  const facts: ExchangeFacts = { clientId: call.clientId };
  try {
    return { kind: 'granted', facts, response: await exchange(deps, call, facts) };
  } catch (error) {
    return denial(deps, error, facts);
  }
}
