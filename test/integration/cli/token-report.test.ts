/**
 * `tessera token report`: leaked tokens read from stdin are revoked through the unauthenticated
 * `POST /api/v1/credentials/revoke`, and the secrets are never printed back nor taken from argv.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { runCli } from '../../../src/cli/main.js';
import { runTessera } from '../../helpers/cli.js';
import { startTestServer, type TestServer, uniqueName } from '../../helpers/server.js';

let server: TestServer;
let env: Record<string, string>;

beforeAll(async () => {
  server = await startTestServer();
  // No TESSERA_TOKEN: whoever finds a leaked token need not hold one.
  env = { TESSERA_URL: server.url };
});
afterAll(() => server.stop());

const leaked = () => server.createUserWithToken(uniqueName('leaked'), ['tessera:tokens']);
const meStatus = async (token: string) => (await server.request('GET', '/api/v1/me', { token })).status;
const printed = (run: { stdout: string; stderr: string }) => `${run.stdout}\n${run.stderr}`;

describe('tessera token report', () => {
  it('revokes every token on stdin (blank lines, spaces and repeats are fine) and never prints one', async () => {
    const [a, b] = [await leaked(), await leaked()];
    const run = await runTessera(['token', 'report'], env, `${a.token}\n\n  ${b.token}  \r\n${a.token}\n`);
    expect(run.code).toBe(0);
    expect(run.stdout).toBe('reported 2 tokens: any still active are now revoked');
    for (const { token, pat } of [a, b]) {
      expect(printed(run)).not.toContain(token);
      expect(await meStatus(token)).toBe(401);
      const api = await server.request('GET', `/api/v1/admin/tokens?user=${pat.user_id}`, {
        token: server.adminToken,
      });
      expect(api.body.items[0]).toMatchObject({
        id: pat.id,
        status: 'revoked',
        revoked_reason: 'reported leaked',
      });
    }
  });

  it('answers the same for tokens that do not exist (no oracle) and --json prints the API answer', async () => {
    const run = await runTessera(['token', 'report', '--json'], env, 'tsr_not_a_real_token\n');
    expect(run.code).toBe(0);
    expect(run.json()).toEqual({ status: 'accepted' });
  });

  it('sends more than 100 tokens in batches the API accepts', async () => {
    const real = await leaked();
    const fakes = Array.from({ length: 150 }, (_, i) => `tsr_fake${String(i).padStart(32, '0')}`);
    const run = await runTessera(['token', 'report'], env, [...fakes, real.token].join('\n'));
    expect(run.code).toBe(0);
    expect(run.stdout).toBe('reported 151 tokens: any still active are now revoked');
    expect(await meStatus(real.token)).toBe(401);
  });

  it('refuses a token on the command line (no such argument or option) and does not print it back', async () => {
    const victim = await leaked();
    for (const args of [
      ['token', 'report', victim.token],
      ['token', 'report', `--token=${victim.token}`],
      ['token', 'report', '--token', victim.token],
    ]) {
      const run = await runTessera(args, env, '');
      expect(run.code).toBe(2);
      expect(printed(run)).not.toContain(victim.token);
    }
    expect(await meStatus(victim.token)).toBe(200);
  });

  it('empty stdin is a usage error (2); an overlong line is named by number, not content', async () => {
    expect((await runTessera(['token', 'report'], env, '\n  \n')).code).toBe(2);
    const secretish = `tsr_${'x'.repeat(300)}`;
    const run = await runTessera(['token', 'report'], env, `ok\n${secretish}\n`);
    expect(run.code).toBe(2);
    expect(run.stderr).toBe('tessera: line 2 is longer than a token can be\n');
  });

  it('refuses to read from a terminal, where pasted secrets would show on screen', async () => {
    const terminal = Object.assign(Readable.from([]), { isTTY: true });
    const err: string[] = [];
    const code = await runCli(['node', 'tessera', 'token', 'report'], env, {
      out: () => {},
      err: (text) => err.push(text),
      stdin: terminal,
    });
    expect(code).toBe(2);
    expect(err.join('')).toContain('pipe them in');
  });

  it("sends no Authorization header, so the caller's TESSERA_TOKEN never travels with the report", async () => {
    const seen: { path?: string; authorization?: string; body?: string } = {};
    const recorder = createServer((req, res) => {
      let body = '';
      req.on('data', (chunk: Buffer) => {
        body += chunk.toString();
      });
      req.on('end', () => {
        Object.assign(seen, { path: req.url, authorization: req.headers.authorization, body });
        res.writeHead(202, { 'content-type': 'application/json' }).end('{"status":"accepted"}');
      });
    });
    await new Promise<void>((done) => recorder.listen(0, '127.0.0.1', done));
    try {
      const url = `http://127.0.0.1:${(recorder.address() as AddressInfo).port}`;
      const leakedToken = `tsr_${'A'.repeat(36)}`;
      const run = await runTessera(
        ['token', 'report'],
        { TESSERA_URL: url, TESSERA_TOKEN: 'tsr_mine' },
        leakedToken,
      );
      expect(run.code).toBe(0);
      expect(seen).toEqual({
        path: '/api/v1/credentials/revoke',
        authorization: undefined,
        body: JSON.stringify({ tokens: [leakedToken] }),
      });
    } finally {
      await new Promise((done) => recorder.close(done));
    }
  });
});
