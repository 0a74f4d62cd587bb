/**
 * Form errors for the admin forms (trust policies, webhooks): the API's own field errors, kept
 * with their field names so each is shown both in the summary and beside its field.
 */
import { ApiProblem, type FieldError } from '../errors.js';

/**
 * The field errors of a refused change (400/403/409); anything else propagates to the error page.
 * A conflict (409: a name taken) is about `conflictField` when the form names one.
 */
export function problemFields(error: unknown, conflictField = '(form)'): FieldError[] {
  if (!(error instanceof ApiProblem) || error.status >= 500 || error.status === 404) throw error;
  const field = error.status === 409 ? conflictField : '(form)';
  return error.errors ?? [{ field, message: error.detail ?? error.title }];
}

/** Whether `error` is about the form field `name` (`claims` owns `claims.sub[0]`, `scopes` owns `scopes[1]`). */
export function isAbout(error: FieldError, name: string): boolean {
  return error.field === name || error.field.startsWith(`${name}.`) || error.field.startsWith(`${name}[`);
}

/** The HTTP status a refused form is sent back with. */
export function formStatus(error: unknown): number {
  return error instanceof ApiProblem ? error.status : 400;
}
