/**
 * Abuse limits per client address (see net/client-address.ts for what that address is):
 * token requests and leaked-token reports per instance, in memory; failed credential
 * presentations (PATs or JWTs that do not authenticate, on /token and /api/v1, and failed
 * client authentication) in the database, shared by all instances.
 *
 * The failed-credential limit refuses further *bad* credentials, never a valid one: CI fleets
 * share NAT addresses, and one broken job must not lock out the rest. Guessing stays hopeless
 * (a PAT has 178 random bits and a checksum that is checked before any lookup).
 */
import type { Clock } from '../clock.js';
import type { Limits } from '../config.js';
import type { Queryable } from '../db/queryable.js';
import type { Logger } from '../logger.js';
import { AddressLimit, type AddressVerdict } from './address-limit.js';
import { FailedCredentialCounter } from './failed-credentials.js';
import { WindowCounter } from './window-counter.js';

const MINUTE_MS = 60_000;

export class RateLimits {
  readonly #tokenRequests: WindowCounter;
  readonly #leakReports: WindowCounter;
  readonly #failures: FailedCredentialCounter;
  readonly #consoleSignIn: AddressLimit;

  constructor(
    limits: Limits,
    db: Queryable,
    clock: Clock,
    private readonly logger: Logger,
  ) {
    const now = () => clock().getTime();
    this.#tokenRequests = new WindowCounter(limits.tokenRequestsPerMinute, MINUTE_MS, now);
    this.#leakReports = new WindowCounter(limits.leakReportsPerMinute, MINUTE_MS, now);
    this.#failures = new FailedCredentialCounter(db, clock, limits.failedAuthPerMinute);
    this.#consoleSignIn = new AddressLimit(db, clock, limits.consoleSignInPerMinute);
  }

  /**
   * Counts a request to an unauthenticated console route that writes (`sign-in`, `sso`,
   * `callback`); shared by all instances. A database that cannot count lets the request through.
   */
  async consoleSignIn(route: 'sign-in' | 'sso' | 'callback', ip: string): Promise<AddressVerdict> {
    try {
      return await this.#consoleSignIn.take(route, ip);
    } catch (err) {
      this.logger.warn({ err }, 'could not count a console sign-in request');
      return { retryAfter: 0, firstRefusal: false };
    }
  }

  /** Seconds to wait before retrying, or 0 when the request may proceed (and was counted). */
  tokenRequest(ip: string): number {
    return this.#tokenRequests.take(ip);
  }

  /** As `tokenRequest`, for leaked-token reports. */
  leakReport(ip: string): number {
    return this.#leakReports.take(ip);
  }

  /**
   * Counts a failed presentation; seconds the address must wait before presenting bad
   * credentials again, or 0. A database that cannot count does not turn the answer into a
   * 500: the failure is logged and answered as a plain failure.
   */
  async recordFailedAuth(ip: string): Promise<number> {
    try {
      return await this.#failures.record(ip);
    } catch (err) {
      this.logger.warn({ err }, 'could not count a failed credential');
      return 0;
    }
  }

  /** Seconds to wait when the address is over the failed-credential limit (0 if it is not). */
  async failedAuthRetryAfter(ip: string): Promise<number> {
    try {
      return await this.#failures.retryAfter(ip);
    } catch (err) {
      this.logger.warn({ err }, 'could not read the failed-credential count');
      return 0;
    }
  }
}
