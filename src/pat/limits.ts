/**
 * How long a PAT's name may be and how many scopes it may carry: one schema for every door (the
 * API's bodies, the console's forms), so a form cannot store what the API refuses. The caps
 * bound what a request can make the server store and echo; the catalogue check (policy.ts)
 * comes after them.
 */
import { z } from 'zod';

export const PAT_NAME_MAX = 100;
export const PAT_SCOPES_MAX = 50;
export const SCOPE_NAME_MAX = 64;

export const patNameSchema = z.string().trim().min(1, 'Enter a name for the token').max(PAT_NAME_MAX);

/** Counted before duplicates are dropped: 500 copies of one scope are 500 entries sent. */
export const patScopesSchema = z
  .array(z.string().max(SCOPE_NAME_MAX))
  .min(1, 'Choose at least one scope')
  .max(PAT_SCOPES_MAX)
  .transform((scopes) => [...new Set(scopes)]);

/** A new PAT's name and scopes, as the API's body and the console's form both check them. */
export const patLimitsSchema = z.object({ name: patNameSchema, scopes: patScopesSchema });
