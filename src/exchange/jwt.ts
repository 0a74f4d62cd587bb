/**
 * RFC 9068 JWT access tokens, signed by the current key of the published JWKS. The claims are
 * the ones oidc-provider's `jwt` access-token format writes, in its order (so a verifier sees
 * no difference): the credential's claims (`pat_id`, or `trust_policy_id` and `src`), `jti`,
 * `sub`, `iat`, `exp`, `scope` (absent when empty), `client_id`, `iss`, `aud`, and `cnf` when
 * the JWT is bound to a DPoP key. Signed here rather than through oidc-provider's AccessToken
 * model: the exchange is its only access token, and the model's save path cost more than the
 * signature (bench/README.md, issue 19).
 */
import { createPrivateKey, type JsonWebKey, type KeyObject, randomBytes } from 'node:crypto';
import { CompactSign } from 'jose';
import type { Resource } from '../config.js';
import type { KeyRecord } from '../keys/key-file.js';

export interface JwtSpec {
  userId: string;
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

/** Who issues: Tessera's issuer identifier, for the client that asked. */
export interface JwtIssuer {
  issuer: string;
  clientId: string;
}

/** min(resource TTL, the subject's cap). Zero or less means the subject is as good as expired. */
export function jwtLifetime(resource: Resource, maxLifetime: number | null): number {
  return maxLifetime === null ? resource.tokenTtlSeconds : Math.min(resource.tokenTtlSeconds, maxLifetime);
}

/** Each key record's private key, parsed once (a key swap brings new records). */
const privateKeys = new WeakMap<KeyRecord, KeyObject>();

function privateKeyOf(record: KeyRecord): KeyObject {
  let key = privateKeys.get(record);
  if (!key) {
    key = createPrivateKey({ key: record.jwk as JsonWebKey, format: 'jwk' });
    privateKeys.set(record, key);
  }
  return key;
}

const encoder = new TextEncoder();

export async function issueJwt(issuer: JwtIssuer, spec: JwtSpec): Promise<{ value: string; jti: string }> {
  // 256 random bits, as oidc-provider's token ids.
  const jti = randomBytes(32).toString('base64url');
  const payload = {
    ...spec.claims,
    jti,
    sub: spec.userId,
    iat: spec.issuedAt,
    exp: spec.issuedAt + spec.lifetime,
    scope: spec.scopes.length > 0 ? spec.scopes.join(' ') : undefined,
    client_id: issuer.clientId,
    iss: issuer.issuer,
    aud: spec.resource.audience,
    ...(spec.jkt ? { cnf: { jkt: spec.jkt } } : undefined),
  };
  const { alg, kid } = spec.signing;
  const value = await new CompactSign(encoder.encode(JSON.stringify(payload)))
    .setProtectedHeader({ alg, typ: 'at+jwt', kid })
    .sign(privateKeyOf(spec.signing));
  return { value, jti };
}
