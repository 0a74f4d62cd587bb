/**
 * Verifies an external token against its issuer's published keys (RFC 7519 §7.2, RFC 8725):
 * asymmetric algorithms only, `iss` exactly, `exp` not past, `nbf` respected, `iat` present, not
 * in the future and at most `maxTokenAgeSeconds` old. The audience is the policies' business.
 * Every failure is a `FederationRefusal` with the reason for the audit trail.
 */
import { errors, type JWTPayload, jwtVerify } from 'jose';
import { isStorableInstant } from '../db/instant.js';
import { peekJwt } from '../exchange/jwt-peek.js';
import { FEDERATED_ALGORITHMS, isFederatedAlgorithm } from './algorithms.js';
import type { IssuerKeys } from './issuer-keys.js';
import { audienceText, type ClosestPolicy, type RefusalCode } from './refusal.js';

/**
 * A refused external token: the audit reason (message), the code admins see in the refusal
 * trail (null: not shown there, e.g. an issuer no policy names) and the closest policy.
 */
export class FederationRefusal extends Error {
  override name = 'FederationRefusal';
  constructor(
    message: string,
    readonly code: RefusalCode | null,
    readonly closest: ClosestPolicy | null = null,
  ) {
    super(message);
  }
}

/** What the token claims before anything is verified: used to find policies, never trusted. */
export interface UnverifiedToken {
  iss: string | null;
  sub: string | null;
  jti: string | null;
  /** The `aud` claimed, as text (see refusal.ts); shown to admins on a refusal. */
  aud: string | null;
  alg: unknown;
}

const textClaim = (value: unknown) => (typeof value === 'string' ? value : null);

/** Text the database can hold and compare: no NUL, no lone surrogate (PostgreSQL refuses both). */
const storableText = (value: string | null) =>
  value === null || !(value.includes('\u0000') || /\p{Surrogate}/u.test(value));

export function peekToken(token: string): UnverifiedToken {
  let peeked: UnverifiedToken;
  try {
    const { header, claims: payload } = peekJwt(token);
    peeked = {
      iss: textClaim(payload.iss),
      sub: textClaim(payload.sub),
      jti: textClaim(payload.jti),
      aud: audienceText(payload.aud),
      alg: header.alg,
    };
  } catch {
    throw new FederationRefusal('malformed token', null);
  }
  // The issuer is looked up and the jti stored: text no issuer mints must not reach the database.
  if (!storableText(peeked.iss) || !storableText(peeked.jti)) {
    throw new FederationRefusal('malformed token (iss or jti)', null);
  }
  return peeked;
}

/** The audit reason and refusal code of a jose verification error: a stable phrase per cause. */
function refusalOf(error: errors.JOSEError): FederationRefusal {
  if (error instanceof errors.JWTExpired) {
    return error.claim === 'iat'
      ? new FederationRefusal('token too old (iat beyond maxTokenAgeSeconds)', 'too_old')
      : new FederationRefusal('token expired', 'expired');
  }
  if (error instanceof errors.JWTClaimValidationFailed) {
    if (error.claim === 'iat' && error.reason === 'check_failed')
      return new FederationRefusal('iat in the future', 'issued_in_future');
    if (error.claim === 'nbf') return new FederationRefusal('token not yet valid (nbf)', 'issued_in_future');
    // A required `exp`/`iat` missing: a token whose lifetime cannot be checked counts as expired.
    return new FederationRefusal(`claim ${error.claim} invalid (${error.reason})`, 'expired');
  }
  if (error instanceof errors.JWKSNoMatchingKey)
    return new FederationRefusal('no key of the issuer matches the token (kid)', 'unknown_kid');
  if (error instanceof errors.JWSSignatureVerificationFailed)
    return new FederationRefusal('signature verification failed', 'bad_signature');
  if (error instanceof errors.JOSEAlgNotAllowed)
    return new FederationRefusal('algorithm not allowed', 'bad_signature');
  return new FederationRefusal(`token invalid (${error.code ?? 'unknown'})`, 'bad_signature');
}

/**
 * NumericDates (RFC 7519 §2) Tessera can hold: an `exp` at year 10000 or beyond any JS Date
 * passes jose's "not expired" check but cannot be stored as a single_use token's expiry.
 * No issuer mints those; such a token is invalid, as is any other malformed claim.
 */
function refuseUnstorableDates(payload: JWTPayload): void {
  for (const claim of ['exp', 'nbf', 'iat'] as const) {
    const seconds = payload[claim];
    if (seconds !== undefined && !isStorableInstant(new Date(seconds * 1000))) {
      throw new FederationRefusal(`claim ${claim} invalid (out of range)`, 'bad_signature');
    }
  }
}

export async function verifyExternalToken(
  token: string,
  peeked: UnverifiedToken & { iss: string },
  keys: Pick<IssuerKeys, 'keysFor'>,
  options: { now: Date; maxTokenAgeSeconds: number },
): Promise<JWTPayload> {
  // Refused before any key is fetched: `none` and HS* never verify (RFC 8725 §3.1).
  if (!isFederatedAlgorithm(peeked.alg))
    throw new FederationRefusal(`algorithm not allowed: ${String(peeked.alg).slice(0, 32)}`, 'bad_signature');
  try {
    const { payload } = await jwtVerify(token, await keys.keysFor(peeked.iss), {
      algorithms: [...FEDERATED_ALGORITHMS],
      issuer: peeked.iss,
      currentDate: options.now,
      maxTokenAge: options.maxTokenAgeSeconds,
      requiredClaims: ['exp', 'iat'],
    });
    refuseUnstorableDates(payload);
    return payload;
  } catch (error) {
    if (error instanceof errors.JOSEError) throw refusalOf(error);
    // jose refuses a key it will not use (an RSA key under 2048 bits, RFC 7518 §3.3) with a
    // TypeError: the issuer's key set is at fault, so the token is refused, not answered with a 500.
    if (error instanceof TypeError) {
      throw new FederationRefusal(`issuer key unusable (${error.message.slice(0, 80)})`, 'bad_signature');
    }
    throw error;
  }
}
