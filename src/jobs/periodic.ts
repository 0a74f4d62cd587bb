/**
 * The one way Tessera runs background work on a timer (the inactivity sweep, expiry notices,
 * webhook retention, the outbox workers' polls, the signing-keys check): a run now, then one
 * `intervalMs` after each run ends. Runs never overlap, on this instance: `run()` waits for the
 * run in flight, then starts a fresh one, so its caller sees work done at its own moment (a test
 * that moved the clock gets a run on the moved clock, not the end of an older one). A scheduled
 * run's error is logged and the next one is still scheduled; the timer never keeps the process
 * alive.
 */

/** Where the next run is scheduled: real timers by default; a test may drive its own. */
export interface Timers {
  set(run: () => void, ms: number): unknown;
  clear(handle: unknown): void;
}

export const realTimers: Timers = {
  set: (run, ms) => setTimeout(run, ms).unref(),
  clear: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

/** The one log call a job makes; a pino logger is one. */
export interface JobLog {
  error(fields: Record<string, unknown>, message: string): void;
}

export interface PeriodicTask<T> {
  /** Names the job in the log line of a failed run. */
  name: string;
  intervalMs: number;
  run: () => Promise<T>;
  logger: JobLog;
  /** False: the first run is `intervalMs` from now (the caller has just done the work itself). */
  runNow?: boolean;
  timers?: Timers;
}

export interface PeriodicJob<T> {
  /** Runs the task once more, after the run in flight (if any); rejects with its error. */
  run(): Promise<T>;
  /** No run is scheduled any more; resolves once the run in flight (if any) has ended. */
  stop(): Promise<void>;
}

const settled = () => {};

/** The job, not started: `run()` works at once, the timer starts with `start()`. */
export function periodic<T>(task: PeriodicTask<T>): PeriodicJob<T> & { start(): void } {
  const timers = task.timers ?? realTimers;
  let last: Promise<unknown> = Promise.resolve();
  let handle: unknown;
  let stopped = false;
  const run = () => {
    const next = last.then(task.run);
    last = next.then(settled, settled);
    return next;
  };
  const schedule = () => {
    if (!stopped) handle = timers.set(tick, task.intervalMs);
  };
  const tick = () => {
    run()
      .catch((err) => task.logger.error({ err, job: task.name }, `${task.name} failed`))
      .finally(schedule);
  };
  return {
    run,
    start: () => (task.runNow === false ? schedule() : tick()),
    async stop() {
      stopped = true;
      timers.clear(handle);
      await last;
    },
  };
}

export function startPeriodic<T>(task: PeriodicTask<T>): PeriodicJob<T> {
  const job = periodic(task);
  job.start();
  return job;
}

/**
 * Runs the task once and awaits it (a failure rejects: the caller's start fails with it), then
 * every `intervalMs` after each run, as `startPeriodic` does.
 */
export async function startAfterFirstRun<T>(task: PeriodicTask<T>): Promise<PeriodicJob<T>> {
  const job = periodic({ ...task, runNow: false });
  await job.run();
  job.start();
  return job;
}
