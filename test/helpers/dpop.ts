/**
 * A DPoP client key and the proofs it signs (RFC 9449 §4.2), with every part a test may want to
 * get wrong on purpose: another key's signature, a private key in the header, a symmetric alg.
 */
import { randomUUID } from 'node:crypto';
import { type CryptoKey, calculateJwkThumbprint, exportJWK, generateKeyPair, type JWK, SignJWT } from 'jose';
import { accessTokenHash } from '../../src/dpop/proof.js';

export interface DpopKey {
  privateKey: CryptoKey;
  publicJwk: JWK;
  privateJwk: JWK;
  /** RFC 7638 thumbprint: what `cnf.jkt` must say. */
  jkt: string;
}

export async function dpopKey(alg = 'ES256'): Promise<DpopKey> {
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true });
  const publicJwk = await exportJWK(publicKey);
  return {
    privateKey,
    publicJwk,
    privateJwk: await exportJWK(privateKey),
    jkt: await calculateJwkThumbprint(publicJwk),
  };
}

export interface ProofOptions {
  htm?: string;
  htu: string;
  /** Seconds since the epoch; default now. */
  iat?: number;
  jti?: string;
  /** An access token: `ath` is its hash. */
  accessToken?: string;
  nonce?: string;
  /** Header overrides (typ, alg, jwk). */
  header?: Record<string, unknown>;
  /** Signs with this key instead of the one in the header. */
  signWith?: CryptoKey | Uint8Array;
  alg?: string;
}

export async function dpopProof(key: DpopKey, options: ProofOptions): Promise<string> {
  const alg = options.alg ?? 'ES256';
  const claims: Record<string, unknown> = { htm: options.htm ?? 'POST', htu: options.htu };
  if (options.accessToken) claims.ath = accessTokenHash(options.accessToken);
  if (options.nonce) claims.nonce = options.nonce;
  return new SignJWT(claims)
    .setProtectedHeader({ typ: 'dpop+jwt', alg, jwk: key.publicJwk, ...options.header })
    .setIssuedAt(options.iat ?? Math.floor(Date.now() / 1000))
    .setJti(options.jti ?? randomUUID())
    .sign(options.signWith ?? key.privateKey);
}
