/**
 * `tessera-jwt-verify`: how a downstream service checks a Tessera JWT offline (RFC 9068 §4).
 * It fetches the issuer's discovery document once for `jwks_uri` (which must name the issuer
 * itself and a JWKS on the issuer's origin, RFC 8414 §3.3), keeps the JWKS cached,
 * re-fetches it when a token names an unknown `kid` (at most once per cooldown), and checks
 * the signature, `typ: at+jwt`, `iss`, `aud`, `exp` (with a clock tolerance) and scopes.
 *
 * @example
 * ```ts
 * import { createTesseraVerifier } from 'tessera-jwt-verify';
 * const verify = createTesseraVerifier({ issuer: 'https://tessera.example.com', audience: 'https://api.example.com' });
 * const claims = await verify(bearerToken, { scopes: ['repo:read'] }); // throws TesseraTokenError
 * console.log(claims.sub, claims.scope, claims.pat_id);
 * ```
 */
import { createRemoteJWKSet, customFetch, type JWTPayload, jwtVerify } from 'jose';

export interface TesseraVerifierOptions {
  /** Tessera's issuer URL: the exact `iss`. */
  issuer: string;
  /** This service's audience, as configured in Tessera's `resources`. */
  audience: string;
  /** Skips discovery when given (and is then trusted wherever it points). */
  jwksUri?: string;
  /**
   * Accept a discovery `jwks_uri` on another origin than the issuer. Off by default: whoever can
   * change the discovery document (a cache, a proxy, a misconfigured issuer) would otherwise
   * choose the keys tokens are checked against. Turn on only for a known split (e.g. a CDN).
   */
  allowCrossOriginJwksUri?: boolean;
  /** Accepted clock skew for `exp`/`iat`, seconds. Default 30. */
  clockToleranceSeconds?: number;
  /** Minimum time between two JWKS fetches triggered by unknown `kid`s, seconds. Default 30. */
  cooldownSeconds?: number;
  /** Override `fetch` (tests, proxies). */
  fetch?: typeof fetch;
  /**
   * Accept delegated tokens (with an RFC 8693 §4.1 `act` claim: someone acting for `sub`).
   * Off by default: a service that never thought about delegation must not mistake an agent
   * for the user. When on, the result names the `actor` and the whole `actorChain`.
   */
  acceptDelegated?: boolean;
}

/** One actor of a delegated token: a Tessera user id, or an external workload (`iss`, `trust_policy_id`). */
export interface TesseraActor {
  sub: string;
  iss?: string;
  trust_policy_id?: string;
}

export interface TesseraClaims extends JWTPayload {
  sub: string;
  client_id: string;
  scope: string;
  pat_id: string;
  jti: string;
  /** Who acts for `sub` now (the outermost `act`); undefined for a token used by `sub` itself. */
  actor?: TesseraActor;
  /** Every actor, current first; empty when not delegated. */
  actorChain: TesseraActor[];
}

/** The `act` claim as a list, current actor first (RFC 8693 §4.1: nested ones are history). */
function actorChainOf(act: unknown): TesseraActor[] {
  const chain: TesseraActor[] = [];
  for (
    let hop = act as Record<string, unknown> | undefined;
    hop;
    hop = hop.act as Record<string, unknown> | undefined
  ) {
    if (typeof hop !== 'object' || typeof hop.sub !== 'string') {
      throw new TesseraTokenError('invalid_token', 'malformed act claim');
    }
    const { act: _nested, ...actor } = hop;
    chain.push(actor as unknown as TesseraActor);
  }
  return chain;
}

/** `invalid_token` -> answer 401; `insufficient_scope` -> 403 (RFC 6750 §3.1). */
export class TesseraTokenError extends Error {
  override name = 'TesseraTokenError';
  constructor(
    readonly code: 'invalid_token' | 'insufficient_scope',
    message: string,
  ) {
    super(message);
  }
}

const ALGORITHMS = ['ES256', 'EdDSA', 'RS256'];

