// Native ESM jest (NODE_OPTIONS=--experimental-vm-modules) with swc as the transform.
// Type-checking is done by `tsc --noEmit` in `npm test`, not here.
import { existsSync, readdirSync } from 'node:fs';

const swc = (tsx) => [
  '@swc/jest',
  {
    jsc: {
      parser: { syntax: 'typescript', tsx },
      target: 'es2022',
      // The console's views: JSX rendered to HTML strings by src/console/jsx.ts.
      transform: { react: { runtime: 'classic', pragma: 'h', pragmaFrag: 'Fragment' } },
    },
    module: { type: 'es6' },
  },
];

const common = {
  extensionsToTreatAsEsm: ['.ts', '.tsx'],
  moduleNameMapper: {
    '^(\\.{1,2}/.*)\\.js$': '$1',
    // The workspace package from its source, so tests need no build first.
    '^tessera-jwt-verify$': '<rootDir>/packages/verify/src/index.ts',
  },
  transform: { '^.+\\.ts$': swc(false), '^.+\\.tsx$': swc(true) },
  testEnvironment: 'node',
  // FC_SEED, when set, fixes the seed of every fast-check property (CI sets it from the commit).
  setupFilesAfterEnv: ['<rootDir>/test/helpers/fast-check-seed.ts'],
};

// Resilience tests start, stop and kill real PostgreSQL servers of their own: they run where
// the PostgreSQL server binaries are (CI installs them); elsewhere the project is left out.
const hasPostgres =
  existsSync('/usr/lib/postgresql') &&
  readdirSync('/usr/lib/postgresql').some((v) => existsSync(`/usr/lib/postgresql/${v}/bin/initdb`));
if (!hasPostgres) console.warn('jest: no PostgreSQL server binaries, the resilience project is left out');

// Browser tests drive Debian's Chromium (playwright-core downloads nothing); CI installs it.
const hasChromium = existsSync(process.env.TESSERA_CHROMIUM ?? '/usr/lib/chromium/chromium');
if (!hasChromium)
  console.warn('jest: no Chromium at /usr/lib/chromium/chromium, the browser project is left out');

/** @type {import('jest').Config} */
export default {
  // The layout (CONTRIBUTING.md, "Where a test goes"; checked by test/unit/repo/test-layout.test.ts):
  // test/unit/<src folder>/, test/integration/<area>/, test/compliance, resilience, browser.
  projects: [
    { ...common, displayName: 'unit', testMatch: ['<rootDir>/test/unit/**/*.test.ts'] },
    { ...common, displayName: 'packages', testMatch: ['<rootDir>/packages/*/test/**/*.test.ts'] },
    {
      ...common,
      displayName: 'database',
      globalSetup: '<rootDir>/test/helpers/global-setup.js',
      testMatch: ['<rootDir>/test/integration/**/*.test.ts', '<rootDir>/test/compliance/**/*.test.ts'],
    },
    ...(hasPostgres
      ? [{ ...common, displayName: 'resilience', testMatch: ['<rootDir>/test/resilience/**/*.test.ts'] }]
      : []),
    ...(hasChromium
      ? [{ ...common, displayName: 'browser', testMatch: ['<rootDir>/test/browser/**/*.test.ts'] }]
      : []),
  ],
  // jest's default on a 2-core machine is one worker; the suite's files are independent (each
  // has its own database and server), so two run side by side.
  maxWorkers: 2,
  // A worker is replaced once its heap passes this after a file, in practice after each database
  // or browser file. Each file's module graph stays reachable after it ends (~18 MB a file here),
  // so a long-lived worker spent a quarter of its time in the garbage collector: measured on 63
  // database files, 199 s without a limit, 185 s at 600 MB, 141 s at 200 MB, 139 s at 100 MB.
  workerIdleMemoryLimit: '200MB',
  // Sized for a loaded 2-core box (CI beside another run): a slow machine must not fail a test.
  testTimeout: 60000,
};
