/**
 * The new-token form as the service's request (console/token-form.ts), the one reading both the
 * person's form and an admin's for a service account use. An exact date reaches the service as
 * the day itself: the console does no date arithmetic (pat/policy.ts `expiryOnDate` does).
 */
import { describe, expect, it } from '@jest/globals';
import { newTokenForm, patRequestOfForm } from '../../../src/console/token-form.js';
import type { Queryable } from '../../../src/db/queryable.js';
import { ApiProblem } from '../../../src/errors.js';

/** An empty `may_act` is read without the database: any query fails the test. */
const untouched: Queryable = {
  query: () => Promise.reject(new Error('no query expected')),
  exec: () => Promise.reject(new Error('no script expected')),
};

const form = (fields: Record<string, string | string[]>) => newTokenForm.parse(fields);

describe('the new-token form as the service request', () => {
  it('passes an exact date through as expiresOn, with no days beside it', async () => {
    const request = await patRequestOfForm(
      untouched,
      form({ name: 'n', scopes: 'repo:read', expiration: 'date', expires_on: '2027-01-31' }),
    );
    expect(request).toEqual({
      name: 'n',
      scopes: ['repo:read'],
      expiresOn: '2027-01-31',
      allowedCidrs: null,
      mayAct: null,
      requireDpop: false,
    });
  });

  it('maps a preset or "never" to expiresInDays, and the DPoP box to requireDpop', async () => {
    const preset = await patRequestOfForm(
      untouched,
      form({ name: 'n', scopes: ['a', 'b'], expiration: '30', expires_on: '2027-01-31', require_dpop: 'on' }),
    );
    expect(preset).toMatchObject({ expiresInDays: 30, requireDpop: true });
    expect(preset).not.toHaveProperty('expiresOn');
    expect(
      await patRequestOfForm(untouched, form({ name: 'n', scopes: 'a', expiration: 'never' })),
    ).toMatchObject({
      expiresInDays: null,
    });
  });

  it('refuses an expiration outside the list, and a DPoP value other than the box', () => {
    expect(newTokenForm.safeParse({ name: 'n', expiration: 'forever' }).success).toBe(false);
    expect(newTokenForm.safeParse({ name: 'n', require_dpop: 'yes' }).success).toBe(false);
    expect(newTokenForm.safeParse({ name: 'n', expires_on: '2027-01-31T00:00' }).success).toBe(false);
  });

  it('names the may_act field after the owner in its errors', async () => {
    const refused = patRequestOfForm(
      untouched,
      form({ name: 'n', scopes: 'a', may_act: 'two words' }),
      'ci-bot',
    );
    await expect(refused).rejects.toBeInstanceOf(ApiProblem);
    await expect(refused).rejects.toMatchObject({
      errors: [{ field: 'May act for ci-bot', message: 'two words: expected a username or trust:POLICY' }],
    });
  });
});
