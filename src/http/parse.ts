/**
 * Input parsed at the edge with zod (STYLE rule 4): a failure is `400 invalid_request` naming
 * each bad field, for `/api/v1` (problem+json) and the console (the page says the same).
 */
import type { Context } from 'koa';
import type { z } from 'zod';
import { formatIssuePath } from '../config.js';
import { type FieldError, invalidRequest } from '../errors.js';
import { assertNoNul } from './nul.js';

/** Turns zod issues into field errors; unknown keys are named one by one. */
export function fieldErrors(error: z.ZodError): FieldError[] {
  return error.issues.flatMap((issue) => {
    const at = formatIssuePath(issue.path);
    if (issue.code === 'unrecognized_keys') {
      return issue.keys.map((key) => ({ field: at ? `${at}.${key}` : key, message: 'unknown field' }));
    }
    return [{ field: at || '(body)', message: issue.message }];
  });
}

export function parseWith<S extends z.ZodType>(schema: S, input: unknown): z.infer<S> {
  assertNoNul(input, '(input)');
  const parsed = schema.safeParse(input);
  if (!parsed.success) throw invalidRequest(fieldErrors(parsed.error));
  return parsed.data;
}

export const parseBody = <S extends z.ZodType>(ctx: Context, schema: S) =>
  parseWith(schema, ctx.request.body);
export const parseQuery = <S extends z.ZodType>(ctx: Context, schema: S) => parseWith(schema, ctx.query);
