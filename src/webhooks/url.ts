/**
 * Where webhooks may be sent: `https` only, except loopback hosts (local development and
 * tests), so event payloads never cross a network in clear. No credentials in the URL: it is
 * shown in lists, and the signature already authenticates Tessera to the receiver.
 */
import { isIP } from 'node:net';

const LOOPBACK_NAMES = new Set(['localhost', '[::1]']);

export function isLoopbackHost(hostname: string): boolean {
  if (LOOPBACK_NAMES.has(hostname.toLowerCase())) return true;
  return isIP(hostname) === 4 && hostname.startsWith('127.');
}

/** Why `url` cannot be a webhook endpoint, or null when it can. */
export function endpointUrlProblem(url: string): string | null {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return 'expected an absolute URL';
  }
  if (parsed.username || parsed.password) return 'must not contain credentials';
  if (parsed.hash) return 'must not contain a fragment';
  if (parsed.protocol === 'https:') return null;
  if (parsed.protocol === 'http:' && isLoopbackHost(parsed.hostname)) return null;
  return 'must be https (plain http only for loopback hosts)';
}
