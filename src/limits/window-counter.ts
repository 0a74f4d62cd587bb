/**
 * Requests per key in fixed windows, in this process's memory: a key's window opens at its first
 * request and lasts `windowMs` (rate-limiter-flexible's RateLimiterMemory semantics, which this
 * replaced on the `/token` hot path). Synchronous on purpose: the library answered through a
 * promise and a rejection object per request, and set a timer per key; here a request is one
 * Map lookup, and expired windows are swept at most once per window length.
 */
export class WindowCounter {
  readonly #windows = new Map<string, { count: number; endsAt: number }>();
  #nextSweep = 0;

  constructor(
    private readonly limit: number,
    private readonly windowMs: number,
    private readonly now: () => number,
  ) {}

  /** Counts a request: 0 when it is within the limit, else whole seconds until the window ends. */
  take(key: string): number {
    const now = this.now();
    if (now >= this.#nextSweep) this.#sweep(now);
    let window = this.#windows.get(key);
    if (window === undefined || window.endsAt <= now) {
      window = { count: 0, endsAt: now + this.windowMs };
      this.#windows.set(key, window);
    }
    window.count++;
    if (window.count <= this.limit) return 0;
    return Math.max(1, Math.ceil((window.endsAt - now) / 1000));
  }

  #sweep(now: number) {
    for (const [key, window] of this.#windows) if (window.endsAt <= now) this.#windows.delete(key);
    this.#nextSweep = now + this.windowMs;
  }
}
