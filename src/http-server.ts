import { once } from 'node:events';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type Koa from 'koa';

export interface ListenOptions {
  port: number;
  host: string;
  /** A request (headers and body) must arrive within this long, else 408. */
  requestTimeoutMs: number;
  headersTimeoutMs: number;
}

/** Listens, with bounds on how long a slow client may take to send its request. */
export async function listen(app: Koa, options: ListenOptions): Promise<{ server: Server; url: string }> {
  const { port, host } = options;
  const server = app.listen(port, host);
  await once(server, 'listening');
  server.requestTimeout = options.requestTimeoutMs;
  server.headersTimeout = Math.min(options.headersTimeoutMs, options.requestTimeoutMs);
  const address = server.address() as AddressInfo;
  return { server, url: `http://${host.includes(':') ? `[${host}]` : host}:${address.port}` };
}

/**
 * Stops accepting, lets requests in flight finish, and after `graceMs` cuts whatever is left.
 * Idle keep-alive connections are closed at once so they do not hold the server open.
 */
export async function closeGracefully(server: Server, graceMs: number): Promise<void> {
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  server.closeIdleConnections();
  const timer = setTimeout(() => server.closeAllConnections(), graceMs);
  await closed;
  clearTimeout(timer);
}
