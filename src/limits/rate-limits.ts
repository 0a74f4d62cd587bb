/**
 * Abuse limits, per client IP, per instance (in memory): token requests, failed credential
 * presentations (PATs or JWTs that do not authenticate, on /token and /api/v1), and leaked-
 * token reports. Per instance means N instances allow N times the configured rate; the failed-
 * presentation limit still makes guessing hopeless (a PAT has 178 random bits and a checksum).
 */
import { RateLimiterMemory, RateLimiterRes } from 'rate-limiter-flexible';
import type { Limits } from '../config.js';

export class RateLimits {
  readonly #tokenRequests: RateLimiterMemory;
  readonly #failedAuth: RateLimiterMemory;
  readonly #leakReports: RateLimiterMemory;

  constructor(limits: Limits) {
    this.#tokenRequests = new RateLimiterMemory({ points: limits.tokenRequestsPerMinute, duration: 60 });
    this.#failedAuth = new RateLimiterMemory({ points: limits.failedAuthPerMinute, duration: 60 });
    this.#leakReports = new RateLimiterMemory({ points: limits.leakReportsPerMinute, duration: 60 });
  }

  /** Seconds to wait before retrying, or 0 when the request may proceed (and was counted). */
  static async take(limiter: RateLimiterMemory, key: string): Promise<number> {
    try {
      await limiter.consume(key);
      return 0;
    } catch (result) {
      if (result instanceof RateLimiterRes) return Math.max(1, Math.ceil(result.msBeforeNext / 1000));
      throw result;
    }
  }

  tokenRequest(ip: string): Promise<number> {
    return RateLimits.take(this.#tokenRequests, ip);
  }

  leakReport(ip: string): Promise<number> {
    return RateLimits.take(this.#leakReports, ip);
  }

  /** Seconds this IP must wait because of failed presentations, without counting a new one. */
  async failedAuthBlocked(ip: string): Promise<number> {
    const state = await this.#failedAuth.get(ip);
    if (!state || state.consumedPoints < this.#failedAuth.points) return 0;
    return Math.max(1, Math.ceil(state.msBeforeNext / 1000));
  }

  async recordFailedAuth(ip: string): Promise<void> {
    await RateLimits.take(this.#failedAuth, ip);
  }
}
