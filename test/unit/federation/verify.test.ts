/**
 * External ID tokens as federation/verify.ts judges them, with a real jose key set and tokens
 * signed by jose: every asymmetric algorithm accepted, each time refusal with its code and the
 * edges of each window, and the bent tokens (another key's signature, a changed payload, an
 * unknown kid, a crit header, a short RSA key) refused as the issuer's token's fault, never as
 * an exception the exchange would answer with a 500.
 */
import { generateKeyPairSync, sign } from 'node:crypto';
import { beforeAll, describe, expect, it } from '@jest/globals';
import {
  createLocalJWKSet,
  exportJWK,
  generateKeyPair,
  type JWK,
  type JWTPayload,
  jwtVerify,
  SignJWT,
} from 'jose';
import { FederationRefusal, peekToken, verifyExternalToken } from '../../../src/federation/verify.js';

const ISS = 'https://issuer.example.com';
const NOW = new Date('2026-12-05T12:00:00Z');
const now = NOW.getTime() / 1000;
const MAX_AGE = 3600;
const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

interface SigningKey {
  alg: string;
  privateKey: Parameters<SignJWT['sign']>[0];
  jwk: JWK;
}
const keys: Record<string, SigningKey> = {};
let jwks: ReturnType<typeof createLocalJWKSet>;

beforeAll(async () => {
  for (const alg of ['RS256', 'PS256', 'ES256', 'ES384', 'EdDSA']) {
    const { privateKey, publicKey } = await generateKeyPair(alg, {
      extractable: true,
      ...(alg === 'EdDSA' ? { crv: 'Ed25519' } : {}),
    });
    keys[alg] = { alg, privateKey, jwk: { ...(await exportJWK(publicKey)), kid: alg, alg } };
  }
  jwks = createLocalJWKSet({ keys: Object.values(keys).map((k) => k.jwk) });
});

const issuerKeys = () => ({ keysFor: async () => jwks });

function mint(claims: JWTPayload, alg = 'RS256', header: Record<string, unknown> = {}) {
  const key = keys[alg] as SigningKey;
  return new SignJWT({ iss: ISS, sub: 'repo:acme/tools', ...claims })
    .setProtectedHeader({ alg, kid: alg, ...header })
    .sign(key.privateKey);
}

async function ours(token: string): Promise<JWTPayload | FederationRefusal> {
  try {
    const peeked = peekToken(token);
    return await verifyExternalToken(token, { ...peeked, iss: ISS }, issuerKeys(), {
      now: NOW,
      maxTokenAgeSeconds: MAX_AGE,
    });
  } catch (error) {
    if (error instanceof FederationRefusal) return error;
    throw error;
  }
}

const refusalOf = async (token: string) => {
  const result = await ours(token);
  expect(result).toBeInstanceOf(FederationRefusal);
  return result as FederationRefusal;
};

