import type { Services } from '../services.js';

/** What every API route is built from. */
export type ApiDeps = Services;
