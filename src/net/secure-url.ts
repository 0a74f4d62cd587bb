/**
 * The one transport rule for a URL Tessera trusts answers from or sends secrets to (an SSO IdP,
 * a federated issuer, a webhook receiver): https, or plain http only to this machine's loopback
 * (how tests and local development run their peers). docs/security-model.md, "URLs Tessera
 * calls", says why each case is decided so.
 *
 * Judged on the WHATWG-parsed URL, the same parse the HTTP clients connect with: `HTTP://` and
 * `LOCALHOST` are lowercased, `http://0x7f.1` and `http://127.1` are 127.0.0.1, and in
 * `http://localhost@evil.com` the host is evil.com (and the userinfo is refused anyway).
 */
import { BlockList, isIP } from 'node:net';

const LOOPBACK = new BlockList();
LOOPBACK.addSubnet('127.0.0.0', 8, 'ipv4');
LOOPBACK.addAddress('::1', 'ipv6');

/**
 * Whether `hostname` (as `URL.hostname` gives it, IPv6 in brackets) is this machine's loopback:
 * an address in 127.0.0.0/8 or ::1, or the name `localhost`. Not `*.localhost` nor `localhost.`:
 * RFC 6761 §6.3 asks resolvers to answer them with loopback, but the system resolver Node uses
 * need not (glibc sends them to DNS), and RFC 8252 §8.3 prefers loopback literals to names for
 * that reason; a name that might resolve elsewhere must not carry a secret in clear.
 */
export function isLoopbackHost(hostname: string): boolean {
  if (hostname === 'localhost') return true;
  const bare = hostname.replace(/^\[(.*)\]$/, '$1');
  const family = isIP(bare);
  if (family === 0) return false;
  return LOOPBACK.check(bare, family === 6 ? 'ipv6' : 'ipv4');
}

/** Plain http to a loopback host: allowed, and the one case an HTTP client must be told to accept. */
export const isLoopbackHttp = (url: URL): boolean => url.protocol === 'http:' && isLoopbackHost(url.hostname);

/** Why a URL fails the rule; each caller words it for its own field. */
export type SecureUrlRefusal = 'not_a_url' | 'credentials' | 'not_https';

/**
 * Why `url` may not be called, or null when it may: an absolute URL, without userinfo (it is
 * shown in lists and logs, and `http://localhost@evil.com` reads as loopback to a person), whose
 * scheme is https, or http to a loopback host.
 */
export function secureUrlRefusal(url: string | URL): SecureUrlRefusal | null {
  let parsed: URL;
  try {
    parsed = typeof url === 'string' ? new URL(url) : url;
  } catch {
    return 'not_a_url';
  }
  if (parsed.username || parsed.password) return 'credentials';
  if (parsed.protocol === 'https:' || isLoopbackHttp(parsed)) return null;
  return 'not_https';
}
