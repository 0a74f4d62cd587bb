/**
 * `return_to` after sign-in: only a path of this console, so a sign-in link can never send a
 * person (or their session) to another site (open redirect, OWASP "Unvalidated Redirects").
 */
const FALLBACK = '/console/tokens';

export function safeReturnTo(value: unknown): string {
  if (typeof value !== 'string' || value.length > 512) return FALLBACK;
  // `//host`, `/\host` and control characters are read by browsers as another origin.
  if (
    !value.startsWith('/console') ||
    [...value].some((c) => c === '\\' || c.charCodeAt(0) < 0x20) ||
    value.startsWith('//')
  )
    return FALLBACK;
  const base = 'http://console.invalid';
  const url = new URL(value, base);
  if (url.origin !== base || !url.pathname.startsWith('/console')) return FALLBACK;
  return `${url.pathname}${url.search}`;
}
