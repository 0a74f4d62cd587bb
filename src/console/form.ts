/**
 * Reads a console form post (`application/x-www-form-urlencoded`): within the size limit,
 * strictly UTF-8 and free of NUL characters. Repeated fields (checkboxes) become arrays. The
 * route's zod schema then parses the values.
 */
import type { Context } from 'koa';
import getRawBody from 'raw-body';
import type { z } from 'zod';
import { fieldErrors } from '../api/http.js';
import { BODY_LIMIT } from '../api/json-body.js';
import { ApiProblem, invalidRequest } from '../errors.js';

const utf8 = new TextDecoder('utf-8', { fatal: true });

export type FormFields = Record<string, string | string[]>;

async function readForm(ctx: Context): Promise<FormFields> {
  if (!ctx.is('application/x-www-form-urlencoded')) {
    throw new ApiProblem(415, 'unsupported_media_type', 'Unsupported form encoding', 'send a form');
  }
  let raw: Buffer;
  try {
    raw = await getRawBody(ctx.req, { limit: BODY_LIMIT, length: ctx.get('content-length') || null });
  } catch (error) {
    if ((error as { type?: string }).type === 'entity.too.large') {
      throw new ApiProblem(413, 'body_too_large', 'Form too large', `at most ${BODY_LIMIT} bytes`);
    }
    throw invalidRequest([{ field: '(form)', message: 'incomplete form' }]);
  }
  let text: string;
  try {
    text = utf8.decode(raw);
  } catch {
    throw invalidRequest([{ field: '(form)', message: 'is not valid UTF-8' }]);
  }
  if (text.includes('\u0000') || /%00/i.test(text))
    throw invalidRequest([{ field: '(form)', message: 'contains NUL' }]);
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
