/**
 * A refused exchange: the OAuth error sent to the client, plus the internal reason that goes
 * to the audit trail and the debug log only.
 */
import { errors } from 'oidc-provider';

export class ExchangeDenied extends Error {
  override name = 'ExchangeDenied';
  constructor(
    readonly oauthError: InstanceType<typeof errors.OIDCProviderError>,
    /** Internal: never sent to the client. */
    readonly reason: string,
  ) {
    super(reason);
  }
}

export const invalidRequest = (description: string, reason = description) =>
  new ExchangeDenied(new errors.InvalidRequest(description), reason);

export const invalidTarget = (description: string, reason = description) =>
  new ExchangeDenied(new errors.InvalidTarget(description), reason);

export const invalidScope = (description: string, scope: string, reason = description) =>
  new ExchangeDenied(new errors.InvalidScope(description, scope), reason);

/** RFC 6749 §4.1.2.1's `temporarily_unavailable`, with 503: the database cannot be reached. */
export function temporarilyUnavailable(): InstanceType<typeof errors.OIDCProviderError> {
  const error = new errors.OIDCProviderError(503, 'temporarily_unavailable');
  Object.assign(error, {
    expose: true,
    error_description: 'the service cannot reach its database; retry shortly',
  });
  return error;
}

export const unauthorizedClient = (description: string) =>
  new ExchangeDenied(new errors.UnauthorizedClient(description), description);
