/**
 * Webhooks end to end (issue 15): the admin API's rules first (what a caller could abuse),
 * then deliveries to a real receiver on loopback, each signature checked with the
 * `standardwebhooks` package's own verify, payloads free of secrets, retries with backoff
 * under one `webhook-id`, redirects and slow receivers refused, and an endpoint disabled after
 * its run of failures until an administrator re-enables it.
 */
import { createHash } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { expectProblem } from '../../helpers/problems.js';
import { startTestServer, type TestServer, uniqueName } from '../../helpers/server.js';
import { startWebhookReceiver, type WebhookReceiver } from '../../helpers/webhook-receiver.js';

const SETTINGS = {
  // Deliveries happen when a test asks (deliverAll), never behind its back.
  pollIntervalMs: 3_600_000,
  // A receiver on loopback answers within it even on a loaded 2-core box: with 400 ms, a stall
  // of the event loop (this process runs Tessera and the receiver) failed healthy deliveries.
  timeoutMs: 10_000,
  maxAttempts: 5,
  backoffBaseSeconds: 10,
  backoffCapSeconds: 40,
  failureThreshold: 6,
};

let server: TestServer;
let receiver: WebhookReceiver;
let endpointIds: string[] = [];
beforeAll(async () => {
  server = await startTestServer({ configFile: { webhooks: SETTINGS } });
});
afterAll(async () => {
  await server?.stop();
});
afterEach(async () => {
  // Each test's endpoints go, so no test receives another's events.
  for (const id of endpointIds) {
    await server.request('DELETE', `/api/v1/admin/webhooks/${id}`, { token: server.adminToken });
  }
  endpointIds = [];
  await receiver?.close();
});

async function createEndpoint(url: string, events: string[] = ['token.created']) {
  const created = await server.request('POST', '/api/v1/admin/webhooks', {
    token: server.adminToken,
    body: { url, events, description: 'test receiver' },
  });
  expect(created.status).toBe(201);
  endpointIds.push(created.body.id);
  return created.body as { id: string; secret: string };
}

/** Polls until nothing due is left. */
async function deliverAll() {
  while ((await server.tessera.deliverWebhooks()) > 0) {}
}

async function deliveries(endpointId: string) {
  const log = await server.request('GET', `/api/v1/admin/webhooks/${endpointId}/deliveries`, {
    token: server.adminToken,
  });
  expect(log.status).toBe(200);
  return log.body.items as any[];
}

