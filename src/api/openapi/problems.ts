/**
 * Every problem code `/api/v1` sends, with its HTTP status: the closed list the OpenAPI
 * document publishes (each operation names the ones it can answer). A code thrown anywhere
 * but missing here fails the response validation in the tests.
 */
export const PROBLEM_STATUS = {
  invalid_request: 400,
  invalid_json: 400,
  unauthenticated: 401,
  insufficient_scope: 403,
  scope_not_entitled: 403,
  service_account: 403,
  scope_exceeds_credential: 403,
  not_found: 404,
  method_not_allowed: 405,
  token_not_active: 409,
  token_not_revoked: 409,
  token_expired: 409,
  token_active: 409,
  revocation_final: 409,
  username_taken: 409,
  cannot_modify_self: 409,
  trust_policy_name_taken: 409,
  body_too_large: 413,
  unsupported_media_type: 415,
  rate_limited: 429,
  internal_error: 500,
  service_unavailable: 503,
} as const;

export type ProblemCode = keyof typeof PROBLEM_STATUS;

/** What any operation may answer, by what it takes. */
export function genericProblems(op: {
  authenticated: boolean;
  scoped: boolean;
  input: boolean;
  body: boolean;
  pathId: boolean;
}) {
  const codes: ProblemCode[] = ['internal_error', 'service_unavailable'];
  if (op.authenticated) codes.push('unauthenticated', 'rate_limited');
  if (op.scoped) codes.push('insufficient_scope');
  if (op.input) codes.push('invalid_request');
  if (op.body) codes.push('invalid_json', 'body_too_large', 'unsupported_media_type');
  if (op.pathId) codes.push('not_found');
  return codes;
}
