/** The background scheduler: runs now and after each run, never two at once, errors logged, stops cleanly. */
import { describe, expect, it } from '@jest/globals';
import { realTimers, startAfterFirstRun, startPeriodic, type Timers } from '../../../src/jobs/periodic.js';

/** Timers a test fires by hand: what is scheduled, for how long, and nothing fires on its own. */
function manualTimers() {
  const pending = new Map<number, { run: () => void; ms: number }>();
  let next = 0;
  const timers: Timers = {
    set: (run, ms) => {
      pending.set(++next, { run, ms });
      return next;
    },
    clear: (handle) => void pending.delete(handle as number),
  };
  const fire = () => {
    const [id, entry] = [...pending][0] ?? [];
    if (id === undefined || !entry) throw new Error('nothing scheduled');
    pending.delete(id);
    entry.run();
  };
  return { timers, pending, fire };
}

function deferred() {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

const flush = () => new Promise((resolve) => setImmediate(resolve));

function logger() {
  const errors: unknown[] = [];
  return { errors, error: (fields: unknown, message: string) => void errors.push({ fields, message }) };
}

describe('startPeriodic', () => {
  it('runs at once, then once per interval after each run ends', async () => {
    const clock = manualTimers();
    let runs = 0;
    const job = startPeriodic({
      name: 'count',
      intervalMs: 600_000,
      run: async () => ++runs,
      logger: logger(),
      timers: clock.timers,
    });
    await flush();
    expect(runs).toBe(1);
    expect([...clock.pending.values()].map((t) => t.ms)).toEqual([600_000]);
    clock.fire();
    await flush();
    expect(runs).toBe(2);
    expect(clock.pending.size).toBe(1);
    await job.stop();
    expect(clock.pending.size).toBe(0);
  });

  it('never overlaps: run() while a run is in flight starts a fresh one after it', async () => {
    const clock = manualTimers();
    const gate = deferred();
    let active = 0;
    let most = 0;
    let runs = 0;
    const job = startPeriodic({
      name: 'slow',
      intervalMs: 1000,
      run: async () => {
        most = Math.max(most, ++active);
        if (++runs === 1) await gate.promise;
        active--;
        return runs;
      },
      logger: logger(),
      timers: clock.timers,
    });
    const asked = job.run();
    const again = job.run();
    await flush();
    expect(runs).toBe(1);
    gate.resolve();
    expect(await asked).toBe(2);
    expect(await again).toBe(3);
    expect(most).toBe(1);
    await job.stop();
  });

  it('logs a scheduled run that fails and schedules the next one; run() rejects to its caller', async () => {
    const clock = manualTimers();
    const log = logger();
    const job = startPeriodic({
      name: 'broken sweep',
      intervalMs: 1000,
      run: async () => {
        throw new Error('database unavailable');
      },
      logger: log,
      timers: clock.timers,
    });
    await flush();
    expect(log.errors).toEqual([
      { fields: expect.objectContaining({ job: 'broken sweep' }), message: 'broken sweep failed' },
    ]);
    expect(clock.pending.size).toBe(1);
    await expect(job.run()).rejects.toThrow('database unavailable');
    await job.stop();
  });

  it('stop() waits for the run in flight and schedules nothing after it', async () => {
    const clock = manualTimers();
    const gate = deferred();
    let finished = false;
    const job = startPeriodic({
      name: 'in flight',
      intervalMs: 1000,
      run: async () => {
        await gate.promise;
        finished = true;
      },
      logger: logger(),
      timers: clock.timers,
    });
    const stopped = job.stop();
    gate.resolve();
    await stopped;
    expect(finished).toBe(true);
    await flush();
    expect(clock.pending.size).toBe(0);
  });

  it('runNow: false waits one interval before the first run', async () => {
    const clock = manualTimers();
    let runs = 0;
    const job = startPeriodic({
      name: 'later',
      intervalMs: 30_000,
      run: async () => ++runs,
      logger: logger(),
      timers: clock.timers,
      runNow: false,
    });
    await flush();
    expect(runs).toBe(0);
    clock.fire();
    await flush();
    expect(runs).toBe(1);
    await job.stop();
  });

  it('startAfterFirstRun: one awaited run at start, then one per interval; a failed first run rejects', async () => {
    const clock = manualTimers();
    let runs = 0;
    const job = await startAfterFirstRun({
      name: 'sweep',
      intervalMs: 600_000,
      run: async () => ++runs,
      logger: logger(),
      timers: clock.timers,
    });
    await flush();
    expect(runs).toBe(1);
    expect(clock.pending.size).toBe(1);
    await job.stop();

    const failing = startAfterFirstRun({
      name: 'broken',
      intervalMs: 1000,
      run: async () => {
        throw new Error('no database');
      },
      logger: logger(),
      timers: clock.timers,
    });
    await expect(failing).rejects.toThrow('no database');
    expect(clock.pending.size).toBe(0);
  });

  it('by default its timer does not keep the process alive', () => {
    const handle = realTimers.set(() => {}, 3_600_000) as NodeJS.Timeout;
    expect(handle.hasRef()).toBe(false);
    realTimers.clear(handle);
  });
});
