/**
 * Where webhooks may be sent. A webhook URL is chosen by an administrator but its host resolves
 * wherever DNS says, so without a rule Tessera would POST into its own network: the cloud
 * metadata service (169.254.169.254), a database on 10.x, itself on 127.0.0.1. Refused, at
 * registration for literal addresses and at every delivery for the addresses a name resolves
 * to, unless `webhooks.allowPrivateNetworks` is set (local development and tests), which is
 * also what plain http needs (to such hosts only). No credentials in the URL: it is shown in lists, and
 * the signature already authenticates Tessera to the receiver.
 */
import { lookup } from 'node:dns/promises';
import { BlockList, isIP } from 'node:net';
import { secureUrlRefusal } from '../net/secure-url.js';

/** Loopback, private, link-local (metadata), CGNAT, unspecified, multicast, reserved, and v6 kin. */
const PRIVATE = new BlockList();
for (const [net, bits] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
] as const) {
  PRIVATE.addSubnet(net, bits, 'ipv4');
}
for (const [net, bits] of [
  ['::', 128],
  ['::1', 128],
  ['64:ff9b::', 96],
  ['100::', 64],
  ['fc00::', 7],
  ['fe80::', 10],
  ['fec0::', 10],
  ['ff00::', 8],
] as const) {
  PRIVATE.addSubnet(net, bits, 'ipv6');
}

/** IPv4-mapped (`::ffff:127.0.0.1`, `::ffff:7f00:1`) and IPv4-compatible forms, as IPv4. */
function embeddedIpv4(address: string): string | null {
  const match = /^::(?:ffff:)?(?:(\d+\.\d+\.\d+\.\d+)|([0-9a-f]{1,4}):([0-9a-f]{1,4}))$/i.exec(address);
  if (!match) return null;
  if (match[1]) return match[1];
  const high = Number.parseInt(match[2] as string, 16);
  const low = Number.parseInt(match[3] as string, 16);
  return [high >> 8, high & 255, low >> 8, low & 255].join('.');
}

/** Whether `address` (an IP literal, brackets allowed) is one webhooks must not reach. */
export function isPrivateAddress(address: string): boolean {
  const bare = address.replace(/^\[|\]$/g, '');
  const family = isIP(bare);
  if (family === 4) return PRIVATE.check(bare, 'ipv4');
  if (family !== 6) return false;
  const v4 = embeddedIpv4(bare);
  return v4 !== null ? PRIVATE.check(v4, 'ipv4') : PRIVATE.check(bare, 'ipv6');
}

/**
 * Why `url` cannot be a webhook endpoint, or null when it can. The WHATWG URL parser has already
 * turned `http://2130706433/`, `http://0x7f.1/` and `http://017700000001/` into `127.0.0.1`.
 */
export function endpointUrlProblem(url: string, allowPrivateNetworks = false): string | null {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return 'expected an absolute URL';
  }
  if (parsed.username || parsed.password) return 'must not contain credentials';
  if (parsed.hash) return 'must not contain a fragment';
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') return 'must be https';
  if (isLocalHost(parsed.hostname) && !allowPrivateNetworks)
    return 'must not be a private, loopback or link-local address';
  // Plain http only on this machine (the shared rule) or to a private address the operator
  // allowed: never across the internet, nor to a name such as `app.localhost` that DNS answers.
  if (secureUrlRefusal(parsed) && !isPrivateAddress(parsed.hostname))
    return 'must be https (plain http only to private hosts)';
  return null;
}

const isLocalHost = (hostname: string) =>
  isPrivateAddress(hostname) || hostname === 'localhost' || hostname.endsWith('.localhost');

/**
 * Checked before every delivery: why this URL's host may not be sent to now, or null. A name is
 * resolved and every address it has is checked, so an endpoint whose name points (or was
 * re-pointed) inward is refused at the moment of sending, not only when it was registered.
 */
export async function destinationRefusal(url: string, allowPrivateNetworks: boolean): Promise<string | null> {
  if (allowPrivateNetworks) return null;
  const { hostname } = new URL(url);
  if (isLocalHost(hostname)) return 'refused: private address';
  if (isIP(hostname.replace(/^\[|\]$/g, ''))) return null;
  const addresses = await lookup(hostname, { all: true }).catch(() => []);
  return addresses.some((a) => isPrivateAddress(a.address)) ? 'refused: private address' : null;
}
