import { describe, expect, it } from '@jest/globals';
import { ApiProblem } from '../../../src/errors.js';
import {
  assertNetworksWithinCredential,
  assertWithinCredential,
  credentialCeiling,
  networksWithinCredential,
  scopesOnOffer,
} from '../../../src/pat/ceiling.js';
import { assertEntitled, assertKnownScopes } from '../../../src/pat/policy.js';

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

describe('networksWithinCredential (issue 18)', () => {
  const fenced = (cidrs: string[] | null) => ({
    userId: OWNER,
    credentialScopes: [],
    credentialCidrs: cidrs,
  });

  it('leaves the request alone for an unfenced credential', () => {
    expect(networksWithinCredential(undefined, fenced(null))).toBeNull();
    expect(networksWithinCredential(['10.0.0.0/8'], fenced(null))).toEqual(['10.0.0.0/8']);
  });

  it('gives a PAT without a list the credential list', () => {
    expect(networksWithinCredential(null, fenced(['10.0.0.0/8']))).toEqual(['10.0.0.0/8']);
  });

  it('accepts networks inside one of the credential networks, refuses any outside', () => {
    const held = fenced(['10.0.0.0/8', '2001:db8::/32']);
    expect(networksWithinCredential(['10.1.0.0/16', '2001:db8:5::/48'], held)).toHaveLength(2);
    for (const outside of [
      ['0.0.0.0/0'],
      ['11.0.0.1/32'],
      ['10.0.0.0/7'],
      ['::ffff:10.0.0.1/128'],
      ['::/0'],
    ]) {
      expect(codeOf(() => networksWithinCredential(outside, held))).toBe('cidr_exceeds_credential');
    }
  });

  it('refuses rotating an unfenced PAT with a fenced credential', () => {
    expect(codeOf(() => assertNetworksWithinCredential(null, fenced(['10.0.0.0/8'])))).toBe(
      'cidr_exceeds_credential',
    );
    expect(codeOf(() => assertNetworksWithinCredential(['10.2.0.0/16'], fenced(['10.0.0.0/8'])))).toBeNull();
    expect(codeOf(() => assertNetworksWithinCredential(null, fenced(null)))).toBeNull();
  });
});

describe('scopesOnOffer: what the console offers is exactly what createPat grants', () => {
  const catalogue = ['tessera:tokens', 'tessera:admin', 'repo:read', 'repo:write'];
  const owner = { id: OWNER, entitlements: ['tessera:tokens', 'repo:read', 'repo:write', 'gone:scope'] };
  const presenters = [
    { userId: OWNER, credentialScopes: ['tessera:tokens', 'repo:read'] },
    { userId: OTHER, credentialScopes: ['tessera:admin', 'tessera:tokens'] },
    { userId: OTHER, credentialScopes: ['tessera:tokens', 'repo:write'] },
    { userId: null, credentialScopes: null },
  ];
  it.each(presenters)('offers a scope if and only if each check accepts it (%j)', (presenter) => {
    const offered = scopesOnOffer(catalogue, owner, presenter);
    for (const scope of [...catalogue, 'gone:scope']) {
      const accepted =
        codeOf(() => {
          assertKnownScopes([scope], Object.fromEntries(catalogue.map((name) => [name, name])));
          assertEntitled([scope], owner.entitlements);
          assertWithinCredential([scope], presenter, OWNER);
        }) === null;
      expect({ scope, offered: offered.includes(scope) }).toEqual({ scope, offered: accepted });
    }
  });
});
