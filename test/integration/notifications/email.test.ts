/**
 * Email notices to token owners (DESIGN.md, "Notifications to people (email)") against a real
 * SMTP server started here, every message parsed as a mail client would: subject, recipient,
 * token name and hint, the console link, both parts, and never the secret. Delivered through
 * the outbox: an SMTP outage delays a notice, never loses it.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startTestServer, type TestServer, uniqueName } from '../../helpers/server.js';
import { type SmtpSink, startSmtpSink } from '../../helpers/smtp-sink.js';

let server: TestServer;
let smtp: SmtpSink;

beforeAll(async () => {
  smtp = await startSmtpSink();
  server = await startTestServer({
    configFile: {
      notifications: {
        email: {
          smtpUrl: smtp.url,
          from: 'Tessera <tessera@example.test>',
          // Polled by the tests (deliverEmails), not by the timer.
          pollIntervalMs: 3_600_000,
          backoffBaseSeconds: 60,
        },
      },
    },
  });
});
afterAll(async () => {
  await server.stop();
  await smtp.stop();
});

const mailsTo = (address: string) => smtp.received.filter((m) => m.rcptTo.includes(address));

async function userWithEmail(name = uniqueName('owner')) {
  const email = `${name}@example.test`;
  const created = await server.request('POST', '/api/v1/users', {
    token: server.adminToken,
    body: { username: name, email, entitlements: ['tessera:tokens', 'repo:read'] },
  });
  expect(created.status).toBe(201);
  expect(created.body.email).toBe(email);
  return { id: created.body.id as string, username: name, email };
}

async function tokenFor(userId: string, name: string, extra: Record<string, unknown> = {}) {
  const pat = await server.request('POST', `/api/v1/users/${userId}/tokens`, {
    token: server.adminToken,
    body: { name, scopes: ['repo:read'], ...extra },
  });
  expect(pat.status).toBe(201);
  return pat.body as { id: string; token: string; hint: string; name: string };
}

function expectNotice(
  mail: (typeof smtp.received)[number],
  pat: { id: string; token: string; hint: string; name: string },
) {
  const link = `${server.url}/console/tokens/${pat.id}`;
  expect(mail.parsed.text).toContain(pat.name);
  expect(mail.parsed.text).toContain(pat.hint);
  expect(mail.parsed.text).toContain(link);
  expect(typeof mail.parsed.html).toBe('string');
  expect(mail.parsed.html).toContain(`href="${link}"`);
  expect(mail.parsed.from?.text).toContain('tessera@example.test');
  // Never the secret, in any part or header.
  expect(mail.raw).not.toContain(pat.token);
  expect(mail.raw).not.toContain(pat.token.slice(-20));
}

describe('notices', () => {
  it('a token created for the owner: a security notice naming it, with the link, in both parts', async () => {
    const owner = await userWithEmail();
    const pat = await tokenFor(owner.id, 'deploy key');
    expect(await server.tessera.deliverEmails()).toBeGreaterThanOrEqual(1);
    const [mail] = mailsTo(owner.email);
    expect(mail).toBeDefined();
    if (!mail) return;
    expect(mail.parsed.subject).toBe('Tessera: A new personal access token was created: deploy key');
    expect(mail.parsed.to && 'text' in mail.parsed.to ? mail.parsed.to.text : '').toBe(owner.email);
    expect(mail.parsed.text).toContain(owner.username);
    expectNotice(mail, pat);
  });

  it('revoked by an admin and by a leak report: one notice each; a revocation by the owner sends none', async () => {
    const owner = await userWithEmail();
    const byAdmin = await tokenFor(owner.id, 'ci-admin-revoked');
    const leaked = await tokenFor(owner.id, 'ci-leaked');
    await server.request('POST', `/api/v1/admin/tokens/${byAdmin.id}/revoke`, { token: server.adminToken });
    const report = await server.request('POST', '/api/v1/credentials/revoke', {
      body: { tokens: [leaked.token] },
    });
    expect(report.status).toBe(202);
    const own = await tokenFor(owner.id, 'self-revoked');
    await server.request('POST', `/api/v1/tokens/${own.id}/revoke`, { token: own.token });
    await server.tessera.deliverEmails();
    const subjects = mailsTo(owner.email).map((m) => m.parsed.subject);
    expect(subjects).toContain(
      'Tessera: An administrator revoked your personal access token: ci-admin-revoked',
    );
    expect(subjects).toContain(
      'Tessera: Your personal access token was reported leaked and revoked: ci-leaked',
    );
    expect(subjects.filter((s) => s?.includes('self-revoked') && s.includes('revoked your'))).toEqual([]);
    const leakMail = mailsTo(owner.email).find((m) => m.parsed.subject?.includes('ci-leaked'));
    if (leakMail) expectNotice(leakMail, leaked);
  });

  it('expiring: the sweep sends the 7-day notice', async () => {
    const owner = await userWithEmail();
    const pat = await tokenFor(owner.id, 'short-lived', { expires_in_days: 5 });
    await server.tessera.sweepExpiry();
    await server.tessera.deliverEmails();
    const mail = mailsTo(owner.email).find((m) => m.parsed.subject?.includes('expires in 7 day'));
    expect(mail).toBeDefined();
    if (mail) expectNotice(mail, pat);
  });

  it('abuse: a token name with markup is escaped in HTML and cannot add a header', async () => {
    const owner = await userWithEmail();
    await tokenFor(owner.id, '<img src=x onerror=alert(1)>');
    await server.tessera.deliverEmails();
    const mail = mailsTo(owner.email).at(-1);
    expect(mail?.parsed.html).toContain('&lt;img src=x onerror=alert(1)&gt;');
    expect(mail?.parsed.html).not.toContain('<img');
  });

  it('users without an email get none, and PATCH sets and removes the address', async () => {
    const before = smtp.received.length;
    const { user } = await server.createUserWithToken(uniqueName('quiet'), ['tessera:tokens']);
    await server.tessera.deliverEmails();
    expect(smtp.received.length).toBe(before);
    const patch = await server.request('PATCH', `/api/v1/users/${user.id}`, {
      token: server.adminToken,
      body: { email: 'quiet@example.test' },
    });
    expect(patch.body.email).toBe('quiet@example.test');
    const bad = await server.request('PATCH', `/api/v1/users/${user.id}`, {
      token: server.adminToken,
      body: { email: 'not an address' },
    });
    expect(bad.status).toBe(400);
    const cleared = await server.request('PATCH', `/api/v1/users/${user.id}`, {
      token: server.adminToken,
      body: { email: null },
    });
    expect(cleared.body.email).toBeNull();
  });
});

describe('the outbox', () => {
  it('SMTP down: the notice waits, is retried with backoff, and arrives once SMTP is back', async () => {
    const owner = await userWithEmail();
    await smtp.stop();
    try {
      await tokenFor(owner.id, 'during-outage');
      await server.tessera.deliverEmails();
      const { rows } = await server.database.db.query<{ attempts: number; last_error: string | null }>(
        `SELECT attempts, last_error FROM email_outbox WHERE recipient = $1`,
        [owner.email],
      );
      expect(rows[0]?.attempts).toBe(1);
      expect(rows[0]?.last_error).toBeTruthy();
      expect(server.logs.join('')).toContain('email notice failed');
      // Not due again before its backoff.
      await server.tessera.deliverEmails();
      expect(mailsTo(owner.email)).toEqual([]);
    } finally {
      await smtp.start();
    }
    server.advance(61_000);
    await server.tessera.deliverEmails();
    expect(mailsTo(owner.email).map((m) => m.parsed.subject)).toEqual([
      'Tessera: A new personal access token was created: during-outage',
    ]);
  });
});
