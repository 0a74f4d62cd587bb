import { describe, expect, it } from '@jest/globals';
import type { TokenPolicy } from '../../../src/config.js';
import { ApiProblem } from '../../../src/errors.js';
import { assertEntitled, assertKnownScopes, expiryFor, rotatedExpiry } from '../../../src/pat/policy.js';

const DAY = 86_400_000;
const NOW = new Date('2025-03-10T12:34:56.789Z');
const policy: TokenPolicy = {
  prefix: 'tsr',
  defaultLifetimeDays: 90,
  maxLifetimeDays: 365,
  allowNoExpiry: false,
  lastUsedIntervalSeconds: 60,
  revokeAfterInactiveDays: null,
};
const lenient: TokenPolicy = { ...policy, allowNoExpiry: true };

const catalogue = {
  'repo:read': 'Read',
  'repo:write': 'Write',
  'tessera:tokens': 'Tokens',
};

/** The ApiProblem `run` throws; fails the test when it throws nothing or something else. */
function problem(run: () => unknown): ApiProblem {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(ApiProblem);
    return error as ApiProblem;
  }
  throw new Error('expected an ApiProblem, nothing was thrown');
}

const later = (days: number, from = NOW) => new Date(from.getTime() + days * DAY);

describe('expiryFor', () => {
  it('uses the default lifetime when no days are given', () => {
    expect(expiryFor(policy, undefined, NOW)).toEqual(later(90));
  });

  it('counts the requested days from now', () => {
    expect(expiryFor(policy, 7, NOW)).toEqual(later(7));
    expect(expiryFor(policy, 1, NOW)).toEqual(later(1));
  });

  it('accepts exactly the maximum', () => {
    expect(expiryFor(policy, 365, NOW)).toEqual(later(365));
  });

  it('rejects more than the maximum with 400 invalid_request on expires_in_days', () => {
    const error = problem(() => expiryFor(policy, 366, NOW));
    expect(error.status).toBe(400);
    expect(error.code).toBe('invalid_request');
    expect(error.errors?.map((e) => e.field)).toEqual(['expires_in_days']);
  });

  it('rejects no expiry unless the policy allows it', () => {
    const error = problem(() => expiryFor(policy, null, NOW));
    expect(error.status).toBe(400);
    expect(error.code).toBe('invalid_request');
    expect(error.errors?.map((e) => e.field)).toEqual(['expires_in_days']);
    expect(expiryFor(lenient, null, NOW)).toBeNull();
  });

  it('still caps explicit days when no-expiry tokens are allowed', () => {
    expect(problem(() => expiryFor(lenient, 1000, NOW)).status).toBe(400);
  });

  it('does not change the `now` it was given', () => {
    const now = new Date(NOW);
    expiryFor(policy, 7, now);
    expect(now).toEqual(NOW);
  });
});

describe('rotatedExpiry', () => {
  it("keeps the predecessor's expiry, so rotation never extends a lifetime", () => {
    const created = new Date('2025-01-01T00:00:00.000Z');
    const old = { created_at: created, expires_at: later(30) };
    expect(rotatedExpiry(policy, old, NOW)).toEqual(later(30));
  });

  it('keeps an expiry to the millisecond', () => {
    const old = { expires_at: new Date(NOW.getTime() + 7 * DAY + 1234) };
    expect(rotatedExpiry(policy, old, NOW)).toEqual(new Date(NOW.getTime() + 7 * DAY + 1234));
  });

  it("caps the expiry at today's maximum from now", () => {
    const old = { expires_at: later(400) };
    expect(rotatedExpiry(policy, old, NOW)).toEqual(later(365));
    const strict = { ...policy, defaultLifetimeDays: 10, maxLifetimeDays: 20 };
    expect(rotatedExpiry(strict, old, NOW)).toEqual(later(20));
  });

  it('keeps no expiry when the policy allows it', () => {
    const old = { created_at: new Date('2024-01-01T00:00:00.000Z'), expires_at: null };
    expect(rotatedExpiry(lenient, old, NOW)).toBeNull();
  });

  it('gives a token without expiry the default lifetime once the policy forbids it', () => {
    const old = { created_at: new Date('2024-01-01T00:00:00.000Z'), expires_at: null };
    expect(rotatedExpiry(policy, old, NOW)).toEqual(later(90));
  });
});

describe('assertKnownScopes', () => {
  it('accepts catalogue scopes and an empty list', () => {
    expect(() => assertKnownScopes(['repo:read', 'tessera:tokens'], catalogue)).not.toThrow();
    expect(() => assertKnownScopes([], catalogue)).not.toThrow();
  });

  it('rejects an unknown scope with 400 invalid_request naming the first bad element', () => {
    const error = problem(() => assertKnownScopes(['repo:read', 'repo:nuke', 'also:bad'], catalogue));
    expect(error.status).toBe(400);
    expect(error.code).toBe('invalid_request');
    expect(error.errors?.[0]?.field).toBe('scopes[1]');
    expect(error.errors?.[0]?.message).toContain('repo:nuke');
  });

  it('does not treat Object.prototype members as scopes', () => {
    for (const name of ['toString', 'constructor', '__proto__', 'hasOwnProperty']) {
      const error = problem(() => assertKnownScopes([name], catalogue));
      expect(error.status).toBe(400);
      expect(error.code).toBe('invalid_request');
      expect(error.errors?.[0]?.field).toBe('scopes[0]');
    }
  });

  it('is case-sensitive', () => {
    expect(problem(() => assertKnownScopes(['Repo:Read'], catalogue)).status).toBe(400);
  });
});

describe('assertEntitled', () => {
  it('accepts a subset of the entitlements', () => {
    expect(() => assertEntitled(['repo:read'], ['repo:read', 'repo:write'])).not.toThrow();
    expect(() => assertEntitled([], [])).not.toThrow();
    expect(() => assertEntitled(['repo:read', 'repo:write'], ['repo:write', 'repo:read'])).not.toThrow();
  });

  it('rejects a scope outside the entitlements with 403 scope_not_entitled naming it', () => {
    const error = problem(() => assertEntitled(['repo:read', 'repo:admin'], ['repo:read']));
    expect(error.status).toBe(403);
    expect(error.code).toBe('scope_not_entitled');
    expect(error.detail).toContain('repo:admin');
    expect(error.detail).not.toContain('repo:read');
  });

  it('rejects any scope when the owner has no entitlements', () => {
    expect(problem(() => assertEntitled(['repo:read'], [])).code).toBe('scope_not_entitled');
  });
});
