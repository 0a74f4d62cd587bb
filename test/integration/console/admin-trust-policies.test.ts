/**
 * `/console/admin/trust-policies` (issue 22 item 4): abuse first — non-admins, cross-site posts,
 * and the policies federation/policy.ts refuses (over-matching patterns, Tessera's own issuer)
 * refused through the console with the API's own messages, beside their fields. Then the
 * lifecycle: create, a federated exchange on the policy's events, edit, delete.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { ConsoleClient } from '../../helpers/console.js';
import { federatedExchange } from '../../helpers/federation.js';
import { startTestIssuer, type TestIssuer } from '../../helpers/oidc-issuer.js';
import { startTestServer, type TestServer, uniqueName } from '../../helpers/server.js';

const API = 'https://api.example.com';
const AUD = 'https://tessera.test';
const BASE = '/console/admin/trust-policies';
let server: TestServer;
let github: TestIssuer;
let admin: ConsoleClient;
let service: { id: string; username: string };

beforeAll(async () => {
  github = await startTestIssuer();
  server = await startTestServer({
    configFile: { resources: [{ audience: API, scopes: ['repo:read'], tokenTtlSeconds: 600 }] },
  });
  admin = new ConsoleClient(server);
  await admin.signInWithToken(server.adminToken);
  service = (await server.createUserWithToken(uniqueName('svc'), ['tessera:tokens', 'repo:read'])).user;
});
afterAll(async () => {
  await server?.stop();
  await github?.stop();
});

/** The page's text as a person reads it (entities decoded). */
const text = (html: string) =>
  html
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');

const form = (overrides: Record<string, string | string[]> = {}) => ({
  name: uniqueName('deploy'),
  issuer: github.url,
  audience: AUD,
  subject: 'repo:acme/api:ref:refs/heads/main',
  claims: 'repository_id = 123456',
  user: service.username,
  scopes: ['repo:read'],
  audiences: [API],
  max_ttl_seconds: '600',
  ...overrides,
});

const apiPolicies = async () =>
  (await server.request('GET', '/api/v1/admin/trust-policies?limit=100', { token: server.adminToken })).body
    .items as Array<{ id: string; name: string; subject: string | null }>;

async function createdPolicy(fields = form()) {
  const answer = await admin.post(BASE, fields, { from: `${BASE}/new` });
  expect(answer.status).toBe(303);
  const id = /\/([0-9a-f-]{36})\?done=created$/.exec(answer.location ?? '')?.[1] as string;
  expect(answer.location).toBe(`${BASE}/${id}?done=created`);
  expect((await admin.get(answer.location as string)).html).toMatch(
    /role="status"[^>]*>Trust policy created/,
  );
  return { id, name: fields.name as string };
}

