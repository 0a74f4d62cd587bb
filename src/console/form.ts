/**
 * Reads a console form post (`application/x-www-form-urlencoded`): within the size limit,
 * strictly UTF-8 and free of NUL characters. Repeated fields (checkboxes) become arrays. The
 * route's zod schema then parses the values.
 */
import type { Context } from 'koa';
import type { z } from 'zod';
import { ApiProblem, invalidRequest } from '../errors.js';
import { BODY_LIMIT, type BodyRefusal, readBodyText, UnreadableBody } from '../http/body.js';
import { fieldErrors } from '../http/parse.js';

export type FormFields = Record<string, string | string[]>;

const formProblem = (message: string) => invalidRequest([{ field: '(form)', message }]);

/** The console's words for a form it could not read. */
const REFUSALS: Record<BodyRefusal, () => ApiProblem> = {
  unsupported_type: () =>
    new ApiProblem(415, 'unsupported_media_type', 'Unsupported form encoding', 'send a form'),
  too_large: () => new ApiProblem(413, 'body_too_large', 'Form too large', `at most ${BODY_LIMIT} bytes`),
  incomplete: () => formProblem('incomplete form'),
  not_utf8: () => formProblem('is not valid UTF-8'),
};

async function readForm(ctx: Context): Promise<FormFields> {
  let text: string;
  try {
    text = await readBodyText(ctx, 'application/x-www-form-urlencoded');
  } catch (error) {
    if (error instanceof UnreadableBody) throw REFUSALS[error.reason]();
    throw error;
  }
  if (text.includes('\u0000') || /%00/i.test(text)) throw formProblem('contains NUL');
  const fields: FormFields = {};
  for (const [key, value] of new URLSearchParams(text)) {
    const seen = fields[key];
    fields[key] = seen === undefined ? value : [...[seen].flat(), value];
  }
  return fields;
}

/** The form, read once per request (the CSRF check and the route both need it). */
export async function formOf(ctx: Context): Promise<FormFields> {
  ctx.state.form ??= await readForm(ctx);
  return ctx.state.form as FormFields;
}

export async function parseForm<S extends z.ZodType>(ctx: Context, schema: S): Promise<z.infer<S>> {
  const parsed = schema.safeParse(await formOf(ctx));
  if (!parsed.success) throw invalidRequest(fieldErrors(parsed.error));
  return parsed.data;
}
