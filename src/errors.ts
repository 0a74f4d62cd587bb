/**
 * Typed errors for the REST API, serialised as RFC 9457 problem details. Every error the API
 * means to send is an `ApiProblem`; anything else is an internal fault, logged in full and sent
 * as a bare 500 with no detail.
 */
export interface FieldError {
  field: string;
  message: string;
}

export class ApiProblem extends Error {
  override name = 'ApiProblem';
  constructor(
    readonly status: number,
    /** Stable, machine-readable code; also the last part of the problem `type`. */
    readonly code: string,
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

export const conflict = (code: string, detail: string) => new ApiProblem(409, code, 'Conflict', detail);

export const internalError = () => new ApiProblem(500, 'internal_error', 'Internal server error');

export const serviceUnavailable = () =>
  new ApiProblem(
    503,
    'service_unavailable',
    'Service unavailable',
    'the database cannot be reached; retry shortly',
  );