describe('trust policy pages: abuse first', () => {
  it('are 404 for a session without tessera:admin (as every admin page), pages and posts alike', async () => {
    const { id } = await createdPolicy();
    const { token } = await server.createUserWithToken(
      uniqueName('boss'),
      ['tessera:tokens', 'tessera:admin'],
      ['tessera:tokens'],
    );
    const narrow = new ConsoleClient(server);
    await narrow.signInWithToken(token);
    for (const path of [BASE, `${BASE}/new`, `${BASE}/${id}`, `${BASE}/${id}/edit`, `${BASE}/${id}/delete`]) {
      expect([path, (await narrow.get(path)).status]).toEqual([path, 404]);
    }
    const from = '/console/tokens';
    expect((await narrow.post(BASE, form(), { from })).status).toBe(404);
    expect((await narrow.post(`${BASE}/${id}`, form({ subject: 'repo:evil/*' }), { from })).status).toBe(404);
    expect((await narrow.post(`${BASE}/${id}/delete`, {}, { from })).status).toBe(404);
    const stored = (await apiPolicies()).find((p) => p.id === id);
    expect(stored?.subject).toBe('repo:acme/api:ref:refs/heads/main');
  });

  it('refuses a cross-site post and one without the CSRF token, and changes nothing', async () => {
    const { id } = await createdPolicy();
    const before = (await apiPolicies()).length;
    const fields = form();
    const crossSite = await admin.post(BASE, fields, { from: `${BASE}/new`, origin: 'https://evil.example' });
    expect(crossSite.status).toBe(403);
    expect((await admin.post(BASE, form())).status).toBe(403);
    expect((await admin.post(`${BASE}/${id}/delete`, {}, { origin: 'https://evil.example' })).status).toBe(
      403,
    );
    expect((await admin.post(`${BASE}/${id}/delete`, {})).status).toBe(403);
    expect(await apiPolicies()).toHaveLength(before);
  });

  it.each([
    ['subject "*"', { subject: '*', claims: '' }, 'subject'],
    ['a claim pattern "*"', { subject: '', claims: 'repository_id = *' }, 'claims.repository_id[0]'],
    [
      '"*" among a claim\'s values',
      { claims: 'environment = prod\nenvironment = **' },
      'claims.environment[1]',
    ],
    ["Tessera's own issuer", () => ({ issuer: server.url }), 'issuer'],
    ['no condition at all', { subject: '', claims: '' }, 'subject'],
    ['a reserved claim', { claims: 'aud = x' }, 'claims.aud'],
    ['a scope beyond the user', { scopes: ['repo:read', 'tessera:admin'] }, 'scopes[1]'],
    ['plain http to a remote issuer', { issuer: 'http://issuer.example.com' }, 'issuer'],
  ])('refuses %s with the API message beside the field', async (_what, overrides, field) => {
    const fields = form(typeof overrides === 'function' ? overrides() : overrides);
    const before = (await apiPolicies()).length;
    const page = await admin.post(BASE, fields, { from: `${BASE}/new` });
    expect(page.status).toBe(400);
    // The same request through the API: its field errors are the page's, word for word.
    const api = await server.request('POST', '/api/v1/admin/trust-policies', {
      token: server.adminToken,
      body: {
        name: fields.name,
        issuer: fields.issuer,
        audience: fields.audience,
        ...(fields.subject ? { subject: fields.subject } : {}),
        claims: Object.fromEntries(
          Object.entries(
            String(fields.claims)
              .split('\n')
              .filter(Boolean)
              .reduce<Record<string, string[]>>((all, line) => {
                const [name, value] = line.split('=').map((s) => s.trim()) as [string, string];
                all[name] = [...(all[name] ?? []), value];
                return all;
              }, {}),
          ),
        ),
        user_id: service.id,
        scopes: fields.scopes,
        audiences: fields.audiences,
        max_ttl_seconds: 600,
      },
    });
    expect(api.status).toBe(400);
    const errors = api.body.errors as Array<{ field: string; message: string }>;
    expect(errors.map((e) => e.field)).toContain(field);
    const shown = text(page.html);
    for (const e of errors) expect(shown).toContain(`${e.field}: ${e.message}`);
    // Summarised at the top (role=alert) and tied to its field.
    expect(page.html).toContain('role="alert"');
    const control = field.startsWith('claims') ? 'claims' : field.replace(/\[.*$/, '');
    expect(page.html).toMatch(
      new RegExp(`id="${control}"[^>]*aria-invalid="true"|aria-invalid="true"[^>]*id="${control}"`),
    );
    expect(await apiPolicies()).toHaveLength(before);
  });

  it('refuses an unknown user and a malformed claims line, keeping what was typed', async () => {
    const fields = form({ user: 'nobody-here', claims: 'repository_id 123' });
    const page = await admin.post(BASE, fields, { from: `${BASE}/new` });
    expect(page.status).toBe(400);
    expect(text(page.html)).toContain('claims: line 1: expected "claim = value"');
    const other = await admin.post(BASE, form({ user: 'nobody-here' }), { from: `${BASE}/new` });
    expect(text(other.html)).toContain('user_id: no such user');
    expect(other.html).toContain(`value="${github.url}"`);
  });

  it('refuses a taken name beside the Name field, on create and on edit', async () => {
    const first = await createdPolicy();
    const second = await createdPolicy();
    const page = await admin.post(BASE, form({ name: first.name }), { from: `${BASE}/new` });
    expect(page.status).toBe(409);
    expect(text(page.html)).toContain('name: that policy name is taken');
    expect(page.html).toMatch(/id="name"[^>]*aria-invalid="true"/);
    const edit = await admin.post(`${BASE}/${second.id}`, form({ name: first.name }), {
      from: `${BASE}/${second.id}/edit`,
    });
    expect(edit.status).toBe(409);
    expect((await apiPolicies()).find((p) => p.id === second.id)?.name).toBe(second.name);
  });

  it('refuses an edit that would over-match, and the stored policy stays as it was', async () => {
    const { id } = await createdPolicy();
    const page = await admin.post(`${BASE}/${id}`, form({ subject: 'repo:*', claims: 'repository_id = *' }), {
      from: `${BASE}/${id}/edit`,
    });
    expect(page.status).toBe(400);
    expect(text(page.html)).toContain(
      'claims.repository_id[0]: matches every value; name a narrower pattern',
    );
    expect((await apiPolicies()).find((p) => p.id === id)?.subject).toBe('repo:acme/api:ref:refs/heads/main');
  });
});

describe('trust policy pages', () => {
  it('create, see a federated exchange among its events, edit, delete', async () => {
    const { id, name } = await createdPolicy();
    const list = await admin.get(BASE);
    expect(list.html).toContain(`href="${BASE}/${id}"`);
    expect((await admin.get('/console/admin/federation')).html).toContain(`href="${BASE}/${id}"`);

    const claims = github.githubClaims({ aud: AUD, repository_id: '123456' });
    // Earlier tests left policies that match the same token: name this one, as CI would.
    const minted = await github.mint(claims);
    const exchanged = await federatedExchange(server, minted, { audience: API, trust_policy: name });
    expect(exchanged.response.status).toBe(200);
    let page = await admin.get(`${BASE}/${id}`);
    expect(page.status).toBe(200);
    expect(page.html).toContain('trust_policy.created');
    expect(page.html).toContain('repo:acme/api:ref:refs/heads/main');
    expect(text(page.html)).toContain('repository_id = 123456');
    expect(page.html).toContain('granted');

    const edit = await admin.get(`${BASE}/${id}/edit`);
    expect(edit.html).toContain(`value="${service.username}"`);
    expect(edit.html).toContain('repository_id = 123456');
    const saved = await admin.post(`${BASE}/${id}`, form({ name, subject: 'repo:acme/api:*' }), {
      from: `${BASE}/${id}/edit`,
    });
    expect(saved.location).toBe(`${BASE}/${id}?done=saved`);
    page = await admin.get(saved.location as string);
    expect(page.html).toMatch(/role="status"[^>]*>Trust policy saved/);
    expect(page.html).toContain('trust_policy.updated');
    expect((await apiPolicies()).find((p) => p.id === id)?.subject).toBe('repo:acme/api:*');

    const confirm = await admin.get(`${BASE}/${id}/delete`);
    expect(confirm.html).toContain(`action="${BASE}/${id}/delete"`);
    const deleted = await admin.post(`${BASE}/${id}/delete`, {}, { from: `${BASE}/${id}/delete` });
    expect(deleted.status).toBe(303);
    expect((await admin.get(`${BASE}/${id}`)).status).toBe(404);
    const api = await server.request('GET', `/api/v1/admin/trust-policies/${id}`, {
      token: server.adminToken,
    });
    expect(api.status).toBe(404);
  });
});
