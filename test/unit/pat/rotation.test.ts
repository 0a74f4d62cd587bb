import { describe, expect, it } from '@jest/globals';
import { ApiProblem } from '../../../src/errors.js';
import { assertMayRotate } from '../../../src/pat/rotation.js';

const codeOf = (run: () => void) => {
  try {
    run();
    return null;
  } catch (error) {
    return error instanceof ApiProblem ? error.code : 'not-a-problem';
  }
};

describe('assertMayRotate', () => {
  const service = { id: 'svc', service: true, entitlements: ['repo:read'] };

  it('refuses a service account rotating its own PAT without tessera:tokens in its entitlements', () => {
    expect(codeOf(() => assertMayRotate(service, 'svc'))).toBe('service_account');
  });

  it('lets an entitled service account, an administrator, and a person rotate', () => {
    expect(codeOf(() => assertMayRotate({ ...service, entitlements: ['tessera:tokens'] }, 'svc'))).toBeNull();
    expect(codeOf(() => assertMayRotate(service, 'admin'))).toBeNull();
    expect(codeOf(() => assertMayRotate({ ...service, service: false }, 'svc'))).toBeNull();
  });
});
