/**
 * Which upstream IdP URLs Tessera talks to: https, or plain http only on a loopback host (how
 * tests and local development run an IdP). Nothing else, so a misconfiguration cannot send an
 * authorization code or client secret over the network in clear.
 */
const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

export function isLoopbackHttp(url: URL): boolean {
  return (
    url.protocol === 'http:' &&
    (LOOPBACK_HOSTS.has(url.hostname) || /^127\.\d+\.\d+\.\d+$/.test(url.hostname))
  );
}

export function isAllowedIssuerUrl(text: string): boolean {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return false;
  }
  return url.protocol === 'https:' || isLoopbackHttp(url);
}
