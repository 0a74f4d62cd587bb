/**
 * Typed errors for the REST API, serialised as RFC 9457 problem details. Every error the API
 * means to send is an `ApiProblem`; anything else is an internal fault, logged in full and sent
 * as a bare 500 with no detail.
 */
/**
 * Every problem code `/api/v1` sends, with its HTTP status: a closed list (as jose's error
 * codes), so that a code thrown anywhere is one the OpenAPI document publishes
 * (api/openapi/problems.ts) and is sent with the status published for it.
 */
export const PROBLEM_STATUS = {
  invalid_request: 400,
  invalid_json: 400,
  unauthenticated: 401,
  insufficient_scope: 403,
  scope_not_entitled: 403,
  scope_exceeds_credential: 403,
  cidr_exceeds_credential: 403,
  service_account: 403,
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
  // Never on /api/v1: the console's pages and `tessera admin recover` (OFF_API_CODES).
  csrf: 403,
  account_unusable: 403,
  sign_in_failed: 400,
  idp_unreachable: 502,
  not_an_administrator: 409,
} as const;

/** The codes above that only the console's pages or the break-glass command answer. */
export const OFF_API_CODES: readonly ProblemCode[] = [
  'csrf',
  'account_unusable',
  'sign_in_failed',
  'idp_unreachable',
  'not_an_administrator',
];

export type ProblemCode = keyof typeof PROBLEM_STATUS;
type StatusOf<C extends ProblemCode> = (typeof PROBLEM_STATUS)[C];
/** The codes of one HTTP status, e.g. `CodeOf<409>` for `conflict()`. */
type CodeOf<S extends number> = { [C in ProblemCode]: StatusOf<C> extends S ? C : never }[ProblemCode];

export interface FieldError {
  field: string;
  message: string;
}

export class ApiProblem<C extends ProblemCode = ProblemCode> extends Error {
  override name = 'ApiProblem';
  constructor(
    readonly status: StatusOf<C>,
    /** Stable, machine-readable code; also the last part of the problem `type`. */
    readonly code: C,
    readonly title: string,
    readonly detail?: string,
    readonly errors?: FieldError[],
  ) {
    super(detail ?? title);
  }

  toJSON() {
    return {
      type: `urn:tessera:problem:${this.code}`,
      title: this.title,
      status: this.status,
      code: this.code,
      ...(this.detail ? { detail: this.detail } : {}),
      ...(this.errors ? { errors: this.errors } : {}),
    };
  }
}

export const invalidRequest = (errors: FieldError[]) =>
  new ApiProblem(
    400,
    'invalid_request',
    'The request is invalid',
    errors.map((e) => `${e.field}: ${e.message}`).join('; '),
    errors,
  );

export const unauthenticated = () =>
  new ApiProblem(401, 'unauthenticated', 'Missing or invalid credentials', 'Present a valid bearer token');

export const insufficientScope = (scope: string) =>
  new ApiProblem(
    403,
    'insufficient_scope',
    'The credential lacks a required scope',
    `requires scope ${scope}`,
  );

export const notFound = (what = 'resource') =>
  new ApiProblem(404, 'not_found', 'Not found', `no such ${what}`);

export const conflict = (code: CodeOf<409>, detail: string) =>
  new ApiProblem<CodeOf<409>>(409, code, 'Conflict', detail);

export const internalError = () => new ApiProblem(500, 'internal_error', 'Internal server error');

export const serviceUnavailable = () =>
  new ApiProblem(
    503,
    'service_unavailable',
    'Service unavailable',
    'the database cannot be reached; retry shortly',
  );
