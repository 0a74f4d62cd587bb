/**
 * Discovery documents and JWKS are small (a few kB); an issuer, or whatever answers at its
 * address, must not be able to make Tessera buffer hundreds of megabytes or hold a request by
 * trickling bytes. Every issuer fetch goes through `cappedFetch`: the body is read here, under
 * the caller's signal (so the timeout covers the whole body, not only the headers), and given
 * up the moment it passes `maxBytes`.
 */

/** Larger than any real discovery document or JWKS by two orders of magnitude. */
export const ISSUER_DOCUMENT_MAX_BYTES = 256 * 1024;

export class ResponseTooLarge extends Error {
  override name = 'ResponseTooLarge';
  constructor(maxBytes: number) {
    super(`response larger than ${maxBytes} bytes`);
  }
}

/** The body of `response`, at most `maxBytes`; the connection is dropped past that. */
export async function readCapped(response: Response, maxBytes: number): Promise<Uint8Array> {
  const declared = Number(response.headers.get('content-length') ?? Number.NaN);
  if (declared > maxBytes) {
    await response.body?.cancel().catch(() => {});
    throw new ResponseTooLarge(maxBytes);
  }
  const chunks: Uint8Array[] = [];
  let total = 0;
  const reader = response.body?.getReader();
  if (!reader) return new Uint8Array();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > maxBytes) {
      await reader.cancel().catch(() => {});
      throw new ResponseTooLarge(maxBytes);
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks);
}

/**
 * A `fetch` whose answer is already read, within `maxBytes` and the request's signal. Also
 * given to jose's `createRemoteJWKSet` (its `customFetch`), whose own fetch reads any size.
 */
export function cappedFetch(maxBytes = ISSUER_DOCUMENT_MAX_BYTES, fetchImpl: typeof fetch = fetch) {
  return async (url: string | URL, init?: RequestInit): Promise<Response> => {
    const response = await fetchImpl(url, init);
    const body = await readCapped(response, maxBytes);
    return new Response(response.status === 204 || response.status === 304 ? null : body, {
      status: response.status,
      statusText: response.statusText,
      headers: response.headers,
    });
  };
}
