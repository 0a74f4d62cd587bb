/**
 * `tessera serve [--workers N|auto]`: one process as before, or a cluster primary that forks N
 * workers. Each worker process runs this same command and lands here as a worker.
 */
import cluster from 'node:cluster';
import { availableParallelism } from 'node:os';
import type { Config } from '../config.js';
import type { LogOutput } from '../log-output.js';
import type { Logger } from '../logger.js';
import { resolveWorkers, type WorkersSetting } from './worker-count.js';

export async function serveCommand(
  config: Config,
  logger: Logger,
  output: LogOutput,
  workers: WorkersSetting | undefined,
): Promise<void> {
  if (cluster.isWorker) {
    const { serveWorker } = await import('./worker.js');
    return serveWorker(config, logger, output);
  }
  const count = resolveWorkers(workers ?? config.server.workers, availableParallelism(), config.databaseUrl);
  if (count === 1) {
    const { serve } = await import('../main.js');
    return serve(config, logger, output);
  }
  // A taken port fails here, before any worker touches the database (as `bind` does in one process).
  const [{ servePrimary }, { checkPort }] = await Promise.all([
    import('./primary.js'),
    import('../http-server.js'),
  ]);
  await checkPort(config.port, config.host);
  servePrimary(count, config, logger, output);
}