/**
 * Internal: lets `verifyRequest` (request.ts) accept a DPoP-bound token after it checked the
 * proof. Without it a token with `cnf` is refused: the bare verifier cannot see the scheme or
 * the proof, and a bound token taken as a bearer string is what binding exists to stop.
 */
export const ALLOW_BOUND: unique symbol = Symbol('tessera-jwt-verify allow bound');

const sameOrigin = (a: string, b: string) => new URL(a).origin === new URL(b).origin;

/**
 * `jwks_uri` from the issuer's RFC 8414 metadata. The document must name this issuer (§3.3),
 * and its `jwks_uri` must be on the issuer's origin unless `allowCrossOrigin`.
 */
async function discoverJwksUri(issuer: string, fetchImpl: typeof fetch, allowCrossOrigin: boolean) {
  const response = await fetchImpl(`${issuer}/.well-known/oauth-authorization-server`);
  if (!response.ok) throw new TesseraTokenError('invalid_token', `discovery failed: HTTP ${response.status}`);
  const metadata = (await response.json()) as { issuer?: unknown; jwks_uri?: unknown };
  if (typeof metadata.issuer !== 'string' || metadata.issuer.replace(/\/+$/, '') !== issuer) {
    throw new TesseraTokenError('invalid_token', 'discovery document names another issuer');
  }
  const uri = metadata.jwks_uri;
  if (typeof uri !== 'string' || !URL.canParse(uri)) {
    throw new TesseraTokenError('invalid_token', 'discovery document has no valid jwks_uri');
  }
  if (!allowCrossOrigin && !sameOrigin(uri, issuer)) {
    throw new TesseraTokenError(
      'invalid_token',
      `discovery jwks_uri ${new URL(uri).origin} is not on the issuer's origin (allowCrossOriginJwksUri allows it)`,
    );
  }
  return uri;
}

export function createTesseraVerifier(options: TesseraVerifierOptions) {
  const issuer = options.issuer.replace(/\/+$/, '');
  const fetchImpl = options.fetch ?? fetch;
  let jwks: ReturnType<typeof createRemoteJWKSet> | undefined;

  async function keySet() {
    if (jwks) return jwks;
    const uri =
      options.jwksUri ?? (await discoverJwksUri(issuer, fetchImpl, !!options.allowCrossOriginJwksUri));
    jwks = createRemoteJWKSet(new URL(uri), {
      cooldownDuration: (options.cooldownSeconds ?? 30) * 1000,
      [customFetch]: fetchImpl,
    });
    return jwks;
  }

  return async function verifyTesseraToken(
    token: string,
    required: { scopes?: string[]; [ALLOW_BOUND]?: boolean } = {},
  ): Promise<TesseraClaims> {
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, await keySet(), {
        issuer,
        audience: options.audience,
        typ: 'at+jwt',
        algorithms: ALGORITHMS,
        clockTolerance: options.clockToleranceSeconds ?? 30,
        requiredClaims: ['sub', 'exp', 'iat', 'jti', 'client_id'],
      }));
    } catch (error) {
      if (error instanceof TesseraTokenError) throw error;
      throw new TesseraTokenError('invalid_token', (error as Error).message);
    }
    if (payload.act !== undefined && !options.acceptDelegated) {
      throw new TesseraTokenError(
        'invalid_token',
        'delegated token (act) refused: set acceptDelegated to accept it',
      );
    }
    const actorChain = actorChainOf(payload.act);
    if (payload.cnf !== undefined && !required[ALLOW_BOUND]) {
      throw new TesseraTokenError('invalid_token', 'DPoP-bound token: check it with verifyRequest');
    }
    const granted = new Set(typeof payload.scope === 'string' ? payload.scope.split(' ') : []);
    const missing = (required.scopes ?? []).filter((scope) => !granted.has(scope));
    if (missing.length > 0)
      throw new TesseraTokenError('insufficient_scope', `missing scope: ${missing.join(' ')}`);
    return { ...payload, actor: actorChain[0], actorChain } as TesseraClaims;
  };
}

export {
  createRequestVerifier,
  type IncomingRequest,
  memoryReplayStore,
  type ReplayStore,
  type RequestVerifierOptions,
} from './request.js';
