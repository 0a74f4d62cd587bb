/**
 * What the soak watches while it runs: the server's RSS from /proc and its database connections
 * from pg_stat_activity, sampled every few seconds; and what the samples say about growth.
 */
import { readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import type pg from 'pg';

export interface Sample {
  atMs: number;
  rssMiB: number;
  connections: number;
}

export interface Growth {
  /** Peak RSS of the first quarter after the warm-up, and of the last quarter. */
  rssFirstMiB: number;
  rssLastMiB: number;
  rssGrowthPct: number;
  connectionsMax: number;
  /** Connections seen after the warm-up beyond the most seen during it. */
  connectionsGrowth: number;
  /** Samples after the warm-up; too few and the growth means nothing. */
  samplesAfterWarmup: number;
}

function rssMiB(pid: number): number {
  const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return match ? Number(match[1]) / 1024 : 0;
}

async function connectionsTo(monitor: pg.Client, database: string): Promise<number> {
  const { rows } = await monitor.query<{ n: number }>(
    'SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = $1',
    [database],
  );
  return rows[0]?.n ?? 0;
}

/**
 * Samples every `everyMs` from now until `stop()`, which resolves with all the samples.
 * `onSample` sees each one as it comes.
 */
export function startSampling(
  pid: number,
  monitor: pg.Client,
  database: string,
  everyMs: number,
  onSample: (sample: Sample, count: number) => void,
): { stop(): Promise<Sample[]> } {
  const samples: Sample[] = [];
  const started = Date.now();
  let sampling = true;
  const loop = (async () => {
    while (sampling) {
      const sample = {
        atMs: Date.now() - started,
        rssMiB: rssMiB(pid),
        connections: await connectionsTo(monitor, database),
      };
      samples.push(sample);
      onSample(sample, samples.length);
      await sleep(everyMs);
    }
  })();
  return {
    stop: async () => {
      sampling = false;
      await loop;
      return samples;
    },
  };
}

const peak = (samples: Sample[], of: (s: Sample) => number) => Math.max(0, ...samples.map(of));

/**
 * RSS: the peak of the first quarter after the warm-up against the peak of the last quarter.
 * Single samples swing by a third with the garbage collector's cycle (a sample taken right after
 * a major GC is a trough); the peaks track the heap's high-water mark, which a leak raises.
 * Connections: the most seen after the warm-up against the most seen during it.
 */
export function growth(samples: Sample[], warmupMs: number): Growth {
  const afterWarmup = samples.filter((s) => s.atMs >= warmupMs);
  const quarter = Math.max(1, Math.floor(afterWarmup.length / 4));
  const rssFirstMiB = peak(afterWarmup.slice(0, quarter), (s) => s.rssMiB);
  const rssLastMiB = peak(afterWarmup.slice(-quarter), (s) => s.rssMiB);
  const warmupMax = peak(
    samples.filter((s) => s.atMs < warmupMs),
    (s) => s.connections,
  );
  const laterMax = peak(afterWarmup, (s) => s.connections);
  return {
    rssFirstMiB,
    rssLastMiB,
    rssGrowthPct: rssFirstMiB > 0 ? ((rssLastMiB - rssFirstMiB) / rssFirstMiB) * 100 : 0,
    connectionsMax: Math.max(warmupMax, laterMax),
    connectionsGrowth: Math.max(0, laterMax - warmupMax),
    samplesAfterWarmup: afterWarmup.length,
  };
}
