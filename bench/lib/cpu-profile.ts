/**
 * Reads a V8 `.cpuprofile` (`node --cpu-prof`) and charges each sample's time to its owner: the
 * npm package or Tessera module nearest the top of its stack, or one of V8's own buckets
 * (garbage collector, idle, program) and socket writes. Only samples taken while the load ran
 * count, so start-up (module loading, tsx) does not blur the per-request figures.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string };
  children?: number[];
}

interface Profile {
  nodes: ProfileNode[];
  startTime: number;
  samples: number[];
  timeDeltas: number[];
}

/** Microseconds of the monotonic clock V8 stamps its samples with (CLOCK_MONOTONIC on Linux). */
export const monotonicMicros = () => Number(process.hrtime.bigint() / 1000n);

/** The main thread's profile in `dir`: the largest file (worker threads write smaller ones). */
export function mainThreadProfile(dir: string): string {
  const files = readdirSync(dir).filter((f) => f.endsWith('.cpuprofile'));
  const sized = files.map((f) => ({ path: join(dir, f), size: statSync(join(dir, f)).size }));
  const largest = sized.sort((a, b) => b.size - a.size)[0];
  if (!largest) throw new Error(`no .cpuprofile in ${dir}`);
  return largest.path;
}

function ownerOf(url: string): string | null {
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url)?.[1];
  if (pkg) return pkg;
  const own = /\/((?:src|bench)\/.+)\.ts$/.exec(url)?.[1];
  return own ?? null;
}

/** Microseconds of samples per owner, between `from` and `to` (monotonic µs). */
export function timeByOwner(path: string, from: number, to: number): Map<string, number> {
  const profile = JSON.parse(readFileSync(path, 'utf8')) as Profile;
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const child of n.children ?? []) parent.set(child, n.id);
  const owners = new Map<string, number>();
  let at = profile.startTime;
  profile.samples.forEach((id, i) => {
    const delta = profile.timeDeltas[i] ?? 0;
    at += delta;
    if (at < from || at > to) return;
    const leaf = byId.get(id)?.callFrame;
    let owner: string | null = null;
    if (leaf?.functionName === 'writev' || leaf?.functionName === 'writeUtf8String')
      owner = '[socket writes]';
    else if (leaf && !leaf.url && leaf.functionName.startsWith('(')) owner = leaf.functionName;
    for (let node: number | undefined = id; !owner && node !== undefined; node = parent.get(node)) {
      owner = ownerOf(byId.get(node)?.callFrame.url ?? '');
    }
    owner ??= '[node internals]';
    owners.set(owner, (owners.get(owner) ?? 0) + delta);
  });
  return owners;
}
