import { describe, expect, it } from '@jest/globals';
import { differingText, type RefusalView } from '../../../src/cli/trust-refusals.js';

const base: RefusalView = {
  id: '1',
  time: '2026-12-05T00:00:00.000Z',
  first_time: '2026-12-05T00:00:00.000Z',
  count: 1,
  reason: 'no_policy_matched',
  iss: 'https://token.actions.githubusercontent.com',
  sub: 'repo:acme/api:ref:refs/heads/feature',
  aud: 'https://tessera.test',
  jti: 'j',
  closest_policy: null,
};

describe('differingText', () => {
  it('names the claim, both values and the policy', () => {
    const refusal = {
      ...base,
      closest_policy: {
        id: 'p',
        name: 'deploy-main',
        claim: 'repository_id',
        expected: '123456',
        got: '999',
      },
    };
    expect(differingText(refusal)).toBe('repository_id: expected 123456, got 999 (policy deploy-main)');
    expect(differingText(base)).toBe('-');
  });
});
