/**
 * Every algorithm `dpop_signing_alg_values_supported` names verifies, with the RFC 7638
 * thumbprint `cnf.jkt` will carry; and the proofs that bend the JWS are refused as proofs
 * (DpopProofError), never as an exception: a key of another curve than the alg names, an RSA
 * key under 2048 bits, a `crit` header, an `exp` already past.
 */
import { generateKeyPairSync, sign } from 'node:crypto';
import { describe, expect, it } from '@jest/globals';
import { calculateJwkThumbprint, exportJWK, generateKeyPair, type JWK, SignJWT } from 'jose';
import { DPOP_SIGNING_ALGS } from '../../../src/dpop/algorithms.js';
import { DpopProofError, verifyProof } from '../../../src/dpop/proof.js';

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
const TOKEN_URL = 'https://tessera.example.com/token';
const NOW = new Date('2026-12-05T12:00:00Z');
const iat = NOW.getTime() / 1000;
const expectation = { method: 'POST', url: TOKEN_URL, now: NOW, iatSkewSeconds: 60 };

async function keyFor(alg: string) {
  const options = alg === 'EdDSA' ? { crv: 'Ed25519' } : {};
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true, ...options });
  return { privateKey, jwk: await exportJWK(publicKey) };
}

async function proofWith(alg: string, key: Awaited<ReturnType<typeof keyFor>>, claims = {}) {
  return new SignJWT({ htm: 'POST', htu: TOKEN_URL, ...claims })
    .setProtectedHeader({ typ: 'dpop+jwt', alg, jwk: key.jwk })
    .setIssuedAt(iat)
    .setJti(`jti-${alg}`)
    .sign(key.privateKey);
}

async function refusal(proof: string) {
  const error = await verifyProof(proof, expectation).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(DpopProofError);
  return (error as DpopProofError).reason;
}

describe('proof algorithms', () => {
  it.each([...DPOP_SIGNING_ALGS])('accepts a %s proof, with the RFC 7638 thumbprint', async (alg) => {
    const key = await keyFor(alg);
    const verified = await verifyProof(await proofWith(alg, key), expectation);
    expect(verified).toMatchObject({ jti: `jti-${alg}`, jkt: await calculateJwkThumbprint(key.jwk) });
  });

  it('refuses a key of another curve than the alg names', async () => {
    const p384 = await keyFor('ES384');
    const [, payload, signature] = (await proofWith('ES384', p384)).split('.');
    const asEs256 = `${b64({ typ: 'dpop+jwt', alg: 'ES256', jwk: p384.jwk })}.${payload}.${signature}`;
    // Refused on the key, before any signature check (the header changed, so that would fail too).
    expect(await refusal(asEs256)).toMatch(/crv.*does not match/);
  });

  it('refuses an RSA key under 2048 bits, though its signature is good', async () => {
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 1024 });
    const jwk = publicKey.export({ format: 'jwk' }) as JWK;
    const claims = { htm: 'POST', htu: TOKEN_URL, iat, jti: 'short' };
    const input = `${b64({ typ: 'dpop+jwt', alg: 'RS256', jwk })}.${b64(claims)}`;
    const proof = `${input}.${sign('sha256', Buffer.from(input), privateKey).toString('base64url')}`;
    expect(await refusal(proof)).toMatch(/2048 bits/);
  });

  it('refuses a crit header and an exp already past', async () => {
    const key = await keyFor('ES256');
    const [, payload, signature] = (await proofWith('ES256', key)).split('.');
    const crit = `${b64({ typ: 'dpop+jwt', alg: 'ES256', jwk: key.jwk, crit: ['x'], x: 1 })}.${payload}.${signature}`;
    expect(await refusal(crit)).toMatch(/Extension Header Parameter "x" is not recognized/);
    expect(await refusal(await proofWith('ES256', key, { exp: iat - 1 }))).toMatch(/signature.*exp/);
  });
});
