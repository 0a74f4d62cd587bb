import { describe, expect, it } from '@jest/globals';
import { ApiProblem } from '../../../src/errors.js';
import { assertWithinCredential, credentialCeiling } from '../../../src/pat/ceiling.js';

const OWNER = 'owner-id';
const OTHER = 'other-id';

function codeOf(run: () => void): string | null {
  try {
    run();
    return null;
  } catch (error) {
    return error instanceof ApiProblem ? error.code : 'not-a-problem';
  }
}

describe('credentialCeiling', () => {
  it('the system itself (null scopes) has no ceiling', () => {
    expect(credentialCeiling({ userId: null, credentialScopes: null }, OWNER)).toBeNull();
  });

  it("an owner's credential is its own ceiling, admin or not", () => {
    expect(credentialCeiling({ userId: OWNER, credentialScopes: ['tessera:tokens'] }, OWNER)).toEqual([
      'tessera:tokens',
    ]);
    expect(credentialCeiling({ userId: OWNER, credentialScopes: ['tessera:admin'] }, OWNER)).toEqual([
      'tessera:admin',
    ]);
  });

  it("an admin credential acting for another user leaves the bound to that user's entitlements", () => {
    expect(credentialCeiling({ userId: OTHER, credentialScopes: ['tessera:admin'] }, OWNER)).toBeNull();
  });

  it('a non-admin credential acting for another user is still its own ceiling', () => {
    expect(credentialCeiling({ userId: OTHER, credentialScopes: ['repo:read'] }, OWNER)).toEqual([
      'repo:read',
    ]);
  });
});

describe('assertWithinCredential', () => {
  const presenter = { userId: OWNER, credentialScopes: ['tessera:tokens', 'repo:read'] };

  it('accepts a subset, the empty set and the exact set', () => {
    for (const requested of [[], ['repo:read'], ['tessera:tokens', 'repo:read']]) {
      expect(codeOf(() => assertWithinCredential(requested, presenter, OWNER))).toBeNull();
    }
  });

  it('refuses any scope the credential does not hold with scope_exceeds_credential', () => {
    for (const requested of [
      ['tessera:admin'],
      ['repo:read', 'repo:write'],
      ['tessera:tokens', 'tessera:admin'],
    ]) {
      expect(codeOf(() => assertWithinCredential(requested, presenter, OWNER))).toBe(
        'scope_exceeds_credential',
      );
    }
  });
});
