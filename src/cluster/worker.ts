/**
 * The worker side of `tessera serve --workers N`: an ordinary instance that reports to the primary
 * instead of printing the start line, and answers `GET /metrics` with every worker's metrics
 * summed by the primary (prom-client's AggregatorRegistry), whichever worker the scrape reached.
 */
import cluster from 'node:cluster';
import { AggregatorRegistry, type Registry } from 'prom-client';
import type { Config } from '../config.js';
import type { LogOutput } from '../log-output.js';
import type { Logger } from '../logger.js';
import { serve } from '../main.js';
import {
  isMessage,
  METRICS_REQUEST,
  METRICS_RESPONSE,
  READY,
  type ReadyInfo,
  type ToWorker,
} from './messages.js';

/** The primary gives each worker this long to send its part (prom-client's own limit is 5 s). */
const METRICS_TIMEOUT_MS = 10_000;

interface Pending {
  resolve(text: string): void;
  reject(error: Error): void;
  timer: NodeJS.Timeout;
}

/** Renders the cluster's metrics by asking the primary, which collects them from every worker. */
export function clusterMetrics(registry: Registry): () => Promise<string> {
  // Constructing one registers this worker's answer to the primary's collection requests.
  new AggregatorRegistry();
  AggregatorRegistry.setRegistries([registry]);
  const pending = new Map<number, Pending>();
  let nextId = 0;
  process.on('message', (message: unknown) => {
    if (!isMessage<ToWorker>(message, METRICS_RESPONSE)) return;
    const waiting = pending.get(message.id);
    if (!waiting) return;
    pending.delete(message.id);
    clearTimeout(waiting.timer);
    if (message.text !== undefined) waiting.resolve(message.text);
    else waiting.reject(new Error(`cluster metrics: ${message.error ?? 'no answer'}`));
  });
  return () =>
    new Promise<string>((resolve, reject) => {
      const id = nextId++;
      const timer = setTimeout(() => {
        pending.delete(id);
        reject(new Error('cluster metrics: the primary did not answer'));
      }, METRICS_TIMEOUT_MS);
      pending.set(id, { resolve, reject, timer });
      process.send?.({ type: METRICS_REQUEST, id });
    });
}

/** Runs one worker until the primary (or a signal) stops it. */
export async function serveWorker(config: Config, logger: Logger, output: LogOutput): Promise<void> {
  const workerLogger = logger.child({ worker: cluster.worker?.id });
  await serve(config, workerLogger, output, {
    customize: (services) => {
      services.metrics.render = clusterMetrics(services.metrics.registry);
      return services;
    },
    onReady: (info: ReadyInfo) => process.send?.({ type: READY, info }),
  });
}
