/**
 * peekJwt reads a subject token's header and claims before it is verified (federated and chained
 * subjects). It must read exactly what jose's decoders read for every token they accept and that
 * has plain base64url, and refuse what they refuse: the oracle is jose itself.
 */
import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { decodeJwt, decodeProtectedHeader } from 'jose';
import { MalformedJwt, peekJwt } from '../../../src/exchange/jwt-peek.js';

const b64 = (value: unknown) =>
  Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url');

function joseReads(token: string) {
  try {
    return { header: decodeProtectedHeader(token), claims: decodeJwt(token) };
  } catch {
    return 'refused';
  }
}

function peekReads(token: string) {
  try {
    return peekJwt(token);
  } catch (error) {
    expect(error).toBeInstanceOf(MalformedJwt);
    return 'refused';
  }
}

describe('peekJwt', () => {
  it('reads the header and claims of a compact JWS', () => {
    const token = `${b64({ alg: 'RS256', kid: 'k1' })}.${b64({ iss: 'https://idp.example', sub: 'repo:x', n: 1 })}.sig`;
    expect(peekJwt(token)).toEqual({
      header: { alg: 'RS256', kid: 'k1' },
      claims: { iss: 'https://idp.example', sub: 'repo:x', n: 1 },
    });
  });

  it('refuses what is not a compact JWS of two JSON objects', () => {
    for (const token of [
      '',
      'a.b',
      'a.b.c.d',
      `${b64({})}.${b64({})}.s.x.y`, // JWE shape
      '..',
      `${b64({})}..s`,
      `${b64([1])}.${b64({})}.s`,
      `${b64({})}.${b64([1])}.s`,
      `${b64({})}.${b64('null')}.s`,
      `${b64({})}.${b64('"text"')}.s`,
      `${b64({})}.${b64('{not json')}.s`,
      `${b64({})}.${Buffer.from([0x7b, 0xff, 0x7d]).toString('base64url')}.s`, // not UTF-8
    ]) {
      expect(() => peekJwt(token)).toThrow(MalformedJwt);
    }
  });

  it('refuses base64url with padding, whitespace or standard-alphabet characters (RFC 7515 §2)', () => {
    const claims = b64({ iss: 'https://idp.example', pad: 'xx' });
    for (const payload of [`${claims}=`, `${claims.slice(0, 8)} ${claims.slice(8)}`, `${claims}+/`]) {
      expect(() => peekJwt(`${b64({ alg: 'RS256' })}.${payload}.s`)).toThrow(MalformedJwt);
    }
  });

  it('reads what jose reads, for any JSON objects and any bytes', () => {
    const part = fc.oneof(
      fc.jsonValue().map((value) => b64(value)),
      fc.uint8Array({ maxLength: 24 }).map((bytes) => Buffer.from(bytes).toString('base64url')),
      fc.string({ maxLength: 12 }),
    );
    fc.assert(
      fc.property(part, part, fc.string({ maxLength: 4 }), (header, claims, signature) => {
        const token = `${header}.${claims}.${signature}`;
        const jose = joseReads(token);
        const peeked = peekReads(token);
        // jose also takes base64url with whitespace or padding, which peekJwt refuses.
        const plain = /^[A-Za-z0-9_-]+$/.test(header) && /^[A-Za-z0-9_-]+$/.test(claims);
        if (plain || jose === 'refused') expect(peeked).toEqual(jose);
      }),
      { numRuns: 500 },
    );
  });
});
