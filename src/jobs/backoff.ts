/**
 * When a failed delivery is tried again: exponential backoff with a cap. Retry n (after the nth
 * failed attempt) waits `base * 2^(n-1)` seconds, at most `cap`. No jitter: claims are spread
 * over instances by SKIP LOCKED already, and a fixed schedule is what a receiver's operator can
 * read in the delivery log.
 */
export function retryDelaySeconds(failedAttempts: number, baseSeconds: number, capSeconds: number): number {
  const exponent = Math.max(0, failedAttempts - 1);
  // 2^31 seconds is beyond any sane cap; stop growing before the number does anything odd.
  return Math.min(capSeconds, baseSeconds * 2 ** Math.min(exponent, 31));
}

export interface RetrySchedule {
  maxAttempts: number;
  backoffBaseSeconds: number;
  backoffCapSeconds: number;
}

/** When to try again after failed attempt number `attempt` at `at`; null once attempts are exhausted. */
export function nextAttemptAt(attempt: number, at: Date, schedule: RetrySchedule): Date | null {
  if (attempt >= schedule.maxAttempts) return null;
  const delay = retryDelaySeconds(attempt, schedule.backoffBaseSeconds, schedule.backoffCapSeconds);
  return new Date(at.getTime() + delay * 1000);
}