describe('the admin API refuses what it must', () => {
  it('is for administrators only', async () => {
    const { token } = await server.createUserWithToken(uniqueName('hooker'), ['tessera:tokens']);
    for (const [method, path] of [
      ['GET', '/api/v1/admin/webhooks'],
      ['POST', '/api/v1/admin/webhooks'],
    ] as const) {
      const body =
        method === 'POST' ? { url: 'https://example.com/h', events: ['token.created'] } : undefined;
      const answer = await server.request(method, path, { token, body });
      expect(answer.status).toBe(403);
      expect(answer.headers.get('content-type')).toContain('application/problem+json');
    }
    expect((await server.request('GET', '/api/v1/admin/webhooks')).status).toBe(401);
  });

  it.each([
    ['plain http to a remote host', 'http://example.com/hook'],
    ['another scheme', 'ftp://example.com/hook'],
    ['credentials in the URL', 'https://user:pw@example.com/hook'],
    ['not a URL', 'example.com/hook'],
  ])('refuses %s', async (_, url) => {
    const answer = await server.request('POST', '/api/v1/admin/webhooks', {
      token: server.adminToken,
      body: { url, events: ['token.created'] },
    });
    expect(answer.status).toBe(400);
    expect(answer.body.errors[0].field).toBe('url');
  });

  it('refuses unknown events, no events and unknown fields', async () => {
    for (const body of [
      { url: 'https://example.com/h', events: ['token.exchanged'] },
      { url: 'https://example.com/h', events: [] },
      { url: 'https://example.com/h', events: ['token.created'], secret: 'mine' },
    ]) {
      const answer = await server.request('POST', '/api/v1/admin/webhooks', {
        token: server.adminToken,
        body,
      });
      expectProblem(answer, 400, 'invalid_request');
    }
  });

  it('shows the secret once: never in a read, a list or a change', async () => {
    const { id, secret } = await createEndpoint('https://hooks.example.com/tessera');
    expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    const read = await server.request('GET', `/api/v1/admin/webhooks/${id}`, { token: server.adminToken });
    const list = await server.request('GET', '/api/v1/admin/webhooks', { token: server.adminToken });
    const patch = await server.request('PATCH', `/api/v1/admin/webhooks/${id}`, {
      token: server.adminToken,
      body: { description: 'renamed' },
    });
    expect(read.status).toBe(200);
    expect(patch.body.description).toBe('renamed');
    for (const answer of [read, list, patch]) {
      expect(answer.text).not.toContain(secret.slice(6));
      expect(answer.text).not.toContain('secret');
    }
    expect(list.body.items.map((e: { id: string }) => e.id)).toContain(id);
  });

  it('answers an unknown or malformed id with 404, and deletes once', async () => {
    const { id } = await createEndpoint('https://hooks.example.com/gone');
    const del = await server.request('DELETE', `/api/v1/admin/webhooks/${id}`, { token: server.adminToken });
    expect(del.status).toBe(204);
    for (const path of [`/api/v1/admin/webhooks/${id}`, '/api/v1/admin/webhooks/not-a-uuid']) {
      const answer = await server.request('GET', path, { token: server.adminToken });
      expectProblem(answer, 404, 'not_found');
    }
    expect(
      (await server.request('DELETE', `/api/v1/admin/webhooks/${id}`, { token: server.adminToken })).status,
    ).toBe(404);
    endpointIds = [];
  });
});

