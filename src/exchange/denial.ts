/**
 * A refused exchange: the OAuth error sent to the client, with the internal reason in
 * oidc-provider's `error_detail` (its error handler logs it at debug level and never sends it).
 */
import { errors } from 'oidc-provider';
import { INVALID_SUBJECT_TOKEN } from './constants.js';
import type { DenialCause, OAuthError } from './outcome.js';

export class ExchangeDenied extends Error {
  override name = 'ExchangeDenied';
  constructor(
    readonly oauthError: OAuthError,
    /** Internal: never sent to the client. */
    readonly reason: string,
    /** What the outcome says about it (outcome.ts decides from it what counts as a failed credential). */
    readonly denialCause: DenialCause = 'request',
  ) {
    super(reason);
    oauthError.error_detail = reason;
  }
}

export const invalidRequest = (description: string, reason = description) =>
  new ExchangeDenied(new errors.InvalidRequest(description), reason);

/**
 * §2.2.2: the subject_token is invalid. One fixed description whatever the cause, so responses
 * are no oracle; always a failed credential (outcome.ts).
 */
export const invalidSubjectToken = (reason: string) =>
  new ExchangeDenied(new errors.InvalidRequest(INVALID_SUBJECT_TOKEN), reason, 'subject_token');

export const invalidTarget = (description: string, reason = description) =>
  new ExchangeDenied(new errors.InvalidTarget(description), reason);

export const invalidScope = (description: string, scope: string, reason = description) =>
  new ExchangeDenied(new errors.InvalidScope(description, scope), reason);

/** RFC 6749 §4.1.2.1's `temporarily_unavailable`, with 503: something the exchange needs is away. */
export function temporarilyUnavailable(
  description = 'the service cannot reach its database; retry shortly',
): OAuthError {
  const error = new errors.OIDCProviderError(503, 'temporarily_unavailable');
  Object.assign(error, { expose: true, error_description: description });
  return error;
}

export const unauthorizedClient = (description: string) =>
  new ExchangeDenied(new errors.UnauthorizedClient(description), description);
