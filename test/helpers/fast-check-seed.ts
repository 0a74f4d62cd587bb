/**
 * Property tests draw new cases on every run, so runs on a laptop keep exploring. `FC_SEED` fixes
 * the seed of every property: `.ci/run` sets it from the commit, so CI and a fresh-clone run of
 * the same commit draw the same cases, and a failure's printed seed replays it
 * (`FC_SEED=<seed> npm test`). Loaded before each test file (jest `setupFilesAfterEnv`).
 */
import fc from 'fast-check';

const seed = process.env.FC_SEED;
if (seed) fc.configureGlobal({ ...fc.readConfigureGlobal(), seed: Number(seed) | 0 });