describe('deliveries', () => {
  it('signs every lifecycle event so that the receiver verifies it, and names no secret', async () => {
    receiver = await startWebhookReceiver();
    const all = [
      'token.created',
      'token.revoked',
      'token.restored',
      'token.rotated',
      'token.deleted',
      'token.leaked',
    ];
    const { secret } = await createEndpoint(receiver.url, [...all, 'user.disabled']);
    const { user, token, pat } = await server.createUserWithToken(uniqueName('hooked'), ['tessera:tokens']);
    const admin = { token: server.adminToken };
    // A second PAT of the same user manages the first.
    const manager = await server.request('POST', '/api/v1/tokens', {
      token,
      body: { name: 'manager', scopes: ['tessera:tokens'] },
    });
    const managed = { token: manager.body.token as string };
    for (const [method, path, status] of [
      ['POST', `/api/v1/tokens/${pat.id}/revoke`, 200],
      ['POST', `/api/v1/tokens/${pat.id}/restore`, 200],
    ] as const) {
      expect((await server.request(method, path, managed)).status).toBe(status);
    }
    const rotated = await server.request('POST', `/api/v1/tokens/${pat.id}/rotate`, managed);
    expect(rotated.status).toBe(201);
    expect((await server.request('DELETE', `/api/v1/tokens/${pat.id}`, managed)).status).toBe(204);
    await server.request('POST', '/api/v1/credentials/revoke', { body: { tokens: [rotated.body.token] } });
    await server.request('POST', `/api/v1/users/${user.id}/disable`, admin);
    await deliverAll();

    const ours = receiver.received.filter((r) => r.json.data.user_id === user.id);
    expect(ours.map((r) => r.json.type)).toEqual(expect.arrayContaining([...all, 'user.disabled']));
    for (const request of ours) {
      expect(receiver.verify(request, secret)).toEqual(request.json);
      expect(request.headers['webhook-id']).toMatch(/^[0-9a-f-]{36}$/);
      for (const plaintext of [token, managed.token, rotated.body.token, secret, secret.slice(6)]) {
        expect(request.body).not.toContain(plaintext);
        // Nor the stored hash, in any encoding.
        const hash = createHash('sha256').update(plaintext).digest();
        for (const encoded of [hash.toString('hex'), hash.toString('base64'), hash.toString('base64url')]) {
          expect(request.body).not.toContain(encoded);
        }
      }
    }
    const leaked = ours.find((r) => r.json.type === 'token.leaked');
    expect(leaked?.json.data.token_id).toBe(rotated.body.id);
    // A tampered body or a wrong secret fails verification.
    const first = ours[0] as (typeof ours)[number];
    expect(() => receiver.verify({ ...first, body: first.body.replace('token', 'tokem') }, secret)).toThrow();
    expect(() => receiver.verify(first, `whsec_${Buffer.alloc(32, 1).toString('base64')}`)).toThrow();
  });

  it('sends only the subscribed events, and nothing for a change that rolled back', async () => {
    receiver = await startWebhookReceiver();
    await createEndpoint(receiver.url, ['token.revoked']);
    const { user, token, pat } = await server.createUserWithToken(uniqueName('picky'), ['tessera:tokens']);
    // Refused (unknown scope): nothing committed, so nothing is sent.
    await server.request('POST', '/api/v1/tokens', { token, body: { name: 'x', scopes: ['nope:nope'] } });
    await server.request('POST', `/api/v1/tokens/${pat.id}/revoke`, { token });
    await deliverAll();
    const ours = receiver.received.filter((r) => r.json.data.user_id === user.id);
    expect(ours.map((r) => r.json.type)).toEqual(['token.revoked']);
    expect(ours[0]?.json.data).toMatchObject({
      token_id: pat.id,
      action: 'pat.revoked',
      actor_user_id: user.id,
    });
  });

  it('retries a failing receiver with growing delays, under one webhook-id, until it succeeds', async () => {
    receiver = await startWebhookReceiver();
    const failures = 3;
    receiver.respond = (count) => ({ status: count <= failures ? 503 : 200 });
    const { id } = await createEndpoint(receiver.url);
    await server.createUserWithToken(uniqueName('retry'), ['tessera:tokens']);

    const gaps: number[] = [];
    await deliverAll();
    for (let attempt = 1; attempt <= failures; attempt++) {
      // Not due before its backoff has passed...
      const due = SETTINGS.backoffBaseSeconds * 2 ** (attempt - 1);
      server.advance((due - 1) * 1000);
      expect(await server.tessera.deliverWebhooks()).toBe(0);
      // ...and due once it has.
      server.advance(1000);
      gaps.push(due);
      await deliverAll();
    }
    expect(gaps).toEqual([10, 20, 40]);
    expect(receiver.received).toHaveLength(failures + 1);
    expect(new Set(receiver.received.map((r) => r.headers['webhook-id'])).size).toBe(1);
    expect(new Set(receiver.received.map((r) => r.body)).size).toBe(1);
    const log = await deliveries(id);
    expect(log.map((d) => [d.attempt, d.outcome, d.status_code])).toEqual([
      [4, 'delivered', 200],
      [3, 'failed', 503],
      [2, 'failed', 503],
      [1, 'failed', 503],
    ]);
    // Delivered: nothing more is sent, however much time passes.
    server.advance(3_600_000);
    await deliverAll();
    expect(receiver.received).toHaveLength(failures + 1);
  });

  it('caps the backoff', async () => {
    receiver = await startWebhookReceiver();
    receiver.respond = () => ({ status: 500 });
    const { id } = await createEndpoint(receiver.url);
    await server.createUserWithToken(uniqueName('capped'), ['tessera:tokens']);
    await deliverAll();
    for (const wait of [10, 20, 40, 40]) {
      server.advance((wait - 1) * 1000);
      expect(await server.tessera.deliverWebhooks()).toBe(0);
      server.advance(1000);
      await deliverAll();
    }
    // maxAttempts (5) reached: given up, never sent again, though the endpoint stays enabled.
    expect(receiver.received).toHaveLength(5);
    const endpoint = await server.request('GET', `/api/v1/admin/webhooks/${id}`, {
      token: server.adminToken,
    });
    expect(endpoint.body).toMatchObject({ enabled: true, consecutive_failures: 5 });
    server.advance(3_600_000);
    await deliverAll();
    expect(receiver.received).toHaveLength(5);
  });

  it('does not follow a redirect and counts it as a failure', async () => {
    receiver = await startWebhookReceiver();
    receiver.respond = () => ({ status: 302, headers: { location: `${receiver.url}/elsewhere` } });
    const { id } = await createEndpoint(receiver.url);
    await server.createUserWithToken(uniqueName('redirected'), ['tessera:tokens']);
    await deliverAll();
    expect(receiver.received.map((r) => r.path)).toEqual(['/hooks']);
    const [attempt] = await deliveries(id);
    expect(attempt).toMatchObject({
      outcome: 'failed',
      status_code: 302,
      error: 'redirect (302) not followed',
    });
  });

  it('gives up on a receiver that does not answer within the timeout', async () => {
    receiver = await startWebhookReceiver();
    // The receiver would answer long after the timeout, so giving up is told apart from a slow
    // answer however loaded the machine is.
    const answerAfterMs = SETTINGS.timeoutMs + 40_000;
    receiver.respond = () => ({ status: 200, delayMs: answerAfterMs });
    const { id } = await createEndpoint(receiver.url);
    await server.createUserWithToken(uniqueName('slow'), ['tessera:tokens']);
    const started = Date.now();
    await deliverAll();
    expect(Date.now() - started).toBeLessThan(answerAfterMs);
    const [attempt] = await deliveries(id);
    expect(attempt).toMatchObject({ outcome: 'failed', status_code: null });
    expect(attempt.error).toBe(`no answer within ${SETTINGS.timeoutMs} ms`);
  });

  it('disables an endpoint after the run of failures; an administrator re-enables it and delivery resumes', async () => {
    receiver = await startWebhookReceiver();
    let healthy = false;
    receiver.respond = () => ({ status: healthy ? 200 : 500 });
    const { id } = await createEndpoint(receiver.url);
    for (let i = 0; i < SETTINGS.failureThreshold; i++) {
      await server.createUserWithToken(uniqueName('flaky'), ['tessera:tokens']);
    }
    await deliverAll();
    expect(receiver.received).toHaveLength(SETTINGS.failureThreshold);
    const disabled = await server.request('GET', `/api/v1/admin/webhooks/${id}`, {
      token: server.adminToken,
    });
    expect(disabled.body).toMatchObject({
      enabled: false,
      consecutive_failures: SETTINGS.failureThreshold,
      disabled_reason: `${SETTINGS.failureThreshold} consecutive failed deliveries`,
    });
    // Disabled: due retries and new events wait, nothing is sent.
    server.advance(3_600_000);
    await server.createUserWithToken(uniqueName('while-off'), ['tessera:tokens']);
    await deliverAll();
    expect(receiver.received).toHaveLength(SETTINGS.failureThreshold);

    healthy = true;
    const enabled = await server.request('PATCH', `/api/v1/admin/webhooks/${id}`, {
      token: server.adminToken,
      body: { enabled: true },
    });
    expect(enabled.body).toMatchObject({ enabled: true, consecutive_failures: 0, disabled_at: null });
    await deliverAll();
    // The pending retries go out; the event from while it was off was never queued for it.
    expect(receiver.received).toHaveLength(SETTINGS.failureThreshold * 2);
    expect(new Set(receiver.received.map((r) => r.headers['webhook-id'])).size).toBe(
      SETTINGS.failureThreshold,
    );
  });
});
