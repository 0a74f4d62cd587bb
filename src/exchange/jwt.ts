/**
 * RFC 9068 JWT access tokens, issued through oidc-provider's `AccessToken` with a
 * `ResourceServer` whose format is `jwt`, so they are signed by a key of the published JWKS.
 */

import type { TokenEndpointGrantContext } from 'oidc-provider';
import type { Resource } from '../config.js';
import type { KeyRecord } from '../keys/key-file.js';
import { TOKEN_EXCHANGE_GRANT } from './constants.js';

export interface JwtSpec {
  userId: string;
  patId: string;
  scopes: string[];
  resource: Resource;
  /** Seconds. */
  lifetime: number;
  /** Seconds since the epoch, from Tessera's clock. */
  issuedAt: number;
  signing: KeyRecord;
}

/**
 * A JWT never outlives its PAT: min(resource TTL, seconds left on the PAT). Zero or less means
 * the PAT is as good as expired.
 */
export function jwtLifetime(resource: Resource, patExpiresAt: Date | null, now: Date): number {
  if (!patExpiresAt) return resource.tokenTtlSeconds;
  const left = Math.floor((patExpiresAt.getTime() - now.getTime()) / 1000);
  return Math.min(resource.tokenTtlSeconds, left);
}

export async function issueJwt(
  ctx: TokenEndpointGrantContext,
  spec: JwtSpec,
): Promise<{ value: string; jti: string }> {
  const { provider, client } = ctx.oidc;
  const token = new provider.AccessToken({
    client,
    accountId: spec.userId,
    // The PAT is the grant this token stands on; `extraTokenClaims` turns it into `pat_id`.
    grantId: spec.patId,
    gty: TOKEN_EXCHANGE_GRANT,
    scope: spec.scopes.join(' '),
    expiresIn: spec.lifetime,
  });
  // iat/exp from Tessera's clock, the one the PAT's expiry is measured against.
  token.iat = spec.issuedAt;
  token.exp = spec.issuedAt + spec.lifetime;
  token.resourceServer = new provider.ResourceServer(spec.resource.audience, {
    audience: spec.resource.audience,
    scope: spec.resource.scopes.join(' '),
    accessTokenFormat: 'jwt',
    accessTokenTTL: spec.lifetime,
    jwt: { sign: { alg: spec.signing.alg, kid: spec.signing.kid } },
  });
  const value = await token.save();
  return { value, jti: token.jti };
}
