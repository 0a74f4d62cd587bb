/**
 * The client's address (docs/design.md, `server.trustProxy`). Behind a load balancer every socket
 * comes from the balancer, so limits and audit rows would name it instead of the client; but
 * `X-Forwarded-For` is whatever the client wrote, unless a proxy we trust appended to it. So
 * the header is read only when the socket peer is a declared proxy, from the right: each
 * declared proxy vouches for the hop before it, and the first hop that is not a declared proxy
 * is the client. Whatever it wrote further left is ignored.
 */
import { BlockList, isIP } from 'node:net';
import type { Context, Middleware, Next } from 'koa';

/** `::ffff:10.0.0.1` (an IPv4 client on a dual-stack socket) is `10.0.0.1`. */
export function normalizeAddress(address: string): string {
  const mapped = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i.exec(address);
  return mapped ? (mapped[1] as string) : address.toLowerCase();
}

/** The declared proxies as one matcher; the CIDRs were validated with the config. */
export function proxyMatcher(cidrs: readonly string[]): BlockList {
  const proxies = new BlockList();
  for (const cidr of cidrs) {
    const [network, prefix] = cidr.split('/') as [string, string];
    proxies.addSubnet(normalizeAddress(network), Number(prefix), isIP(network) === 6 ? 'ipv6' : 'ipv4');
  }
  return proxies;
}

function isProxy(proxies: BlockList, address: string): boolean {
  const family = isIP(address);
  return family !== 0 && proxies.check(address, family === 6 ? 'ipv6' : 'ipv4');
}

/** The rightmost address not vouched for by a declared proxy; a malformed hop stops the walk. */
export function clientAddress(peer: string, forwardedFor: string, proxies: BlockList): string {
  let client = normalizeAddress(peer);
  if (!isProxy(proxies, client) || forwardedFor === '') return client;
  const hops = forwardedFor.split(',').map((hop) => normalizeAddress(hop.trim()));
  for (let i = hops.length - 1; i >= 0; i--) {
    const hop = hops[i] as string;
    if (isIP(hop) === 0) break;
    client = hop;
    if (!isProxy(proxies, hop)) break;
  }
  return client;
}

/** Sets `ctx.request.ip`, which every `ctx.ip` reader (audit, limits, usage) then sees. */
export function resolveClientAddress(trustProxy: readonly string[]): Middleware {
  const proxies = proxyMatcher(trustProxy);
  return async (ctx: Context, next: Next) => {
    const peer = ctx.req.socket.remoteAddress ?? '';
    ctx.request.ip =
      trustProxy.length === 0
        ? normalizeAddress(peer)
        : clientAddress(peer, ctx.get('x-forwarded-for'), proxies);
    await next();
  };
}
