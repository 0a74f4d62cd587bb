/** RFC 8693 §2.1: the shape of a token exchange request, checked before anything is looked up. */
import { ACCESS_TOKEN_TYPE, JWT_TOKEN_TYPE } from './constants.js';
import { invalidRequest } from './denial.js';

export interface ExchangeRequest {
  subjectToken: string;
  /** What the response's `issued_token_type` says. */
  issuedTokenType: typeof ACCESS_TOKEN_TYPE | typeof JWT_TOKEN_TYPE;
  /** `audience` and `resource` values together, deduplicated. */
  targets: string[];
  /** Requested scopes, or undefined when `scope` was absent. */
  scopes: string[] | undefined;
}

type Params = Record<string, string | string[] | undefined>;

const list = (value: string | string[] | undefined): string[] =>
  value === undefined ? [] : Array.isArray(value) ? value : [value];

export function parseExchangeRequest(params: Params): ExchangeRequest {
  const { subject_token, subject_token_type, actor_token, actor_token_type, requested_token_type } = params;
  if (typeof subject_token !== 'string' || subject_token === '') {
    throw invalidRequest('missing required parameter: subject_token');
  }
  if (typeof subject_token_type !== 'string' || subject_token_type === '') {
    throw invalidRequest('missing required parameter: subject_token_type');
  }
  if (subject_token_type !== ACCESS_TOKEN_TYPE) {
    throw invalidRequest(`unsupported subject_token_type: only ${ACCESS_TOKEN_TYPE} is accepted`);
  }
  // §2.1: actor_token_type is REQUIRED when actor_token is present and MUST NOT be otherwise.
  if ((actor_token === undefined) !== (actor_token_type === undefined)) {
    throw invalidRequest('actor_token and actor_token_type must be sent together');
  }
  if (actor_token !== undefined) throw invalidRequest('delegation (actor_token) is not supported');
  if (
    requested_token_type !== undefined &&
    requested_token_type !== ACCESS_TOKEN_TYPE &&
    requested_token_type !== JWT_TOKEN_TYPE
  ) {
    throw invalidRequest('unsupported requested_token_type');
  }
  const scope = params.scope;
  return {
    subjectToken: subject_token,
    issuedTokenType: requested_token_type === JWT_TOKEN_TYPE ? JWT_TOKEN_TYPE : ACCESS_TOKEN_TYPE,
    targets: [...new Set([...list(params.audience), ...list(params.resource)])],
    scopes: typeof scope === 'string' ? scope.split(' ').filter(Boolean) : undefined,
  };
}
