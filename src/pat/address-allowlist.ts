/**
 * `allowed_cidrs`: a PAT that lists networks works only from client addresses inside one of
 * them, at `/token` and on `/api/v1` alike. This module is the one rule both paths call, and
 * it is pure: the client address comes from `ctx.ip` (which `server.trustProxy` decides), the
 * list from the PAT's row.
 */
import { BlockList, isIP } from 'node:net';

export const MAX_ALLOWED_CIDRS = 20;
/** The audit reason when a PAT is presented from elsewhere. */
export const IP_NOT_ALLOWED = 'ip_not_allowed';

type Family = 'ipv4' | 'ipv6';
const familyOf = (address: string): Family | null =>
  ({ 4: 'ipv4', 6: 'ipv6' })[isIP(address)] as Family | null;

/**
 * `10.0.0.0/8`, `2001:db8::/32`, or a bare address (one host) in its canonical CIDR text;
 * null when it is not one.
 */
export function parseCidr(text: string): string | null {
  const [address = '', prefix, ...rest] = text.trim().split('/');
  const family = familyOf(address);
  if (!family || rest.length > 0) return null;
  const max = family === 'ipv4' ? 32 : 128;
  if (prefix === undefined) return `${address.toLowerCase()}/${max}`;
  if (!/^\d{1,3}$/.test(prefix) || Number(prefix) > max) return null;
  return `${address.toLowerCase()}/${Number(prefix)}`;
}

/** An IPv4 client seen through an IPv6 socket (`::ffff:10.1.2.3`) is matched as IPv4. */
function clientAddress(ip: string): { address: string; family: Family } | null {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip)?.[1];
  const address = mapped ?? ip;
  const family = familyOf(address);
  return family ? { address, family } : null;
}

/**
 * Building a BlockList costs ~7 µs a network (measured), more than the rest of an exchange's
 * checks: each distinct list is built once and kept (bounded; past the bound it starts over).
 */
const built = new Map<string, BlockList>();
const MAX_BUILT = 10_000;

function blockListOf(allowed: readonly string[]): BlockList {
  const key = allowed.join(' ');
  let list = built.get(key);
  if (!list) {
    list = new BlockList();
    for (const cidr of allowed) {
      const [address = '', prefix] = cidr.split('/');
      const family = familyOf(address);
      if (family) list.addSubnet(address, Number(prefix), family);
    }
    if (built.size >= MAX_BUILT) built.clear();
    built.set(key, list);
  }
  return list;
}

/** May a PAT with this list be used from `ip`? No list (null) means from anywhere. */
export function isAddressAllowed(allowed: readonly string[] | null, ip: string | null): boolean {
  if (allowed === null) return true;
  const client = ip ? clientAddress(ip) : null;
  if (!client) return false;
  return blockListOf(allowed).check(client.address, client.family);
}

/**
 * Is every address of `inner` inside `outer`? Both canonical CIDR text (parseCidr). With a
 * prefix at least as long, `inner` lies in `outer` exactly when its address does, whatever host
 * bits it carries. Families never mix: an IPv4-mapped IPv6 network is not an IPv4 one here.
 */
export function cidrWithin(inner: string, outer: string): boolean {
  const [innerAddress = '', innerPrefix] = inner.split('/');
  const [outerAddress = '', outerPrefix] = outer.split('/');
  const family = familyOf(innerAddress);
  if (!family || family !== familyOf(outerAddress)) return false;
  if (Number(innerPrefix) < Number(outerPrefix)) return false;
  return blockListOf([outer]).check(innerAddress, family);
}
