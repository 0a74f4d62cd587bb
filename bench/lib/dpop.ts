/**
 * DPoP proofs for the DPoP exchange target (RFC 9449 §4.2, issue 21): one ES256 key, a fresh
 * proof (new `jti`, current `iat`) for every request, signed synchronously with node:crypto in
 * the load generator's request setup, since autocannon's `setupRequest` cannot wait.
 */
import { generateKeyPairSync, randomUUID, sign } from 'node:crypto';

const b64url = (value: string | Buffer) => Buffer.from(value).toString('base64url');

/** Returns a function that makes the next proof for `POST htu`. */
export function dpopProofs(htu: string): () => string {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const { kty, crv, x, y } = publicKey.export({ format: 'jwk' });
  const header = b64url(JSON.stringify({ typ: 'dpop+jwt', alg: 'ES256', jwk: { kty, crv, x, y } }));
  return () => {
    const payload = b64url(
      JSON.stringify({ htm: 'POST', htu, iat: Math.floor(Date.now() / 1000), jti: randomUUID() }),
    );
    const input = `${header}.${payload}`;
    const signature = sign('sha256', Buffer.from(input), { key: privateKey, dsaEncoding: 'ieee-p1363' });
    return `${input}.${b64url(signature)}`;
  };
}
