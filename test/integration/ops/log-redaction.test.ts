/**
 * A PAT's plaintext is never logged (docs/design.md "PATs"), not even when a client puts it where it
 * does not belong: in a URL path (`tessera token revoke <the token itself>`), a query string,
 * or a header the server logs.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startTestServer, type TestServer, uniqueName } from '../../helpers/server.js';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.stop());

describe('log lines never contain a PAT', () => {
  it('DELETE /api/v1/tokens/<a real PAT>, and the PAT in other paths and queries', async () => {
    const { token } = await server.createUserWithToken(uniqueName('paste'), ['tessera:tokens']);
    const from = server.logs.length;
    const answers = [
      await server.request('DELETE', `/api/v1/tokens/${token}`, { token }),
      await server.request('GET', `/api/v1/tokens/${token}/events`, { token }),
      await server.request('POST', `/api/v1/tokens/${token}/revoke`, { token, body: {} }),
      await server.request('GET', `/api/v1/tokens?cursor=${token}`, { token }),
      await server.request('GET', `/nowhere/${token}`),
      await server.request('GET', `/API/v1/tokens/${token}`, { verbatimPath: true }),
    ];
    for (const answer of answers) expect(answer.status).toBeGreaterThanOrEqual(400);
    const written = server.logs.slice(from);
    expect(written.length).toBeGreaterThanOrEqual(answers.length);
    for (const line of written) expect(line).not.toContain(token);
    // The access log still says which request it was.
    expect(written.some((line) => line.includes('/api/v1/tokens/[redacted]'))).toBe(true);
  });
});