describe('verifyExternalToken', () => {
  it.each(['RS256', 'PS256', 'ES256', 'ES384', 'EdDSA'])('accepts a %s token signed by jose', async (alg) => {
    const token = await mint({ iat: now - 10, exp: now + 300, jti: alg }, alg);
    expect(await ours(token)).toMatchObject({ iss: ISS, jti: alg });
  });

  it('draws each window’s edge where jose does: exp = now, nbf = now, iat = now - max age', async () => {
    const edges: [JWTPayload, boolean][] = [
      [{ iat: now, exp: now }, false],
      [{ iat: now, exp: now + 1 }, true],
      [{ iat: now, nbf: now, exp: now + 1 }, true],
      [{ iat: now, nbf: now + 1, exp: now + 2 }, false],
      [{ iat: now - MAX_AGE, exp: now + 1 }, true],
      [{ iat: now - MAX_AGE - 1, exp: now + 1 }, false],
      [{ iat: now + 1, exp: now + 2 }, false],
    ];
    for (const [claims, accepted] of edges) {
      const token = await mint(claims);
      const jose = await jwtVerify(token, jwks, { currentDate: NOW, maxTokenAge: MAX_AGE }).then(
        () => true,
        () => false,
      );
      expect([claims, jose]).toEqual([claims, accepted]);
      expect([claims, !((await ours(token)) instanceof FederationRefusal)]).toEqual([claims, accepted]);
    }
  });

  it('gives each time refusal its code', async () => {
    const cases: [JWTPayload, RegExp, string][] = [
      [{ iat: now - 10, exp: now - 1 }, /token expired/, 'expired'],
      [{ iat: now + 60, exp: now + 300 }, /iat in the future/, 'issued_in_future'],
      [{ iat: now - 10, nbf: now + 60, exp: now + 300 }, /nbf/, 'issued_in_future'],
      [{ iat: now - MAX_AGE - 1, exp: now + 300 }, /too old/, 'too_old'],
      [{ exp: now + 300 }, /claim iat invalid \(missing\)/, 'expired'],
      [{ iat: now }, /claim exp invalid \(missing\)/, 'expired'],
      [{ iat: now, exp: String(now + 300) as unknown as number }, /claim exp invalid \(invalid\)/, 'expired'],
    ];
    for (const [claims, reason, code] of cases) {
      const refusal = await refusalOf(await mint(claims));
      expect(refusal.message).toMatch(reason);
      expect(refusal.code).toBe(code);
    }
  });

  it('refuses another key’s signature, a changed payload, an unknown kid and a crit header', async () => {
    const good = await mint({ iat: now, exp: now + 300 });
    const [header, , signature] = good.split('.');
    const changed = `${header}.${b64({ iss: ISS, sub: 'repo:acme/other', iat: now, exp: now + 300 })}.${signature}`;
    expect((await refusalOf(changed)).code).toBe('bad_signature');
    const byEs = await mint({ iat: now, exp: now + 300 }, 'ES256', { kid: 'RS256', alg: 'ES256' });
    expect((await refusalOf(byEs)).code).toMatch(/bad_signature|unknown_kid/);
    expect((await refusalOf(await mint({ iat: now, exp: now + 300 }, 'RS256', { kid: 'nope' }))).code).toBe(
      'unknown_kid',
    );
    const critHeader = b64({ alg: 'RS256', kid: 'RS256', crit: ['x'], x: 1 });
    const crit = `${critHeader}.${good.split('.')[1]}.${signature}`;
    expect(await refusalOf(crit)).toMatchObject({
      code: 'bad_signature',
      message: 'token invalid (ERR_JOSE_NOT_SUPPORTED)',
    });
  });

  it('refuses an RSA key under 2048 bits, though the signature is good', async () => {
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 1024 });
    const jwk = { ...(publicKey.export({ format: 'jwk' }) as JWK), kid: 'short', alg: 'RS256' };
    const input = `${b64({ alg: 'RS256', kid: 'short' })}.${b64({ iss: ISS, iat: now, exp: now + 300 })}`;
    const token = `${input}.${sign('sha256', Buffer.from(input), privateKey).toString('base64url')}`;
    const shortKeys = { keysFor: async () => createLocalJWKSet({ keys: [jwk] }) };
    const error = await verifyExternalToken(token, { ...peekToken(token), iss: ISS }, shortKeys, {
      now: NOW,
      maxTokenAgeSeconds: MAX_AGE,
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(FederationRefusal);
    expect(error).toMatchObject({
      code: 'bad_signature',
      message: expect.stringMatching(/issuer key unusable/),
    });
  });

  it('reads a malformed token as malformed, whatever its shape', () => {
    for (const token of [
      'a.b',
      'a.b.c.d',
      '..',
      `${b64([1])}.${b64({})}.AA`,
      `${b64({})}.${b64('x')}.AA`,
      'x'.repeat(9),
    ]) {
      expect(() => peekToken(token)).toThrow(/malformed/);
    }
  });
});
