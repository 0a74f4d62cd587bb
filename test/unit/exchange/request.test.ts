/** RFC 8693 §2.1 request parsing: which subject token types are accepted and what `trust_policy` may go with. */
import { describe, expect, it } from '@jest/globals';
import { ACCESS_TOKEN_TYPE, ID_TOKEN_TYPE, JWT_TOKEN_TYPE } from '../../../src/exchange/constants.js';
import { ExchangeDenied } from '../../../src/exchange/denial.js';
import { parseExchangeRequest } from '../../../src/exchange/request.js';

function denial(params: Record<string, string | string[] | undefined>): ExchangeDenied {
  try {
    parseExchangeRequest(params);
  } catch (error) {
    expect(error).toBeInstanceOf(ExchangeDenied);
    return error as ExchangeDenied;
  }
  throw new Error('expected a denial');
}

describe('parseExchangeRequest', () => {
  it('a PAT is an access token; an external token is an id_token or a jwt', () => {
    expect(
      parseExchangeRequest({ subject_token: 't', subject_token_type: ACCESS_TOKEN_TYPE }).subjectKind,
    ).toBe('pat');
    for (const type of [ID_TOKEN_TYPE, JWT_TOKEN_TYPE]) {
      expect(parseExchangeRequest({ subject_token: 't', subject_token_type: type }).subjectKind).toBe(
        'federated',
      );
    }
  });

  it('refuses other subject token types with invalid_request', () => {
    const denied = denial({
      subject_token: 't',
      subject_token_type: 'urn:ietf:params:oauth:token-type:saml2',
    });
    expect(denied.oauthError.error).toBe('invalid_request');
  });

  it('trust_policy goes only with a federated subject token', () => {
    expect(
      parseExchangeRequest({ subject_token: 't', subject_token_type: ID_TOKEN_TYPE, trust_policy: 'deploy' })
        .trustPolicy,
    ).toBe('deploy');
    expect(
      denial({ subject_token: 't', subject_token_type: ACCESS_TOKEN_TYPE, trust_policy: 'deploy' }).oauthError
        .error,
    ).toBe('invalid_request');
  });

  it('the internal reason rides in error_detail, never in the description', () => {
    const denied = denial({ subject_token: 't', subject_token_type: 'bogus' });
    expect((denied.oauthError as { error_detail?: string }).error_detail).toBe(denied.reason);
  });

  it('audience and resource together, deduplicated; scope split on spaces', () => {
    const request = parseExchangeRequest({
      subject_token: 't',
      subject_token_type: JWT_TOKEN_TYPE,
      audience: ['https://a', 'https://b'],
      resource: 'https://a',
      scope: 'repo:read  repo:write',
    });
    expect(request.targets).toEqual(['https://a', 'https://b']);
    expect(request.scopes).toEqual(['repo:read', 'repo:write']);
  });
});
