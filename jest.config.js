// Native ESM jest (NODE_OPTIONS=--experimental-vm-modules) with swc as the transform.
// Type-checking is done by `tsc --noEmit` in `npm test`, not here.
const swc = [
  '@swc/jest',
  {
    jsc: { parser: { syntax: 'typescript' }, target: 'es2022' },
    module: { type: 'es6' },
  },
];

const common = {
  extensionsToTreatAsEsm: ['.ts'],
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  transform: { '^.+\\.ts$': swc },
  testEnvironment: 'node',
};

/** @type {import('jest').Config} */
export default {
  projects: [
    { ...common, displayName: 'unit', testMatch: ['<rootDir>/test/unit/**/*.test.ts'] },
    {
      ...common,
      displayName: 'database',
      testMatch: ['<rootDir>/test/integration/**/*.test.ts', '<rootDir>/test/compliance/**/*.test.ts'],
    },
  ],
  testTimeout: 30000,
};
