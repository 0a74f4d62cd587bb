import { once } from 'node:events';
import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type Koa from 'koa';

export interface ListenOptions {
  port: number;
  host: string;
  /** A request (headers and body) must arrive within this long, else 408. */
  requestTimeoutMs: number;
  headersTimeoutMs: number;
}

/** Responses not yet finished, per server: a graceful stop tells their connections to close. */
const responsesInFlight = new WeakMap<Server, Set<ServerResponse>>();

/** Listens, with bounds on how long a slow client may take to send its request. */
export async function listen(app: Koa, options: ListenOptions): Promise<{ server: Server; url: string }> {
  const { port, host } = options;
  const headersTimeout = Math.min(options.headersTimeoutMs, options.requestTimeoutMs);
  const server = createServer(
    {
      requestTimeout: options.requestTimeoutMs,
      headersTimeout,
      // Node enforces these timeouts on this interval (30 s by default): check often enough
      // that a slow client is cut close to the configured time.
      connectionsCheckingInterval: Math.max(100, Math.min(1000, Math.floor(headersTimeout / 4))),
    },
    app.callback(),
  );
  server.listen(port, host);
  await once(server, 'listening');
  const inFlight = new Set<ServerResponse>();
  server.prependListener('request', (_req, res: ServerResponse) => {
    // A request that arrives on a kept-alive connection while stopping is answered, with
    // `Connection: close`, so that the client's next request opens a connection elsewhere.
    if (!server.listening) res.shouldKeepAlive = false;
    inFlight.add(res);
    res.once('close', () => inFlight.delete(res));
  });
  responsesInFlight.set(server, inFlight);
  const address = server.address() as AddressInfo;
  return { server, url: `http://${host.includes(':') ? `[${host}]` : host}:${address.port}` };
}

/**
 * Stops accepting, lets requests in flight finish, and after `graceMs` cuts whatever is left.
 * Idle keep-alive connections close at once; busy ones close after their current response.
 */
export async function closeGracefully(server: Server, graceMs: number): Promise<void> {
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  for (const res of responsesInFlight.get(server) ?? []) if (!res.headersSent) res.shouldKeepAlive = false;
  server.closeIdleConnections();
  const timer = setTimeout(() => server.closeAllConnections(), graceMs);
  await closed;
  clearTimeout(timer);
}
