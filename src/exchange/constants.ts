/** RFC 8693 identifiers. */

/** §2.1 `grant_type`. */
export const TOKEN_EXCHANGE_GRANT = 'urn:ietf:params:oauth:grant-type:token-exchange';

/** §3 token type identifiers. */
export const ACCESS_TOKEN_TYPE = 'urn:ietf:params:oauth:token-type:access_token';
export const JWT_TOKEN_TYPE = 'urn:ietf:params:oauth:token-type:jwt';
export const ID_TOKEN_TYPE = 'urn:ietf:params:oauth:token-type:id_token';

/** §2.1: the request parameters this grant reads; `audience` and `resource` may repeat. */
export const EXCHANGE_PARAMETERS = [
  'subject_token',
  'subject_token_type',
  'actor_token',
  'actor_token_type',
  'requested_token_type',
  'audience',
  'resource',
  'scope',
  // Names the trust policy when several match a federated subject token (docs/design.md).
  'trust_policy',
  // Who may act with the issued JWT (DESIGN.md, "Delegation"): a JSON array, within the subject's own.
  'may_act',
] as const;
export const REPEATABLE_PARAMETERS = ['audience', 'resource'] as const;

/** The client that requests without `client_id` act as (auth method `none`). */
export const PUBLIC_CLIENT_ID = 'tessera-cli';

/**
 * §2.2.2: an invalid subject_token is `invalid_request`. One fixed description whatever the
 * cause (malformed, unknown, revoked, expired, user disabled), so responses are no oracle.
 */
export const INVALID_SUBJECT_TOKEN = 'the subject_token is invalid, expired or revoked';
