/**
 * RFC 9068 JWT access tokens, signed by the current key of the published JWKS. The claims are
 * the ones oidc-provider's `jwt` access-token format writes, in its order (so a verifier sees
 * no difference): the credential's claims (`pat_id`, or `trust_policy_id` and `src`), `jti`,
 * `sub`, `iat`, `exp`, `scope` (absent when empty), `client_id`, `iss`, `aud`, and `cnf` when
 * the JWT is bound to a DPoP key. Signed here rather than through oidc-provider's AccessToken
 * model: the exchange is its only access token, and the model's save path cost more than the
 * signature (bench/README.md, issue 19). Signed with node:crypto rather than jose's `CompactSign`,
 * whose WebCrypto job costs a thread-pool round trip per token (bench/README.md); the unit tests
 * verify every algorithm's tokens with jose.
 */
import { createPrivateKey, type JsonWebKey, type KeyObject, randomBytes, sign } from 'node:crypto';
import type { Resource } from '../config.js';
import type { KeyRecord, SigningAlg } from '../keys/key-file.js';

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

/**
 * RFC 7518 §3: how each algorithm signs the JWS signing input. ES256's signature is R || S
 * (§3.4), not DER; EdDSA (RFC 8037) hashes nothing itself; RS256 is RSASSA-PKCS1-v1_5.
 */
const SIGNATURES: Record<SigningAlg, { digest: string | null; dsaEncoding?: 'ieee-p1363' }> = {
  ES256: { digest: 'sha256', dsaEncoding: 'ieee-p1363' },
  EdDSA: { digest: null },
  RS256: { digest: 'sha256' },
};

interface Signer {
  key: KeyObject;
  /** The encoded protected header, the same for every JWT this key signs. */
  header: string;
}

/** Each key record's private key and header, made once (a key swap brings new records). */
const signers = new WeakMap<KeyRecord, Signer>();

function signerOf(record: KeyRecord): Signer {
  let signer = signers.get(record);
  if (!signer) {
    const { alg, kid } = record;
    signer = {
      key: createPrivateKey({ key: record.jwk as JsonWebKey, format: 'jwk' }),
      header: Buffer.from(JSON.stringify({ alg, typ: 'at+jwt', kid })).toString('base64url'),
    };
    signers.set(record, signer);
  }
  return signer;
}

/** The compact JWS of `payload` (RFC 7515 §7.1), signed synchronously with node:crypto. */
function compactJws(record: KeyRecord, payload: object): string {
  const { key, header } = signerOf(record);
  const input = `${header}.${Buffer.from(JSON.stringify(payload)).toString('base64url')}`;
  const { digest, dsaEncoding } = SIGNATURES[record.alg];
  const signature = sign(digest, Buffer.from(input), dsaEncoding ? { key, dsaEncoding } : key);
  return `${input}.${signature.toString('base64url')}`;
}

export function issueJwt(issuer: JwtIssuer, spec: JwtSpec): { value: string; jti: string } {
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
  return { value: compactJws(spec.signing, payload), jti };
}
