/**
 * The layers of `src/` (docs/design.md, "Layers"): imports point down or sideways, never up, except
 * the type-only imports of a shared vocabulary listed below with their reason; and no two modules
 * import each other, however indirectly. Reads the import lines of every file under `src/`.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from '@jest/globals';

const SRC = resolve(fileURLToPath(new URL('.', import.meta.url)), '../../../src');

/**
 * Lowest first. A path names a folder (`pat/`) or a file; the longest match decides, so a file can
 * sit below the rest of its folder when it is that folder's vocabulary.
 */
const LAYERS: [string, string[]][] = [
  [
    'foundation',
    [
      'clock.ts',
      'errors.ts',
      'scopes.ts',
      'relative-time.ts',
      'config-schema.ts',
      'config.ts',
      'logger.ts',
      'log-output.ts',
      'metrics.ts',
      'net/',
      'keys/',
      'db/',
      'jobs/',
      // The token format is pure (no import of ours): the logger redacts what it shapes.
      'pat/format.ts',
      // The active-PAT rule (one SQL fragment, one predicate), pure: the metrics gauge counts by it.
      'pat/status.ts',
      // The `--workers` setting, pure: the CLI parses it before anything boots.
      'cluster/worker-count.ts',
      // Reading a subject JWT before verifying it, pure: federation and delegation route by it.
      'exchange/jwt-peek.ts',
      // The exchange's wire names, pure: the config refuses the public client's id for a confidential one.
      'exchange/constants.ts',
    ],
  ],
  ['audit', ['audit/']],
  [
    'domain',
    [
      'pat/',
      'users/',
      'delegation/',
      'federation/',
      'session/',
      'limits/',
      'webhooks/',
      'notifications/',
      'dpop/',
      // The exchange's vocabulary: what the grant's steps in delegation/ and dpop/ throw and return.
      'exchange/constants.ts',
      'exchange/denial.ts',
      'exchange/outcome.ts',
      'exchange/subject.ts',
    ],
  ],
  ['exchange', ['exchange/']],
  // http/: the request plumbing the API, the console and /token share.
  ['services', ['services.ts', 'auth/', 'oidc/', 'http/']],
  ['doors', ['api/', 'console/', 'cli/']],
  ['boot', ['app.ts', 'main.ts', 'bootstrap.ts', 'http-server.ts', 'verify.ts', 'cluster/']],
];

/** Imports that run up a layer, each with its reason; only type-only ones, but for the last. */
const EXCEPTIONS: Record<string, string> = {
  'audit/event.ts -> pat/revocation.ts':
    'a pat.revoked event names its kind (RevocationKind), defined beside its rule',
  'audit/event.ts -> federation/refusal.ts':
    'a refused federated exchange carries the refusal facts it is trailed by',
  'exchange/deps.ts -> services.ts': 'the wiring of the grant reads the service container it is built from',
  // Runtime, until the one URL rule moves to net/secure-url.ts (issue 20 item 5).
  'config.ts -> session/issuer-url.ts (runtime)': 'the issuer URL rule, read once at boot',
};

interface Import {
  from: string;
  to: string;
  typeOnly: boolean;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return /\.tsx?$/.test(name) && !name.endsWith('.d.ts') ? [path] : [];
  });
}

function resolveImport(from: string, spec: string): string | null {
  const base = resolve(dirname(from), spec.replace(/\.js$/, ''));
  return [`${base}.ts`, `${base}.tsx`].find((candidate) => existsSync(candidate)) ?? null;
}

/** `import type {...}`, or braces in which every name is `type X`. */
const isTypeOnly = (keyword: string | undefined, names: string) =>
  keyword !== undefined || /^\{\s*(type\s+\w+(\s+as\s+\w+)?\s*,?\s*)+\}$/.test(names.trim());

function importsOf(file: string): Import[] {
  const text = readFileSync(file, 'utf8');
  const found: Import[] = [];
  for (const m of text.matchAll(/(?:import|export)(\s+type)?\s([^'"]*?)from\s+['"](\.[^'"]+)['"]/g)) {
    const target = resolveImport(file, m[3] as string);
    if (target) {
      const typeOnly = isTypeOnly(m[1], m[2] as string);
      found.push({ from: relative(SRC, file), to: relative(SRC, target), typeOnly });
    }
  }
  return found;
}

function layerOf(path: string): number {
  let best = { layer: -1, length: 0 };
  LAYERS.forEach(([, paths], layer) => {
    for (const p of paths) {
      const matches = p.endsWith('/') ? path.startsWith(p) : path === p;
      if (matches && p.length > best.length) best = { layer, length: p.length };
    }
  });
  return best.layer;
}

/** A cycle as a list of files, or null: depth-first search, colouring files on the current path. */
function findCycle(edges: Map<string, string[]>): string[] | null {
  const state = new Map<string, 'open' | 'done'>();
  const path: string[] = [];
  const visit = (file: string): string[] | null => {
    state.set(file, 'open');
    path.push(file);
    for (const next of edges.get(file) ?? []) {
      if (state.get(next) === 'open') return [...path.slice(path.indexOf(next)), next];
      if (!state.has(next)) {
        const cycle = visit(next);
        if (cycle) return cycle;
      }
    }
    path.pop();
    state.set(file, 'done');
    return null;
  };
  for (const file of edges.keys()) {
    const cycle = state.has(file) ? null : visit(file);
    if (cycle) return cycle;
  }
  return null;
}

const files = sourceFiles(SRC);
const imports = files.flatMap(importsOf);

describe('the layers of src/', () => {
  it('places every file in a layer', () => {
    expect(files.map((f) => relative(SRC, f)).filter((f) => layerOf(f) < 0)).toEqual([]);
  });

  it('imports nothing from a higher layer but the listed exceptions', () => {
    const upward = imports
      .filter(({ from, to }) => layerOf(to) > layerOf(from))
      .map(({ from, to, typeOnly }) => `${from} -> ${to}${typeOnly ? '' : ' (runtime)'}`)
      .filter((edge) => !(edge in EXCEPTIONS));
    expect(upward).toEqual([]);
  });

  it('has no import cycle, type-only imports included', () => {
    const edges = new Map<string, string[]>(files.map((f) => [relative(SRC, f), []]));
    for (const { from, to } of imports) edges.get(from)?.push(to);
    expect(findCycle(edges)).toBeNull();
  });
});
