/** The in-memory per-address window behind `limits.tokenRequestsPerMinute` (src/limits/window-counter.ts). */
import { describe, expect, it } from '@jest/globals';
import { WindowCounter } from '../../../src/limits/window-counter.js';

describe('WindowCounter', () => {
  it('admits the limit per window, then answers the whole seconds left, per key', () => {
    let now = 1_000_000;
    const counter = new WindowCounter(3, 60_000, () => now);
    expect([counter.take('a'), counter.take('a'), counter.take('a')]).toEqual([0, 0, 0]);
    expect(counter.take('a')).toBe(60);
    expect(counter.take('b')).toBe(0);
    now += 59_001;
    expect(counter.take('a')).toBe(1);
    now += 999;
    expect(counter.take('a')).toBe(0);
  });

  it('keeps counting refusals, so hammering does not reopen the window early', () => {
    let now = 0;
    const counter = new WindowCounter(1, 10_000, () => now);
    counter.take('k');
    for (let i = 0; i < 100; i++) expect(counter.take('k')).toBeGreaterThan(0);
    now = 9_999;
    expect(counter.take('k')).toBe(1);
    now = 10_000;
    expect(counter.take('k')).toBe(0);
  });

  it('forgets expired windows, so many one-off addresses do not pile up', () => {
    let now = 0;
    const counter = new WindowCounter(5, 1_000, () => now);
    for (let i = 0; i < 10_000; i++) counter.take(`10.0.${i >> 8}.${i & 255}`);
    now = 5_000;
    counter.take('fresh');
    // A refusal for a swept address would need the old count: it starts again from one.
    for (let i = 0; i < 5; i++) expect(counter.take('10.0.0.0')).toBe(0);
  });
});
