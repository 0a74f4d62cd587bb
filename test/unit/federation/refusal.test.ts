import { describe, expect, it } from '@jest/globals';
import type { TrustPolicy } from '../../../src/federation/policy.js';
import { closestPolicy, differingConditions, MAX_SHOWN } from '../../../src/federation/refusal.js';

const policy = (id: string, fields: Partial<TrustPolicy>): TrustPolicy => ({
  id,
  name: id,
  issuer: 'https://issuer.example',
  audience: 'https://tessera.test',
  subject: null,
  claims: {},
  user_id: 'u',
  scopes: ['repo:read'],
  audiences: [],
  max_ttl_seconds: 900,
  single_use: false,
  require_dpop: false,
  created_at: new Date(0),
  created_by: null,
  updated_at: new Date(0),
  ...fields,
});

const token = {
  aud: 'https://tessera.test',
  sub: 'repo:acme/api:ref:refs/heads/feature',
  repository_id: '1',
};

describe('closestPolicy', () => {
  it('picks the policy with the fewest differing conditions and names its first difference', () => {
    const far = policy('far', { subject: 'repo:other/*', claims: { repository_id: ['9'] } });
    const near = policy('near', {
      subject: 'repo:acme/api:ref:refs/heads/main',
      claims: { repository_id: ['1'] },
    });
    expect(closestPolicy([far, near], token)).toEqual({
      policyId: 'near',
      policyName: 'near',
      differing: { claim: 'sub', expected: 'repo:acme/api:ref:refs/heads/main', got: token.sub },
    });
  });

  it('counts the audience as a condition, and shows a list-valued claim as not comparable', () => {
    const p = policy('p', { claims: { groups: ['a'] } });
    expect(differingConditions(p, { aud: ['x', 'y'], groups: ['a'] })).toEqual([
      { claim: 'aud', expected: 'https://tessera.test', got: 'x y' },
      { claim: 'groups', expected: 'a', got: null },
    ]);
  });

  it('cuts long values to MAX_SHOWN characters', () => {
    const p = policy('p', { claims: { ref: ['main'] } });
    const [diff] = differingConditions(p, { aud: 'https://tessera.test', ref: 'x'.repeat(5000) });
    expect(diff?.got).toHaveLength(MAX_SHOWN);
  });

  it('is null when no policy differs (nothing to name) or there are none', () => {
    expect(closestPolicy([], token)).toBeNull();
    expect(closestPolicy([policy('all', { claims: { repository_id: ['1'] } })], token)).toBeNull();
  });
});
