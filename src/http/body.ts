/**
 * The one reader of a request body, for `/api/v1` (JSON), the console's forms and `POST /token`:
 * of the expected media type, within a size limit, and (for text) strictly UTF-8, since invalid
 * bytes are a 400 and must not be replaced silently. Each door words the refusal in its own wire
 * shape (problem+json, an error page, RFC 6749 JSON) from the typed reason.
 *
 * `/token` takes only the bytes (`readRawBody`): its form is decoded leniently, as oidc-provider
 * would, so that every token request, one with NUL or bad bytes in `client_id` included, reaches
 * the provider's RFC 6749 error and leaves its audit row (test/integration/input-limits.test.ts).
 */
import type { Context } from 'koa';
import getRawBody from 'raw-body';

/** The limit of an `/api/v1` body and a console form. */
export const BODY_LIMIT = 16 * 1024;

export type BodyRefusal = 'unsupported_type' | 'too_large' | 'incomplete' | 'not_utf8';

export class UnreadableBody extends Error {
  override name = 'UnreadableBody';
  constructor(
    readonly reason: BodyRefusal,
    readonly limit: number,
  ) {
    super(`request body: ${reason}`);
  }
}

/** Whether the request announces a body at all (a length above 0, or a chunked one). */
export const announcesBody = (ctx: Context): boolean =>
  Number(ctx.get('content-length') || 0) > 0 || ctx.get('transfer-encoding') !== '';

/**
 * The body's bytes, at most `limit`. Over it is `too_large` (the rest is never read: the
 * connection cannot carry another request); cut short or longer than announced, `incomplete`.
 * Anything else is a fault of ours and is rethrown.
 */
export async function readRawBody(ctx: Context, limit: number): Promise<Buffer> {
  try {
    return await getRawBody(ctx.req, { limit, length: ctx.get('content-length') || null });
  } catch (error) {
    const { type, status } = error as { type?: string; status?: number };
    if (type === 'entity.too.large') throw new UnreadableBody('too_large', limit);
    if (status !== undefined && status < 500) throw new UnreadableBody('incomplete', limit);
    throw error;
  }
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** The body as text: of media type `type` (checked before reading), within `limit`, valid UTF-8. */
export async function readBodyText(ctx: Context, type: string, limit = BODY_LIMIT): Promise<string> {
  if (!ctx.is(type)) throw new UnreadableBody('unsupported_type', limit);
  const raw = await readRawBody(ctx, limit);
  try {
    return utf8.decode(raw);
  } catch {
    throw new UnreadableBody('not_utf8', limit);
  }
}
