/** The CLI's HTTP client against servers that misbehave: real sockets on loopback. */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, expect, it } from '@jest/globals';
import { apiClient, CliError } from '../../../src/cli/client.js';
import { EXIT } from '../../../src/cli/exit-codes.js';

let silent: Server;
let url: string;

beforeAll(async () => {
  // Accepts connections and requests, and never answers.
  silent = createServer(() => {});
  await new Promise<void>((done) => silent.listen(0, '127.0.0.1', done));
  url = `http://127.0.0.1:${(silent.address() as AddressInfo).port}`;
});
afterAll(async () => {
  silent.closeAllConnections();
  await new Promise((done) => silent.close(done));
});

it('gives up on a server that never answers, with exit code 6, and never shows the token', async () => {
  const token = 'tsr_never-shown';
  const started = performance.now();
  const error = await apiClient({ url, token, timeoutMs: 300 })
    .request('GET', '/api/v1/me')
    .catch((e: unknown) => e);
  expect(error).toBeInstanceOf(CliError);
  expect((error as CliError).exitCode).toBe(EXIT.unreachable);
  expect((error as CliError).message).toBe(`cannot reach ${url}: no answer within 0.3 s`);
  // Gave up rather than hung (a hang lasts until jest's timeout); the margin is for a loaded box.
  expect(performance.now() - started).toBeLessThan(20_000);
});

it('names the cause when nothing listens (exit code 6)', async () => {
  const closed = createServer();
  await new Promise<void>((done) => closed.listen(0, '127.0.0.1', done));
  const port = (closed.address() as AddressInfo).port;
  await new Promise((done) => closed.close(done));
  const error = await apiClient({ url: `http://127.0.0.1:${port}`, token: 'tsr_x' })
    .request('GET', '/api/v1/me')
    .catch((e: unknown) => e);
  expect((error as CliError).exitCode).toBe(EXIT.unreachable);
  expect((error as CliError).message).toBe(`cannot reach http://127.0.0.1:${port}: ECONNREFUSED`);
});
