/** The pure trust policy rules: issuer scheme, conditions, matching and the choice of one policy. */
import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import {
  choosePolicy,
  hasConditions,
  issuerProblem,
  matchConditions,
  type TrustPolicy,
} from '../../../src/federation/policy.js';

const ISSUER = 'https://token.actions.githubusercontent.com';
const AUD = 'https://tessera.example.com';

function policy(overrides: Partial<TrustPolicy>): TrustPolicy {
  return {
    id: '00000000-0000-4000-8000-000000000001',
    name: 'p',
    issuer: ISSUER,
    audience: AUD,
    subject: null,
    claims: {},
    user_id: '00000000-0000-4000-8000-0000000000aa',
    scopes: ['repo:read'],
    audiences: ['https://api.example.com'],
    max_ttl_seconds: 900,
    single_use: false,
    require_dpop: false,
    created_at: new Date(0),
    created_by: null,
    updated_at: new Date(0),
    ...overrides,
  };
}

const github = {
  iss: ISSUER,
  aud: AUD,
  sub: 'repo:acme/api:ref:refs/heads/main',
  repository: 'acme/api',
  repository_id: '123456',
  repository_owner_id: '42',
  environment: 'prod',
  run_attempt: 1,
  job_workflow_ref: 'acme/api/.github/workflows/deploy.yml@refs/heads/main',
};

describe('issuerProblem', () => {
  it('accepts https, and plain http only for loopback hosts', () => {
    expect(issuerProblem(ISSUER)).toBeNull();
    expect(issuerProblem('http://127.0.0.1:8080')).toBeNull();
    expect(issuerProblem('http://localhost:8080/issuer')).toBeNull();
    expect(issuerProblem('http://[::1]:9000')).toBeNull();
    expect(issuerProblem('http://token.actions.githubusercontent.com')).not.toBeNull();
    expect(issuerProblem('http://127.0.0.1.evil.example')).not.toBeNull();
    expect(issuerProblem('http://localhost.evil.example')).not.toBeNull();
    expect(issuerProblem('ftp://example.com')).not.toBeNull();
    expect(issuerProblem('https://user:pw@example.com')).not.toBeNull();
    expect(issuerProblem('https://example.com/?x=1')).not.toBeNull();
    expect(issuerProblem('not a url')).not.toBeNull();
  });
});

describe('conditions', () => {
  it('a policy needs a subject or a claim', () => {
    expect(hasConditions({ subject: null, claims: {} })).toBe(false);
    expect(hasConditions({ subject: 'repo:*', claims: {} })).toBe(true);
    expect(hasConditions({ subject: null, claims: { repository_id: ['1'] } })).toBe(true);
  });

  it('returns the matched claims with the token values; any one of a list of values will do', () => {
    const p = {
      subject: 'repo:acme/api:*',
      claims: { repository_id: ['123456'], environment: ['staging', 'prod'] },
    };
    expect(matchConditions(p, github)).toEqual({
      sub: github.sub,
      repository_id: '123456',
      environment: 'prod',
    });
  });

  it('refuses a missing claim, a different value, and a list or object where a value was expected', () => {
    const p = { subject: null, claims: { repository_id: ['123456'] } };
    expect(matchConditions(p, { ...github, repository_id: '1234567' })).toBeNull();
    expect(matchConditions(p, { ...github, repository_id: undefined })).toBeNull();
    expect(matchConditions(p, { ...github, repository_id: ['123456'] })).toBeNull();
    expect(matchConditions(p, { ...github, repository_id: { v: '123456' } })).toBeNull();
  });

  it('compares numbers and booleans as their text', () => {
    expect(matchConditions({ subject: null, claims: { run_attempt: ['1'] } }, github)).toEqual({
      run_attempt: 1,
    });
  });

  it('never reads inherited properties as claims', () => {
    expect(matchConditions({ subject: null, claims: { constructor: ['*'] } }, github)).toBeNull();
  });
});

describe('choosePolicy', () => {
  const main = policy({ name: 'main', subject: 'repo:acme/api:ref:refs/heads/main' });
  const anyBranch = policy({ name: 'any-branch', subject: 'repo:acme/api:ref:*' });
  const other = policy({ name: 'other', claims: { repository_id: ['999'] } });

  it('the one matching policy wins', () => {
    expect(choosePolicy([main, other], github, undefined)).toMatchObject({ kind: 'matched', policy: main });
  });

  it('several matches are ambiguous unless the request names one of them', () => {
    expect(choosePolicy([main, anyBranch], github, undefined)).toEqual({
      kind: 'ambiguous',
      names: ['main', 'any-branch'],
    });
    expect(choosePolicy([main, anyBranch], github, 'any-branch')).toMatchObject({ policy: anyBranch });
    expect(choosePolicy([main, anyBranch], github, 'other')).toEqual({ kind: 'named_not_matching' });
  });

  it('the audience and issuer must be the policy’s', () => {
    expect(choosePolicy([main], { ...github, aud: 'https://elsewhere' }, undefined)).toEqual({
      kind: 'none',
    });
    expect(choosePolicy([main], { ...github, aud: ['x', AUD] }, undefined)).toMatchObject({
      kind: 'matched',
    });
    expect(choosePolicy([main], { ...github, iss: `${ISSUER}/` }, undefined)).toEqual({ kind: 'none' });
  });

  it('no token whose claims match no policy is ever matched (property)', () => {
    const claimValue = fc.oneof(
      fc.string({ maxLength: 8 }),
      fc.integer(),
      fc.boolean(),
      fc.constant(undefined),
    );
    fc.assert(
      fc.property(
        fc.record({ sub: claimValue, repository_id: claimValue, environment: claimValue }),
        (claims) => {
          const payload = { iss: ISSUER, aud: AUD, ...claims };
          const policies = [main, anyBranch, other];
          const choice = choosePolicy(policies, payload, undefined);
          const anyMatch = policies.some((p) => matchConditions(p, payload) !== null);
          if (!anyMatch) expect(choice).toEqual({ kind: 'none' });
          if (choice.kind === 'matched') expect(matchConditions(choice.policy, payload)).not.toBeNull();
        },
      ),
      { numRuns: 2000 },
    );
  });
});
