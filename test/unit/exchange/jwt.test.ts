/** The exchanged JWT: its lifetime (min(resource TTL, the subject's cap)), its header and claims. */
import { describe, expect, it } from '@jest/globals';
import { type CryptoKey, exportJWK, generateKeyPair, jwtVerify } from 'jose';
import { issueJwt, jwtLifetime } from '../../../src/exchange/jwt.js';
import type { KeyRecord, SigningAlg } from '../../../src/keys/key-file.js';

const resource = { audience: 'https://api.example.com', scopes: ['repo:read'], tokenTtlSeconds: 900 };

describe('jwtLifetime', () => {
  it('is the resource TTL without a cap, else the smaller of both', () => {
    expect(jwtLifetime(resource, null)).toBe(900);
    expect(jwtLifetime(resource, 300)).toBe(300);
    expect(jwtLifetime(resource, 3600)).toBe(900);
    expect(jwtLifetime(resource, 0)).toBe(0);
  });
});

describe('issueJwt', () => {
  async function keyRecord(alg: SigningAlg): Promise<{ record: KeyRecord; publicKey: CryptoKey }> {
    const pair = await generateKeyPair(alg, { extractable: true });
    const jwk = { ...(await exportJWK(pair.privateKey)), kid: `kid-${alg}`, alg, use: 'sig' };
    const record = {
      kid: `kid-${alg}`,
      alg,
      state: 'current' as const,
      created_at: '2026-12-06T00:00:00Z',
      jwk,
    };
    return { record, publicKey: pair.publicKey };
  }
  const issuer = { issuer: 'https://tessera.example.com', clientId: 'tessera-cli' };

  it.each(['ES256', 'EdDSA', 'RS256'] as const)(
    "writes the header and the claims of oidc-provider's jwt format, in its order (%s)",
    async (alg) => {
      const { record, publicKey } = await keyRecord(alg);
      const spec = {
        userId: 'user-1',
        claims: { pat_id: 'pat-1' },
        scopes: ['repo:read', 'repo:write'],
        resource,
        lifetime: 600,
        issuedAt: 1_800_000_000,
        signing: record,
      };
      const { value, jti } = issueJwt(issuer, spec);
      const { payload, protectedHeader } = await jwtVerify(value, publicKey, { typ: 'at+jwt' });
      expect(Object.entries(protectedHeader)).toEqual([
        ['alg', alg],
        ['typ', 'at+jwt'],
        ['kid', `kid-${alg}`],
      ]);
      expect(Object.entries(payload)).toEqual([
        ['pat_id', 'pat-1'],
        ['jti', jti],
        ['sub', 'user-1'],
        ['iat', 1_800_000_000],
        ['exp', 1_800_000_600],
        ['scope', 'repo:read repo:write'],
        ['client_id', 'tessera-cli'],
        ['iss', 'https://tessera.example.com'],
        ['aud', 'https://api.example.com'],
      ]);
      // 256 random bits, base64url.
      expect(jti).toMatch(/^[A-Za-z0-9_-]{43}$/);
    },
  );

  it('leaves scope out when none is granted, binds cnf.jkt when a proof came, and never repeats a jti', async () => {
    const { record, publicKey } = await keyRecord('ES256');
    const spec = {
      userId: 'user-1',
      claims: {},
      scopes: [],
      resource,
      lifetime: 60,
      issuedAt: 1_800_000_000,
      signing: record,
      jkt: 'thumbprint',
    };
    const first = issueJwt(issuer, spec);
    const { payload } = await jwtVerify(first.value, publicKey);
    expect(payload).not.toHaveProperty('scope');
    expect(payload.cnf).toEqual({ jkt: 'thumbprint' });
    const second = issueJwt(issuer, spec);
    expect(second.jti).not.toBe(first.jti);
  });
});
