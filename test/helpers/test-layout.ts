/**
 * Where a test file belongs (issue 20 item 7): the tests mirror `src/`.
 *
 * - `test/unit/<folder>/…`: pure tests of `src/<folder>/`; `core/` for the modules at the root
 *   of `src/` (config, logger, …), `repo/` for checks of the repository itself (.gitignore,
 *   docker-compose, this layout).
 * - `test/integration/<area>/…`: real servers and databases, by what a test drives (`AREAS`).
 * - `test/compliance/` (RFC by RFC), `test/resilience/`, `test/browser/`: one level, as before.
 *
 * `misplaced` names each file outside the layout with the folder it should go to, guessed from
 * its name and what it imports from `src/`, so whoever merges a branch that added a test in an
 * old flat location knows where to move it.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';

/** Integration areas: what a test drives, not which module it happens to import. */
export const AREAS = [
  'api',
  'cli',
  'console',
  'delegation',
  'dpop',
  'exchange',
  'federation',
  'notifications',
  'ops',
  'webhooks',
] as const;

/** Unit folders that are not a folder of `src/`. */
export const UNIT_EXTRA = ['core', 'repo'] as const;

/** Folders whose test files sit directly in them. */
const FLAT = ['compliance', 'resilience', 'browser'];

/** The area an integration test of `src/<folder>` belongs to, when its name does not say. */
const AREA_OF_SRC: Record<string, string> = {
  api: 'api',
  pat: 'api',
  users: 'api',
  audit: 'exchange',
  cli: 'cli',
  console: 'console',
  session: 'console',
  delegation: 'delegation',
  dpop: 'dpop',
  exchange: 'exchange',
  oidc: 'exchange',
  keys: 'exchange',
  federation: 'federation',
  notifications: 'notifications',
  webhooks: 'webhooks',
  db: 'ops',
};

/** Old flat names: `cli-admin.test.ts` was the CLI's, `webhook-outbox.test.ts` the webhooks'. */
const AREA_OF_PREFIX: [RegExp, string][] = [
  [/^cli(-|\.test)/, 'cli'],
  [/^webhooks?(-|\.test)/, 'webhooks'],
  [/^dpop(-|\.test)/, 'dpop'],
  [/^api-/, 'api'],
  [/^console-/, 'console'],
  [/^(federation|trust)-/, 'federation'],
  [/^(delegation|may-act)-/, 'delegation'],
  [/^exchange-/, 'exchange'],
  [/^(email|notification)s?-/, 'notifications'],
];

/** The helpers that say what an integration test drives. */
const AREA_OF_HELPER: [RegExp, string][] = [
  [/helpers\/cli\.js'/, 'cli'],
  [/helpers\/(console|browser)\.js'/, 'console'],
  [/helpers\/webhook-receiver\.js'/, 'webhooks'],
  [/helpers\/dpop\.js'/, 'dpop'],
  [/helpers\/(federation|oidc-issuer)\.js'/, 'federation'],
  [/helpers\/smtp-sink\.js'/, 'notifications'],
];

/** `src/` folders the file imports, most imported first (`''` for modules at the root). */
export function srcFoldersOf(source: string): string[] {
  const counts = new Map<string, number>();
  for (const [, path = ''] of source.matchAll(/from '(?:\.\.\/)+src\/([^']+)'/g)) {
    const folder = path.includes('/') ? path.slice(0, path.indexOf('/')) : '';
    counts.set(folder, (counts.get(folder) ?? 0) + 1);
  }
  return [...counts.entries()].sort((a, b) => b[1] - a[1]).map(([folder]) => folder);
}

/** The folder (relative to the repository) a misplaced test file should move to. */
export function suggestedFolder(kind: 'unit' | 'integration', name: string, source: string): string {
  const folders = srcFoldersOf(source);
  if (kind === 'unit') {
    const folder = folders.find((f) => f !== '') ?? 'core';
    return `test/unit/${folder}/`;
  }
  const byName = AREA_OF_PREFIX.find(([pattern]) => pattern.test(name));
  if (byName) return `test/integration/${byName[1]}/`;
  const byHelper = AREA_OF_HELPER.find(([pattern]) => pattern.test(source));
  if (byHelper) return `test/integration/${byHelper[1]}/`;
  const byImport = folders.map((f) => AREA_OF_SRC[f]).find(Boolean);
  if (byImport) return `test/integration/${byImport}/`;
  // What it calls most: the REST API or the token endpoint.
  const api = source.split('/api/v1').length - 1;
  const token = source.split("'/token'").length - 1;
  if (api + token > 0) return `test/integration/${api >= token ? 'api' : 'exchange'}/`;
  return `test/integration/<one of ${AREAS.join(', ')}>/`;
}

function testFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return testFiles(path);
    return entry.name.endsWith('.test.ts') || entry.name.endsWith('.test.tsx') ? [path] : [];
  });
}

/** Why `file` (relative to the repository, `/`-separated) is out of place, or undefined. */
export function placementProblem(root: string, file: string, srcFolders: Set<string>): string | undefined {
  const parts = file.split('/');
  const [top, kind = '', folder = ''] = parts;
  const name = parts.at(-1) ?? file;
  const move = (where: string, why = '') =>
    `${file} is outside the test layout${why}: move it to ${where}${name} ` +
    '(a guess from its name and imports; the layout is in CONTRIBUTING.md)';
  const guess = () =>
    kind === 'unit' || kind === 'integration'
      ? suggestedFolder(kind, name, readFileSync(join(root, file), 'utf8'))
      : 'test/integration/<area>/';
  if (top !== 'test') return undefined;
  if (FLAT.includes(kind) && parts.length === 3) return undefined;
  if (kind === 'unit' && parts.length >= 4) {
    if (srcFolders.has(folder) || (UNIT_EXTRA as readonly string[]).includes(folder)) return undefined;
    return move(guess(), ` (test/unit/${folder}/ mirrors no folder of src/)`);
  }
  if (kind === 'integration' && parts.length >= 4) {
    if ((AREAS as readonly string[]).includes(folder)) return undefined;
    return move(guess(), ` (${folder} is not an area: ${AREAS.join(', ')})`);
  }
  return move(guess());
}

/** Every test file under `test/` that is out of place, each with where it should go. */
export function misplaced(root: string): string[] {
  const srcFolders = new Set(
    readdirSync(join(root, 'src')).filter((f) => statSync(join(root, 'src', f)).isDirectory()),
  );
  const testDir = join(root, 'test');
  if (!existsSync(testDir)) return [];
  return testFiles(testDir)
    .map((path) => relative(root, path).split(sep).join('/'))
    .sort()
    .flatMap((file) => placementProblem(root, file, srcFolders) ?? []);
}
