/**
 * RFC 9449 §4.3 proof checks, abuse first: each case is a proof a naive implementation (decode,
 * read the claims, trust the header) would accept.
 */
import { beforeAll, describe, expect, it } from '@jest/globals';
import { generateSecret, SignJWT } from 'jose';
import { DpopProofError, singleProof, verifyProof } from '../../../src/dpop/proof.js';
import { type DpopKey, dpopKey, dpopProof } from '../../helpers/dpop.js';

const TOKEN_URL = 'https://tessera.example.com/token';
const NOW = new Date('2026-12-05T12:00:00Z');
const iatNow = NOW.getTime() / 1000;
const expect200 = { method: 'POST', url: TOKEN_URL, now: NOW, iatSkewSeconds: 60 };

let key: DpopKey;
let other: DpopKey;
beforeAll(async () => {
  key = await dpopKey();
  other = await dpopKey();
});

async function refusal(proof: string, overrides: Partial<typeof expect200> & { accessToken?: string } = {}) {
  const error = await verifyProof(proof, { ...expect200, ...overrides }).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(DpopProofError);
  return (error as DpopProofError).reason;
}

describe('verifyProof', () => {
  it('accepts a proof for this request and returns the key thumbprint', async () => {
    const proof = await dpopProof(key, { htu: TOKEN_URL, iat: iatNow, jti: 'j-1' });
    const verified = await verifyProof(proof, expect200);
    expect(verified).toEqual({ jkt: key.jkt, jti: 'j-1', iat: iatNow, nonce: undefined });
  });

  it('ignores the query and fragment of htu (§4.3 item 9), and normalises case and default port', async () => {
    for (const htu of [`${TOKEN_URL}?x=1`, `${TOKEN_URL}#frag`, 'HTTPS://Tessera.Example.com:443/token']) {
      await expect(verifyProof(await dpopProof(key, { htu, iat: iatNow }), expect200)).resolves.toBeTruthy();
    }
  });

  it('refuses htu for another host, another path, a path smuggled in the query, or a relative URL', async () => {
    for (const htu of [
      'https://evil.example.com/token',
      'http://tessera.example.com/token',
      'https://tessera.example.com:8443/token',
      'https://tessera.example.com/api/v1/me',
      'https://tessera.example.com/token/',
      'https://tessera.example.com/?/token',
      'https://tessera.example.com/token%3Fx',
      '/token',
    ]) {
      expect(await refusal(await dpopProof(key, { htu, iat: iatNow }))).toMatch(/htu/);
    }
  });

  it('refuses the wrong htm', async () => {
    expect(await refusal(await dpopProof(key, { htu: TOKEN_URL, htm: 'GET', iat: iatNow }))).toMatch(/htm/);
    expect(await refusal(await dpopProof(key, { htu: TOKEN_URL, htm: 'post', iat: iatNow }))).toMatch(/htm/);
  });

  it('refuses iat outside the window, either way, and accepts its edges', async () => {
    expect(await refusal(await dpopProof(key, { htu: TOKEN_URL, iat: iatNow - 61 }))).toMatch(/iat/);
    expect(await refusal(await dpopProof(key, { htu: TOKEN_URL, iat: iatNow + 61 }))).toMatch(/iat/);
    for (const iat of [iatNow - 60, iatNow + 60]) {
      await expect(
        verifyProof(await dpopProof(key, { htu: TOKEN_URL, iat }), expect200),
      ).resolves.toBeTruthy();
    }
  });

  it('refuses an HS256 proof (a MAC key anyone could hold) and alg none', async () => {
    const secret = await generateSecret('HS256', { extractable: true });
    const hs = await dpopProof(key, { htu: TOKEN_URL, iat: iatNow, alg: 'HS256', signWith: secret });
    expect(await refusal(hs)).toMatch(/alg/);
    const [, payload] = (await dpopProof(key, { htu: TOKEN_URL, iat: iatNow })).split('.');
    const header = Buffer.from(JSON.stringify({ typ: 'dpop+jwt', alg: 'none', jwk: key.publicJwk })).toString(
      'base64url',
    );
    expect(await refusal(`${header}.${payload}.`)).toMatch(/alg/);
  });

  it('refuses a proof signed by a key other than the header jwk', async () => {
    const proof = await dpopProof(key, { htu: TOKEN_URL, iat: iatNow, signWith: other.privateKey });
    expect(await refusal(proof)).toMatch(/signature/);
  });

  it('refuses a private key in the header jwk, even one that signed the proof', async () => {
    const proof = await dpopProof(key, { htu: TOKEN_URL, iat: iatNow, header: { jwk: key.privateJwk } });
    expect(await refusal(proof)).toMatch(/private/);
  });

  it('refuses a wrong typ, a missing jwk, a missing jti', async () => {
    expect(
      await refusal(await dpopProof(key, { htu: TOKEN_URL, iat: iatNow, header: { typ: 'JWT' } })),
    ).toMatch(/typ/);
    expect(
      await refusal(await dpopProof(key, { htu: TOKEN_URL, iat: iatNow, header: { jwk: undefined } })),
    ).toMatch(/jwk/);
    const noJti = await new SignJWT({ htm: 'POST', htu: TOKEN_URL })
      .setProtectedHeader({ typ: 'dpop+jwt', alg: 'ES256', jwk: key.publicJwk })
      .setIssuedAt(iatNow)
      .sign(key.privateKey);
    expect(await refusal(noJti)).toMatch(/jti/);
    expect(await refusal('not.a.jwt')).toMatch(/JWS/);
  });

  it('checks ath against the access token it came with', async () => {
    const url = 'https://tessera.example.com/api/v1/me';
    const at = { method: 'GET', url, accessToken: 'token-a' };
    const good = await dpopProof(key, { htm: 'GET', htu: url, iat: iatNow, accessToken: 'token-a' });
    await expect(verifyProof(good, { ...expect200, ...at })).resolves.toBeTruthy();
    const forB = await dpopProof(key, { htm: 'GET', htu: url, iat: iatNow, accessToken: 'token-b' });
    expect(await refusal(forB, at)).toMatch(/ath/);
    const none = await dpopProof(key, { htm: 'GET', htu: url, iat: iatNow });
    expect(await refusal(none, at)).toMatch(/ath/);
  });
});

describe('singleProof', () => {
  it('takes one header, refuses several (§4.3 item 1)', () => {
    expect(singleProof(undefined)).toBeNull();
    expect(singleProof('a.b.c')).toBe('a.b.c');
    expect(() => singleProof('a.b.c, d.e.f')).toThrow(DpopProofError);
    expect(() => singleProof(['a.b.c', 'd.e.f'])).toThrow(DpopProofError);
  });
});
