/**
 * `htu`: the URL a proof was made for. RFC 9449 §4.3 (item 9): it matches the request's URL
 * "ignoring any query and fragment parts", after RFC 3986 §6.2.2/§6.2.3 normalisation (the
 * WHATWG parser lowercases scheme and host and drops a default port).
 *
 * The expected URL is always built from the issuer's origin and the path the request was
 * routed on, never from `Host` or forwarding headers (DESIGN.md, "Runtime shape"): a client
 * that can choose the host the server believes could make a proof for one host count for another.
 */

/** The absolute URL, without query and fragment, or null when `value` is not an absolute URL. */
export function normaliseHtu(value: unknown): string | null {
  if (typeof value !== 'string') return null;
  const url = URL.parse(value);
  if (!url || (url.protocol !== 'https:' && url.protocol !== 'http:')) return null;
  url.search = '';
  url.hash = '';
  return url.href;
}

/** The URL a request for `path` at this issuer answers to, as a proof's `htu` must name it. */
export function requestUrl(issuer: string, path: string): string {
  const url = new URL(issuer);
  url.pathname = path;
  url.search = '';
  url.hash = '';
  return url.href;
}

export function htuMatches(htu: unknown, expected: string): boolean {
  const presented = normaliseHtu(htu);
  return presented !== null && presented === normaliseHtu(expected);
}
