/**
 * Tessera for benchmarks: the real service (`startTessera`, configured from the environment
 * like `tessera serve`). BENCH_VARIANT=no-audit swaps the exchange audit writer and the usage
 * tracker for no-ops, to measure what they cost on the exchange path.
 */
import { loadConfig } from '../src/config.js';
import { createLogger } from '../src/logger.js';
import { startTessera } from '../src/main.js';
import type { UsageTracker } from '../src/pat/usage.js';

const variant = process.env.BENCH_VARIANT ?? 'full';
const config = loadConfig(process.env);
const tessera = await startTessera({
  config,
  logger: createLogger('warn'),
  customize:
    variant === 'no-audit'
      ? (services) => ({
          ...services,
          recordExchange: async () => {},
          usage: { record: async () => {} } as unknown as UsageTracker,
        })
      : undefined,
});
process.once('SIGTERM', () => tessera.stop().then(() => process.exit(0)));
