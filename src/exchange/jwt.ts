/**
 * RFC 9068 JWT access tokens, issued through oidc-provider's `AccessToken` with a
 * `ResourceServer` whose format is `jwt`, so they are signed by a key of the published JWKS.
 */
import type Provider from 'oidc-provider';
import type { TokenEndpointGrantContext } from 'oidc-provider';
import type { Resource } from '../config.js';
import type { KeyRecord } from '../keys/key-file.js';
import { TOKEN_EXCHANGE_GRANT } from './constants.js';

export interface JwtSpec {
  userId: string;
  /** The credential the JWT stands on (a PAT's or a trust policy's id): oidc-provider's grant. */
  grantId: string;
  /** What the JWT stands on: `pat_id`, or `trust_policy_id` and `src` (RFC 9068 §2.2 extra claims). */
  claims: Record<string, unknown>;
  scopes: string[];
  resource: Resource;
  /** Seconds. */
  lifetime: number;
  /** Seconds since the epoch, from Tessera's clock. */
  issuedAt: number;
  signing: KeyRecord;
  /** RFC 9449 §6.1: the DPoP key thumbprint the JWT is bound to (`cnf.jkt`), when a proof came. */
  jkt?: string | undefined;
}

/** Who issues: the provider, and the client oidc-provider authenticated. */
export interface JwtIssuer {
  provider: Provider;
  client: TokenEndpointGrantContext['oidc']['client'];
}

/** The extra claims of each AccessToken being issued, read back by the provider's hook. */
const sourceClaims = new WeakMap<object, Record<string, unknown>>();

/**
 * The extra claims of an exchanged JWT: oidc-provider's `extraTokenClaims` hook is called with
 * the token being saved, to which `issueJwt` attached them.
 */
export function sourceClaimsOf(token: object): Record<string, unknown> | undefined {
  return sourceClaims.get(token);
}

/** min(resource TTL, the subject's cap). Zero or less means the subject is as good as expired. */
export function jwtLifetime(resource: Resource, maxLifetime: number | null): number {
  return maxLifetime === null ? resource.tokenTtlSeconds : Math.min(resource.tokenTtlSeconds, maxLifetime);
}

export async function issueJwt(issuer: JwtIssuer, spec: JwtSpec): Promise<{ value: string; jti: string }> {
  const { provider, client } = issuer;
  const token = new provider.AccessToken({
    client,
    accountId: spec.userId,
    grantId: spec.grantId,
    gty: TOKEN_EXCHANGE_GRANT,
    scope: spec.scopes.join(' '),
    expiresIn: spec.lifetime,
  });
  // iat/exp from Tessera's clock, the one the subject's expiry is measured against.
  token.iat = spec.issuedAt;
  token.exp = spec.issuedAt + spec.lifetime;
  if (spec.jkt) token.setThumbprint('jkt', spec.jkt);
  token.resourceServer = new provider.ResourceServer(spec.resource.audience, {
    audience: spec.resource.audience,
    scope: spec.resource.scopes.join(' '),
    accessTokenFormat: 'jwt',
    accessTokenTTL: spec.lifetime,
    jwt: { sign: { alg: spec.signing.alg, kid: spec.signing.kid } },
  });
  sourceClaims.set(token, spec.claims);
  const value = await token.save();
  return { value, jti: token.jti };
}
