import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
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

/** The port could not be bound (taken, or not allowed): nothing else has been started. */
export class ListenError extends Error {
  override name = 'ListenError';
}

export interface BoundServer {
  server: Server;
  /** Where the socket listens (not the issuer: clients use the issuer's URL); set once listening. */
  url: string;
  /** Starts handing requests to `app`; until then every request is answered 503. */
  mount(app: Koa): void;
  /** Starts listening, when `bind` was told not to (a cluster worker listens once it serves). */
  listen(): Promise<void>;
}

function notReady(_req: IncomingMessage, res: ServerResponse) {
  res.writeHead(503, { 'content-type': 'text/plain', 'retry-after': '1', connection: 'close' });
  res.end('starting\n');
}

async function listenOn(server: Server, port: number, host: string): Promise<void> {
  server.listen(port, host);
  try {
    await once(server, 'listening');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'error';
    throw new ListenError(`cannot listen on ${host}:${port} (${code}); nothing was started or changed`);
  }
}

/** Fails as `bind` would if the port cannot be bound, and frees it again (a cluster primary's check). */
export async function checkPort(port: number, host: string): Promise<void> {
  const probe = createServer();
  await listenOn(probe, port, host);
  await new Promise((done) => probe.close(done));
}

/**
 * Binds the port first, so that a taken port fails before any database change, with bounds on
 * how long a slow client may take to send its request. With `listen: false` the server listens
 * only when `listen()` is called: a cluster worker that listened before it could serve would be
 * handed connections only to answer them 503.
 */
export async function bind(options: ListenOptions, { listen = true } = {}): Promise<BoundServer> {
  const { port, host } = options;
  const headersTimeout = Math.min(options.headersTimeoutMs, options.requestTimeoutMs);
  let handler: (req: IncomingMessage, res: ServerResponse) => void = notReady;
  const server = createServer(
    {
      requestTimeout: options.requestTimeoutMs,
      headersTimeout,
      // Node enforces these timeouts on this interval (30 s by default): check often enough
      // that a slow client is cut close to the configured time.
      connectionsCheckingInterval: Math.max(100, Math.min(1000, Math.floor(headersTimeout / 4))),
    },
    (req, res) => handler(req, res),
  );
  const inFlight = new Set<ServerResponse>();
  server.prependListener('request', (_req, res: ServerResponse) => {
    // A request that arrives on a kept-alive connection while stopping is answered, with
    // `Connection: close`, so that the client's next request opens a connection elsewhere.
    if (!server.listening) res.shouldKeepAlive = false;
    inFlight.add(res);
    res.once('close', () => inFlight.delete(res));
  });
  responsesInFlight.set(server, inFlight);
  const bound: BoundServer = {
    server,
    url: '',
    mount(app: Koa) {
      handler = app.callback();
    },
    async listen() {
      await listenOn(server, port, host);
      const address = server.address() as AddressInfo;
      bound.url = `http://${host.includes(':') ? `[${host}]` : host}:${address.port}`;
    },
  };
  if (listen) await bound.listen();
  return bound;
}

/** Binds and serves `app` at once (tests and benchmarks that build their own app). */
export async function listen(app: Koa, options: ListenOptions): Promise<{ server: Server; url: string }> {
  const bound = await bind(options);
  bound.mount(app);
  return { server: bound.server, url: bound.url };
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
