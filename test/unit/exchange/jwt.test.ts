/** The exchanged JWT's lifetime: min(resource TTL, the subject's cap). */
import { describe, expect, it } from '@jest/globals';
import { jwtLifetime } from '../../../src/exchange/jwt.js';

const resource = { audience: 'https://api.example.com', scopes: ['repo:read'], tokenTtlSeconds: 900 };

describe('jwtLifetime', () => {
  it('is the resource TTL without a cap, else the smaller of both', () => {
    expect(jwtLifetime(resource, null)).toBe(900);
    expect(jwtLifetime(resource, 300)).toBe(300);
    expect(jwtLifetime(resource, 3600)).toBe(900);
    expect(jwtLifetime(resource, 0)).toBe(0);
  });
});
