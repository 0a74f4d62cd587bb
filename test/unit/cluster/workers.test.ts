/** `--workers N|auto` and the replacement delay of a worker that died (src/cluster/). */
import { describe, expect, it } from '@jest/globals';
import {
  FIRST_DELAY_MS,
  MAX_DELAY_MS,
  restartDelay,
  STABLE_AFTER_MS,
} from '../../../src/cluster/restart-backoff.js';
import { parseWorkers, resolveWorkers, WorkerCountError } from '../../../src/cluster/worker-count.js';

describe('worker count', () => {
  it('parses a whole number or auto', () => {
    expect(parseWorkers('2')).toBe(2);
    expect(parseWorkers(' auto ')).toBe('auto');
  });

  it.each(['0', '-3', '1.5', '1e3', '0x10', '', 'AUTO', '257'])('refuses %p', (text) => {
    expect(() => parseWorkers(text)).toThrow(WorkerCountError);
  });

  it('auto is the available parallelism', () => {
    expect(resolveWorkers('auto', 8, 'postgres://db')).toBe(8);
    expect(resolveWorkers('auto', 1, undefined)).toBe(1);
  });

  it('refuses more than one worker on the embedded database', () => {
    expect(() => resolveWorkers(2, 8, undefined)).toThrow('2 workers need DATABASE_URL');
    expect(() => resolveWorkers('auto', 4, undefined)).toThrow(WorkerCountError);
    expect(resolveWorkers(1, 4, undefined)).toBe(1);
  });
});

describe('restart delay', () => {
  it('replaces a worker that had run a while at once', () => {
    expect(restartDelay(8_000, STABLE_AFTER_MS)).toBe(0);
  });

  it('doubles while a worker keeps dying young, up to the ceiling', () => {
    const delays: number[] = [];
    let delay = 0;
    for (let i = 0; i < 12; i++) {
      delay = restartDelay(delay, 100);
      delays.push(delay);
    }
    expect(delays.slice(0, 3)).toEqual([FIRST_DELAY_MS, FIRST_DELAY_MS * 2, FIRST_DELAY_MS * 4]);
    expect(Math.max(...delays)).toBe(MAX_DELAY_MS);
    expect(delays.at(-1)).toBe(MAX_DELAY_MS);
  });
});
