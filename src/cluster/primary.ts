/**
 * The primary of `tessera serve --workers N`: forks N workers that share the listening socket
 * (node:cluster) and nothing else but the database; prints the one start line once all of them
 * serve; replaces a worker that dies (at once if it had run a while, with growing delays if it
 * keeps dying: restart-backoff.ts); sums the workers' metrics for whichever worker is scraped;
 * forwards SIGHUP (key reload); on SIGTERM or SIGINT lets every worker drain and exits when
 * all have. A worker that dies before the first start line fails the whole start (a taken port,
 * a bad database): replacing it would only repeat the failure.
 */
import cluster, { type Worker } from 'node:cluster';
import { AggregatorRegistry } from 'prom-client';
import type { Config } from '../config.js';
import type { LogOutput } from '../log-output.js';
import type { Logger } from '../logger.js';
import { logReady } from '../main.js';
import { isMessage, METRICS_REQUEST, METRICS_RESPONSE, READY, type ToPrimary } from './messages.js';
import { restartDelay } from './restart-backoff.js';

/** How long exit waits for queued log lines (as in main.ts). */
const LOG_FLUSH_DEADLINE_MS = 250;

interface Slot {
  worker: Worker | undefined;
  startedAt: number;
  delayMs: number;
  timer: NodeJS.Timeout | undefined;
}

export function servePrimary(count: number, config: Config, logger: Logger, output?: LogOutput): void {
  const aggregator = new AggregatorRegistry();
  const started = performance.now();
  const slots: Slot[] = Array.from({ length: count }, () => ({
    worker: undefined,
    startedAt: 0,
    delayMs: 0,
    timer: undefined,
  }));
  const readyOnce = new Set<number>();
  let tokenFile: string | undefined;
  let announced = false;
  let stopping = false;
  let exitCode = 0;

  const fork = (slot: Slot) => {
    slot.timer = undefined;
    slot.startedAt = performance.now();
    slot.worker = cluster.fork();
    logger.info({ worker: slot.worker.id, workerPid: slot.worker.process.pid }, 'worker started');
  };
  const slotOf = (worker: Worker) => slots.find((slot) => slot.worker === worker);
  const live = () => slots.filter((slot) => slot.worker !== undefined);

  const exit = async () => {
    await output?.flush(LOG_FLUSH_DEADLINE_MS);
    process.exit(exitCode);
  };
  const stop = (reason: string, code: number) => {
    if (stopping) return;
    stopping = true;
    exitCode = code;
    logger.info({ reason }, 'shutting down');
    for (const slot of slots) {
      clearTimeout(slot.timer);
      slot.worker?.process.kill('SIGTERM');
    }
    // Each worker drains within `server.shutdownGraceMs`; one that hangs past that is killed.
    setTimeout(() => {
      for (const slot of live()) slot.worker?.process.kill('SIGKILL');
    }, config.server.shutdownGraceMs + 5_000).unref();
    if (live().length === 0) void exit();
  };

  cluster.on('message', (worker, message: unknown) => {
    if (isMessage<ToPrimary>(message, METRICS_REQUEST)) {
      const { id } = message as { id: number };
      aggregator.clusterMetrics().then(
        (text) => worker.send({ type: METRICS_RESPONSE, id, text }),
        (error: Error) => worker.send({ type: METRICS_RESPONSE, id, error: error.message }),
      );
      return;
    }
    if (!isMessage<ToPrimary>(message, READY)) return;
    const { info } = message as Extract<ToPrimary, { type: typeof READY }>;
    tokenFile ??= info.tokenFile;
    if (announced) {
      logger.info({ worker: worker.id, workerPid: worker.process.pid }, 'worker ready');
      return;
    }
    readyOnce.add(worker.id);
    if (readyOnce.size < count) return;
    announced = true;
    const startupMs = Math.round(performance.now() - started);
    logReady(
      logger,
      config,
      { address: info.address, database: info.database, workers: count, startupMs },
      tokenFile,
    );
  });

  cluster.on('exit', (worker, code, signal) => {
    const slot = slotOf(worker);
    if (!slot) return;
    slot.worker = undefined;
    const fields = { worker: worker.id, workerPid: worker.process.pid, code, signal };
    if (stopping) {
      if (code !== 0) exitCode = 1;
      if (live().length === 0) void exit();
      return;
    }
    if (!announced) {
      logger.error(fields, 'a worker exited before the service was ready');
      stop('a worker failed to start', 1);
      return;
    }
    slot.delayMs = restartDelay(slot.delayMs, performance.now() - slot.startedAt);
    logger.warn({ ...fields, restartInMs: slot.delayMs }, 'worker exited; replacing it');
    slot.timer = setTimeout(() => fork(slot), slot.delayMs);
  });

  process.on('SIGHUP', () => {
    for (const slot of live()) slot.worker?.process.kill('SIGHUP');
  });
  process.once('SIGTERM', () => stop('SIGTERM', 0));
  process.once('SIGINT', () => stop('SIGINT', 0));
  for (const slot of slots) fork(slot);
}
