/**
 * Exchange audit rows are written in batches (audit.exchangeFlushMs). Someone who just ran a
 * job and lists the PAT's events must see that exchange: listing first writes this instance's
 * pending rows.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startTestServer, type TestServer, uniqueName } from '../../helpers/server.js';

let server: TestServer;
beforeAll(async () => {
  // The longest batching the config allows: without the flush, the row would still be pending.
  server = await startTestServer({ configFile: { audit: { exchangeFlushMs: 1000 } } });
});
afterAll(() => server.stop());

describe('listing a PAT events', () => {
  for (const [who, path] of [
    ['owner', (id: string) => `/api/v1/tokens/${id}/events`],
    ['admin', (id: string) => `/api/v1/admin/tokens/${id}/events`],
  ] as const) {
    it(`(${who}) shows an exchange made just before, still waiting in the batch`, async () => {
      const { token, pat } = await server.createUserWithToken(uniqueName('flush'), ['tessera:tokens']);
      const exchanged = await server.exchange(token);
      expect(exchanged.status).toBe(200);
      const listed = await server.request('GET', path(pat.id), {
        token: who === 'owner' ? token : server.adminToken,
      });
      expect(listed.status).toBe(200);
      expect(listed.body.items.map((item: { action: string }) => item.action)).toContain('token.exchanged');
    });
  }
});
