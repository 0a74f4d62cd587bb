import { calculateJwkThumbprint, exportJWK, generateKeyPair } from 'jose';
import type { KeyRecord, KeyState, SigningAlg } from './key-file.js';

/** A new private key for `alg`; its kid is the RFC 7638 thumbprint, unique by construction. */
export async function generateKeyRecord(alg: SigningAlg, state: KeyState, now: Date): Promise<KeyRecord> {
  const { privateKey } = await generateKeyPair(alg, {
    extractable: true,
    ...(alg === 'EdDSA' ? { crv: 'Ed25519' } : {}),
    ...(alg === 'RS256' ? { modulusLength: 2048 } : {}),
  });
  const jwk = await exportJWK(privateKey);
  const kid = await calculateJwkThumbprint(jwk);
  const at = now.toISOString();
  return {
    kid,
    alg,
    state,
    created_at: at,
    ...(state === 'current' ? { activated_at: at } : {}),
    jwk: { ...jwk, kid, alg, use: 'sig' },
  };
}
