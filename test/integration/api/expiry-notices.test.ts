/**
 * Expiry notices (issue 15): `token.expiring` once per threshold (30, 7, 1 days) and
 * `token.expired` once, whatever the number of sweeps or instances sweeping at the same moment;
 * a token first seen inside several thresholds hears only the nearest; revoked tokens hear nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { sendExpiryNotices } from '../../../src/pat/expiry-notices.js';
import { startTestServer, type TestServer, uniqueName } from '../../helpers/server.js';
import { startWebhookReceiver, type WebhookReceiver } from '../../helpers/webhook-receiver.js';

const DAY = 86_400_000;
let server: TestServer;
let receiver: WebhookReceiver;
let secret: string;
beforeAll(async () => {
  server = await startTestServer({
    configFile: { webhooks: { pollIntervalMs: 3_600_000, expirySweepIntervalMs: 3_600_000 } },
  });
  receiver = await startWebhookReceiver();
  const endpoint = await server.request('POST', '/api/v1/admin/webhooks', {
    token: server.adminToken,
    body: { url: receiver.url, events: ['token.expiring', 'token.expired'] },
  });
  secret = endpoint.body.secret;
});
afterAll(async () => {
  await receiver?.close();
  await server?.stop();
});

async function patExpiringIn(days: number) {
  const { user } = await server.createUserWithToken(uniqueName('expiring'), ['tessera:tokens']);
  const pat = await server.request('POST', `/api/v1/users/${user.id}/tokens`, {
    token: server.adminToken,
    body: { name: 'short', scopes: ['tessera:tokens'], expires_in_days: days },
  });
  expect(pat.status).toBe(201);
  return pat.body as { id: string; user_id: string; expires_at: string };
}

/** Sweeps, delivers, and answers the notices this PAT has received so far. */
async function noticesOf(patId: string): Promise<string[]> {
  await server.tessera.sweepExpiry();
  while ((await server.tessera.deliverWebhooks()) > 0) {}
  return receiver.received
    .filter((r) => r.json.data.token_id === patId)
    .map((r) => {
      receiver.verify(r, secret);
      return r.json.type === 'token.expiring' ? `expiring:${r.json.data.days_before_expiry}` : r.json.type;
    });
}

describe('expiry notices', () => {
  it('sends each threshold once, then token.expired once', async () => {
    const pat = await patExpiringIn(40);
    expect(await noticesOf(pat.id)).toEqual([]);
    server.advance(10 * DAY + 60_000);
    expect(await noticesOf(pat.id)).toEqual(['expiring:30']);
    expect(await noticesOf(pat.id)).toEqual(['expiring:30']);
    server.advance(23 * DAY);
    expect(await noticesOf(pat.id)).toEqual(['expiring:30', 'expiring:7']);
    server.advance(6 * DAY);
    expect(await noticesOf(pat.id)).toEqual(['expiring:30', 'expiring:7', 'expiring:1']);
    server.advance(DAY);
    const all = ['expiring:30', 'expiring:7', 'expiring:1', 'token.expired'];
    expect(await noticesOf(pat.id)).toEqual(all);
    server.advance(30 * DAY);
    expect(await noticesOf(pat.id)).toEqual(all);
    // The notices are in the token's audit trail too.
    const events = await server.request('GET', `/api/v1/admin/tokens/${pat.id}/events`, {
      token: server.adminToken,
    });
    expect(events.body.items.map((e: { action: string }) => e.action)).toEqual(
      expect.arrayContaining(['pat.expiring', 'pat.expired']),
    );
  });

  it('tells a token first seen inside several thresholds only the nearest', async () => {
    const pat = await patExpiringIn(5);
    expect(await noticesOf(pat.id)).toEqual(['expiring:7']);
  });

  it('says nothing about a revoked token', async () => {
    const pat = await patExpiringIn(3);
    await server.request('POST', `/api/v1/admin/tokens/${pat.id}/revoke`, {
      token: server.adminToken,
      body: {},
    });
    expect(await noticesOf(pat.id)).toEqual([]);
    server.advance(4 * DAY);
    expect(await noticesOf(pat.id)).toEqual([]);
  });

  it('sends a notice once when several instances sweep at the same moment', async () => {
    const pat = await patExpiringIn(2);
    const at = new Date(new Date(pat.expires_at).getTime() - 1.5 * DAY);
    const sweeps = await Promise.all(
      [1, 2, 3, 4].map(() => sendExpiryNotices(server.database.db, at, [30, 7, 1])),
    );
    const ours = sweeps.flat().filter((n) => n.pat_id === pat.id);
    expect(ours.map((n) => n.notice)).toEqual(['expiring:7']);
  });
});
