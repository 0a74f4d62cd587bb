/** Server processes for benchmarks: spawn, wait until ready, sample CPU and memory from /proc. */
import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { type AddressInfo, createServer } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';

export interface ServerProcess {
  name: string;
  url: string;
  child: ChildProcess;
  /** User + system CPU seconds used so far, by the process and its children (cluster workers). */
  cpuSeconds(): number;
  /** Peak resident set size so far, in MiB. */
  peakRssMiB(): number;
  stop(): Promise<void>;
}

const TICKS_PER_SECOND = 100;

function cpuSecondsOf(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
}

/** `pid` and its descendants (cluster workers, PostgreSQL backends) as they are now. */
export function processTree(pid: number): number[] {
  let children: number[] = [];
  try {
    const text = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim();
    children = text ? text.split(' ').map(Number) : [];
  } catch {}
  return [pid, ...children.flatMap(processTree)];
}

/** CPU seconds of `pid` and its live descendants (a descendant that already exited is not counted). */
export function treeCpuSeconds(pid: number): number {
  let total = 0;
  for (const each of processTree(pid)) {
    try {
      total += cpuSecondsOf(each);
    } catch {}
  }
  return total;
}

function peakRssOfLive(pid: number): number {
  try {
    return peakRssOf(pid);
  } catch {
    return 0;
  }
}

function peakRssOf(pid: number): number {
  const match = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return match ? Number(match[1]) / 1024 : 0;
}

export async function startServer(
  name: string,
  command: string,
  args: string[],
  env: Record<string, string>,
  readyUrl: string,
): Promise<ServerProcess> {
  const child = spawn(command, args, {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (chunk) => {
    stderr = (stderr + chunk).slice(-4000);
  });
  for (let i = 0; i < 300; i++) {
    if (child.exitCode !== null) throw new Error(`${name} exited: ${stderr}`);
    try {
      if ((await fetch(readyUrl)).ok) break;
    } catch {}
    await sleep(100);
    if (i === 299) throw new Error(`${name} did not start: ${stderr}`);
  }
  const pid = child.pid as number;
  return {
    name,
    url: new URL(readyUrl).origin,
    child,
    cpuSeconds: () => treeCpuSeconds(pid),
    peakRssMiB: () => processTree(pid).reduce((sum, each) => sum + peakRssOfLive(each), 0),
    async stop() {
      // Gone already (a server without a SIGTERM handler dies by the signal: no exit code).
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      await new Promise((resolve) => child.once('exit', resolve));
    },
  };
}

/** A free loopback port, for a server that must be told its port before it starts. */
export async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as AddressInfo;
  await new Promise((resolve) => probe.close(resolve));
  return port;
}
