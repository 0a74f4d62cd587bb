/**
 * The problem codes the OpenAPI document publishes: the closed list in errors.ts (an
 * `ApiProblem` cannot be built with any other code, nor with another status), and what each
 * operation answers besides the codes it names itself.
 */
import type { ProblemCode } from '../../errors.js';

export { PROBLEM_STATUS, type ProblemCode } from '../../errors.js';

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
