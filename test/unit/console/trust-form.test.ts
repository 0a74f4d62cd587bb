import { describe, expect, it } from '@jest/globals';
import { claimLines, claimsOf } from '../../../src/console/trust-form.js';
import { ApiProblem } from '../../../src/errors.js';

describe('the Claims field of the trust-policy form', () => {
  it('reads "claim = value" lines; a claim on several lines accepts any of its values', () => {
    const text = 'repository_id = 123456\r\n\n environment=prod\nenvironment = staging\njob = a=b';
    expect(claimsOf(text)).toEqual({
      repository_id: ['123456'],
      environment: ['prod', 'staging'],
      job: ['a=b'],
    });
  });

  it('round-trips a stored policy', () => {
    const claims = { repository_id: ['1'], environment: ['prod', 'stag*'] };
    expect(claimsOf(claimLines(claims))).toEqual(claims);
  });

  it('keeps "*" and empty values for the policy rules to refuse, and names a line without "="', () => {
    expect(claimsOf('repository_id = *\nref =')).toEqual({ repository_id: ['*'], ref: [''] });
    expect(() => claimsOf('ok = 1\nrepository_id 123')).toThrow(ApiProblem);
    try {
      claimsOf('ok = 1\nrepository_id 123');
    } catch (error) {
      expect((error as ApiProblem).errors).toEqual([
        { field: 'claims', message: 'line 2: expected "claim = value"' },
      ]);
    }
  });
});
