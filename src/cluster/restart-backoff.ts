/**
 * When to replace a worker that died. A worker that had run for a while is replaced at once; one
 * that dies soon after its start (a crash loop: a bad deploy, a database refusing it) waits
 * twice as long as the previous replacement did, up to a ceiling, so the primary does not spin.
 */
export const STABLE_AFTER_MS = 30_000;
export const FIRST_DELAY_MS = 250;
export const MAX_DELAY_MS = 30_000;

/** Milliseconds to wait before forking the replacement. */
export function restartDelay(previousDelayMs: number, livedMs: number): number {
  if (livedMs >= STABLE_AFTER_MS) return 0;
  return Math.min(MAX_DELAY_MS, Math.max(FIRST_DELAY_MS, previousDelayMs * 2));
}
